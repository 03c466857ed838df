import { SharqError } from '../../errors/sharq-error.js';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './framed-file.js';
import { invalidArgument } from './storage-errors.js';

/**
 * Binary layout of one log record, the body of one frame (all integers little-endian):
 *
 *   u8  version (1)
 *   u8  attributes: bit 0 = last record of its producer batch (one `append` call)
 *   u64 offset, as u32 low word then u32 high word. Offsets are JS numbers, so only values up
 *       to 2^53 - 1 occur; a high word >= 2^21 is rejected as corruption.
 *   f64 timestamp, epoch milliseconds
 *   i32 key length (-1 = null key), key bytes
 *   i32 value length (-1 = null value), value bytes
 *   u16 header count, then per header: u16 key length, utf8 key, u32 value length, utf8 value
 *
 * Each body records its own offset so recovery can prove the sequence has no gap or repeat,
 * and the batch flag lets recovery drop a half-written batch and answer `batchLastOffset`.
 */

export const RECORD_FORMAT_VERSION = 1;
export const ATTR_BATCH_END = 0x01;
const FIXED_BYTES = 2 + 8 + 8 + 4 + 4 + 2;
const TWO_32 = 2 ** 32;
const MAX_SAFE_HIGH = 2 ** 21;

export interface LogRecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers: Readonly<Record<string, string>>;
  timestamp: number;
}

export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface EncodedBatch {
  /** All frames back to back, ready for one write. */
  bytes: Buffer;
  /** Start of each record's frame inside `bytes`. */
  starts: number[];
  timestamps: number[];
}

/**
 * Encodes records with consecutive offsets from `baseOffset` as frames in one buffer; the last
 * carries the batch-end flag. Validates the input first, so nothing is assigned on bad input.
 */
export function encodeBatch(
  records: readonly LogRecordInput[],
  baseOffset: number,
  maxRecordBytes: number,
): EncodedBatch {
  // Every field is read once, here: a getter read again for the write could give something of
  // another size than was counted, and unwritten bytes would reach the disk.
  const taken: TakenRecord[] = [];
  const sizes: number[] = [];
  let total = 0;
  records.forEach((record, i) => {
    const r = takeRecord(record, i);
    let size = FIXED_BYTES + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (let h = 0; h < r.headerKeys.length; h++) {
      const keyBytes = Buffer.byteLength(r.headerKeys[h]!);
      if (keyBytes > 0xffff) {
        throw invalidArgument(`Header name of record ${i} exceeds 65535 bytes`);
      }
      size += 6 + keyBytes + Buffer.byteLength(r.headerValues[h]!);
    }
    if (size > maxRecordBytes) throw recordTooLarge(i, size, maxRecordBytes);
    taken.push(r);
    sizes.push(size);
    total += FRAME_HEADER_BYTES + size;
  });

  const bytes = Buffer.allocUnsafe(total);
  const starts: number[] = [];
  const timestamps: number[] = [];
  let at = 0;
  taken.forEach((record, i) => {
    const size = sizes[i]!;
    const body = at + FRAME_HEADER_BYTES;
    let p = body;
    const offset = baseOffset + i;
    p = bytes.writeUInt8(RECORD_FORMAT_VERSION, p);
    p = bytes.writeUInt8(i === taken.length - 1 ? ATTR_BATCH_END : 0, p);
    p = bytes.writeUInt32LE(offset >>> 0, p);
    p = bytes.writeUInt32LE(Math.floor(offset / TWO_32), p);
    p = bytes.writeDoubleLE(record.timestamp, p);
    p = writeBytes(bytes, p, record.key);
    p = writeBytes(bytes, p, record.value);
    p = bytes.writeUInt16LE(record.headerKeys.length, p);
    for (let h = 0; h < record.headerKeys.length; h++) {
      const kLen = bytes.write(record.headerKeys[h]!, p + 2);
      bytes.writeUInt16LE(kLen, p);
      p += 2 + kLen;
      const vLen = bytes.write(record.headerValues[h]!, p + 4);
      bytes.writeUInt32LE(vLen, p);
      p += 4 + vLen;
    }
    writeFrameHeader(bytes, at, size);
    starts.push(at);
    timestamps.push(record.timestamp);
    at = body + size;
  });
  return { bytes, starts, timestamps };
}

/** Record `index` takes `bytes` in this format, over `maxRecordBytes`. */
export function recordTooLarge(index: number, bytes: number, maxRecordBytes: number): SharqError {
  return new SharqError(
    'SHARQ_ERR_RECORD_TOO_LARGE',
    `Record ${index} is ${bytes} bytes encoded; the limit is ${maxRecordBytes} (maxRecordBytes)`,
    { details: { index, bytes, maxRecordBytes } },
  );
}

function writeBytes(target: Buffer, at: number, bytes: Buffer | null): number {
  if (bytes === null) return target.writeInt32LE(-1, at);
  const p = target.writeInt32LE(bytes.length, at);
  target.set(bytes, p);
  return p + bytes.length;
}

/** A record's fields as read once, checked. */
interface TakenRecord {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headerKeys: string[];
  headerValues: string[];
}

function takeRecord(record: LogRecordInput, i: number): TakenRecord {
  const { timestamp, key, value } = record;
  if (!Number.isFinite(timestamp)) {
    throw invalidArgument(`Record ${i} has a non-finite timestamp`, { index: i });
  }
  if (key !== null && !Buffer.isBuffer(key)) {
    throw invalidArgument(`Record ${i} key must be a Buffer or null`, { index: i });
  }
  if (value !== null && !Buffer.isBuffer(value)) {
    throw invalidArgument(`Record ${i} value must be a Buffer or null`, { index: i });
  }
  const source = record.headers;
  const headerKeys = Object.keys(source);
  if (headerKeys.length > 0xffff) throw invalidArgument(`Record ${i} has more than 65535 headers`);
  const headerValues: string[] = new Array(headerKeys.length);
  for (let h = 0; h < headerKeys.length; h++) {
    const v = source[headerKeys[h]!];
    if (typeof v !== 'string') {
      throw invalidArgument(`Header "${headerKeys[h]}" of record ${i} must be a string`, {
        index: i,
      });
    }
    headerValues[h] = v;
  }
  return { timestamp, key, value, headerKeys, headerValues };
}

/** Offset stored in a body that passed `isWellFormedRecord`. */
export function recordOffset(body: Buffer): number {
  return body.readUInt32LE(6) * TWO_32 + body.readUInt32LE(2);
}

export function recordTimestamp(body: Buffer): number {
  return body.readDoubleLE(10);
}

export function isBatchEnd(body: Buffer): boolean {
  return (body[1]! & ATTR_BATCH_END) !== 0;
}

/** Structural check: every length field fits and the fields end exactly at the body end. */
export function isWellFormedRecord(body: Buffer): boolean {
  if (body.length < FIXED_BYTES || body[0] !== RECORD_FORMAT_VERSION) return false;
  if (body.readUInt32LE(6) >= MAX_SAFE_HIGH || !Number.isFinite(body.readDoubleLE(10)))
    return false;
  let p = 18;
  for (let field = 0; field < 2; field++) {
    if (p + 4 > body.length) return false;
    const len = body.readInt32LE(p);
    p += 4;
    if (len < -1 || p + Math.max(len, 0) > body.length) return false;
    if (len > 0) p += len;
  }
  if (p + 2 > body.length) return false;
  const count = body.readUInt16LE(p);
  p += 2;
  for (let h = 0; h < count; h++) {
    if (p + 2 > body.length) return false;
    p += 2 + body.readUInt16LE(p);
    if (p + 4 > body.length) return false;
    p += 4 + body.readUInt32LE(p);
  }
  return p === body.length;
}

/**
 * Decodes a well-formed body at `buf[start, end)`. Key and value are views into `buf` (no
 * copy), so a retained record keeps its read buffer alive; reads are bounded by maxBytes.
 * Headers are a plain object; a header named `__proto__` is defined as an own property so it
 * stays data instead of replacing the prototype.
 */
export function decodeRecord(buf: Buffer, start: number): LogRecord {
  const offset = buf.readUInt32LE(start + 6) * TWO_32 + buf.readUInt32LE(start + 2);
  const timestamp = buf.readDoubleLE(start + 10);
  let p = start + 18;
  const keyLen = buf.readInt32LE(p);
  p += 4;
  const key = keyLen < 0 ? null : buf.subarray(p, p + keyLen);
  if (keyLen > 0) p += keyLen;
  const valueLen = buf.readInt32LE(p);
  p += 4;
  const value = valueLen < 0 ? null : buf.subarray(p, p + valueLen);
  if (valueLen > 0) p += valueLen;
  const count = buf.readUInt16LE(p);
  p += 2;
  const headers: Record<string, string> = {};
  for (let h = 0; h < count; h++) {
    const kLen = buf.readUInt16LE(p);
    const k = buf.toString('utf8', p + 2, p + 2 + kLen);
    p += 2 + kLen;
    const vLen = buf.readUInt32LE(p);
    const v = buf.toString('utf8', p + 4, p + 4 + vLen);
    if (k === '__proto__') {
      Object.defineProperty(headers, k, {
        value: v,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      headers[k] = v;
    }
    p += 4 + vLen;
  }
  return { offset, timestamp, key, value, headers };
}
