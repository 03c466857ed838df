import type { Engine, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';

/**
 * Walks a DLQ topic across its partitions in time order (record timestamps; newest first for
 * `desc`), reading each partition in chunks. A page stops part-way; `cursor()` then says where
 * every partition got to, so the next page carries on from there: opaque base64url JSON
 * `{"o":"desc","p":{"0":1234,"1":1200}}`, an exclusive upper bound per partition for `desc`, an
 * inclusive lower bound for `asc`.
 */
export type ScanOrder = 'asc' | 'desc';

interface PartitionCursor {
  partition: number;
  lo: number;
  hi: number;
  /** desc: next read ends here (exclusive); asc: next read starts here. */
  pos: number;
  /** Position after the last record handed out, as the cursor shows it. */
  consumed: number;
  buffer: StoredRecord[];
  chunk: number;
}

export function decodeCursor(text: string, order: ScanOrder): Map<number, number> {
  const bad = () =>
    new SharqError('SHARQ_ERR_INVALID_ARGUMENT', 'Bad DLQ cursor: pass a nextCursor unchanged', {
      details: { field: 'cursor' },
    });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const o = v as { o?: unknown; p?: unknown };
  if (typeof o !== 'object' || o === null || o.o !== order) throw bad();
  if (typeof o.p !== 'object' || o.p === null) throw bad();
  const map = new Map<number, number>();
  for (const [k, n] of Object.entries(o.p as Record<string, unknown>)) {
    const p = Number(k);
    if (!Number.isSafeInteger(p) || p < 0 || typeof n !== 'number' || !Number.isSafeInteger(n))
      throw bad();
    map.set(p, n);
  }
  return map;
}

export class DlqScanner {
  private parts: PartitionCursor[] = [];
  private opened = false;

  constructor(
    private readonly engine: Engine,
    readonly topic: string,
    private readonly order: ScanOrder,
    private readonly start: Map<number, number> | undefined,
    private readonly firstChunk = 200,
  ) {}

  private async open(): Promise<void> {
    this.opened = true;
    const offsets = await this.engine.admin.offsets(this.topic);
    this.parts = offsets.map((o) => {
      const lo = o.logStartOffset;
      const hi = o.logEndOffset;
      const from = this.start?.get(o.partition);
      const pos =
        from === undefined ? (this.order === 'desc' ? hi : lo) : Math.min(hi, Math.max(lo, from));
      return {
        partition: o.partition,
        lo,
        hi,
        pos,
        consumed: pos,
        buffer: [],
        chunk: this.firstChunk,
      };
    });
  }

  /** The next record in order, or undefined at the end. */
  async next(): Promise<StoredRecord | undefined> {
    if (!this.opened) await this.open();
    await Promise.all(this.parts.map((p) => this.fill(p)));
    let best: PartitionCursor | undefined;
    for (const p of this.parts) {
      const head = p.buffer[0];
      if (head === undefined) continue;
      const bh = best?.buffer[0];
      if (
        bh === undefined ||
        (this.order === 'desc' ? head.timestamp > bh.timestamp : head.timestamp < bh.timestamp)
      )
        best = p;
    }
    if (best === undefined) return undefined;
    const record = best.buffer.shift()!;
    best.consumed = this.order === 'desc' ? record.offset : record.offset + 1;
    return record;
  }

  /** Where a next page starts, or null when every partition is read to its end. */
  cursor(): string | null {
    const done = this.parts.every(
      (p) => p.buffer.length === 0 && (this.order === 'desc' ? p.pos <= p.lo : p.pos >= p.hi),
    );
    if (done) return null;
    const p: Record<string, number> = {};
    for (const part of this.parts) p[String(part.partition)] = part.consumed;
    return Buffer.from(JSON.stringify({ o: this.order, p })).toString('base64url');
  }

  private async fill(p: PartitionCursor): Promise<void> {
    if (p.buffer.length > 0) return;
    if (this.order === 'desc') {
      if (p.pos <= p.lo) return;
      const from = Math.max(p.lo, p.pos - p.chunk);
      const records = await this.engine.read(this.topic, p.partition, from, p.pos - from);
      p.pos = from;
      p.buffer = records.reverse();
    } else {
      if (p.pos >= p.hi) return;
      const records = await this.engine.read(
        this.topic,
        p.partition,
        p.pos,
        Math.min(p.chunk, p.hi - p.pos),
      );
      p.pos = records.length === 0 ? p.hi : records[records.length - 1]!.offset + 1;
      p.buffer = records;
    }
    // A selective filter reads on: larger chunks, fewer round trips.
    p.chunk = Math.min(p.chunk * 2, 2000);
    // Compaction holes or an empty read: carry on with the next chunk.
    if (p.buffer.length === 0) await this.fill(p);
  }
}

/** One DLQ record by position, or undefined. */
export async function readOne(
  engine: Engine,
  topic: string,
  partition: number,
  offset: number,
): Promise<StoredRecord | undefined> {
  const offsets = await engine.admin.offsets(topic);
  const o = offsets.find((x) => x.partition === partition);
  if (o === undefined || offset < o.logStartOffset || offset >= o.logEndOffset) return undefined;
  const [record] = await engine.read(topic, partition, offset, 1);
  return record?.offset === offset ? record : undefined;
}
