import type { Engine } from '../engine/types.js';
import { dlqStateTopic } from '../queue/names.js';

/**
 * The DLQ ledger of a queue: the DLQ topic is append-only, so what operators did to its records
 * is kept beside it in `sharq.dlq-state.<queue>` (one partition), one JSON record per step,
 * keyed by the DLQ record's id `"<partition>:<offset>"`:
 *
 *   {"v":1,"op":"discard","id":"0:17","at":...,"by":"..."}
 *   {"v":1,"op":"intent","id":"0:17","at":...,"ends":{"0":1200,"1":1187}}
 *   {"v":1,"op":"redriven","id":"0:17","at":...,"target":{"topic":"q","partition":1,"offset":1190}}
 *
 * A redrive writes its intent (with the queue's log-end offsets at that moment) before it
 * produces to the queue, and `redriven` after. An intent without `redriven` is a redrive that
 * crashed between the two: redrive.ts looks for its copy in the queue from those offsets on
 * (the copy carries `sharq.redrive.from`) before producing again, so a record is enqueued once.
 */
export interface RedriveTarget {
  topic: string;
  partition: number;
  offset: number;
}

export interface LedgerEntry {
  discardedAt?: number;
  intent?: { at: number; ends: Record<string, number> };
  redriven?: { at: number; target: RedriveTarget };
}

export type LedgerOp =
  | { op: 'discard'; id: string; at: number; by: string | null }
  | { op: 'intent'; id: string; at: number; ends: Record<string, number> }
  | { op: 'redriven'; id: string; at: number; target: RedriveTarget };

export class DlqLedger {
  readonly topic: string;
  private readonly entries = new Map<string, LedgerEntry>();
  private offset = 0;
  private ready: Promise<unknown> | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    queue: string,
  ) {
    this.topic = dlqStateTopic(queue);
  }

  get(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  /** Records discarded, redriven in all (for counts). */
  totals(): { discarded: number; redriven: number } {
    let discarded = 0;
    let redriven = 0;
    for (const e of this.entries.values()) {
      if (e.redriven !== undefined) redriven++;
      else if (e.discardedAt !== undefined) discarded++;
    }
    return { discarded, redriven };
  }

  /** Reads what was appended since the last call (by this process or any other). */
  refresh(): Promise<void> {
    this.refreshing ??= this.readNew().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Appends steps; resolves once they are durable, and applies them. */
  async append(ops: readonly LedgerOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.ensure();
    await this.engine.produce(
      this.topic,
      ops.map((op) => ({
        key: Buffer.from(op.id),
        value: Buffer.from(JSON.stringify({ v: 1, ...op })),
        partition: 0,
      })),
    );
    // Read back rather than apply locally: the ledger's order is the topic's.
    await this.refresh();
  }

  private ensure(): Promise<unknown> {
    this.ready ??= this.engine.admin
      .ensureTopic(this.topic, { partitions: 1 })
      .catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    return this.ready;
  }

  private async readNew(): Promise<void> {
    await this.ensure();
    const [p] = await this.engine.admin.offsets(this.topic);
    if (p === undefined) return;
    if (this.offset < p.logStartOffset) this.offset = p.logStartOffset;
    while (this.offset < p.logEndOffset) {
      const records = await this.engine.read(this.topic, 0, this.offset, 2000);
      if (records.length === 0) break;
      for (const r of records) if (r.value !== null) this.apply(r.value);
      this.offset = records[records.length - 1]!.offset + 1;
    }
  }

  private apply(value: Buffer): void {
    let op: (LedgerOp & { v?: unknown }) | undefined;
    try {
      op = JSON.parse(value.toString('utf8')) as LedgerOp & { v?: unknown };
    } catch {
      return;
    }
    if (op?.v !== 1 || typeof op.id !== 'string' || typeof op.at !== 'number') return;
    const entry = this.entries.get(op.id) ?? {};
    if (op.op === 'discard') entry.discardedAt = op.at;
    else if (op.op === 'intent') entry.intent = { at: op.at, ends: op.ends };
    else if (op.op === 'redriven') entry.redriven = { at: op.at, target: op.target };
    else return;
    this.entries.set(op.id, entry);
  }
}

/** The DLQ record's id: `"<partition>:<offset>"`. */
export function dlqId(partition: number, offset: number): string {
  return `${partition}:${offset}`;
}
