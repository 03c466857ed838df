import { gunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { SharqError } from '../../errors/sharq-error.js';
import {
  ATTR_CODEC_MASK,
  ATTR_CONTROL,
  ATTRIBUTES_OFFSET,
  BATCH_LENGTH_OFFSET,
  HEADER_SIZE,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
} from './batch-layout.js';

/*
 * How many bytes record batches may become once decompressed, found without decompressing them
 * where the format allows it, so that a small Produce request cannot make `sharq server`
 * allocate gigabytes, nor a broken or hostile broker's fetch answer sharq's client
 * (`payloadBound` and `zstdCapped` serve `decodeRecordBatches`' per-batch cap). A
 * "decompression bomb": 4 bytes of zstd RLE block make 128 KiB, so a 100 MiB request would
 * make 3 TB; a gzip member up to 1032 times its size.
 *
 * - zstd: frame and block headers are walked: raw and RLE blocks give their size, a compressed
 *   block at most min(window, 128 KiB), a frame with a content size no more than it; a frame
 *   whose content size or window (which the decoder allocates up front) is past the budget is
 *   refused. Raw and RLE blocks only: the size is exact. Otherwise an estimate past the budget
 *   is checked by decompressing, streamed and stopped at the budget.
 * - LZ4: block headers are walked: an uncompressed block gives its size, a compressed one the
 *   literal and match lengths of its sequences (read, not copied).
 * - snappy: each raw block states its length in a preamble (the decoder holds it to that).
 * - gzip: 1032 times the compressed size when that fits; otherwise inflated with a cap (off the
 *   event loop in `decompressedSizeOffLoop`: 128 MiB of zeros take half a second to inflate).
 *
 * An estimate past `budget` is returned as Infinity. Batches this walk cannot read are left to
 * `decodeRecordBatches`, which refuses them the same way, except a zstd or LZ4 stream whose
 * headers are malformed: that throws SHARQ_ERR_PROTOCOL here, before any decoder allocates.
 */
/**
 * The decompressed size of `records`. A gzip payload that must be inflated to be measured is
 * inflated on libuv's thread pool, so that a gzip bomb does not stall every other connection
 * meanwhile; without one (the common case) the answer comes at once, not as a promise.
 */
export function decompressedSizeOffLoop(
  records: Uint8Array,
  budget: number,
): number | Promise<number> {
  const deferred: Buffer[] = [];
  const known = walkBatches(records, budget, (payload, left) => {
    const bound = gzipBound(payload);
    if (bound <= left) return bound;
    deferred.push(payload);
    return 0;
  });
  if (known > budget) return Number.POSITIVE_INFINITY;
  if (deferred.length === 0) return known;
  return inflateDeferred(known, deferred, budget);
}

/** Adds the sizes of the gzip payloads `walkBatches` could not bound, inflated off the loop. */
async function inflateDeferred(known: number, deferred: Buffer[], budget: number): Promise<number> {
  let total = known;
  for (const payload of deferred) {
    const left = budget - total;
    const size = await new Promise<number>((resolve) => {
      gunzip(payload, { maxOutputLength: Math.max(1, left + 1) }, (err, out) =>
        resolve(err === null ? out.length : gzipFailure(err, payload)),
      );
    });
    if (size > left) return Number.POSITIVE_INFINITY;
    total += size;
  }
  return total;
}

type GzipSize = (payload: Buffer, budget: number) => number;

function walkBatches(records: Uint8Array, budget: number, gzip: GzipSize): number {
  const buf = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
  let total = 0;
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD) break;
    const end = pos + LOG_OVERHEAD + batchLength;
    if (end > buf.length || buf[pos + MAGIC_OFFSET] !== 2) break;
    const attributes = buf.readInt16BE(pos + ATTRIBUTES_OFFSET);
    const payload = buf.subarray(pos + HEADER_SIZE, end);
    if ((attributes & ATTR_CONTROL) === 0) {
      const left = budget - total;
      const size = payloadSize(attributes & ATTR_CODEC_MASK, payload, left, gzip);
      if (size > left) return Number.POSITIVE_INFINITY;
      total += size;
    }
    pos = end;
  }
  return total;
}

/** The largest output of DEFLATE per input byte. */
const DEFLATE_MAX_RATIO = 1032;

/** What one batch's payload can become, from its headers alone: nothing is decompressed. */
export interface PayloadBound {
  /** At most this many bytes (gzip: 1032 times its size). */
  bound: number;
  /** `bound` is what the decoder produces or refuses past (no estimate). */
  exact: boolean;
  /** What the decoder allocates before it produces anything (zstd's content size or window). */
  allocates: number;
}

/**
 * `PayloadBound` of a payload compressed with codec id `codec` (1 gzip, 2 snappy, 3 LZ4, 4
 * zstd). Throws SHARQ_ERR_PROTOCOL for zstd or LZ4 headers that are malformed.
 */
export function payloadBound(codec: number, payload: Buffer): PayloadBound {
  switch (codec) {
    case 1:
      return { bound: gzipBound(payload), exact: false, allocates: 0 };
    case 2:
      return { bound: snappySize(payload), exact: true, allocates: 0 };
    case 3:
      return { bound: lz4Size(payload), exact: true, allocates: 0 };
    case 4: {
      const { bound, window, exact } = zstdSize(payload);
      return { bound, exact, allocates: window };
    }
    default:
      return { bound: payload.length, exact: true, allocates: 0 };
  }
}

/**
 * zstd decompressed as a stream, stopped once past `cap`: the output, or undefined when it would
 * be larger. Throws what the decoder throws for data that is not zstd.
 */
export function zstdCapped(payload: Buffer, cap: number): Buffer | undefined {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const over = new Error('over cap');
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > cap) throw over;
    chunks.push(chunk);
  });
  try {
    stream.push(payload, true);
  } catch (err) {
    if (err === over) return undefined;
    throw err;
  }
  return Buffer.concat(chunks, total);
}

function payloadSize(codec: number, payload: Buffer, budget: number, gzip: GzipSize): number {
  switch (codec) {
    case 1:
      return gzip(payload, budget);
    case 2:
      return snappySize(payload);
    case 3:
      return lz4Size(payload);
    case 4: {
      const { bound, window, exact } = zstdSize(payload);
      if (window > budget) return Number.POSITIVE_INFINITY;
      if (bound <= budget || exact) return bound;
      return zstdMeasured(payload, budget);
    }
    default:
      return payload.length;
  }
}

const gzipBound = (payload: Buffer): number => payload.length * DEFLATE_MAX_RATIO + 1024;

/** Past the cap (ERR_BUFFER_TOO_LARGE), or not gzip at all, which the decoder refuses. */
function gzipFailure(err: unknown, payload: Buffer): number {
  return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
    ? Number.POSITIVE_INFINITY
    : payload.length;
}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** The snappy decoder refuses a block claiming more than this many bytes per input byte. */
const SNAPPY_MAX_RATIO = 22;

/** The lengths the raw blocks declare (what the decoder allocates and must produce). */
function snappySize(src: Buffer): number {
  const preamble = (start: number, end: number): number => {
    let length = 0;
    for (let i = start, shift = 0; i < end && shift <= 28; i++, shift += 7) {
      const b = src[i]!;
      length += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return Math.min(length, (end - i) * SNAPPY_MAX_RATIO);
    }
    return 0;
  };
  if (src.length >= XERIAL_HEADER_SIZE && XERIAL_MAGIC.equals(src.subarray(0, 8))) {
    let total = 0;
    let pos = XERIAL_HEADER_SIZE;
    while (src.length - pos >= 4) {
      const size = src.readInt32BE(pos);
      pos += 4;
      if (size < 0 || pos + size > src.length) break;
      total += preamble(pos, pos + size);
      pos += size;
    }
    return total;
  }
  return preamble(0, src.length);
}

/** zstd output counted as it streams, stopped once past `budget` (Infinity then). */
function zstdMeasured(payload: Buffer, budget: number): number {
  let total = 0;
  const over = new Error('over budget');
  const stream = new Decompress((chunk) => {
    total += chunk.length;
    if (total > budget) throw over;
  });
  try {
    stream.push(payload, true);
  } catch (err) {
    if (err === over) return Number.POSITIVE_INFINITY;
    return 0;
  }
  return total;
}

function malformed(codec: string, what: string): never {
  throw new SharqError('SHARQ_ERR_PROTOCOL', `Malformed ${codec} data in a record batch: ${what}`, {
    details: { codec },
  });
}

const LZ4_MAGIC = 0x184d2204;
const SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE = 0x184d2a50;

/** What the blocks give, frame by frame: stored blocks their size, compressed ones their sequences. */
function lz4Size(src: Buffer): number {
  let total = 0;
  let i = 0;
  const need = (n: number, what: string): void => {
    if (i + n > src.length) malformed('LZ4', `${what} cut short at byte ${i}`);
  };
  while (i < src.length) {
    need(4, 'magic');
    const magic = src.readUInt32LE(i);
    i += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === LZ4_SKIPPABLE) {
      need(4, 'skippable frame size');
      const size = src.readUInt32LE(i);
      i += 4 + size;
      continue;
    }
    if (magic !== LZ4_MAGIC) malformed('LZ4', `frame magic 0x${magic.toString(16)}`);
    need(2, 'frame descriptor');
    const flg = src[i]!;
    const sizeId = (src[i + 1]! >>> 4) & 7;
    i += 2;
    if (sizeId < 4) malformed('LZ4', `block size id ${sizeId}`);
    const blockMax = 1 << (8 + 2 * sizeId);
    if ((flg & 0x08) !== 0) i += 8; // content size
    i += 1; // header checksum
    for (;;) {
      need(4, 'block size');
      const word = src.readUInt32LE(i);
      i += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      if (i + size > src.length) malformed('LZ4', `block cut short at byte ${i}`);
      total += word & 0x80000000 ? size : lz4BlockSize(src, i, i + size, blockMax);
      i += size;
      if ((flg & 0x10) !== 0) i += 4; // block checksum
    }
    if ((flg & 0x04) !== 0) i += 4; // content checksum
  }
  return total;
}

/** The output of one compressed LZ4 block: its literal and match lengths, capped at blockMax. */
function lz4BlockSize(src: Buffer, start: number, end: number, blockMax: number): number {
  let out = 0;
  let i = start;
  const length = (initial: number): number => {
    let n = initial;
    if (n !== 15) return n;
    for (;;) {
      if (i >= end) malformed('LZ4', 'sequence length cut short');
      const b = src[i++]!;
      n += b;
      if (b !== 255) return n;
    }
  };
  while (i < end) {
    const token = src[i++]!;
    const literals = length(token >>> 4);
    i += literals;
    out += literals;
    if (i >= end) break; // the last sequence carries literals only
    i += 2; // match offset
    out += length(token & 15) + 4;
    // The decoder refuses a block past its maximum: no need to read on.
    if (out > blockMax) return blockMax;
  }
  return Math.min(out, blockMax);
}

const ZSTD_MAGIC = 0xfd2fb528;
const ZSTD_SKIPPABLE = 0x184d2a50;
const ZSTD_BLOCK_MAX = 128 * 1024;

/**
 * RFC 8878: what the blocks of every frame can produce, the largest window (allocated), and
 * whether that is exact (raw and RLE blocks only: no compressed block estimated at its maximum).
 */
function zstdSize(src: Buffer): { bound: number; window: number; exact: boolean } {
  let total = 0;
  let largest = 0;
  let exact = true;
  let i = 0;
  const need = (n: number, what: string): void => {
    if (i + n > src.length) malformed('zstd', `${what} cut short at byte ${i}`);
  };
  while (i < src.length) {
    need(4, 'magic');
    const magic = src.readUInt32LE(i);
    i += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === ZSTD_SKIPPABLE) {
      need(4, 'skippable frame size');
      i += 4 + src.readUInt32LE(i);
      continue;
    }
    if (magic !== ZSTD_MAGIC) malformed('zstd', `frame magic 0x${magic.toString(16)}`);
    need(1, 'frame header');
    const fhd = src[i++]!;
    const fcsFlag = fhd >>> 6;
    const singleSegment = (fhd & 0x20) !== 0;
    let window = 0;
    if (!singleSegment) {
      need(1, 'window descriptor');
      const wd = src[i++]!;
      const base = 2 ** (10 + (wd >>> 3));
      window = base + (base / 8) * (wd & 7);
    }
    i += [0, 1, 2, 4][fhd & 3]!; // dictionary id
    const fcsBytes = fcsFlag === 0 ? (singleSegment ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!;
    need(fcsBytes, 'frame content size');
    let contentSize = 0;
    for (let b = 0; b < fcsBytes; b++) contentSize += src[i + b]! * 2 ** (8 * b);
    if (fcsBytes === 2) contentSize += 256;
    i += fcsBytes;
    if (singleSegment) window = contentSize;
    // fzstd allocates the content size, or without one the window, before the first block.
    largest = Math.max(largest, fcsBytes > 0 ? contentSize : window);
    const blockMax = Math.min(window, ZSTD_BLOCK_MAX);
    let out = 0;
    for (;;) {
      need(3, 'block header');
      const h = src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16);
      i += 3;
      const type = (h >>> 1) & 3;
      const size = h >>> 3;
      if (type === 3) malformed('zstd', 'reserved block type');
      if (type === 1) {
        out += size;
        i += 1;
      } else {
        out += type === 0 ? size : blockMax;
        if (type === 2) exact = false;
        i += size;
      }
      if ((h & 1) !== 0) break;
    }
    if ((fhd & 0x04) !== 0) i += 4; // content checksum
    // With a content size the decoder allocates it and stops there.
    total += fcsBytes > 0 ? Math.min(out, contentSize) : out;
  }
  return { bound: total, window: largest, exact };
}
