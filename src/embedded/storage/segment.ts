import path from 'node:path';
import { crc32c } from '../../util/crc32c.js';
import type { AppendFile } from './append-file.js';
import { BATCH_FRAME_VERSION, batchRecordStarts, decodeBatchBody } from './batch-frame.js';
import { FRAME_HEADER_BYTES } from './framed-file.js';
import type { StorageFile, StorageFs } from './fs-layer.js';
import { fsyncDir, readFullyAt } from './fs-util.js';
import { decodeRecord, type LogRecord, recordOffset } from './record-codec.js';
import { SegmentIndex } from './segment-index.js';
import { corruptError, ioError } from './storage-errors.js';

/**
 * One segment file of a partition log: `<20-digit base offset>.log` and its in-memory index
 * (rebuilt at startup by segment-recovery.ts). Segments never split a producer batch, so a
 * batch's records always live in one file.
 */

/** Upper bound on a frame body the scan accepts; maxRecordBytes may not exceed it. */
export const MAX_RECORD_BYTES_LIMIT = 64 * 1024 * 1024;

/**
 * A small read is widened to this many bytes of the records after it (never past the readable
 * end), kept, and later reads inside it are served from memory. A worker polling one record at a
 * time otherwise pays a round trip through the libuv pool per job for a hundred bytes.
 */
export const READ_AHEAD_BYTES = 64 * 1024;

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export class Segment {
  readonly file: string;
  readonly index = new SegmentIndex();
  /** Set while this is the active segment. */
  writer: AppendFile | undefined;
  /** Size of the file when it was opened: its data plus any space written ahead (preallocation.ts). */
  fileBytes = 0;
  /** Settles once the segment is complete on disk (immediately for recovered closed ones). */
  sealed: Promise<void> = Promise.resolve();
  /**
   * The last read-ahead: file bytes [start, start + buf.length). Only complete, readable frames
   * are ever in it and they never change (the file is append-only), so it never goes stale.
   */
  private cache: { start: number; buf: Buffer } | undefined;
  /** The last batch frame read: checked, with where its records start. */
  private batch: { position: number; buf: Buffer; starts: number[] } | undefined;

  constructor(
    dir: string,
    readonly baseOffset: number,
    readonly handle: Promise<StorageFile>,
  ) {
    this.file = path.join(dir, segmentFileName(baseOffset));
    this.handle.catch(() => undefined);
  }

  /** Offset after the last record (assigned, not necessarily durable). */
  get nextOffset(): number {
    return this.baseOffset + this.index.count;
  }

  /**
   * Reads records [from, to) (relative indexes), verifying each frame's CRC: a bit flip after
   * startup surfaces as SHARQ_ERR_LOG_CORRUPT rather than as a wrong payload. `readableEnd` is
   * the file position up to which frames are complete on disk (the visible end); a small read
   * fetches up to READ_AHEAD_BYTES more within it, so the next reads cost no I/O. A batch frame
   * (batch-frame.ts) is checked once and its record starts kept while reads stay inside it, so
   * reading its records a few at a time does not checksum or walk it again each time.
   */
  async read(from: number, to: number, readableEnd = this.index.endOf(to)): Promise<LogRecord[]> {
    const start = this.index.position(from);
    const end = this.index.endOf(to);
    let buf: Buffer;
    let bufStart: number;
    const cached = this.cache;
    if (cached !== undefined && start >= cached.start && end <= cached.start + cached.buf.length) {
      buf = cached.buf;
      bufStart = cached.start;
    } else {
      const length = Math.max(end, Math.min(readableEnd, start + READ_AHEAD_BYTES)) - start;
      buf = Buffer.allocUnsafe(length);
      bufStart = start;
      let got: number;
      try {
        got = await readFullyAt(await this.handle, buf, 0, length, start);
      } catch (err) {
        throw ioError('read', this.file, err);
      }
      if (got < end - start) {
        throw corruptError(this.file, start + got, 'segment shorter than its index');
      }
      if (got < length) buf = buf.subarray(0, got);
      // Kept even when nothing was read ahead: the rest of a batch frame may be read next.
      this.cache = { start, buf };
    }
    const records: LogRecord[] = [];
    const limit = end - bufStart;
    for (let i = from; i < to; ) {
      const position = this.index.position(i);
      const at = position - bufStart;
      const bodyLength = buf.readUInt32LE(at);
      const bodyStart = at + FRAME_HEADER_BYTES;
      // Checked already when it is the batch frame last read, in this same buffer.
      const batch =
        this.batch?.position === position && this.batch.buf === buf ? this.batch : undefined;
      if (
        batch === undefined &&
        (bodyStart + bodyLength > limit ||
          crc32c(buf, 0, bodyStart, bodyStart + bodyLength) !== buf.readUInt32LE(at + 4))
      ) {
        throw corruptError(this.file, position, 'checksum mismatch on read');
      }
      if (buf[bodyStart] !== BATCH_FRAME_VERSION) {
        records.push(decodeRecord(buf, bodyStart));
        i++;
        continue;
      }
      const body = buf.subarray(bodyStart, bodyStart + bodyLength);
      const starts = batch?.starts ?? batchRecordStarts(body);
      this.batch = { position, buf, starts };
      const first = this.baseOffset + i - recordOffset(body);
      const take = Math.min(starts.length - first, to - i);
      for (const r of decodeBatchBody(body, starts, first, first + take)) records.push(r);
      i += take;
    }
    return records;
  }
}

/** Creates a segment file and makes its directory entry durable before anything is written. */
export async function openNewSegmentFile(
  fs: StorageFs,
  dir: string,
  baseOffset: number,
): Promise<StorageFile> {
  const handle = await fs.open(path.join(dir, segmentFileName(baseOffset)), 'append');
  try {
    await fsyncDir(fs, dir);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return handle;
}
