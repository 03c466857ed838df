import type { AcquiredRecord } from '../src/engine/types.js';
import { AckType } from '../src/engine/types.js';
import { SharqError } from '../src/errors/sharq-error.js';
import type { TimerClock } from '../src/util/clock.js';
import type { AckBatcher } from './ack-batcher.js';

/** A record this process holds under an acquisition lock: a running job, or one waiting out a short delay. */
export interface Locked {
  readonly record: AcquiredRecord;
  lockDeadline: number;
  /** Its verdict is on its way: no more renewals. */
  settled: boolean;
  /** Given up (lost lock, shutdown): its late verdict is dropped. */
  abandoned: boolean;
}

/** How often held locks are checked, as a share of the lock duration. */
const CHECK_SHARE = 1 / 6;
/** A lock is renewed once less than this share of it is left. */
const RENEW_WHEN_LEFT = 1 / 2;

/**
 * Keeps the locks of held records alive: a sweep every sixth of the lock duration RENEWs each
 * lock that is more than half used (KIP-1222), and reports one that ran out before it could be
 * renewed. The same keeper serves running jobs, retries waiting out a short backoff on the
 * worker, and delay-tier records a forwarder holds until due.
 */
export class LockKeeper<T extends Locked> {
  readonly held = new Set<T>();
  private readonly pending = new Set<Promise<unknown>>();
  private cancelTimer: (() => void) | undefined;
  private stopped = false;

  constructor(
    private readonly acks: AckBatcher,
    private lockDurationMs: number,
    private readonly clock: TimerClock,
    private readonly onLost: (entry: T, error: Error) => void,
  ) {
    this.schedule();
  }

  add(entry: T): void {
    this.held.add(entry);
  }

  /** The lock the keeper works to (the group's, or shorter if records show a shorter one). */
  get lockMs(): number {
    return this.lockDurationMs;
  }

  /**
   * A record came with a lock of `ms`: when the group's lock was shortened after setup (a
   * Queue that set it later, an operator), renew and sweep by the lock records really get.
   */
  observe(ms: number): void {
    if (ms <= 0 || ms >= this.lockDurationMs * 0.9) return;
    this.lockDurationMs = Math.max(1, Math.floor(ms));
    this.cancelTimer?.();
    this.schedule();
  }

  delete(entry: T): void {
    this.held.delete(entry);
  }

  /** RENEWs one lock now; resolves false when the engine refused it (the lock is lost). */
  renew(entry: T): Promise<boolean> {
    const p = this.acks
      .submit({ record: entry.record, type: AckType.Renew })
      .then(({ error, renewedUntil }) => {
        if (error !== undefined) {
          this.onLost(entry, error);
          return false;
        }
        if (renewedUntil !== undefined) entry.lockDeadline = renewedUntil;
        return true;
      });
    this.track(p);
    return p;
  }

  /** Waits for renewals in flight. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = Math.max(100, Math.floor(this.lockDurationMs * CHECK_SHARE));
    this.cancelTimer = this.clock.setTimer(() => {
      this.sweep();
      this.schedule();
    }, every);
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const entry of this.held) {
      if (entry.abandoned || entry.settled) continue;
      if (entry.lockDeadline <= now) {
        const { topic, partition, offset } = entry.record;
        this.onLost(
          entry,
          new SharqError(
            'SHARQ_ERR_INVALID_RECORD_STATE',
            `The lock of job at ${topic}/${partition}@${offset} expired before it could be renewed`,
          ),
        );
        continue;
      }
      if (entry.lockDeadline - now <= this.lockDurationMs * RENEW_WHEN_LEFT) void this.renew(entry);
    }
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
