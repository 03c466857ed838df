import { gunzipSync, gzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { SharqError } from '../../errors/sharq-error.js';
import { crc32c } from '../../util/crc32c.js';
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
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
} from './batch-layout.js';
import { payloadBound, zstdCapped } from './decompressed-size.js';
import { Reader } from './reader.js';

/*
 * Kafka record batches, message format v2 (magic 2), as Fetch and ShareFetch return them and
 * Produce sends them (https://kafka.apache.org/documentation/#recordbatch, Kafka's
 * DefaultRecordBatch and DefaultRecord):
 *
 *   baseOffset: int64
 *   batchLength: int32                  bytes after this field (partitionLeaderEpoch .. end)
 *   partitionLeaderEpoch: int32
 *   magic: int8                         2
 *   crc: uint32                         CRC-32C of attributes .. end
 *   attributes: int16                   bits 0-2 compression (0 none, 1 gzip, 2 snappy, 3 lz4,
 *                                       4 zstd), bit 3 timestamp type (1 = LogAppendTime),
 *                                       bit 4 transactional, bit 5 control, bit 6 delete horizon
 *   lastOffsetDelta: int32
 *   baseTimestamp: int64
 *   maxTimestamp: int64
 *   producerId: int64
 *   producerEpoch: int16
 *   baseSequence: int32
 *   recordsCount: int32
 *   records: the records, compressed as one stream when the codec is not none
 *
 *   record =>
 *     length: varint                    bytes after this field
 *     attributes: int8                  unused
 *     timestampDelta: varlong
 *     offsetDelta: varint
 *     keyLength: varint (-1 null), key: bytes
 *     valueLength: varint (-1 null), value: bytes
 *     headersCount: varint
 *     headers: [headerKeyLength varint, headerKey UTF-8, headerValueLength varint (-1 null),
 *               headerValue bytes]
 *
 * A fetch response may end with a partial batch (the broker cuts the log at MaxBytes): it is
 * ignored. Control batches (transaction markers) are returned flagged, without their records:
 * their offsets are gaps to a share consumer.
 *
 * Codecs: gzip with node:zlib; zstd with fzstd (pure JavaScript); snappy (raw and the xerial
 * framing Kafka's Java client writes) and LZ4 (frame format) with the decoders below.
 *
 * A compressed batch may decompress to no more than MAX_DECOMPRESSED_BATCH_BYTES (64 MiB; the
 * `maxDecompressedBatchBytes` option): a broken or hostile broker could otherwise send a
 * decompression bomb (a few KiB of zstd RLE blocks make gigabytes). The headers are read first
 * (./decompressed-size.ts): a zstd frame whose content size or window is past the cap, or a
 * snappy, LZ4 or raw/RLE-only zstd payload stating more, is refused before anything is
 * allocated; gzip and other zstd payloads are inflated with the cap as their output limit.
 * Either way SHARQ_ERR_PROTOCOL, naming the batch's offset, codec and the cap. Kafka's own
 * limits are far below it (`max.message.bytes` is 1 MiB by default; a fetch answer holds up
 * to `fetch.max.bytes`, 50 MiB, compressed).
 */

/** What one compressed record batch may decompress to, unless `maxDecompressedBatchBytes` says. */
export const MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;

export interface DecodeOptions {
  /** The largest a compressed batch may decompress to (default MAX_DECOMPRESSED_BATCH_BYTES). */
  maxDecompressedBatchBytes?: number;
}

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const CODECS: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export interface KafkaRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  /** UTF-8 decoded; a null header value reads as ''; of repeated keys the last one wins. */
  headers: Record<string, string>;
}

export interface RecordBatch {
  baseOffset: number;
  /** baseOffset + lastOffsetDelta: the batch covers [baseOffset, lastOffset]. */
  lastOffset: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionCodec;
  timestampType: 'create-time' | 'log-append-time';
  transactional: boolean;
  /** A transaction marker batch: its offsets hold no data records (acknowledge them as gaps). */
  control: boolean;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** The count the header declares (control batches included). */
  recordCount: number;
  /** Data records; empty for control batches. */
  records: KafkaRecord[];
}

export interface DecodedRecordBatches {
  /** Every complete batch, in order, control batches included. */
  batches: RecordBatch[];
  /** The records of every data (non-control) batch, in order. */
  records: KafkaRecord[];
  /** Bytes of a partial trailing batch that were ignored (0 when none). */
  truncatedBytes: number;
}

/**
 * Decodes a buffer of zero or more v2 record batches (a Fetch/ShareFetch `Records` field).
 * Throws SHARQ_ERR_PROTOCOL for a corrupt batch (bad CRC-32C, a length past its end, a
 * malformed record) and SHARQ_ERR_UNSUPPORTED for magic 0/1 message sets or an unknown codec.
 */
export function decodeRecordBatches(
  input: Uint8Array,
  options: DecodeOptions = {},
): DecodedRecordBatches {
  const cap = options.maxDecompressedBatchBytes ?? MAX_DECOMPRESSED_BATCH_BYTES;
  const buf = asBuffer(input);
  const batches: RecordBatch[] = [];
  const records: KafkaRecord[] = [];
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const baseOffset = Number(buf.readBigInt64BE(pos));
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    // v0/v1 message sets put their magic at the same byte; their entries are shorter than a v2
    // header, so look at it before judging the length.
    if (buf.length - pos > MAGIC_OFFSET) {
      const magic = buf.readInt8(pos + MAGIC_OFFSET);
      if (magic === 0 || magic === 1) {
        throw new SharqError(
          'SHARQ_ERR_UNSUPPORTED',
          `The record batch at offset ${baseOffset} uses message format v${magic} (magic ${magic}); sharq reads magic 2 only`,
          { details: { baseOffset, magic } },
        );
      }
    }
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD) {
      throw batchError(
        baseOffset,
        `batch length ${batchLength} is below the v2 header size at byte ${pos}`,
      );
    }
    const end = pos + LOG_OVERHEAD + batchLength;
    if (end > buf.length) break; // the broker cut the last batch at MaxBytes
    const batch = decodeBatch(buf.subarray(pos, end), baseOffset, cap);
    batches.push(batch);
    for (const rec of batch.records) records.push(rec);
    pos = end;
  }
  return { batches, records, truncatedBytes: buf.length - pos };
}

function decodeBatch(b: Buffer, baseOffset: number, cap: number): RecordBatch {
  const context = `record batch at offset ${baseOffset}`;
  const magic = b.readInt8(MAGIC_OFFSET);
  if (magic !== 2) throw batchError(baseOffset, `unknown magic ${magic}`);
  const crc = b.readUInt32BE(CRC_OFFSET);
  const computed = crc32c(b, 0, ATTRIBUTES_OFFSET, b.length);
  if (crc !== computed) {
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `CRC-32C mismatch in the ${context}: stored ${hex32(crc)}, computed ${hex32(computed)}`,
      { details: { baseOffset, storedCrc: crc, computedCrc: computed } },
    );
  }
  const r = new Reader(b, LOG_OVERHEAD, context);
  const partitionLeaderEpoch = r.int32();
  r.int8(); // magic
  r.uint32(); // crc
  const attributes = r.int16();
  const lastOffsetDelta = r.int32();
  const baseTimestamp = r.int64();
  const maxTimestamp = r.int64();
  const producerId = r.int64();
  const producerEpoch = r.int16();
  const baseSequence = r.int32();
  const recordCount = r.int32();
  if (recordCount < 0) r.malformed(`negative record count ${recordCount}`);

  const codecId = attributes & ATTR_CODEC_MASK;
  const compression = CODECS[codecId];
  const control = (attributes & ATTR_CONTROL) !== 0;
  const logAppendTime = (attributes & ATTR_LOG_APPEND_TIME) !== 0;
  const batch: RecordBatch = {
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    partitionLeaderEpoch,
    magic,
    crc,
    attributes,
    compression: compression ?? 'none',
    timestampType: logAppendTime ? 'log-append-time' : 'create-time',
    transactional: (attributes & ATTR_TRANSACTIONAL) !== 0,
    control,
    baseTimestamp,
    maxTimestamp,
    producerId,
    producerEpoch,
    baseSequence,
    recordCount,
    records: [],
  };
  if (control) return batch;
  if (compression === undefined) {
    throw new SharqError(
      'SHARQ_ERR_UNSUPPORTED',
      `The ${context} uses unknown compression codec id ${codecId}`,
      { details: { baseOffset, codec: codecId } },
    );
  }

  const payload = b.subarray(HEADER_SIZE);
  const data =
    compression === 'none' ? payload : decompress(codecId, compression, payload, baseOffset, cap);
  const rr = new Reader(data, 0, compression === 'none' ? context : `${context} (${compression})`);
  for (let i = 0; i < recordCount; i++) {
    batch.records.push(readRecord(rr, baseOffset, baseTimestamp, logAppendTime, maxTimestamp));
  }
  if (rr.remaining !== 0) {
    rr.malformed(`${rr.remaining} bytes left after the ${recordCount} declared records`);
  }
  return batch;
}

function readRecord(
  r: Reader,
  baseOffset: number,
  baseTimestamp: number,
  logAppendTime: boolean,
  maxTimestamp: number,
): KafkaRecord {
  const length = r.varint();
  if (length < 0) r.malformed(`negative record length ${length}`);
  const start = r.offset;
  r.int8(); // attributes: unused
  const timestampDelta = r.varlong();
  const offsetDelta = r.varint();
  const key = readVarBytes(r, 'key');
  const value = readVarBytes(r, 'value');
  const headerCount = r.varint();
  if (headerCount < 0) r.malformed(`negative header count ${headerCount}`);
  const headers: Record<string, string> = Object.create(null);
  for (let h = 0; h < headerCount; h++) {
    const keyLength = r.varint();
    if (keyLength < 0) r.malformed(`negative header key length ${keyLength}`);
    const headerKey = r.raw(keyLength).toString('utf8');
    const headerValue = readVarBytes(r, 'header value');
    headers[headerKey] = headerValue === null ? '' : headerValue.toString('utf8');
  }
  if (r.offset - start !== length) {
    r.malformed(`record declares ${length} bytes but holds ${r.offset - start}`);
  }
  return {
    offset: baseOffset + offsetDelta,
    timestamp: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

function readVarBytes(r: Reader, what: string): Buffer | null {
  const n = r.varint();
  if (n === -1) return null;
  if (n < 0) r.malformed(`${what} length ${n}`);
  return r.raw(n);
}

// ---------------------------------------------------------------------------------------------
// Decompression

function decompress(
  codecId: number,
  codec: CompressionCodec,
  data: Buffer,
  baseOffset: number,
  cap: number,
): Buffer {
  const tooLarge = (what: string) =>
    new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `The ${codec} data of the record batch at offset ${baseOffset} ${what} more than the ${cap} bytes a batch may decompress to (a decompression bomb, or maxDecompressedBatchBytes too low)`,
      { details: { baseOffset, codec, maxDecompressedBatchBytes: cap } },
    );
  try {
    // Headers first: a stated size past the cap, or an allocation past it, is refused unread.
    const est = payloadBound(codecId, data);
    if (est.allocates > cap) throw tooLarge('would allocate');
    if (est.exact && est.bound > cap) throw tooLarge('states');
    switch (codec) {
      case 'gzip':
        try {
          return gunzipSync(data, { maxOutputLength: Math.max(1, cap) });
        } catch (err) {
          if ((err as { code?: unknown } | null)?.code === 'ERR_BUFFER_TOO_LARGE')
            throw tooLarge('inflates to');
          throw err;
        }
      case 'snappy':
        return snappyDecompress(data);
      case 'lz4':
        return lz4FrameDecompress(data);
      case 'zstd': {
        if (est.bound > cap) {
          const capped = zstdCapped(data, cap);
          if (capped === undefined) throw tooLarge('decompresses to');
          return capped;
        }
        const out = zstdDecompress(data);
        return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
      }
      default:
        return data;
    }
  } catch (err) {
    if (SharqError.is(err) && err.details?.maxDecompressedBatchBytes !== undefined) throw err;
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `The ${codec} data of the record batch at offset ${baseOffset} does not decompress: ${
        err instanceof Error ? err.message : String(err)
      }`,
      { cause: err, details: { baseOffset, codec } },
    );
  }
}

class CodecError extends Error {}

/** A growable output buffer for the snappy and LZ4 decoders. */
class Sink {
  buf: Buffer;
  length = 0;

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, initial));
  }

  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  append(src: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    this.buf.set(src.subarray(start, end), this.length);
    this.length += end - start;
  }

  /** Copies `len` bytes from `offset` back, byte by byte where source and target overlap. */
  copyMatch(offset: number, len: number): void {
    this.ensure(len);
    const buf = this.buf;
    let from = this.length - offset;
    let to = this.length;
    if (offset >= len) {
      buf.copyWithin(to, from, from + len);
    } else {
      for (const stop = to + len; to < stop; ) buf[to++] = buf[from++]!;
    }
    this.length += len;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

// Snappy ----------------------------------------------------------------------------------------

/** `\x82SNAPPY\0`: the xerial snappy-java stream header Kafka's Java client writes. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16; // magic, int32 version, int32 compatible version

/** Snappy, either xerial-framed (header, then int32 big-endian length + raw block chunks) or raw. */
export function snappyDecompress(src: Uint8Array): Buffer {
  if (src.length >= XERIAL_HEADER_SIZE && XERIAL_MAGIC.equals(src.subarray(0, 8))) {
    const view = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
    const chunks: Buffer[] = [];
    let pos = XERIAL_HEADER_SIZE;
    while (pos < view.length) {
      if (view.length - pos < 4) throw new CodecError('xerial snappy chunk length cut short');
      const size = view.readInt32BE(pos);
      pos += 4;
      if (size < 0 || pos + size > view.length) {
        throw new CodecError(`xerial snappy chunk of ${size} bytes past the end`);
      }
      chunks.push(snappyRawDecompress(view, pos, pos + size));
      pos += size;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
  return snappyRawDecompress(src, 0, src.length);
}

/** One raw snappy block: a varint uncompressed length, then literal and copy elements. */
function snappyRawDecompress(src: Uint8Array, start: number, end: number): Buffer {
  let i = start;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= end || shift > 28) throw new CodecError('bad snappy length preamble');
    const b = src[i++]!;
    length += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
  }
  // No element expands more than 64 output bytes from 3 input bytes.
  if (length > (end - i) * 22) {
    throw new CodecError(`snappy block claims ${length} bytes from ${end - i}`);
  }
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  while (i < end) {
    const tag = src[i++]!;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const n = len - 59;
        if (i + n > end) throw new CodecError('snappy literal length cut short');
        len = 0;
        for (let k = 0; k < n; k++) len += src[i + k]! * 2 ** (8 * k);
        i += n;
      }
      len += 1;
      if (i + len > end || o + len > length) throw new CodecError('snappy literal overruns');
      out.set(src.subarray(i, i + len), o);
      i += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (i + 1 > end) throw new CodecError('snappy copy cut short');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[i]!;
      i += 1;
    } else if (type === 2) {
      if (i + 2 > end) throw new CodecError('snappy copy cut short');
      len = (tag >>> 2) + 1;
      offset = src[i]! | (src[i + 1]! << 8);
      i += 2;
    } else {
      if (i + 4 > end) throw new CodecError('snappy copy cut short');
      len = (tag >>> 2) + 1;
      offset = (src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24)) >>> 0;
      i += 4;
    }
    if (offset === 0 || offset > o || o + len > length) {
      throw new CodecError(`bad snappy copy (offset ${offset}, length ${len}) at output ${o}`);
    }
    for (let from = o - offset, stop = o + len; o < stop; ) out[o++] = out[from++]!;
  }
  if (o !== length) throw new CodecError(`snappy block gave ${o} of ${length} bytes`);
  return out;
}

// LZ4 -------------------------------------------------------------------------------------------

const LZ4_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE = 0x184d2a50;

/**
 * LZ4 frame format (https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md), one or more
 * frames. Checksums (header, block, content) are skipped, not verified: the batch's CRC-32C
 * already covers these bytes. Dictionary frames are refused.
 */
export function lz4FrameDecompress(src: Uint8Array): Buffer {
  const view = Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  const out = new Sink(src.length * 3);
  let i = 0;
  const need = (n: number, what: string): void => {
    if (i + n > view.length) throw new CodecError(`LZ4 ${what} cut short at byte ${i}`);
  };
  while (i < view.length) {
    need(4, 'magic');
    const magic = view.readUInt32LE(i);
    i += 4;
    if ((magic & LZ4_SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE) {
      need(4, 'skippable frame size');
      const size = view.readUInt32LE(i);
      i += 4;
      need(size, 'skippable frame');
      i += size;
      continue;
    }
    if (magic !== LZ4_MAGIC) throw new CodecError(`bad LZ4 frame magic 0x${magic.toString(16)}`);
    need(2, 'frame descriptor');
    const flg = view[i]!;
    const bd = view[i + 1]!;
    i += 2;
    if (flg >>> 6 !== 1) throw new CodecError(`LZ4 frame version ${flg >>> 6}`);
    const independent = (flg & 0x20) !== 0;
    const blockChecksum = (flg & 0x10) !== 0;
    const contentSize = (flg & 0x08) !== 0;
    const contentChecksum = (flg & 0x04) !== 0;
    if ((flg & 0x01) !== 0) throw new CodecError('LZ4 frames with a dictionary are not supported');
    const sizeId = (bd >>> 4) & 7;
    if (sizeId < 4) throw new CodecError(`LZ4 block size id ${sizeId}`);
    const blockMax = 1 << (8 + 2 * sizeId);
    if (contentSize) i += 8;
    i += 1; // header checksum
    const frameStart = out.length;
    for (;;) {
      need(4, 'block size');
      const word = view.readUInt32LE(i);
      i += 4;
      if (word === 0) break; // EndMark
      const size = word & 0x7fffffff;
      if (size > blockMax) throw new CodecError(`LZ4 block of ${size} bytes over ${blockMax}`);
      need(size, 'block');
      if (word & 0x80000000) {
        out.append(view, i, i + size);
      } else {
        lz4Block(view, i, i + size, out, blockMax, independent ? out.length : frameStart);
      }
      i += size;
      if (blockChecksum) i += 4;
    }
    if (contentChecksum) i += 4;
    if (i > view.length) throw new CodecError('LZ4 checksum cut short');
  }
  return out.result();
}

/** One LZ4 block: sequences of a token, literals, then a 2-byte offset and a match. */
function lz4Block(
  src: Uint8Array,
  start: number,
  end: number,
  out: Sink,
  blockMax: number,
  floor: number,
): void {
  const blockStart = out.length;
  let i = start;
  while (i < end) {
    const token = src[i++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      for (;;) {
        if (i >= end) throw new CodecError('LZ4 literal length cut short');
        const b = src[i++]!;
        literals += b;
        if (b !== 255) break;
      }
    }
    if (i + literals > end) throw new CodecError('LZ4 literals overrun the block');
    out.append(src, i, i + literals);
    i += literals;
    if (i === end) break; // the last sequence carries literals only
    if (i + 2 > end) throw new CodecError('LZ4 match offset cut short');
    const offset = src[i]! | (src[i + 1]! << 8);
    i += 2;
    let matchLength = token & 15;
    if (matchLength === 15) {
      for (;;) {
        if (i >= end) throw new CodecError('LZ4 match length cut short');
        const b = src[i++]!;
        matchLength += b;
        if (b !== 255) break;
      }
    }
    matchLength += 4;
    if (offset === 0 || offset > out.length - floor) {
      throw new CodecError(`bad LZ4 match offset ${offset}`);
    }
    if (out.length - blockStart + matchLength > blockMax) {
      throw new CodecError('LZ4 block decompresses past its maximum size');
    }
    out.copyMatch(offset, matchLength);
  }
  if (out.length - blockStart > blockMax) {
    throw new CodecError('LZ4 block decompresses past its maximum size');
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

export interface RecordInput {
  key?: Uint8Array | string | null;
  value?: Uint8Array | string | null;
  /** An object, or pairs (which may repeat a key or carry a null value). */
  headers?: Record<string, string> | ReadonlyArray<readonly [string, Uint8Array | string | null]>;
  /** Milliseconds since the epoch; defaults to now. */
  timestamp?: number;
}

export interface EncodeRecordBatchOptions {
  baseOffset?: number;
  compression?: 'none' | 'gzip';
  partitionLeaderEpoch?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  /** LogAppendTime batches carry the append time as maxTimestamp. */
  logAppendTime?: number;
}

/**
 * Encodes records as one v2 record batch (offsets baseOffset .. baseOffset + n - 1) with its
 * CRC-32C. Defaults match a non-idempotent producer: producer id, epoch, base sequence and
 * partition leader epoch -1.
 *
 * On every produce and every fetch answer of `sharq server`, so it sizes the batch first and
 * writes it into one buffer: no buffer per record, no copy of strings into buffers of their own.
 */
export function encodeRecordBatch(
  records: readonly RecordInput[],
  options: EncodeRecordBatchOptions = {},
): Buffer {
  const count = records.length;
  if (count === 0) {
    throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', 'A record batch needs at least one record');
  }
  const now = Date.now();
  const baseTimestamp = records[0]!.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  const sizes = new Array<number>(count);
  let bodySize = 0;
  for (let i = 0; i < count; i++) {
    const input = records[i]!;
    const ts = input.timestamp ?? now;
    if (ts > maxTimestamp) maxTimestamp = ts;
    let size =
      1 +
      varlongSize(ts - baseTimestamp) +
      varintSize(i) +
      varBytesSize(input.key ?? null) +
      varBytesSize(input.value ?? null);
    const headers = input.headers;
    if (headers === undefined) size += 1;
    else if (isHeaderPairs(headers)) {
      size += varintSize(headers.length);
      for (const [k, v] of headers) size += varStringSize(k) + varBytesSize(v);
    } else {
      let n = 0;
      for (const k in headers) {
        size += varStringSize(k) + varBytesSize(headers[k]!);
        n++;
      }
      size += varintSize(n);
    }
    sizes[i] = size;
    bodySize += varintSize(size) + size;
  }
  if (options.logAppendTime !== undefined) maxTimestamp = options.logAppendTime;

  const compression = options.compression ?? 'none';
  const out =
    compression === 'gzip'
      ? Buffer.allocUnsafe(bodySize)
      : Buffer.allocUnsafe(HEADER_SIZE + bodySize);
  let pos = compression === 'gzip' ? 0 : HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const input = records[i]!;
    pos = putVarint(out, pos, sizes[i]!);
    out[pos++] = 0;
    pos = putVarlong(out, pos, (input.timestamp ?? now) - baseTimestamp);
    pos = putVarint(out, pos, i);
    pos = putVarBytes(out, pos, input.key ?? null);
    pos = putVarBytes(out, pos, input.value ?? null);
    const headers = input.headers;
    if (headers === undefined) out[pos++] = 0;
    else if (isHeaderPairs(headers)) {
      pos = putVarint(out, pos, headers.length);
      for (const [k, v] of headers) pos = putVarBytes(out, putVarString(out, pos, k), v);
    } else {
      let n = 0;
      for (const _ in headers) n++;
      pos = putVarint(out, pos, n);
      for (const k in headers) pos = putVarBytes(out, putVarString(out, pos, k), headers[k]!);
    }
  }

  let batch = out;
  if (compression === 'gzip') {
    const payload = gzipSync(out);
    batch = Buffer.allocUnsafe(HEADER_SIZE + payload.length);
    batch.set(payload, HEADER_SIZE);
  }
  let attributes = compression === 'gzip' ? 1 : 0;
  if (options.logAppendTime !== undefined) attributes |= ATTR_LOG_APPEND_TIME;
  if (options.transactional === true) attributes |= ATTR_TRANSACTIONAL;
  if (options.control === true) attributes |= ATTR_CONTROL;

  writeInt64(batch, 0, options.baseOffset ?? 0);
  batch.writeInt32BE(batch.length - LOG_OVERHEAD, BATCH_LENGTH_OFFSET);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, PARTITION_LEADER_EPOCH_OFFSET);
  batch.writeInt8(2, MAGIC_OFFSET);
  batch.writeInt16BE(attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(count - 1, LAST_OFFSET_DELTA_OFFSET);
  writeInt64(batch, BASE_TIMESTAMP_OFFSET, baseTimestamp);
  writeInt64(batch, MAX_TIMESTAMP_OFFSET, maxTimestamp);
  writeInt64(batch, PRODUCER_ID_OFFSET, options.producerId ?? -1);
  batch.writeInt16BE(options.producerEpoch ?? -1, PRODUCER_EPOCH_OFFSET);
  batch.writeInt32BE(options.baseSequence ?? -1, BASE_SEQUENCE_OFFSET);
  batch.writeInt32BE(count, RECORD_COUNT_OFFSET);
  batch.writeUInt32BE(crc32c(batch, 0, ATTRIBUTES_OFFSET, batch.length), CRC_OFFSET);
  return batch;
}

function writeInt64(buf: Buffer, at: number, v: number): void {
  buf.writeBigInt64BE(BigInt(v), at);
}

/** Bytes of a zigzag VARINT (signed 32-bit). */
function varintSize(v: number): number {
  const n = ((v << 1) ^ (v >> 31)) >>> 0;
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5;
}

/** Bytes of a zigzag VARLONG of a safe integer. */
function varlongSize(v: number): number {
  let n = v >= 0 ? v * 2 : -v * 2 - 1;
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function varBytesSize(v: Uint8Array | string | null): number {
  if (v === null) return 1;
  const len = typeof v === 'string' ? utf8Length(v) : v.length;
  return varintSize(len) + len;
}

function varStringSize(s: string): number {
  const len = utf8Length(s);
  return varintSize(len) + len;
}

/** Strings shorter than this are checked for ASCII and written char by char. */
const SHORT = 64;

function utf8Length(s: string): number {
  const n = s.length;
  if (n < SHORT) {
    let i = 0;
    while (i < n && s.charCodeAt(i) < 0x80) i++;
    if (i === n) return n;
  }
  return Buffer.byteLength(s, 'utf8');
}

function putVarint(buf: Buffer, at: number, v: number): number {
  let n = ((v << 1) ^ (v >> 31)) >>> 0;
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[at++] = n;
  return at;
}

function putVarlong(buf: Buffer, at: number, v: number): number {
  let n = v >= 0 ? v * 2 : -v * 2 - 1;
  while (n >= 0x80) {
    buf[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/**
 * A VARINT length and the UTF-8 bytes. Short ASCII strings (header names and values, mostly)
 * are written char by char: a call into Buffer.write costs more than the copy itself.
 */
function putVarString(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  if (n < SHORT) {
    // zigzag(n) < 128: a one-byte length.
    const start = at + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + i] = c;
    }
    if (i === n) {
      buf[at] = n << 1;
      return start + n;
    }
  }
  const len = Buffer.byteLength(s, 'utf8');
  const start = putVarint(buf, at, len);
  return start + buf.write(s, start, len, 'utf8');
}

function putVarBytes(buf: Buffer, at: number, v: Uint8Array | string | null): number {
  if (v === null) return putVarint(buf, at, -1);
  if (typeof v === 'string') return putVarString(buf, at, v);
  const len = v.length;
  const start = putVarint(buf, at, len);
  if (len < SHORT) for (let i = 0; i < len; i++) buf[start + i] = v[i]!;
  else buf.set(v, start);
  return start + len;
}

function isHeaderPairs(
  headers: NonNullable<RecordInput['headers']>,
): headers is ReadonlyArray<readonly [string, Uint8Array | string | null]> {
  return Array.isArray(headers);
}

// ---------------------------------------------------------------------------------------------

function asBuffer(input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length);
}

function batchError(baseOffset: number, what: string): SharqError {
  return new SharqError(
    'SHARQ_ERR_PROTOCOL',
    `Malformed record batch at offset ${baseOffset}: ${what}`,
    { details: { baseOffset } },
  );
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
