import { isUtf8 } from 'node:buffer';
import { FRAME_HEADER_BYTES } from '../../embedded/storage/framed-file.js';
import { RECORD_FORMAT_VERSION, type UnsealedBatch } from '../../embedded/storage/record-codec.js';
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
  if (recordCount <= 0) return null;

  // Pass 1: check every record and note where its parts are; sizes of the storage bodies.
  const p = new Cursor(b, start + HEADER_SIZE, end);
  // Per record: timestamp, key start, key length (-1 null), value start, value length, header
  // count, then per header: name start, name length, value start, value length (-1 null).
  const spans: number[] = [];
  let total = 0;
  for (let i = 0; i < recordCount; i++) {
    const length = p.varint();
    if (length < 0) return null;
    const recordStart = p.pos;
    if (!p.skip(1)) return null; // attributes: unused
    const timestampDelta = p.varlong();
    p.varint(); // offset delta: the log assigns offsets
    const keyLength = p.varint();
    const keyStart = p.pos;
    if (keyLength < -1 || (keyLength > 0 && !p.skip(keyLength))) return null;
    const valueLength = p.varint();
    const valueStart = p.pos;
    if (valueLength < -1 || (valueLength > 0 && !p.skip(valueLength))) return null;
    const headerCount = p.varint();
    if (p.failed || headerCount < 0 || headerCount > 0xffff) return null;
    spans.push(
      baseTimestamp + timestampDelta,
      keyStart,
      keyLength,
      valueStart,
      valueLength,
      headerCount,
    );
    let size = BODY_FIXED + 4 + Math.max(0, keyLength) + 4 + Math.max(0, valueLength) + 2;
    const firstHeader = spans.length;
    for (let h = 0; h < headerCount; h++) {
      const nameLength = p.varint();
      const nameStart = p.pos;
      if (nameLength < 0 || nameLength > 0xffff || !p.skip(nameLength)) return null;
      const hvLength = p.varint();
      const hvStart = p.pos;
      if (p.failed || hvLength < -1 || (hvLength > 0 && !p.skip(hvLength))) return null;
      if (nameLength > 0 && b[nameStart]! >= 0x30 && b[nameStart]! <= 0x39) return null;
      if (!utf8(b, nameStart, nameLength) || !utf8(b, hvStart, hvLength)) return null;
      for (let k = firstHeader; k < spans.length; k += 4) {
        if (
          spans[k + 1] === nameLength &&
          b.compare(b, spans[k]!, spans[k]! + nameLength, nameStart, nameStart + nameLength) === 0
        )
          return null;
      }
      spans.push(nameStart, nameLength, hvStart, hvLength);
      size += 2 + nameLength + 4 + Math.max(0, hvLength);
    }
    if (p.failed || p.pos - recordStart !== length) return null;
    total += FRAME_HEADER_BYTES + size;
  }
  if (p.pos !== end) return null;

  // Pass 2: the bodies, offsets and frame headers left for sealBatch.
  const bytes = Buffer.allocUnsafe(total);
  const starts: number[] = [];
  const timestamps: number[] = [];
  let at = 0;
  let s = 0;
  for (let i = 0; i < recordCount; i++) {
    const timestamp = spans[s]!;
    starts.push(at);
    timestamps.push(timestamp);
    let w = at + FRAME_HEADER_BYTES;
    w = bytes.writeUInt8(RECORD_FORMAT_VERSION, w);
    w = bytes.writeUInt8(i === recordCount - 1 ? 1 : 0, w);
    w += 8; // offset, written when sealed
    w = bytes.writeDoubleLE(timestamp, w);
    w = copyBytes(b, bytes, w, spans[s + 1]!, spans[s + 2]!);
    w = copyBytes(b, bytes, w, spans[s + 3]!, spans[s + 4]!);
    const headerCount = spans[s + 5]!;
    w = bytes.writeUInt16LE(headerCount, w);
    s += 6;
    for (let h = 0; h < headerCount; h++, s += 4) {
      const nameLength = spans[s + 1]!;
      w = bytes.writeUInt16LE(nameLength, w);
      w = copyInto(b, bytes, w, spans[s]!, nameLength);
      const hvLength = Math.max(0, spans[s + 3]!);
      w = bytes.writeUInt32LE(hvLength, w);
      w = copyInto(b, bytes, w, spans[s + 2]!, hvLength);
    }
    at = w;
  }
  return {
    header: { producerId, producerEpoch, baseSequence, recordCount, crc },
    frames: { bytes, starts, timestamps },
  };
}

/** An i32 length (-1 null) and the bytes, as record-codec writes a key or value. */
function copyBytes(src: Buffer, dst: Buffer, at: number, start: number, length: number): number {
  const w = dst.writeInt32LE(length, at);
  return length <= 0 ? w : copyInto(src, dst, w, start, length);
}

/**
 * `length` bytes from `src` at `start` into `dst` at `at`; the end in `dst`. Short runs (header
 * names and values) byte by byte: a call into Buffer.copy costs more than copying them.
 */
function copyInto(src: Buffer, dst: Buffer, at: number, start: number, length: number): number {
  if (length < 64) {
    for (let i = 0; i < length; i++) dst[at + i] = src[start + i]!;
    return at + length;
  }
  return at + src.copy(dst, at, start, start + length);
}

/** Valid UTF-8 (nothing for the general path's decode to replace); a null value is fine. */
function utf8(b: Buffer, start: number, length: number): boolean {
  for (let i = start; i < start + length; i++) {
    if (b[i]! >= 0x80) return isUtf8(b.subarray(start, start + length));
  }
  return true;
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
