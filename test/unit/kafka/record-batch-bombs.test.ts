// Decompression bombs from a broker: sharq's client caps what one record batch may decompress to
// (MAX_DECOMPRESSED_BATCH_BYTES, 64 MiB), refusing from the headers where they state the size and
// inflating with the cap as the output limit where they do not. Each codec, and the ShareFetch
// reader that hands compressed batches to the decoder.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../src/errors/sharq-error.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
  MAX_DECOMPRESSED_BATCH_BYTES,
} from '../../../src/kafka/protocol/record-batch.js';
import { readAcquired } from '../../../src/kafka/share/acquired-records.js';
import { crc32c } from '../../../src/util/crc32c.js';
import { lz4Bomb, snappyBomb, zstdContentSize, zstdRle } from '../../helpers/bombs.js';
import { FIXTURES as BASE64 } from './record-batch-fixtures.js';

const fixture = (name: keyof typeof BASE64) => Buffer.from(BASE64[name], 'base64');

const MiB = 1024 * 1024;
const CAP_BLOCKS = MAX_DECOMPRESSED_BATCH_BYTES / (128 * 1024);

/** A one-record v2 batch at `baseOffset` around `payload` as given, codec bits and CRC set. */
function batchAround(codec: number, payload: Buffer, baseOffset = 0): Buffer {
  const base = encodeRecordBatch([{ value: 'v' }], { baseOffset });
  const out = Buffer.concat([base.subarray(0, 61), payload]);
  out.writeInt32BE(49 + payload.length, 8);
  out.writeInt16BE((out.readInt16BE(21) & ~7) | codec, 21);
  out.writeUInt32BE(crc32c(out, 0, 21, out.length), 17);
  return out;
}

function errorOf(fn: () => unknown): SharqError {
  try {
    fn();
  } catch (err) {
    if (SharqError.is(err)) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('decompression cap per record batch', () => {
  it('is 64 MiB', () => {
    expect(MAX_DECOMPRESSED_BATCH_BYTES).toBe(64 * MiB);
  });

  it.each([
    [
      'zstd RLE blocks past the cap (stated: refused unread)',
      () => batchAround(4, zstdRle(CAP_BLOCKS + 1), 7),
      /states more than/,
    ],
    [
      'a zstd frame declaring 2 GiB of content',
      () => batchAround(4, zstdContentSize(2 ** 31), 7),
      /would allocate more than/,
    ],
    [
      'LZ4 frames of 4 MiB blocks past the cap',
      () => batchAround(3, lz4Bomb(17), 7),
      /states more than/,
    ],
    ['snappy stating 65 MiB', () => batchAround(2, snappyBomb(65 * MiB), 7), /states more than/],
    [
      'gzip members of zeros past the cap',
      () =>
        batchAround(
          1,
          Buffer.concat(Array.from({ length: 65 }, () => gzipSync(Buffer.alloc(MiB)))),
          7,
        ),
      /inflates to more than/,
    ],
  ])('refuses %s with SHARQ_ERR_PROTOCOL naming the batch and the cap', (_name, make, what) => {
    const err = errorOf(() => decodeRecordBatches(make()));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(what);
    expect(err.message).toContain('offset 7');
    expect(err.details).toMatchObject({ baseOffset: 7, maxDecompressedBatchBytes: 64 * MiB });
  });

  it('takes batches up to the cap: an RLE frame of exactly 64 MiB decompresses (and then fails as records)', () => {
    // One record declared, 64 MiB of 'a': decompressed, then refused as malformed records, not
    // as too large.
    const err = errorOf(() => decodeRecordBatches(batchAround(4, zstdRle(CAP_BLOCKS))));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).not.toMatch(/more than/);
  });

  it('measures zstd with compressed blocks by decompressing up to the cap, and takes what fits', () => {
    // 40 frames of Kafka's zstd-jni batch: 2 MiB windows (allocated), 69,492 bytes each, but
    // compressed blocks bound at 128 KiB each, so 5 MiB by the headers.
    const payload = fixture('zstd_large').subarray(61);
    const frames = batchAround(4, Buffer.concat(Array.from({ length: 40 }, () => payload)));
    const fits = errorOf(() => decodeRecordBatches(frames, { maxDecompressedBatchBytes: 4 * MiB }));
    // Decompressed (2.8 MiB), then refused as records (one declared, 6,400 there).
    expect(fits.message).toMatch(/bytes left after the 1 declared records/);
    const past = errorOf(() =>
      decodeRecordBatches(frames, { maxDecompressedBatchBytes: 2.5 * MiB }),
    );
    expect(past.message).toMatch(/decompresses to more than/);
    const window = errorOf(() => decodeRecordBatches(frames, { maxDecompressedBatchBytes: MiB }));
    expect(window.message).toMatch(/would allocate more than/);
  });

  it.each([
    ['gzip', 'gzip_large'],
    ['snappy', 'snappy_large'],
    ['lz4', 'lz4_large'],
  ] as const)('holds %s to a lower cap given as an option', (_codec, name) => {
    const batch = fixture(name);
    expect(decodeRecordBatches(batch).records).toHaveLength(160);
    const err = errorOf(() => decodeRecordBatches(batch, { maxDecompressedBatchBytes: 1024 }));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(/more than the 1024 bytes/);
  });

  it('refuses a bomb in a ShareFetch answer: the acquired-records reader hands it to the decoder', () => {
    const bytes = batchAround(4, zstdRle(CAP_BLOCKS * 4), 0);
    const err = errorOf(() =>
      readAcquired(
        bytes,
        [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }],
        {
          topic: 't',
          partition: 0,
          lockDeadline: 0,
        },
        [],
      ),
    );
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(/more than/);
  });
});
