import { listedOffsets } from '../engine/listed-offsets.js';
import type { Engine, PartitionOffsets } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { dlqStateTopic } from '../queue/names.js';

/**
 * The DLQ ledger of a queue: the DLQ topic is append-only, so what operators did to its records
 * is kept beside it in `sharq.dlq-state.<queue>` (one partition, so one order every reader
 * agrees on), one JSON record per step, keyed by the DLQ record's id `"<partition>:<offset>"`:
 *
 *   {"v":1,"op":"discard","id":"0:17","at":...,"by":"...","rid":"d-..."}
 *   {"v":1,"op":"intent","id":"0:17","at":...,"ends":{"0":1200,"1":1187},"rid":"r-...","takes":null}
 *   {"v":1,"op":"redriven","id":"0:17","at":...,"target":{"topic":"q","partition":1,"offset":1190},"rid":"r-..."}
 *
 * The ledger arbitrates between redrives and discards of any process: steps are applied in the
 * ledger's order, and
 *   - an `intent` claims its record when it names the claim holding the record as it lands
 *     (`takes`: that claim's ledger offset, null for none) and the record is neither redriven
 *     nor discarded; any other intent is void. A compare-and-set on the log: of two redrives
 *     that both saw no claim, the first in the ledger wins; of two taking over one dead claim,
 *     the first wins.
 *   - a `discard` counts when the record has no claim and is not redriven; after a claim it is
 *     void (the redrive wins).
 *   - the first `redriven` marks the record done.
 * redrive.ts writes the steps and says what a crash at each costs.
 */
export interface RedriveTarget {
  topic: string;
  partition: number;
  offset: number;
}

/** The redrive holding a record: its intent as applied. */
export interface LedgerClaim {
  /** The redrive's id; null for an intent written before redrive ids. */
  rid: string | null;
  at: number;
  /** The intent's offset in the ledger topic. */
  offset: number;
}

export interface LedgerEntry {
  discardedAt?: number;
  discardRid?: string | null;
  /** The claim holding the record now (the intent of its latest owner). */
  intent?: LedgerClaim;
  /** Where a search for copies starts: per partition the lowest log end any claim saw. */
  scanFrom?: Record<string, number>;
  redriven?: { at: number; target: RedriveTarget };
}

export type LedgerOp =
  | { op: 'discard'; id: string; at: number; by: string | null; rid: string }
  | {
      op: 'intent';
      id: string;
      at: number;
      ends: Record<string, number>;
      rid: string;
      takes: number | null;
    }
  | { op: 'redriven'; id: string; at: number; target: RedriveTarget; rid: string };

export class DlqLedger {
  readonly topic: string;
  private readonly entries = new Map<string, LedgerEntry>();
  private offset = 0;
  private ready: Promise<unknown> | undefined;
  private refreshing: Promise<void> | undefined;
  /** The read after the one under way, for callers that came while it ran. */
  private nextRefresh: Promise<void> | undefined;

  /**
   * `listed` tells whether the broker lists a topic (the admin API's topic names, read at most
   * once a second). With it a read makes no topic: until this ledger writes, a ledger topic not
   * listed (nothing was ever appended) reads as empty, so viewing a queue leaves the broker as
   * it was. Without it every read makes the topic first.
   */
  constructor(
    private readonly engine: Engine,
    queue: string,
    private readonly listed?: (topic: string) => Promise<boolean>,
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

  /**
   * Reads what was appended before the call (by this process or any other). A read already
   * under way may have taken the log end before the caller's own append, so a caller that
   * comes while one runs waits for the next read, which begins after it; all such callers
   * share that one.
   */
  refresh(): Promise<void> {
    if (this.refreshing === undefined) {
      this.refreshing = this.readNew().finally(() => {
        this.refreshing = undefined;
      });
      return this.refreshing;
    }
    this.nextRefresh ??= this.refreshing
      .catch(() => undefined)
      .then(() => {
        this.nextRefresh = undefined;
        return this.refresh();
      });
    return this.nextRefresh;
  }

  /**
   * `refresh` for a step that writes (a discard, a redrive): the topic is made first, so that
   * a read cannot take a ledger another process has just made, and the broker does not list
   * yet, for an empty one (its claims would be lost to this step's).
   */
  async refreshToWrite(): Promise<void> {
    await this.ensure();
    await this.refresh();
  }

  /**
   * Appends steps; resolves once they are durable and the ledger is read back past them, so
   * `get` shows what the ledger's order made of them.
   */
  async append(ops: readonly LedgerOp[]): Promise<void> {
    if (ops.length === 0) return;
    await this.ensure();
    const positions = await this.engine.produce(
      this.topic,
      ops.map((op) => ({
        key: Buffer.from(op.id),
        value: Buffer.from(JSON.stringify({ v: 1, ...op })),
        partition: 0,
      })),
    );
    // Read back rather than apply locally: the ledger's order is the topic's. A read begun
    // after the produce reaches it unless a read came back short (a fetch that returned
    // nothing): then it reads again.
    const last = Math.max(...positions.map((p) => p.offset));
    for (let round = 0; this.offset <= last; round++) {
      if (round >= 50) {
        throw new SharqError(
          'SHARQ_ERR_TIMEOUT',
          `The DLQ ledger "${this.topic}" did not read back offset ${last} it was written at`,
          { details: { topic: this.topic, offset: last, readTo: this.offset } },
        );
      }
      await this.refresh();
    }
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
    // A view makes nothing and reads a ledger not there yet as empty; a writer's read comes
    // after ensure() (refreshToWrite).
    let offsets: PartitionOffsets[];
    if (this.listed !== undefined && this.ready === undefined) {
      offsets = await listedOffsets(this.engine, this.topic, this.listed);
    } else {
      await this.ensure();
      offsets = await this.engine.admin.offsets(this.topic);
    }
    const [p] = offsets;
    if (p === undefined) return;
    if (this.offset < p.logStartOffset) this.offset = p.logStartOffset;
    while (this.offset < p.logEndOffset) {
      const records = await this.engine.read(this.topic, 0, this.offset, 2000);
      if (records.length === 0) break;
      for (const r of records) if (r.value !== null) this.apply(r.offset, r.value);
      this.offset = records[records.length - 1]!.offset + 1;
    }
  }

  private apply(offset: number, value: Buffer): void {
    let op: Partial<LedgerOp> & { v?: unknown };
    try {
      op = JSON.parse(value.toString('utf8')) as Partial<LedgerOp> & { v?: unknown };
    } catch {
      return;
    }
    if (op?.v !== 1 || typeof op.id !== 'string' || typeof op.at !== 'number') return;
    const entry = this.entries.get(op.id) ?? {};
    const rid = typeof op.rid === 'string' ? op.rid : null;
    if (op.op === 'discard') {
      if (!discardable(entry)) return;
      entry.discardedAt = op.at;
      entry.discardRid = rid;
    } else if (op.op === 'intent') {
      if (entry.redriven !== undefined || entry.discardedAt !== undefined) return;
      // Intents before redrive ids name no claim: they take the record when it has none.
      if ((op.takes ?? null) !== (entry.intent?.offset ?? null)) return;
      const ends = op.ends ?? {};
      entry.intent = { rid, at: op.at, offset };
      const from = { ...(entry.scanFrom ?? ends) };
      for (const [p, end] of Object.entries(ends)) from[p] = Math.min(from[p] ?? end, end);
      entry.scanFrom = from;
    } else if (op.op === 'redriven' && op.target !== undefined) {
      if (entry.redriven !== undefined) return;
      entry.redriven = { at: op.at, target: op.target };
    } else return;
    this.entries.set(op.id, entry);
  }
}

/**
 * Whether a discard of the record counts: it is not discarded or redriven, and no redrive has
 * claimed it (even a dead claim: the next redrive finishes it). Discard checks it before it
 * writes, and the ledger when it applies the discard in its order.
 */
export function discardable(entry: LedgerEntry | undefined): boolean {
  return (
    entry?.discardedAt === undefined && entry?.redriven === undefined && entry?.intent === undefined
  );
}

/** The DLQ record's id: `"<partition>:<offset>"`. */
export function dlqId(partition: number, offset: number): string {
  return `${partition}:${offset}`;
}

/** The position a DLQ record id names; SHARQ_ERR_INVALID_ARGUMENT (field `id`) for another string. */
export function parseDlqId(id: string): { partition: number; offset: number } {
  const m = /^(\d+):(\d+)$/.exec(id);
  if (m === null)
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `A DLQ record id is "<partition>:<offset>", got "${id}"`,
      { details: { field: 'id' } },
    );
  return { partition: Number(m[1]), offset: Number(m[2]) };
}
