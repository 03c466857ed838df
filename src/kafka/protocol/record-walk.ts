import { isUtf8 } from 'node:buffer';

/**
 * A walk over the records of an uncompressed v2 record batch (the grammar is in
 * ./record-batch.ts), for code that keeps Kafka's bytes as they are: `sharq server` stores a
 * Produce batch in its log as one frame (src/embedded/storage/batch-frame.ts) and reads its
 * records from there. No object, string or BigInt per record, and nothing thrown: a malformed
 * record makes the walk answer -1 (the Produce path then takes the general decoder, which
 * reports what is wrong).
 *
 *   Record => length:varint attributes:int8 timestampDelta:varlong offsetDelta:varint
 *             keyLength:varint key valueLength:varint value headerCount:varint [Header]
 *   Header => keyLength:varint key valueLength:varint value      (a length of -1 is null)
 *
 * Besides the grammar it holds records to what sharq's log takes from any engine (the general
 * path refuses the rest): at most 65535 headers, header names of at most 65535 bytes, timestamp
 * deltas below 2^48; and, for a Produce, plain headers (`plainHeaders`).
 */

/** What a walk reports per record, when asked. Positions are into the walked buffer. */
export type RecordVisitor = (
  ordinal: number,
  timestamp: number,
  keyStart: number,
  keyLength: number,
  valueStart: number,
  valueLength: number,
  headersStart: number,
  headerCount: number,
) => void;

/**
 * Bytes a record takes in the embedded log's own record format (src/embedded/storage/
 * record-codec.ts) before headers, so the walk can hold a record to `maxRecordBytes` exactly as
 * that encoder would: version, attributes, offset, timestamp, the two i32 lengths, the u16
 * header count.
 */
const STORED_FIXED_BYTES = 2 + 8 + 8 + 4 + 4 + 2;

/** What a walk found: the records' timestamps (when a list is given) and the largest record. */
export interface WalkResult {
  /** Largest record as the embedded log's record format would store it, in bytes. */
  largestStoredBytes: number;
  /** Which record that is. */
  largestIndex: number;
}

/** What a walk collects besides checking: each is filled or called per record when given. */
export interface WalkOptions {
  /** Each record's timestamp is pushed here. */
  timestamps?: number[] | undefined;
  /** Each record's start (its length varint) is pushed here. */
  starts?: number[];
  visit?: RecordVisitor;
  /**
   * Refuse (null) a record with a header name or value that is not valid UTF-8, or a header
   * name it repeats: then the walk's sizes are what the record takes once decoded (a bad byte
   * reads as a 3-byte U+FFFD, and only the last of a repeated name is kept), and a record a
   * Produce hands to the log can be written again as a record frame (a dead-letter copy) with
   * the same limits. For the Produce path; what the log already holds is walked without it.
   */
  plainHeaders?: boolean;
}

/**
 * Walks `count` records in `b[pos, end)` that must end exactly at `end`; timestamps are
 * `baseTimestamp` plus each delta. Null when malformed.
 */
export function walkRecords(
  b: Buffer,
  pos: number,
  end: number,
  count: number,
  baseTimestamp: number,
  { timestamps, starts, visit, plainHeaders = false }: WalkOptions = {},
): WalkResult | null {
  const p = new Cursor(b, pos, end);
  let largestStoredBytes = 0;
  let largestIndex = 0;
  for (let i = 0; i < count; i++) {
    const recordPosition = p.pos;
    const length = p.varint();
    if (length < 0) return null;
    const recordStart = p.pos;
    if (!p.skip(1)) return null; // attributes: unused
    const timestamp = baseTimestamp + p.varlong();
    p.varint(); // offset delta: the log assigns offsets
    const keyLength = p.varint();
    const keyStart = p.pos;
    if (p.failed || keyLength < -1 || (keyLength > 0 && !p.skip(keyLength))) return null;
    const valueLength = p.varint();
    const valueStart = p.pos;
    if (p.failed || valueLength < -1 || (valueLength > 0 && !p.skip(valueLength))) return null;
    const headerCount = p.varint();
    if (p.failed || headerCount < 0 || headerCount > 0xffff) return null;
    const headersStart = p.pos;
    let stored = STORED_FIXED_BYTES + Math.max(0, keyLength) + Math.max(0, valueLength);
    let spanEnd = 0;
    for (let h = 0; h < headerCount; h++) {
      const nameLength = p.varint();
      const nameStart = p.pos;
      if (p.failed || nameLength < 0 || nameLength > 0xffff || !p.skip(nameLength)) return null;
      const headerValueLength = p.varint();
      const headerValueStart = p.pos;
      if (p.failed || headerValueLength < -1) return null;
      if (headerValueLength > 0 && !p.skip(headerValueLength)) return null;
      if (plainHeaders) {
        if (repeats(b, spanEnd, nameStart, nameLength)) return null;
        spans[spanEnd++] = nameStart;
        spans[spanEnd++] = nameLength;
        spans[spanEnd++] = headerValueStart;
        spans[spanEnd++] = Math.max(0, headerValueLength);
      }
      stored += 2 + nameLength + 4 + Math.max(0, headerValueLength);
    }
    if (plainHeaders && !plainText(b, headersStart, p.pos, spanEnd)) return null;
    if (p.pos - recordStart !== length) return null;
    if (stored > largestStoredBytes) {
      largestStoredBytes = stored;
      largestIndex = i;
    }
    timestamps?.push(timestamp);
    starts?.push(recordPosition);
    visit?.(i, timestamp, keyStart, keyLength, valueStart, valueLength, headersStart, headerCount);
  }
  return p.pos === end ? { largestStoredBytes, largestIndex } : null;
}

/**
 * Per header of the record being walked (plainHeaders): name start, name length, value start,
 * value length, up to the walk's `spanEnd`. Reused from record to record (not cleared).
 */
const spans: number[] = [];

/**
 * Whether the names and values in `spans[0, spanEnd)` are valid UTF-8. Most headers are ASCII:
 * one pass over the record's header section `b[start, end)` (lengths included) shows that; only
 * when some byte is >= 0x80 (a non-ASCII character, or a length of 128 or more) is each name
 * and value checked by Node.
 */
function plainText(b: Buffer, start: number, end: number, spanEnd: number): boolean {
  let high = 0;
  let i = start;
  for (; i + 8 <= end; i += 8)
    high |=
      b[i]! | b[i + 1]! | b[i + 2]! | b[i + 3]! | b[i + 4]! | b[i + 5]! | b[i + 6]! | b[i + 7]!;
  for (; i < end; i++) high |= b[i]!;
  if ((high & 0x80) === 0) return true;
  for (let k = 0; k < spanEnd; k += 2) {
    const at = spans[k]!;
    if (!isUtf8(b.subarray(at, at + spans[k + 1]!))) return false;
  }
  return true;
}

/** Whether the name at `b[start, start + length)` is among the names in `spans[0, spanEnd)`. */
function repeats(b: Buffer, spanEnd: number, start: number, length: number): boolean {
  for (let k = 0; k < spanEnd; k += 4) {
    if (spans[k + 1] !== length) continue;
    const other = spans[k]!;
    let i = 0;
    while (i < length && b[other + i] === b[start + i]) i++;
    if (i === length) return true;
  }
  return false;
}

/**
 * The headers of a record the walk accepted, from `start` (its first header): UTF-8 decoded
 * (bytes that are not valid UTF-8 read as U+FFFD, as everywhere in sharq), a null value as '',
 * the last of a repeated name winning. A plain object, as the embedded log's records have; a
 * header named `__proto__` is defined as an own property so it stays data.
 */
export function readHeaders(b: Buffer, start: number, count: number): Record<string, string> {
  const headers: Record<string, string> = {};
  const p = new Cursor(b, start, b.length);
  for (let h = 0; h < count; h++) {
    const nameLength = p.varint();
    const name = b.toString('utf8', p.pos, p.pos + nameLength);
    p.pos += nameLength;
    const valueLength = p.varint();
    const value = valueLength <= 0 ? '' : b.toString('utf8', p.pos, p.pos + valueLength);
    if (valueLength > 0) p.pos += valueLength;
    if (name === '__proto__') {
      Object.defineProperty(headers, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      headers[name] = value;
    }
  }
  return headers;
}

/**
 * Varints as ./reader.ts reads them, within [pos, end); a malformed one sets `failed` (checked
 * by the caller) instead of throwing.
 */
class Cursor {
  failed = false;
  constructor(
    private readonly b: Buffer,
    public pos: number,
    private readonly end: number,
  ) {}

  skip(n: number): boolean {
    if (this.pos + n > this.end) {
      this.failed = true;
      return false;
    }
    this.pos += n;
    return true;
  }

  varint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (this.pos >= this.end) break;
      const byte = this.b[this.pos++]!;
      result |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        const n = result >>> 0;
        return (n >>> 1) ^ -(n & 1);
      }
    }
    this.failed = true;
    return 0;
  }

  /** A zigzag varlong of up to 7 bytes (|value| < 2^48); longer ones are refused. */
  varlong(): number {
    if (this.pos < this.end) {
      const first = this.b[this.pos]!;
      if ((first & 0x80) === 0) {
        this.pos++;
        return (first >>> 1) ^ -(first & 1);
      }
    }
    let n = 0;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) break;
      const byte = this.b[this.pos++]!;
      n += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    this.failed = true;
    return 0;
  }
}
