import { isUtf8 } from 'node:buffer';
import { FRAME_HEADER_BYTES } from '../../embedded/storage/framed-file.js';
import {
  ATTR_BATCH_END,
  RECORD_FORMAT_VERSION,
  type UnsealedBatch,
} from '../../embedded/storage/record-codec.js';
import {
  ATTR_CODEC_MASK,
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  ATTR_TRANSACTIONAL,
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  HEADER_SIZE,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../../kafka/protocol/batch-layout.js';
import { crc32c } from '../../util/crc32c.js';
import type { BatchHeader } from './producers.js';

/**
 * The Records of a Produce partition straight into the embedded log's frames: Kafka's v2 record
 * batches (grammar in src/kafka/protocol/record-batch.ts) become the bodies of
 * src/embedded/storage/record-codec.ts byte for byte, with no object, string or BigInt per
 * record. The general path (decodeRecordBatches, then encodeBatch) makes a KafkaRecord per
 * record, a string per header name and value and a BigInt per timestamp delta, then writes it all
 * back: most of the server's CPU for an addBulk.
 *
 * Only the common case is taken here, and it must come out exactly as the general path would
 * write it (a property test holds the two side by side). Anything else returns null and goes the
 * general way, which also reports what is wrong with a bad batch: a compressed, control,
 * transactional or log-append-time batch; an empty one; a CRC, length or varint that does not
 * check out; a header name or value that is not valid UTF-8 (the general path would replace
 * bytes); a header name repeated (the general path keeps the last) or starting with a digit (a
 * JavaScript object lists integer-like names first, so the general path would reorder them);
 * more than 65535 headers or a name over 65535 bytes (the general path refuses those).
 */

export interface TranscodedBatch {
  header: BatchHeader;
  frames: UnsealedBatch;
}

/** Compression codec, log-append time, transactional, control: any of them takes the general path. */
const ATTR_GENERAL_PATH =
  ATTR_CODEC_MASK | ATTR_LOG_APPEND_TIME | ATTR_TRANSACTIONAL | ATTR_CONTROL;
/** Storage body bytes before the key: version, attributes, offset, timestamp. */
const BODY_FIXED = 2 + 8 + 8;

/** Every batch of a Produce partition's Records, or null when any needs the general path. */
export function transcodeRecords(buf: Buffer): TranscodedBatch[] | null {
  const out: TranscodedBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    if (buf.length - pos < HEADER_SIZE) return null;
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    const end = pos + LOG_OVERHEAD + batchLength;
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD || end > buf.length) return null;
    const batch = transcodeBatch(buf, pos, end);
    if (batch === null) return null;
    out.push(batch);
    pos = end;
  }
  return pos === buf.length && out.length > 0 ? out : null;
}

function transcodeBatch(b: Buffer, start: number, end: number): TranscodedBatch | null {
  if (b.readInt8(start + MAGIC_OFFSET) !== 2) return null;
  if ((b.readInt16BE(start + ATTRIBUTES_OFFSET) & ATTR_GENERAL_PATH) !== 0) return null;
  const crc = b.readUInt32BE(start + CRC_OFFSET);
  if (crc !== crc32c(b, 0, start + ATTRIBUTES_OFFSET, end)) return null;
  const baseTimestamp = Number(b.readBigInt64BE(start + BASE_TIMESTAMP_OFFSET));
  const producerId = Number(b.readBigInt64BE(start + PRODUCER_ID_OFFSET));
  const producerEpoch = b.readInt16BE(start + PRODUCER_EPOCH_OFFSET);
  const baseSequence = b.readInt32BE(start + BASE_SEQUENCE_OFFSET);
  const recordCount = b.readInt32BE(start + RECORD_COUNT_OFFSET);
  // A record takes at least MIN_RECORD_BYTES: more than fit is a malformed batch.
  if (recordCount <= 0 || recordCount > (end - start - HEADER_SIZE) / MIN_RECORD_BYTES) return null;

  // One pass: each record is checked and written as it is read, into the scratch buffer (sized
  // for the most a batch of these bytes and records can become), then copied out at its size.
  const out = scratchFor(MAX_GROWTH * (end - start) + recordCount * RECORD_GROWTH);
  const p = new Cursor(b, start + HEADER_SIZE, end);
  const starts: number[] = [];
  const timestamps: number[] = [];
  let w = 0;
  for (let i = 0; i < recordCount; i++) {
    const length = p.varint();
    if (length < 0) return null;
    const recordStart = p.pos;
    if (!p.skip(1)) return null; // attributes: unused
    const timestamp = baseTimestamp + p.varlong();
    p.varint(); // offset delta: the log assigns offsets
    if (p.failed) return null;
    starts.push(w);
    timestamps.push(timestamp);
    w += FRAME_HEADER_BYTES; // written when sealed
    out[w] = RECORD_FORMAT_VERSION;
    out[w + 1] = i === recordCount - 1 ? ATTR_BATCH_END : 0;
    w = putF64(w + 10, timestamp); // after the offset, written when sealed
    // Key and value: an i32 length (-1 null), then the bytes as they are.
    for (let part = 0; part < 2; part++) {
      const n = p.varint();
      if (p.failed || n < -1 || (n > 0 && p.pos + n > end)) return null;
      w = putU32(out, w, n);
      if (n > 0) {
        w = copyInto(b, out, w, p.pos, n);
        p.pos += n;
      }
    }
    const headerCount = p.varint();
    if (p.failed || headerCount < 0 || headerCount > 0xffff) return null;
    w = putU16(out, w, headerCount);
    const firstName = w;
    for (let h = 0; h < headerCount; h++) {
      const nameLength = p.varint();
      if (p.failed || nameLength < 0 || nameLength > 0xffff || p.pos + nameLength > end)
        return null;
      const nameStart = p.pos;
      if (nameLength > 0 && b[nameStart]! >= 0x30 && b[nameStart]! <= 0x39) return null;
      if (repeatsName(out, firstName, w, b, nameStart, nameLength)) return null;
      w = putU16(out, w, nameLength);
      if (!copyText(b, out, w, nameStart, nameLength)) return null;
      w += nameLength;
      p.pos += nameLength;
      const valueLength = p.varint();
      if (p.failed || valueLength < -1 || (valueLength > 0 && p.pos + valueLength > end))
        return null;
      const n = Math.max(0, valueLength);
      w = putU32(out, w, n);
      if (!copyText(b, out, w, p.pos, n)) return null;
      w += n;
      p.pos += n;
    }
    if (p.pos - recordStart !== length) return null;
  }
  if (p.pos !== end) return null;
  const bytes = Buffer.allocUnsafe(w);
  out.copy(bytes, 0, 0, w);
  return {
    header: { producerId, producerEpoch, baseSequence, recordCount, crc },
    frames: { bytes, starts, timestamps },
  };
}

/**
 * Kafka record: length, attributes, timestamp delta, offset delta, key length, value length and
 * header count, a byte each at least.
 */
const MIN_RECORD_BYTES = 7;
/** What a record's frame adds to its Kafka bytes at most, before headers: header, fixed fields, i32 lengths, u16 count. */
const RECORD_GROWTH = FRAME_HEADER_BYTES + BODY_FIXED + 4 + 4 + 2;
/** A Kafka header of n bytes (two varints of 1 byte at least) becomes at most 3n (6 bytes of lengths). */
const MAX_GROWTH = 3;

/** Little-endian stores within the scratch buffer (sized beforehand): cheaper than Buffer's checked writes. */
function putU16(out: Buffer, at: number, n: number): number {
  out[at] = n;
  out[at + 1] = n >>> 8;
  return at + 2;
}

/** An i32 or u32, as its 32 bits. */
function putU32(out: Buffer, at: number, n: number): number {
  out[at] = n;
  out[at + 1] = n >>> 8;
  out[at + 2] = n >>> 16;
  out[at + 3] = n >>> 24;
  return at + 4;
}

/** A float64 into the scratch buffer (through its DataView: no byte order assumed). */
function putF64(at: number, n: number): number {
  scratchView.setFloat64(at, n, true);
  return at + 8;
}

/** Reused between calls (transcoding is synchronous): one allocation for every batch. */
let scratch = Buffer.allocUnsafe(0);
let scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);

function scratchFor(bytes: number): Buffer {
  if (scratch.length < bytes) {
    scratch = Buffer.allocUnsafe(Math.max(bytes, 2 * scratch.length));
    scratchView = new DataView(scratch.buffer, scratch.byteOffset, scratch.length);
  }
  return scratch;
}

/**
 * Whether the header name at `b[start, start + length)` is one this record already wrote: the
 * headers written so far sit in `out[first, end)`, each a u16 name length, the name, a u32
 * value length and the value.
 */
function repeatsName(
  out: Buffer,
  first: number,
  end: number,
  b: Buffer,
  start: number,
  length: number,
): boolean {
  let at = first;
  while (at < end) {
    const nameLength = out.readUInt16LE(at);
    const name = at + 2;
    if (nameLength === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (out[name + i] !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return true;
    }
    at = name + nameLength;
    at += 4 + out.readUInt32LE(at);
  }
  return false;
}

/**
 * `length` bytes from `src` at `start` into `dst` at `at`; the end in `dst`. Short runs byte by
 * byte: a call into Buffer.copy costs more than copying them.
 */
function copyInto(src: Buffer, dst: Buffer, at: number, start: number, length: number): number {
  if (length < 64) {
    for (let i = 0; i < length; i++) dst[at + i] = src[start + i]!;
    return at + length;
  }
  return at + src.copy(dst, at, start, start + length);
}

/**
 * Copies a header name or value as `copyInto` does; false when it is not valid UTF-8 (the
 * general path's decode would replace bytes). ASCII is checked on the way.
 */
function copyText(src: Buffer, dst: Buffer, at: number, start: number, length: number): boolean {
  if (length >= 64) {
    src.copy(dst, at, start, start + length);
    return isUtf8(src.subarray(start, start + length));
  }
  let high = 0;
  for (let i = 0; i < length; i++) {
    const c = src[start + i]!;
    high |= c;
    dst[at + i] = c;
  }
  return high < 0x80 || isUtf8(src.subarray(start, start + length));
}

/**
 * Varints as src/kafka/protocol/reader.ts reads them, within [pos, end); a malformed one sets
 * `failed` (checked by the caller) instead of throwing.
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

  /** A zigzag varlong of up to 7 bytes (|value| < 2^48); longer ones take the general path. */
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
