import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../src/errors/sharq-error.js';
import {
  type CompressionCodec,
  decodeRecordBatches,
  encodeRecordBatch,
  type KafkaRecord,
  lz4FrameDecompress,
  snappyDecompress,
} from '../../../src/kafka/protocol/record-batch.js';
import { crc32c } from '../../../src/util/crc32c.js';
import { FIXTURES } from './record-batch-fixtures.js';

const T0 = 1767225600000; // 2026-01-01T00:00:00Z, the base timestamp of the Java fixtures

function fixture(name: keyof typeof FIXTURES): Buffer {
  return Buffer.from(FIXTURES[name], 'base64');
}

/** Rewrites a batch's CRC-32C after a test changed bytes it covers. */
function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch, 0, 21, batch.length), 17);
  return batch;
}

/** A copy of an uncompressed batch with its records section replaced and the codec bits set. */
function withPayload(batch: Buffer, codec: number, payload: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, 61), payload]);
  out.writeInt32BE(49 + payload.length, 8);
  out.writeInt16BE((out.readInt16BE(21) & ~7) | codec, 21);
  return fixCrc(out);
}

function errorOf(fn: () => unknown): SharqError {
  try {
    fn();
  } catch (err) {
    if (SharqError.is(err)) return err;
    throw err;
  }
  throw new Error('expected an error');
}

function view(r: KafkaRecord): unknown {
  return { ...r, headers: { ...r.headers } };
}

const SMALL_EXPECTED = [
  {
    offset: 100,
    timestamp: T0,
    key: Buffer.from('k0'),
    value: Buffer.from('v0'),
    headers: { h1: 'a', h2: '' },
  },
  { offset: 101, timestamp: T0 + 5, key: null, value: Buffer.from('value-1'), headers: {} },
  {
    offset: 102,
    timestamp: T0 + 10,
    key: Buffer.from('k2'),
    value: null,
    headers: { dup: 'second' },
  },
  {
    offset: 103,
    timestamp: T0 - 3,
    key: Buffer.from('ключ'),
    value: Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
    headers: { ü: 'ñ' },
  },
];

function largeExpected(i: number): unknown {
  return {
    offset: 1000 + i,
    timestamp: T0 + i,
    key: Buffer.from(`key-${i}`),
    value: Buffer.from(`record ${i} `.repeat(40)),
    headers: { i: String(i) },
  };
}

describe('encodeRecordBatch / decodeRecordBatches', () => {
  const header = fc.tuple(
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.option(fc.string({ unit: 'grapheme', maxLength: 8 }), { nil: null }),
  );
  const record = fc.record({
    key: fc.option(fc.uint8Array({ maxLength: 20 }), { nil: null }),
    value: fc.option(fc.uint8Array({ maxLength: 200 }), { nil: null }),
    headers: fc.array(header, { maxLength: 4 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
  });

  it('round-trips keys, values, headers and nulls, uncompressed and gzip', () => {
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 2 ** 50 }),
        fc.constantFrom('none' as const, 'gzip' as const),
        (records, baseOffset, compression) => {
          const batch = encodeRecordBatch(records, { baseOffset, compression });
          const decoded = decodeRecordBatches(batch);
          expect(decoded.truncatedBytes).toBe(0);
          expect(decoded.batches).toHaveLength(1);
          const b = decoded.batches[0]!;
          expect(b).toMatchObject({
            baseOffset,
            lastOffset: baseOffset + records.length - 1,
            magic: 2,
            compression,
            control: false,
            transactional: false,
            timestampType: 'create-time',
            producerId: -1,
            recordCount: records.length,
            baseTimestamp: records[0]!.timestamp,
            maxTimestamp: Math.max(...records.map((r) => r.timestamp)),
          });
          expect(decoded.records.map(view)).toEqual(
            records.map((r, i) => {
              const headers: Record<string, string> = {};
              for (const [k, v] of r.headers) headers[k] = v ?? '';
              return {
                offset: baseOffset + i,
                timestamp: r.timestamp,
                key: r.key === null ? null : Buffer.from(r.key),
                value: r.value === null ? null : Buffer.from(r.value),
                headers,
              };
            }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('decodes several batches in one buffer, in order', () => {
    const a = encodeRecordBatch([{ value: 'a0' }, { value: 'a1' }], { baseOffset: 0 });
    const b = encodeRecordBatch([{ value: 'b0' }], { baseOffset: 2, compression: 'gzip' });
    const c = encodeRecordBatch([{ value: 'c0' }, { value: 'c1' }, { value: 'c2' }], {
      baseOffset: 10,
    });
    const decoded = decodeRecordBatches(Buffer.concat([a, b, fixture('zstd_small'), c]));
    expect(decoded.batches.map((x) => [x.baseOffset, x.lastOffset, x.compression])).toEqual([
      [0, 1, 'none'],
      [2, 2, 'gzip'],
      [100, 103, 'zstd'],
      [10, 12, 'none'],
    ]);
    expect(decoded.records.map((r) => r.offset)).toEqual([0, 1, 2, 100, 101, 102, 103, 10, 11, 12]);
    expect(decoded.records.map((r) => r.value?.toString())).toContain('c2');
  });

  it('decodes an empty buffer to nothing', () => {
    expect(decodeRecordBatches(Buffer.alloc(0))).toEqual({
      batches: [],
      records: [],
      truncatedBytes: 0,
    });
  });

  it('accepts a plain Uint8Array', () => {
    const batch = encodeRecordBatch([{ key: 'k', value: 'v', timestamp: 5 }]);
    expect(decodeRecordBatches(new Uint8Array(batch)).records[0]?.value?.toString()).toBe('v');
  });

  it('keeps the last of repeated header keys and reads a null header value as empty', () => {
    const batch = encodeRecordBatch([
      {
        value: 'x',
        headers: [
          ['a', '1'],
          ['b', null],
          ['a', '2'],
          ['__proto__', 'safe'],
        ],
      },
    ]);
    const [rec] = decodeRecordBatches(batch).records;
    expect({ ...rec!.headers }).toEqual({ a: '2', b: '', ['__proto__']: 'safe' });
    expect(Object.keys(rec!.headers)).toEqual(['a', 'b', '__proto__']);
  });

  it('writes the fields the options ask for', () => {
    const batch = encodeRecordBatch([{ value: 'v', timestamp: 10 }], {
      baseOffset: 5,
      partitionLeaderEpoch: 3,
      producerId: 99,
      producerEpoch: 2,
      baseSequence: 7,
      transactional: true,
      logAppendTime: 1000,
    });
    const b = decodeRecordBatches(batch).batches[0]!;
    expect(b).toMatchObject({
      partitionLeaderEpoch: 3,
      producerId: 99,
      producerEpoch: 2,
      baseSequence: 7,
      transactional: true,
      timestampType: 'log-append-time',
      maxTimestamp: 1000,
    });
    expect(b.records[0]!.timestamp).toBe(1000);
  });

  it('refuses to encode an empty batch', () => {
    expect(errorOf(() => encodeRecordBatch([])).code).toBe('SHARQ_ERR_INVALID_ARGUMENT');
  });
});

describe('batches written by Apache Kafka 4.4 (kafka-clients MemoryRecordsBuilder)', () => {
  const codecs: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

  it.each(codecs)('decodes a %s batch with keys, values, headers and nulls', (codec) => {
    const decoded = decodeRecordBatches(fixture(`${codec}_small`));
    expect(decoded.batches).toHaveLength(1);
    expect(decoded.batches[0]).toMatchObject({
      baseOffset: 100,
      lastOffset: 103,
      compression: codec,
      partitionLeaderEpoch: -1,
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      recordCount: 4,
      baseTimestamp: T0,
      maxTimestamp: T0 + 10,
    });
    expect(decoded.records.map(view)).toEqual(SMALL_EXPECTED);
  });

  it.each(codecs.filter((c) => c !== 'none'))(
    'decodes a 70 KB %s batch spanning several compression blocks',
    (codec) => {
      const decoded = decodeRecordBatches(fixture(`${codec}_large` as keyof typeof FIXTURES));
      expect(decoded.records).toHaveLength(160);
      expect(decoded.records.map(view)).toEqual(
        Array.from({ length: 160 }, (_, i) => largeExpected(i)),
      );
    },
  );

  it('flags a transaction marker as a control batch and returns none of its records', () => {
    const decoded = decodeRecordBatches(
      Buffer.concat([fixture('txn_data'), fixture('control_commit')]),
    );
    expect(
      decoded.batches.map((b) => [b.baseOffset, b.lastOffset, b.control, b.transactional]),
    ).toEqual([
      [48, 49, false, true],
      [50, 50, true, true],
    ]);
    expect(decoded.batches[1]).toMatchObject({
      producerId: 4242,
      producerEpoch: 1,
      partitionLeaderEpoch: 7,
      recordCount: 1,
      records: [],
    });
    expect(decoded.records.map((r) => r.offset)).toEqual([48, 49]);
  });

  it('flags a control batch sharq encoded', () => {
    const marker = encodeRecordBatch(
      [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }],
      { baseOffset: 9, control: true, transactional: true },
    );
    const decoded = decodeRecordBatches(marker);
    expect(decoded.batches[0]).toMatchObject({ control: true, baseOffset: 9, lastOffset: 9 });
    expect(decoded.records).toEqual([]);
  });

  it('gives LogAppendTime records the batch max timestamp', () => {
    const decoded = decodeRecordBatches(fixture('log_append_time'));
    expect(decoded.batches[0]).toMatchObject({
      timestampType: 'log-append-time',
      partitionLeaderEpoch: 2,
    });
    expect(decoded.records.map((r) => [r.offset, r.timestamp])).toEqual([
      [7, T0 + 777],
      [8, T0 + 777],
    ]);
  });
});

describe('other encoders', () => {
  it('decodes raw (unframed) snappy', () => {
    expect(decodeRecordBatches(fixture('snappy_raw_small')).records.map(view)).toEqual(
      SMALL_EXPECTED,
    );
    expect(decodeRecordBatches(fixture('snappy_raw_large')).records).toHaveLength(160);
  });

  it('decodes LZ4 frames with linked blocks, block and content checksums (lz4 CLI)', () => {
    const decoded = decodeRecordBatches(fixture('lz4_linked_large'));
    expect(decoded.records.map(view)).toEqual(
      Array.from({ length: 160 }, (_, i) => largeExpected(i)),
    );
  });

  it('decodes zstd from the zstd CLI', () => {
    expect(decodeRecordBatches(fixture('zstd_cli_large')).records).toHaveLength(160);
  });

  it('decodes snappy copies that overlap their output', () => {
    // length 10; literal "ab"; copy offset 2 length 8 (2-byte-offset form) => "ababababab"
    const raw = Buffer.from([10, 0b000001_00, 0x61, 0x62, ((8 - 1) << 2) | 2, 2, 0]);
    expect(snappyDecompress(raw).toString()).toBe('ababababab');
  });

  it('decodes an LZ4 frame with an uncompressed block and a skippable frame', () => {
    const frame = Buffer.concat([
      Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 0xaa, 0xbb]), // skippable, 2 bytes
      Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]), // magic, FLG, BD, HC
      Buffer.from([3, 0, 0, 0x80]), // uncompressed block of 3 bytes
      Buffer.from('xyz'),
      Buffer.from([0, 0, 0, 0]), // EndMark
    ]);
    expect(lz4FrameDecompress(frame).toString()).toBe('xyz');
  });
});

describe('corrupt and partial input', () => {
  it('rejects a CRC-32C mismatch with SHARQ_ERR_PROTOCOL naming the base offset', () => {
    const batch = fixture('none_small');
    batch[batch.length - 5]! ^= 0x01;
    const err = errorOf(() => decodeRecordBatches(batch));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(/CRC-32C mismatch in the record batch at offset 100/);
    expect(err.details).toMatchObject({ baseOffset: 100 });
  });

  it('ignores a partial trailing batch wherever it was cut', () => {
    const first = encodeRecordBatch([{ value: 'first' }], { baseOffset: 0 });
    const second = fixture('gzip_small');
    for (let cut = 0; cut < second.length; cut++) {
      const decoded = decodeRecordBatches(Buffer.concat([first, second.subarray(0, cut)]));
      expect(decoded.batches.map((b) => b.baseOffset)).toEqual([0]);
      expect(decoded.truncatedBytes).toBe(cut);
    }
  });

  it('rejects a batch length below the header size', () => {
    const batch = encodeRecordBatch([{ value: 'v' }], { baseOffset: 77 });
    batch.writeInt32BE(48, 8);
    const err = errorOf(() => decodeRecordBatches(batch));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(/offset 77/);
  });

  it('refuses message format v0/v1 with SHARQ_ERR_UNSUPPORTED', () => {
    const batch = encodeRecordBatch([{ value: 'v' }]);
    batch.writeInt8(1, 16);
    expect(errorOf(() => decodeRecordBatches(batch)).code).toBe('SHARQ_ERR_UNSUPPORTED');
    // a v0 message: offset, size 14, crc, magic 0, attributes, null key, empty value
    const v0 = Buffer.from(
      '0000000000000005' + '0000000e' + '00000000' + '00' + '00' + 'ffffffff' + '00000000',
      'hex',
    );
    const err = errorOf(() => decodeRecordBatches(v0));
    expect(err.code).toBe('SHARQ_ERR_UNSUPPORTED');
    expect(err.message).toMatch(/offset 5 uses message format v0/);
  });

  it('rejects an unknown magic with SHARQ_ERR_PROTOCOL', () => {
    const batch = encodeRecordBatch([{ value: 'v' }]);
    batch.writeInt8(3, 16);
    expect(errorOf(() => decodeRecordBatches(batch)).code).toBe('SHARQ_ERR_PROTOCOL');
  });

  it('refuses an unknown codec with SHARQ_ERR_UNSUPPORTED naming it', () => {
    const batch = encodeRecordBatch([{ value: 'v' }]);
    batch.writeInt16BE(5, 21);
    const err = errorOf(() => decodeRecordBatches(fixCrc(batch)));
    expect(err.code).toBe('SHARQ_ERR_UNSUPPORTED');
    expect(err.message).toMatch(/codec id 5/);
  });

  it.each([
    [1, 'gzip'],
    [2, 'snappy'],
    [3, 'lz4'],
    [4, 'zstd'],
  ] as const)('rejects garbage %s data (with a valid CRC) as SHARQ_ERR_PROTOCOL', (id, codec) => {
    const base = encodeRecordBatch([{ value: 'v' }], { baseOffset: 3 });
    const err = errorOf(() =>
      decodeRecordBatches(withPayload(base, id, Buffer.from('definitely not compressed data'))),
    );
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toContain(codec);
    expect(err.message).toContain('offset 3');
  });

  it('rejects records that do not fill the batch exactly', () => {
    const batch = encodeRecordBatch([{ value: 'v' }, { value: 'w' }]);
    batch.writeInt32BE(1, 57); // declare one record where there are two
    const err = errorOf(() => decodeRecordBatches(fixCrc(batch)));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toMatch(/bytes left after the 1 declared records/);
  });

  it('rejects a negative record count', () => {
    const batch = encodeRecordBatch([{ value: 'v' }]);
    batch.writeInt32BE(-1, 57);
    expect(errorOf(() => decodeRecordBatches(fixCrc(batch))).code).toBe('SHARQ_ERR_PROTOCOL');
  });
});

describe('fuzz', () => {
  const expectDecodesOrCodedError = (input: Buffer): void => {
    try {
      decodeRecordBatches(input);
    } catch (err) {
      if (
        !SharqError.is(err, 'SHARQ_ERR_PROTOCOL') &&
        !SharqError.is(err, 'SHARQ_ERR_UNSUPPORTED')
      ) {
        throw err;
      }
    }
  };

  it('random bytes decode or throw SHARQ_ERR_PROTOCOL / SHARQ_ERR_UNSUPPORTED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectDecodesOrCodedError(Buffer.from(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes after a valid-looking header decode or throw a coded error', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 0, max: 7 }),
        (bytes, codec) => {
          const base = encodeRecordBatch([{ value: 'v' }]);
          expectDecodesOrCodedError(withPayload(base, codec, Buffer.from(bytes)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  const sources = [
    'none_small',
    'gzip_small',
    'snappy_small',
    'lz4_small',
    'zstd_small',
    'snappy_raw_small',
    'lz4_linked_large',
    'control_commit',
  ] as const;

  it.each(sources)(
    'bit flips in %s, CRC left stale or fixed, decode or throw a coded error',
    (name) => {
      const original = fixture(name);
      fc.assert(
        fc.property(
          fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
          fc.boolean(),
          (flips, repairCrc) => {
            const batch = Buffer.from(original);
            for (const f of flips) {
              // with a repaired CRC, flip inside the CRC-covered part so the records get parsed
              const lo = repairCrc ? 21 * 8 : 0;
              const bit = lo + (f % (batch.length * 8 - lo));
              batch[bit >> 3]! ^= 1 << (bit & 7);
            }
            if (repairCrc && batch.readInt32BE(8) === original.readInt32BE(8)) fixCrc(batch);
            expectDecodesOrCodedError(batch);
          },
        ),
        { numRuns: 300 },
      );
    },
  );
});

describe('encodeRecordBatch against kafkajs', () => {
  const require = createRequire(import.meta.url);
  const { RecordBatch: KjsBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
    RecordBatch: (args: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
  };
  const KjsRecord = require('kafkajs/src/protocol/recordBatch/record/v0') as (
    args: Record<string, unknown>,
  ) => unknown;
  const Long = require('kafkajs/src/utils/long') as { fromValue(v: number): unknown };

  it('writes the bytes kafkajs writes for the same records and producer state', async () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null });
    const record = fc.record({
      key: bytes,
      value: bytes,
      // ASCII and multi-byte text, shorter and longer than the 64-char fast path.
      headers: fc.dictionary(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
        ),
        fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 100 })),
        { maxKeys: 4 },
      ),
      delta: fc.integer({ min: -100_000, max: 10_000_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        async (records, producerId, baseSequence) => {
          const inputs = records.map((r) => ({
            key: r.key === null ? null : Buffer.from(r.key),
            value: r.value === null ? null : Buffer.from(r.value),
            headers: r.headers,
            timestamp: T0 + r.delta,
          }));
          const ours = encodeRecordBatch(inputs, {
            producerId,
            producerEpoch: 3,
            baseSequence,
            partitionLeaderEpoch: 0,
          });
          const base = inputs[0]!.timestamp;
          const theirs = await KjsBatch({
            firstOffset: Long.fromValue(0),
            firstTimestamp: base,
            maxTimestamp: Math.max(...inputs.map((i) => i.timestamp)),
            partitionLeaderEpoch: 0,
            lastOffsetDelta: inputs.length - 1,
            producerId: Long.fromValue(producerId),
            producerEpoch: 3,
            firstSequence: baseSequence,
            records: inputs.map((i, n) =>
              KjsRecord({
                offsetDelta: n,
                timestampDelta: Long.fromValue(i.timestamp - base),
                key: i.key,
                value: i.value,
                headers: i.headers,
              }),
            ),
          });
          expect(ours.toString('hex')).toBe(Buffer.from(theirs.buffer).toString('hex'));
        },
      ),
      { numRuns: 150 },
    );
  });
});
