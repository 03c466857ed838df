import { SharqError } from '../../errors/sharq-error.js';
import { parseOptions } from '../../options/parse.js';
import { AppendFile } from './append-file.js';
import { batchFrameHead, type KafkaBatchInput } from './batch-frame.js';
import { nodeFs, type StorageFs } from './fs-layer.js';
import { mkdirDurable } from './fs-util.js';
import {
  type ParsedPartitionLogOptions,
  type PartitionLogOptions,
  partitionLogOptionsSchema,
} from './partition-log-options.js';
import { encodeBatch, type LogRecord, type LogRecordInput } from './record-codec.js';
import { MAX_RECORD_BYTES_LIMIT, openNewSegmentFile, Segment } from './segment.js';
import { recoverPartition } from './segment-recovery.js';
import { closedError, invalidArgument, ioError } from './storage-errors.js';

/**
 * One partition: a folder of segment files with consecutive offsets, appended with group commit.
 *
 * Two ends matter. `nextOffset` is assigned synchronously in call order when `append` is called;
 * `logEndOffset` (the visible end) only moves once a flush has made a batch durable per the
 * fsync policy. Reads stop at the visible end, so a consumer never sees a record that a crash
 * could still take away. Flushes complete in offset order (one file at a time, and a new segment
 * is written only after the previous one is sealed), so the visible end only moves forward.
 */

export type { KafkaBatchInput } from './batch-frame.js';
export type { PartitionLogOptions } from './partition-log-options.js';
export type { LogRecord, LogRecordInput } from './record-codec.js';
export type { TornTailInfo } from './segment-recovery.js';

/** A batch may not push a segment past what 32-bit positions in the index can address. */
const MAX_BATCH_BYTES = 2 ** 30;

interface PendingBatch {
  segment: Segment;
  /** File position just after the batch. */
  end: number;
  nextOffset: number;
}

export class PartitionLog {
  private readonly segments: Segment[];
  private readonly pending: PendingBatch[] = [];
  private readonly listeners = new Set<(logEndOffset: number) => void>();
  private nextOffset: number;
  private visibleEnd: number;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly options: ParsedPartitionLogOptions,
    private readonly fs: StorageFs,
    segments: Segment[],
  ) {
    this.segments = segments;
    this.nextOffset = this.active.nextOffset;
    this.visibleEnd = this.nextOffset;
  }

  /** Opens (creating if needed) the partition in `dir` and recovers it by scanning every segment. */
  static async open(dir: string, options: PartitionLogOptions = {}): Promise<PartitionLog> {
    const { onTornTail, fs = nodeFs, ...rest } = options;
    const parsed = parseOptions('partition log', partitionLogOptionsSchema, rest);
    await mkdirDurable(fs, dir);
    const segments = await recoverPartition(fs, dir, onTornTail);
    const log = new PartitionLog(dir, parsed, fs, segments);
    log.active.writer = log.newWriter(log.active);
    return log;
  }

  get logStartOffset(): number {
    return this.segments[0]!.baseOffset;
  }

  /** Visible end: records below it are durable (per policy) and readable. */
  get logEndOffset(): number {
    return this.visibleEnd;
  }

  /**
   * Appends one producer batch: records (a frame each), or a checked Kafka batch (one batch
   * frame, batch-frame.ts). Offsets are assigned now, in call order; resolves once the batch is
   * durable per the fsync policy and visible to `read`.
   */
  append(records: readonly LogRecordInput[] | KafkaBatchInput): Promise<{ baseOffset: number }> {
    try {
      this.assertOpen();
      const count = 'kafka' in records ? records.timestamps.length : records.length;
      if (count === 0) throw invalidArgument('append needs at least one record');
      const failure = this.active.writer?.error;
      if (failure !== undefined) {
        // Assign nothing: offsets past a failed write are unknown until a reopen rescans.
        throw new SharqError(
          'SHARQ_ERR_IO',
          `Partition log ${this.dir} refuses appends after an I/O failure; reopen it to recover`,
          { cause: failure, details: { dir: this.dir } },
        );
      }
      const baseOffset = this.nextOffset;
      const frames = layOut(records, baseOffset, this.options.maxRecordBytes);
      const bytes = frames.bytes;
      if (bytes > MAX_BATCH_BYTES) {
        throw new SharqError(
          'SHARQ_ERR_RECORD_TOO_LARGE',
          `Batch of ${bytes} bytes exceeds ${MAX_BATCH_BYTES}`,
          { details: { bytes } },
        );
      }
      let segment = this.active;
      const size = segment.index.end;
      if (size > 0 && size + bytes > this.options.segmentBytes) segment = this.roll();
      const writer = segment.writer!;
      const at = segment.index.end;
      for (let i = 0; i < count; i++) {
        const start = frames.starts?.[i] ?? 0;
        const next = frames.starts?.[i + 1] ?? bytes;
        segment.index.add(at + start, next - start, frames.timestamps[i]!, i === count - 1);
      }
      this.nextOffset = baseOffset + count;
      this.pending.push({ segment, end: segment.index.end, nextOffset: this.nextOffset });
      return writer.append(frames.parts).then(() => ({ baseOffset }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Calls `listener` with the new visible end after each flush that moves it. */
  onDurable(listener: (logEndOffset: number) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Reads up to `maxRecords` records from `fromOffset` (within [logStartOffset, logEndOffset]),
   * stopping early once `maxBytes` of frames are collected (at least one record is returned).
   * One positional read per segment touched.
   */
  async read(fromOffset: number, maxRecords: number, maxBytes?: number): Promise<LogRecord[]> {
    this.assertOpen();
    if (!Number.isSafeInteger(maxRecords) || maxRecords < 0) {
      throw invalidArgument('maxRecords must be a non-negative integer', { maxRecords });
    }
    if (maxBytes !== undefined && !(maxBytes > 0)) {
      throw invalidArgument('maxBytes must be positive', { maxBytes });
    }
    this.assertInRange(fromOffset, this.visibleEnd);
    const end = Math.min(this.visibleEnd, fromOffset + maxRecords);
    const out: LogRecord[] = [];
    let bytesLeft = maxBytes ?? Number.POSITIVE_INFINITY;
    let cursor = fromOffset;
    while (cursor < end) {
      const segment = this.segmentFor(cursor);
      const from = cursor - segment.baseOffset;
      const limit = Math.min(end, segment.nextOffset) - segment.baseOffset;
      const to = segment.index.fitBytes(from, limit, bytesLeft, out.length === 0);
      if (to === from) break;
      bytesLeft -= segment.index.endOf(to) - segment.index.position(from);
      try {
        const readable = Math.min(this.visibleEnd, segment.nextOffset) - segment.baseOffset;
        const readableEnd = segment.index.endOf(readable);
        for (const record of await segment.read(from, to, readableEnd)) out.push(record);
      } catch (err) {
        // Retention may have deleted the segment between the range check and the read.
        if (!this.segments.includes(segment)) throw this.outOfRange(cursor);
        throw err;
      }
      cursor = segment.baseOffset + to;
    }
    return out;
  }

  /** Last offset of the producer batch that holds `offset`. */
  batchLastOffset(offset: number): number {
    this.assertOpen();
    this.assertInRange(offset, this.visibleEnd - 1);
    const segment = this.segmentFor(offset);
    const end = segment.index.batchEndFrom(offset - segment.baseOffset);
    // Batches never span segments and become visible whole, so the end is always found.
    return end < 0 ? this.visibleEnd - 1 : segment.baseOffset + end;
  }

  /** First visible offset whose timestamp is >= `ts`, or `logEndOffset` when there is none. */
  offsetForTimestamp(ts: number): number {
    this.assertOpen();
    for (const segment of this.segments) {
      if (segment.index.maxTimestamp < ts) continue;
      const i = segment.index.firstAtOrAfter(ts);
      return Math.min(segment.baseOffset + i, this.visibleEnd);
    }
    return this.visibleEnd;
  }

  /**
   * Retention: deletes the oldest closed segments whose records all lie below `offset` (and,
   * with `olderThanMs`, whose newest record timestamp is older than that too). Stops at the
   * first segment that does not qualify, so the log stays contiguous. Returns how many went.
   */
  async deleteSegmentsBefore(offset: number, olderThanMs?: number): Promise<number> {
    this.assertOpen();
    if (!Number.isSafeInteger(offset)) {
      throw invalidArgument('offset must be an integer', { offset });
    }
    const limit = Math.min(offset, this.visibleEnd);
    const cutoff = olderThanMs === undefined ? Number.POSITIVE_INFINITY : Date.now() - olderThanMs;
    let n = 0;
    while (n < this.segments.length - 1) {
      const segment = this.segments[n]!;
      if (segment.nextOffset > limit || segment.index.maxTimestamp >= cutoff) break;
      n++;
    }
    const doomed = this.segments.splice(0, n);
    for (const segment of doomed) {
      await segment.sealed.catch(() => undefined);
      await segment.handle.then((h) => h.close()).catch(() => undefined);
      await this.fs.rm(segment.file).catch((err: unknown) => {
        throw ioError('delete segment', segment.file, err);
      });
    }
    return doomed.length;
  }

  /** Flushes pending appends, seals the active segment and closes every file. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let failure: unknown;
      const writer = this.active.writer;
      await writer?.close().catch((err: unknown) => {
        failure = err;
      });
      for (const segment of this.segments) {
        await segment.sealed.catch(() => undefined);
        if (segment.writer === undefined) {
          await segment.handle.then((h) => h.close()).catch(() => undefined);
        }
      }
      this.listeners.clear();
      if (failure !== undefined) throw failure;
    })();
    return this.closing;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /**
   * Starts a new segment at `nextOffset`. The old one is sealed (fdatasync under every policy)
   * before the new file is even created, so on disk only the newest segment can be torn.
   */
  private roll(): Segment {
    const old = this.active;
    const sealed = old.writer!.seal();
    old.sealed = sealed;
    old.writer = undefined;
    const base = this.nextOffset;
    const segment = new Segment(
      this.dir,
      base,
      sealed.then(() => openNewSegmentFile(this.fs, this.dir, base)),
    );
    segment.writer = this.newWriter(segment);
    this.segments.push(segment);
    return segment;
  }

  private newWriter(segment: Segment): AppendFile {
    return new AppendFile({
      path: segment.file,
      handle: segment.handle,
      position: segment.index.end,
      fsync: this.options.fsync,
      fsyncIntervalMs: this.options.fsyncIntervalMs,
      // Under "interval" and "never" a produce is answered once its bytes are in the page
      // cache: a synchronous write there costs microseconds, a libuv pool round trip tens.
      writeInline: true,
      // Each produce waits for an fdatasync only under "always": there fill written ahead
      // makes it cheaper (preallocation.ts).
      preallocate: this.options.fsync === 'always',
      fileBytes: segment.fileBytes,
      onFlush: (end) => this.published(segment, end),
    });
  }

  /** A flush of `segment` reached `end`: publish every batch it covered. */
  private published(segment: Segment, end: number): void {
    let done = 0;
    for (const batch of this.pending) {
      if (batch.segment !== segment || batch.end > end) break;
      this.visibleEnd = batch.nextOffset;
      done++;
    }
    if (done === 0) return;
    this.pending.splice(0, done);
    for (const listener of this.listeners) {
      try {
        listener(this.visibleEnd);
      } catch (err) {
        // A listener bug must not break the flush that resolves everyone's appends.
        process.emitWarning(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private segmentFor(offset: number): Segment {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.segments[lo]!;
  }

  private assertInRange(offset: number, max: number): void {
    if (!Number.isSafeInteger(offset) || offset < this.logStartOffset || offset > max) {
      throw this.outOfRange(offset);
    }
  }

  private outOfRange(offset: number): SharqError {
    return new SharqError(
      'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is outside [${this.logStartOffset}, ${this.visibleEnd}] of ${this.dir}`,
      {
        details: { offset, logStartOffset: this.logStartOffset, logEndOffset: this.visibleEnd },
      },
    );
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedError(`Partition log ${this.dir}`);
  }
}

/** A batch's frames as written: the buffers, their size, each record's frame start and timestamp. */
interface LaidOut {
  parts: Uint8Array[];
  bytes: number;
  /** Where each record's frame starts; none for a batch frame (all its records start at 0). */
  starts: number[] | undefined;
  timestamps: readonly number[];
}

function layOut(
  records: readonly LogRecordInput[] | KafkaBatchInput,
  baseOffset: number,
  maxRecordBytes: number,
): LaidOut {
  if ('kafka' in records) {
    const head = batchFrameHead(records, baseOffset, maxRecordBytes);
    const bytes = head.length + records.kafka.length;
    // A batch frame's body is also held to what recovery reads back as one frame.
    if (bytes > MAX_RECORD_BYTES_LIMIT) {
      throw new SharqError(
        'SHARQ_ERR_RECORD_TOO_LARGE',
        `Batch frame of ${bytes} bytes exceeds ${MAX_RECORD_BYTES_LIMIT}`,
        { details: { bytes } },
      );
    }
    return {
      parts: [head, records.kafka],
      bytes,
      starts: undefined,
      timestamps: records.timestamps,
    };
  }
  const batch = encodeBatch(records, baseOffset, maxRecordBytes);
  return {
    parts: [batch.bytes],
    bytes: batch.bytes.length,
    starts: batch.starts,
    timestamps: batch.timestamps,
  };
}
