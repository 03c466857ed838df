import { randomUUID } from 'node:crypto';
import type { LedgerClaim } from './dlq-ledger.js';

/**
 * Which redrive claims in a DLQ ledger are dead, as one `SharqAdmin` can tell: its own claims
 * whose redrive is no longer running (it failed part-way: no other process would know for a
 * while), and anyone's claim older than `timeoutMs` by this process's clock (its owner crashed,
 * or is taken to have). A live claim of another process looks like neither until its timeout.
 */
export class RedriveClaims {
  private readonly prefix = `r-${randomUUID()}.`;
  private readonly running = new Set<string>();
  private seq = 0;

  constructor(readonly timeoutMs: number) {}

  /** A fresh redrive id, running until `finish`. */
  start(): string {
    const rid = `${this.prefix}${++this.seq}`;
    this.running.add(rid);
    return rid;
  }

  finish(rid: string): void {
    this.running.delete(rid);
  }

  isDead(claim: LedgerClaim, now: number): boolean {
    const rid = claim.rid ?? '';
    if (rid.startsWith(this.prefix)) return !this.running.has(rid);
    return now - claim.at >= this.timeoutMs;
  }
}
