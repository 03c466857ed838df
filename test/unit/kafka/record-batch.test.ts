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

// Fixtures: record batches built by Apache Kafka 4.4's kafka-clients (MemoryRecordsBuilder with
// its gzip, xerial snappy, KafkaLZ4BlockOutputStream and zstd-jni codecs), plus a raw-snappy
// batch (snappy-java Snappy.compress), an LZ4 batch from the lz4 CLI (-B4 -BD -BX: linked blocks
// with block checksums and a content checksum) and a zstd batch from the zstd CLI. *_small hold
// SMALL_EXPECTED at offsets 100..103, *_large 160 records at offsets 1000..1159 (largeExpected).
const FIXTURES = {
  none_small:
    'AAAAAAAAAGQAAAGI/////wLtDS2yAAAAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABCYAAAAEazAEdjAEBGgxAmEEaDIBGgAKAgEOdmFsdWUtMQA6ABQEBGsyAQQGZHVwCmZpcnN0BmR1cAxzZWNvbmSqBAAFBhDQutC70Y7Rh4AEAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wIEw7wEw7E=',
  gzip_small:
    'AAAAAAAAAGQAAAGf/////wJYdjybAAEAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABB+LCAAAAAAAAP8BVwGo/iYAAAAEazAEdjAEBGgxAmEEaDIBGgAKAgEOdmFsdWUtMQA6ABQEBGsyAQQGZHVwCmZpcnN0BmR1cAxzZWNvbmSqBAAFBhDQutC70Y7Rh4AEAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wIEw7wEw7GZMNbVVwEAAA==',
  gzip_large:
    'AAAAAAAAA+gAAArH/////wKbzYZ5AAEAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoB+LCAAAAAAAAP/tm//nX3Ubxz+vY/vcmZkkSZIjSdKdz/l+3kmSJEmSJEnSvdLdne5M0p1kZmZmZmZmZmZmZmZmZmZmJplMkkmSJEmSJJMkSe5zXdd5XdfrH/i4vHj+dB6c367HT8/Heb+vrV1aWlr3n5f/98+Vq2s3vfyv/27aWK6UgFWFovh3sXJt7VJR8OUrvXxVAlYV6PLVdPk1a/jytV6+LgGrCnT5err88jJfvtHLNyVgVYEu30yXv+46vnyrl29LwKoCXb6dLr9uHV++08t3JWBVgS7fTZdfv54v3+vl+xKwqkCX76fLb9jAlx/08kMJWFWgyw/T5a+/ni8/6uXHErCqQJcfp8vfcANffqGXX5SAVQW6/OLy8tKNN67nJbVyeHl+V+neArnSpGhNtTI5uukmcVSZI1tmIE9iR9Xk6OabxVFtjnTDgVyJHdWTo1tuEUeNOdK1B3IldtRMjm69VRy15kh3IciV2FE7ObrtNnHUmSNdkCBXYkfd5KgsxVFvjnRrglyJHfWTo9tvF0eDOdJVCnIldjRMju64QxyN5kj3K8iV2NE4ObrzTnG0MEe6dEGuxI6oM9x1FzuqrTPUunVBrkSOauoMd98tjqwz1Lp1Qa7Ejqgz3HOPOLLOUNu3YpAnsSPqDPfeK46sM9S6dUGuxI6oM6ysiCPrDLVuXZArsSPqDHUtjqwz1Lp1Qa7EjqgztK04ss5Q69YFuRI7os7Q9+LIOkOtWxfkSuyIOsM4iiPrDLVuXZArsSPqDPfdJ46sM9S6dUGuxI6oM9x/PztqrDM0unVBrkSOGuoMDzwgjqwzNLp1Qa7EjqgzPPigOLLO0OjWBbkSO6LO8NBD4sg6Q2O/Xgd5EjuizvDww+LIOkOjWxfkSuyIOsMjj4gj6wyNbl2QK7Ej6gyPPiqOrDM0unVBrsSOqDM89pg4ss7Q6NYFuRI7os7w+OPiyDpDo1sX5ErsiDrDE0+II+sMjW5dkCuxI+oMTz7JjlrrDK1uXZArkaOWOsNTT4kj6wytbl2QK7Ej6gxPPy2OrDO0unVBrsSOqDM884w4ss7Q6tYFuRI7os7w7LPiyDpDa/+nB3kSO6LO8Nxz4sg6Q6tbF+RK7Ig6w/PPiyPrDK1uXZArsSPqDC+8II6sM7S6dUGuxI6oM7z4ojiyztDq1gW5EjuizvDSS+LIOkOrWxfkSuyIOsPGjeyos87Q6dYFuRI56qgzvPKKOLLO0OnWBbkSO6LO8Oqr4sg6Q6dbF+RK7Ig6w2uviSPrDJ1uXZArsSPqDK+/Lo6sM3S6dUGuxI6oM7zxhjiyztDp1gW5EjuizvDmm+LIOkOnWxfkSuyIOsOmTeLIOkOnWxfkSuyIOsNbb4kj6wydbl2QK7Ej6gxvvy2OrDN0unVBrsSOqDO88w476q0z9Lp1Qa5EjnrqDO++K46sM/S6dUGuxI6oM7z3njiyztDr1gW5EjuizvD+++LIOkOvWxfkSuyoubK8tDlsDmLJSkOvaxfkSmypnSxtCVtmS9Yaet27IFdiS91kaWvYOluy2tDr4gW5ElvqJ0vbwrbZkvWGXjcvyJXY0jBZ2h62z5asOPS6ekGuxJbGydKOsGO2ZM2h190LciW2tJgs7Qw7xdJg1WHQ5QtyJbI0rEyWdoVdsyXrDoNuX5ArsaVqsrQ77J4tWXkYdP2CXIkt1ZOlPWHPbMnaw6D7F+RKbInaw96wd7Zk7WHQ/QtyJbZE7WFf2DdbsvYw6P4FuRJbovawP+yfLVl7GHT/glyJLVF7OBAOzJasPQy6f0GuxJaoPRwMB2dL1h4G3b8gV2JL1B4OhUOzJWsPg+5fkCuxJWoPh8NhsTRaexh1/4JciSyN1B6OhCOzJWsPo+5fkCuxJWoPR8PR2ZK1h1H3L8iV2BK1h2Ph2GzJ2sOo+xfkSmyJ2sPxcHy2ZO1h1P0LciW2RO3hRDgxW7L2MOr+BbkSW6L2cDKcnC1Zexh1/4JciS1RezgVTs2WrD2Mun9BrsSWqD2cDqdnS9YeRt2/IFdiS9QezoQzsyVrD6PuX5ArsSVqD2fDWbG0sPaw0P0LciWytKD2cC6cmy1Ze1jo/gW5Elui9nA+nJ8tWXtY6P4FuRJbovZwIVyYLVl7WOj+BbkSW6L2cDFcnC1Ze1jo/gW5Elui9nApXJotWXtY6P4FuRJbovbwQfhgtmTtYaH7F+RKbInaw4fhw9mStYeF7l+QK7Elag+Xw+XZkrWHhe5fkCuxJWoPH4WPZkvWHha6f0GuxJYWB/+xdCVcCRvIUrWyci1qmrgEZoSTzuXpOfn8OHwcfVaJz6oEZoTis5p8fhI+iT7rxGddAjNC8VlPPj8Nn0afTeKzKYEZofhsJp9Xw9Xos018tiUwIxSf7eTzs/BZ9NklPrsSmBGKz27y+Xn4PPrsE599CcwIxWc/+fwifBF9DonPoQRmhOJzmHx+Gb6MPsfE51gCM0LxOU4+vwpfRZ+LxOeiBGaE4pP60Nfh69lnlfShyuoDMANknxX1oW/CN9Fn0ocqqw/ADFB8Uh/6NnwbfSZ9qLL6AMwAxSf1oe/Cd9Fn0ocqqw/ADFB8Uh/6PnwffSZ9qLL6AMwAxSf1oR/CD9Fn0ocqqw/ADFB8Uh/6MfwYfSZ9qLL6AMwAxSf1oZ/CT9Fn0ocqqw/ADFB8Uh/6OfwcfSZ9qLL6AMwAxSf1oV/CL9Fn0ocqqw/ADFB8Uh+6Fq7NPuukD9VWH4AZIPusqQ/9Gn6NPpM+VFt9AGaA4pP60G/ht+gz6UO11QdgBig+qQ/9Hn6PPpM+VFt9AGaA4pP60B/hj+gz6UO11QdgBig+qQ/9Gf6MPpM+VFt9AGaA4pP60F/hr+gz6UO11QdgBig+qQ/9Hf6OPpM+VFt9AGaA4pP60OZiczH7TPpQbfUBmAGKT+pDW4ot0WfSh2qrD8AMUHxSH9pabJ19Nkkfaqw+ADNA9tlQH9pWbIs+kz7UWH0AZoDik/rQ9mJ79Jn0ocbqAzADFJ/Uh3YUO6LPpA81Vh+AGaD4pD60s9gZfSZ9qLH6AMwAxSf1oV3Frugz6UON1QdgBig+qQ/tLnZHn0kfaqw+ADNA8Ul9aE+xJ/pM+lBj9QGYAYpP6kN7i73RZ9KHGqsPwAxQfFIf2lfsiz6TPtRYfQBmgOKT+tD+Yv/ss036UGv1AZgBss+W+tCB4kD0mfSh1uoDMAMUn9SHDhYHo8+kD7VWH4AZoPikPnSoOBR9Jn2otfoAzADFJ/Whw8Xh6DPpQ63VB2AGKD6pDx0pjkSfSR9qrT4AM0DxSX3oaHE0+kz6UGv1AZgBik/qQ8eKY9Fn0odaqw/ADFB8Uh86XhyPPpM+1Fp9AGaA4pP60IniRPSZ9KHW6gMwAxSf1IdOFidnn13ShzqrD8AMkH121IdOFaeiz6QPdVYfgBmg+KQ+dLo4HX0mfaiz+gDMAMUn9aEzxZnoM+lDndUHYAYoPqkPnS3ORp9JH+qsPgAzQPFJfehccS76TPpQZ/UBmAGKT+pD54vz0WfShzqrD8AMUHxSH7pQXIg+kz7UWX0AZoDik/rQxeJi9Jn0oc7qAzADFJ/Uhy4Vl6LPpA91Vh+AGaD4XPwftsR7A3QPAQA=',
  snappy_small:
    'AAAAAAAAAGQAAAGg/////wJzTlQPAAIAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABIJTTkFQUFkAAAAAAQAAAAEAAAFb1wLQJgAAAARrMAR2MAQEaDECYQRoMgEaAAoCAQ52YWx1ZS0xADoAFAQEazIBBAZkdXAKZmlyc3QBCvQdAQxzZWNvbmSqBAAFBhDQutC70Y7Rh4AEAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wIEw7wEw7E=',
  snappy_large:
    'AAAAAAAAA+gAABis/////wIxlqIyAAIAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoIJTTkFQUFkAAAAAAQAAAAEAAAtsgIACVPAFAAAACmtleS0w0AVyZWNvcmQgMCD+CQD+CQD+CQD+CQD+CQB6CQAkAgJpAjDwBQACAiV6ADE1egAxMXr+CQD+CQD+CQD+CQD+CQBeCQAhehQx8AUABAQlegAyNXoAMjF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUMvAFAAYGJXoAMzV6ADMxev4JAP4JAP4JAP4JAP4JAF4JACF6FDPwBQAICCV6ADQ1egA0MXr+CQD+CQD+CQD+CQD+CQBeCQAhehQ08AUACgolegA1NXoANTF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUNfAFAAwMJXoANjV6ADYxev4JAP4JAP4JAP4JAP4JAF4JACF6FDbwBQAODiV6ADc1egA3MXr+CQD+CQD+CQD+CQD+CQBeCQAhehQ38AUAEBAlegA4NXoAODF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUOPAFABISJXoAOTV6ADkxev4JAP4JAP4JAP4JAP4JAF4JACF6GDnEBgAUFAwOxA4MMTCgBhq8DgAxIsYO/goA/goA/goA/goA/goA+goAKAICaQQxMMQGABYWKaQAMTmkJucO/goA/goA/goA/goA/goA9goAJaQUMcQGABgYKaQAMjmkIhEP/goA/goA/goA/goA/goA+goAJaQUMsQGABoaKaQAMzmkIjsP/goA/goA/goA/goA/goA+goAJaQUM8QGABwcKaQANDmkImUP/goA/goA/goA/goA/goA+goAJaQUNMQGAB4eKaQANTmkIo8P/goA/goA/goA/goA/goA+goAJaQUNcQGACAgKaQANjmkIrkP/goA/goA/goA/goA/goA+goAJaQUNsQGACIiKaQANzmkIuMP/goA/goA/goA/goA/goA+goAJaQUN8QGACQkKaQAODmkIg0Q/goA/goA/goA/goA/goA+goAJaQUOMQGACYmKaQAOTmkIjcQ/goA/goA/goA/goA/goA+goAJaQUOcQGACgoJaQAMiZoEAAyImgQ/goA/goA/goA/goA/goA+goAIaQAMg5oEAQqKimkJmgQADIiXhD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQsLCmkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQuLimkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQwMCmkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQyMimkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQ0NCmkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQ2NimkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQ4OCmkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQ6OimkJmgQADIiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAQ8PCWkADMmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACGkADMOaBAEPj4ppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEQEAppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEQkIppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEREQppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAERkYppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAESEgppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAESkoppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAETEwppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAETk4ppCZoEAAzImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEUFAlpAA0JmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAhpAA0DmgQBFJSKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFRUKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFZWKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFhYKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFpaKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFxcKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBF5eKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBGBgKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBGJiKaQmaBAANCJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBGRkJaQANSZoEAA1ImgQ/goA/goA/goA/goA/goA+goAIaQANQ5oEARmZimkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARoaCmkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARqaimkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARsbCmkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARubimkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARwcCmkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARycimkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAR0dCmkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAR2dimkJmgQADUiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAR4eCWkADYmaBAANiJoEP4KAP4KAP4KAP4KAP4KAPoKACGkADYOaBAEenoppCZoEAA2ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEfHwppCZoEAA2ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEfn4ppCZoEAA2ImgQ/goA/goA/goA/goA/goA+goAJaQcM8gGAIABgAEppiZqEAA2ImoQ/goA/goA/goA/goA/goA+goAJaYYNMgGAIIBgi2mJmwQADYibBD+CgD+CgD+CgD+CgD+CgD6CgAlphg1yAYAhAGELaYmbhAANiJuEP4KAP4KAP4KAP4KAP4KAPoKACWmGDbIBgCGAYYtpiZwEAA2InAQ/goA/goA/goA/goA/goA+goAJaYYN8gGAIgBiC2mJnIQADYichD+CgD+CgD+CgD+CgD+CgD6CgAlphg4yAYAigGKLaYmdBAANiJ0EP4KAP4KAP4KAP4KAP4KAPoKACWmGDnIBgCMAYwppgA3JnYQADcidhD+CgD+CgD+CgD+CgD+CgD6CgAhphw3MMgGAI4Bji2mJngQADcieBD+CgD+CgD+CgD+CgD+CgD6CgAlphgxyAYAkAGQLaYmehAANyJ6EP4KAP4KAP4KAP4KAP4KAPoKACWmGDLIBgCSAZItpiZ8EAA3InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIlAGULaYmfBAANyJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCJYBli2mJnwQADcifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAiYAZgtpiZ8EAA3InwQ/goA/goA/goA/goA/goA+goAJaYOfBAImgGaLaYmfBAANyJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCJwBnC2mJnwQADcifBD+CgD+CgD+CgD+CgD+CgC6CgAAAAt+gIACJHJkIDc4IHJlY28JClQCAmkENzjIBgCeAZ4BDGtleS03OaAGESAAORUq/goA/goA/goA/goA/goA9goAJaYYOcgGAKABoCmmBDgwNaYEODAxpv4KAP4KAP4KAP4KAP4KAPoKACGmHDgwyAYAogGiLaYAMTmmADE1pv4KAP4KAP4KAP4KAP4KAPYKACWmGDHIBgCkAaQtpgAyOaYAMjWm/goA/goA/goA/goA/goA9goAJaYYMsgGAKYBpi2mADM5pgAzNab+CgD+CgD+CgD+CgD+CgD2CgAlphgzyAYAqAGoLaYANDmmADQ1pv4KAP4KAP4KAP4KAP4KAPYKACWmGDTIBgCqAaotpgA1OaYANTWm/goA/goA/goA/goA/goA9goAJaYYNcgGAKwBrC2mADY5pgA2Nab+CgD+CgD+CgD+CgD+CgD2CgAlphg2yAYArgGuLaYANzmmADc1pv4KAP4KAP4KAP4KAP4KAPYKACWmGDfIBgCwAbAtpgA4OaYiAA/+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAiyAbItpiZ8EAA4InIQ/goA/goA/goA/goA/goA+goAJaYOfBAItAG0KaYAOSZ8EAA5InwQ/goA/goA/goA/goA/goA+goAIaYAOQ58EAi2AbYtpiZ8EAA5InIQ/goA/goA/goA/goA/goA+goAJaYOfBAIuAG4LaYmfBAAOSJyEP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCLoBui2mJnwQADkichD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAi8AbwtpiZ8EAA5InIQ/goA/goA/goA/goA/goA+goAJaYOfBAIvgG+LaYmfBAAOSJyEP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCMABwC2mJnwQADkichD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAjCAcItpiZ8EAA5InIQ/goA/goA/goA/goA/goA+goAJaYOfBAIxAHELaYmfBAAOSJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCMYBxi2mJnwQADkifBD+CgD+CgD+CgD+CgD+CgD6CgAlpiA5nAcAyAHIAQ4OniIMMTAw8B6fIgQxMCJ+EP4LAP4LAP4LAP4LAP4LAP4LAJYLADACAmkGMTAwnAcAygHKMdAAMT3QIqgQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgxnAcAzAHMMdAAMj3QItIQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgynAcAzgHOMdAAMz3QIvwQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgznAcA0AHQMdAAND3QIiYRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg0nAcA0gHSMdAANT3QIlARADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg1nAcA1AHUMdAANj3QInoRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg2nAcA1gHWMdAANz3QIqQRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg3nAcA2AHYMdAAOD3QIs4RADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg4nAcA2gHaMdAAOT3QIvgRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjcAdwt0AAxKiASADEmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAl0AAxDiASCN4B3jHQKiASADEmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjgAeAx0CogEgAxJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII4gHiMdAqIBIAMSYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCOQB5DHQKiASADEmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjmAeYx0CogEgAxJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII6AHoMdAqIBIAMSYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCOoB6jHQKiASADEmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjsAewx0CogEgAxJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII7gHuMdAqIBIAMSYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCPAB8C3QADIqIBIAMiYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACXQADIOIBII8gHyMdAqIBIAMiYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCPQB9DHQKiASADImIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgj2AfYx0CogEgAyJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII+AH4MdAqIBIAMiYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCPoB+jHQKiASADImIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgj8Afwx0CogEgAyJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII/gH+MdAqIBIAMiYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASDIACgAIWwDIAMiogEgAyJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIIggKCMdAqIBIAMiYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCIQChC3QADMqIBIAMyYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACXQADMOIBIIhgKGMdAqIBIAMyYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCIgCiDHQKiASADMmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgiKAoox0CogEgAzJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIIjAKMMdAqIBIAMyYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCI4CjjHQKiASADMmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgiQApAx0CogEgAzJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIIkgKSMdAqIBIAMyYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCJQClDHQKiASADMmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgiWApYx0CogEgAzJiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIImAKYLdAANCogEgA0JiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAJdAANA4gEgiaApox0CogEgA0JiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIInAKcMdAqIBIANCYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCJ4CnjHQKiASADQmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgigAqAx0CogEgA0JiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIIogKiMdAqIBIANCYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCKQCpDHQKiASADQmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgimAqYx0CogEgA0JiAS/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBIIqAKoMdAqIBIANCYgEv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCKoCqjHQKiASADQmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgisAqwt0AA1KiASADUmIBL+CwD+CwD+CwD+CwD+CwD+CwCSCwAl0AA1DiASCK4CrjHQKiASADUmIBL+CwD+CwDeCwAAAAF19B4oZCAxNTEgcmVjb3L+CwD+CwD+CwCGCwBcAgJpBjE1MZwHALACsAIOa2V5LTE1MvAGFf8AMjkK/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYMpwHALICsjHQADM90AAzOdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAp0BgznAcAtAK0MdAAND3QADQ50P4LAP4LAP4LAP4LAP4LAP4LAI4LACnQGDScBwC2ArYx0AA1PdAANTnQ/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYNZwHALgCuDHQADY90AA2OdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAp0Bg2nAcAugK6MdAANz3QADc50P4LAP4LAP4LAP4LAP4LAP4LAI4LACnQGDecBwC8Arwx0AA4PdAAODnQ/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYOJwHAL4CvjHQADk90AA5OdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAYAgJpBjE1OQ==',
  lz4_small:
    'AAAAAAAAAGQAAAGX/////wL6r4Q8AAMAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABAQiTRhgQIJXAQCAJgAAAARrMAR2MAQEaDECYQRoMgEaAAoCAQ52YWx1ZS0xADoAFAQEazIBBAZkdXAKZmlyc3QGZHVwDHNlY29uZKoEAAUGENC60LvRjtGHgAQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGio6SlpqeoqaqrrK2ur7CxsrO0tba3uLm6u7y9vr/AwcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3+Dh4uPk5ebn6Onq6+zt7u/w8fLz9PX29/j5+vv8/f7/AgTDvATDsQAAAAA=',
  lz4_large:
    'AAAAAAAAA+gAAA97/////wJX4vpRAAMAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoAQiTRhgQIJFDgAA/wfwBQAAAAprZXktMNAFcmVjb3JkIDAgCQD/TaECAmkCMPAFAAICegEVMXoBFDF6AQ8JAP9GAHoBYTHwBQAEBHoBFTJ6ARQyegEPCQD/RgB6AWEy8AUABgZ6ARUzegEUM3oBDwkA/0YAegFhM/AFAAgIegEVNHoBFDR6AQ8JAP9GAHoBYTTwBQAKCnoBFTV6ARQ1egEPCQD/RgB6AWE18AUADAx6ARU2egEUNnoBDwkA/0YAegFhNvAFAA4OegEVN3oBFDd6AQ8JAP9GAHoBYTfwBQAQEHoBFTh6ARQ4egEPCQD/RgB6AWE48AUAEhJ6ARU5egEUOXoBDwkA/0YAegFwOcQGABQUDMQOQzEwoAa8DhUxxg4PCgD/bbICAmkEMTDEBgAWFqQBFjGkAQbnDg8KAP9sAaQBYjHEBgAYGKQBFjKkAQURDw8KAP9tAaQBYjLEBgAaGqQBFjOkAQU7Dw8KAP9tAaQBYjPEBgAcHKQBFjSkAQVlDw8KAP9tAaQBYjTEBgAeHqQBFjWkAQWPDw8KAP9tAaQBYjXEBgAgIKQBFjakAQW5Dw8KAP9tAaQBYjbEBgAiIqQBFjekAQXjDw8KAP9tAaQBYjfEBgAkJKQBFjikAQUNEA8KAP9tAaQBYjjEBgAmJqQBFjmkAQU3EA8KAP9tAaQBAGgQISgopAEWMmgQFTJoEA8KAP9tAKQBEDJoECIqKqQBBmgQFTJeEA8KAP9tAaQBAGgQIiwspAEGaBAVMl4QDwoA/20BpAEAaBAiLi6kAQZoEBUyXhAPCgD/bQGkAQBoECIwMKQBBmgQFTJeEA8KAP9tAaQBAGgQIjIypAEGaBAVMl4QDwoA/20BpAEAaBAiNDSkAQZoEBUyXhAPCgD/bQGkAQBoECI2NqQBBmgQFTJeEA8KAP9tAaQBAGgQIjg4pAEGaBAVMl4QDwoA/20BpAEAaBAiOjqkAQZoEBUyXhAPCgD/bQGkAQBoECE8PKQBFjNoEBUzaBAPCgD/bQCkARAzaBAiPj6kAQZoEBUzaBAPCgD/bQGkAQBoECJAQKQBBmgQFTNoEA8KAP9tAaQBAGgQIkJCpAEGaBAVM2gQDwoA/20BpAEAaBAiRESkAQZoEBUzaBAPCgD/bQGkAQBoECJGRqQBBmgQFTNoEA8KAP9tAaQBAGgQIkhIpAEGaBAVM2gQDwoA/20BpAEAaBAiSkqkAQZoEBUzaBAPCgD/bQGkAQBoECJMTKQBBmgQFTNoEA8KAP9tAaQBAGgQIk5OpAEGaBAVM2gQDwoA/20BpAEAaBAhUFCkARY0aBAVNGgQDwoA/20ApAEQNGgQIlJSpAEGaBAVNGgQDwoA/20BpAEAaBAiVFSkAQZoEBU0aBAPCgD/bQGkAQBoECJWVqQBBmgQFTRoEA8KAP9tAaQBAGgQIlhYpAEGaBAVNGgQDwoA/20BpAEAaBAiWlqkAQZoEBU0aBAPCgD/bQGkAQBoECJcXKQBBmgQFTRoEA8KAP9tAaQBAGgQIl5epAEGaBAVNGgQDwoA/20BpAEAaBAiYGCkAQZoEBU0aBAPCgD/bQGkAQBoECJiYqQBBmgQFTRoEA8KAP9tAaQBAGgQIWRkpAEWNWgQFTVoEA8KAP9tAKQBEDVoECJmZqQBBmgQFTVoEA8KAP9tAaQBAGgQImhopAEGaBAVNWgQDwoA/20BpAEAaBAiamqkAQZoEBU1aBAPCgD/bQGkAQBoECJsbKQBBmgQFTVoEA8KAP9tAaQBAGgQIm5upAEGaBAVNWgQDwoA/20BpAEAaBAicHCkAQZoEBU1aBAPCgD/bQGkAQBoECJycqQBBmgQFTVoEA8KAP9tAaQBAGgQInR0pAEGaBAVNWgQDwoA/20BpAEAaBAidnakAQZoEBU1aBAPCgD/bQGkAQBoECF4eKQBFjZoEBU2aBAPCgD/bQCkARA2aBAienqkAQZoECQ2MShVDwoA/20BpAEAaBAifHykAQZoEBU2aBAPCgD/bQGkAQBoECJ+fqQBBmgQFTZoEA8KAP9tAaQBgjPIBgCAAYABpgEGahAVNmoQDwoA/20BpgFzNMgGAIIBgqYBBmwQFTZsEA8KAP9tAaYBczXIBgCEAYSmAQZuEBU2bhAPCgD/bQGmAXM2yAYAhgGGpgEGcBAVNnAQDwoA/20BpgFzN8gGAIgBiKYBBnIQFTZyEA8KAP9tAaYBczjIBgCKAYqmAQZ0EBU2dBAPCgD/bQGmAXI5yAYAjAGMpgEWN3YQFTd2EA8KAP9tAKYBgzcwyAYAjgGOpgEGeBAVN3gQDwoA/20BpgFzMcgGAJABkKYBBnoQFTd6EA8KAP9tAaYBczLIBgCSAZKmAQZ8EBU3fBAPCgD/bQGmAQB8EDOUAZSmAQZ8EBU3fBAPCgD/bQGmAQB8EDOWAZamAQZ8EBU3fBAPCgD/bQGmAQB8EDOYAZimAQZ8EBU3fBAPCgD/bQGmAQB8EDOaAZqmAQZ8EBU3fBAPCgD/bQGmAQB8EDOcAZymAQZ8EBU3fBAPCgD/bQGmAQB8EDOeAZ6mAQZ8EBU3fBAPCgD/bQGmAQB8EDKgAaCmARY4fBAVOHwQDwoA/20ApgEQOHwQM6IBoqYBBnwQFTh8EA8KAP9tAaYBAHwQM6QBpKYBBnwQFTh8EA8KAP9tAaYBAHwQM6YBpqYBFTMoaRU4fBAPCgD/bQGmAQB8EDOoAaimAQZ8EBU4fBAPCgD/bQGmAQB8EDOqAaqmAQZ8EBU4fBAPCgD/bQGmAQB8EDOsAaymAQZ8EBU4fBAPCgD/bQGmAQB8EDOuAa6mAQZ8EBU4fBAPCgD/bQGmAQB8EDOwAbCmAQZ8EBU4fBAPCgD/bQGmAQB8EDOyAbKmAQZ8EBU4fBAPCgD/bQGmAQB8EDK0AbSmARY5fBAVOXwQDwoA/20ApgEQOXwQM7YBtqYBBnwQFTl8EA8KAP9tAaYBAHwQM7gBuKYBBnwQFTl8EA8KAP9tAaYBAHwQM7oBuqYBBnwQFTl8EA8KAP9tAaYBAHwQM7wBvKYBBnwQJDk0YjYPCgD/bQGmAQB8EDO+Ab6mAQZ8EBU5fBAPCgD/bQGmAQB8EDPAAcCmARU2bhUVOXwQDwoA/20BpgEAfBAzwgHCpgEGfBAVOXwQDwoA/20BpgEAfBAzxAHEpgEGfBAVOXwQDwoA/20BpgEAfBAzxgHGpgEGfBAVOXwQDwoA/20BpgGSOZwHAMgByAEO8pMmMPDzkwV+EA8LAP+U1AICaQYxMDCcBwDKAcrQARcx0AEFqBAPCwD/lALQAXQxnAcAzAHM0AEXMtABBdIQDwsA/5QC0AF0MpwHAM4BztABFzPQAQX8EA8LAP+UAtABdDOcBwDQAdDQARc00AEFJhEPCwD/lALQAXQ0nAcA0gHS0AEXNdABBVARDwsA/5QC0AF0NZwHANQB1NABFzbQAQV6EQ8LAP+UAtABdDacBwDWAdbQARc30AEFpBEPCwD/lALQAXQ3nAcA2AHY0AEXONABBc4RDwsA/5QC0AF0OJwHANoB2tABFznQAQX4EQ8LAP+UAtABACASM9wB3NABFzEgEgcKpg8LAP+TAdABEDEgEjTeAd7QAQcgEhYxIBIPCwD/kwLQAQAgEjTgAeDQAQcgEgdipg8LAP+TAtABACASNOIB4tABByASB46mDwsA/5MC0AEAIBI05AHk0AEHIBIHuqYPCwD/kwLQAQAgEjTmAebQAQcgEgfmpg8LAP+TAtABACASNOgB6NABByASBxKnDwsA/5MC0AEAIBI06gHq0AEHIBIHPqcPCwD/kwLQAQAgEjTsAezQAQcgEgdqpw8LAP+TAtABACASNO4B7tABByASB5anDwsA/5MC0AEAIBIz8AHw0AEXMiASBsKnDwsA/5QB0AEQMiASNPIB8tABByASBu6nDwsA/5QC0AF0MZwHAPQB9NABByASBhqoDwsA/5QC0AEAIBI09gH20AEHIBIGRqgPCwD/lALQAQAgEjT4AfjQAQcgEgZyqA8LAP+UAtABdDScBwD6AfrQAQcgEgaeqA8LAP+UAtABACASNPwB/NABByASBsqoDwsA/5QC0AEAIBI0/gH+0AEHIBIG9qgPCwD/lALQAQAgEkKAAoACwDIXMiASBiKpDwsA/5QC0AEAIBI0ggKC0AEHIBIGTqkPCwD/lALQAQAgEjOEAoTQARczIBIGeqkPCwD/lAHQARAzIBI0hgKG0AEHIBIGpqkPCwD/lALQAQAgEjSIAojQAQcgEgbSqQ8LAP+UAtABACASNIoCitABByASBv6pDwsA/5QC0AEAIBI0jAKM0AEHIBIGKqoPCwD/lALQAQAgEjSOAo7QAQcgEgZWqg8LAP+UAtABACASNJACkNABByASBoKqDwsA/5QC0AEAIBI0kgKS0AEHIBIGrqoPCwD/lALQAQAgEjSUApTQAQcgEgbaqg8LAP+UAtABACASNJYCltABByASBgarDwsA/5QC0AEAIBIzmAKY0AEXNCASBjKrDwsA/5QB0AEQNCASNJoCmtABByASBl6rDwsA/5QC0AEAIBI0nAKc0AEHIBIWNIBIDwsA/5MC0AEAIBI0ngKe0AEHIBIWNIBIDwsA/5MC0AEAIBI0oAKg0AEHIBIWNIBIDwsA/5MC0AEAIBI0ogKi0AEHIBIGDqwPCwD/lALQAQAgEjSkAqTQAQcgEgY6rA8LAP+UAtABACASNKYCptABByASBmasDwsA/5QC0AEAIBI0qAKo0AEHIBIGkqwPCwD/lALQAQAgEjSqAqrQAQcgEga+rA8LAP+UAtABACASM6wCrNABFzUgEgbqrA8LAP+UAdABEDUgEjSuAq7QAQcgEgYWrQ8LAKFQcmVjb3LyAAAAv2QgMTUxIHJlY29yCwDP9QkCAmkGMTUxnAcAsAKwAg5rZXktMTUy8Ab/ABYyCgEPCwD/kgLQAXQynAcAsgKy0AEXM9ABFjPQAQ8LAP+SAtABdDOcBwC0ArTQARc00AEWNNABDwsA/5IC0AF0NJwHALYCttABFzXQARY10AEPCwD/kgLQAXQ1nAcAuAK40AEXNtABFjbQAQ8LAP+SAtABdDacBwC6ArrQARc30AEWN9ABDwsA/5IC0AF0N5wHALwCvNABFzjQARY40AEPCwD/kgLQAXQ4nAcAvgK+0AEXOdABFjnQAQ8LAP+ScAICaQYxNTkAAAAA',
  zstd_small:
    'AAAAAAAAAGQAAAGU/////wIAOZdBAAQAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABCi1L/0AWLgKACYAAAAEazAEdjAEBGgxAmEEaDIBGgAKAgEOdmFsdWUtMQA6ABQEBGsyAQQGZHVwCmZpcnN0BmR1cAxzZWNvbmSqBAAFBhDQutC70Y7Rh4AEAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/wIEw7wEw7EBAAA=',
  zstd_large:
    'AAAAAAAAA+gAAAgc/////wKBYCZfAAQAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoCi1L/0AWPw+ACpndBI18F5IB8QAlRWNoGKg2QVYDDSCigGqBBUDjaBoqJVECaXAIqFUTimlJKUEoYFGUDEQoEKwZQooAfgAHwGRmVGgSI27e+JEanzvmTCRGp1zJUqkxtYaCRKpkTE2YkRqXG+99USISI3/HyJEanR3ECBSY3d/+JAamdmDh9S4ux06pMb3HgcOqdE5t2FDamytadCQGhljGTKkxuWWWw4DhtT4/xcupEZ3d0+N3c2cGpn5vdS4u62lxvfeWqnROWfBQmpsrVGgkBoZYxMmpMbVVltNgoTU+P8RIqRGd4cAITV294MHqZGZHThIjbvboEFqfO8xYJAanXMLFqTG1poCBamRMZYgQWpcDEAMCNInixFAgCA1/v+BAxng4+4GDGSAT3cXKJABPsxMgEAG+OzugAEZ4PPeEyAgA3ycc6oZ4NNaAwAgA3wYYxCUAT4LigFBDpaDFjhssHCBI0CZVYGHixkDMjPAJ+xIOpIarV692kgykhr9//////////////////////////8XSUVSI3d3d3d3d3d3d3d3d3d3d3d3d3d3dyKJSGrU3d3d3d3d3d3d3d3d3d3d3d3d3d09JA1JjZiZmZmZmZmZmZmZmZmZmZmZmZmZmYUkIanR7u7u7u7u7u7u7u7u7u7u7u7u7u5ukBQkNXr8+HECkoCkRs65Hz9SY2vNh4/UyBjr0SM1Ll68eMeO1Pj/OnSkRnfPkSM1djcOHKmRmW/cSI27W6NGanzv0aCRGp1zMmSkxtYaDBipkTH24kVqXLt2bYsWqfH/V6xIje6uQkVq7O4UKVIDCU4q+N57k96kgs45N8lNKthaa5PapIKMMTaJTSq42GJr0ppU8P/VJDWpoLunSWlSwe5Gk9Ckgsx8Jp1JBXfXTDKTCr73yqQyqaBzjkwikwq21sakMakgY0xMEpMKrsU0BgQt9lmLFUhRilLB/w+TwqRG7h5TTI26G0wCkxox85f0JTXaXS/JS2r03uuSuqRGzjkuiUtq1FrbkrakRowxLUlLarR+/fosKUtq9P9YEpbUyN2vpCupUXdbSVZSI2aukqqkRrtLJVFJjd57U9KU1Mg5JyVJSY1aa1FSlNSIMQYlQUmNli9f/iQ9SY3+30lykhq5O0wwNeruJqlJasTMTBKT1Gh3l6QlqdF7T0lSkho555KkJKlRaw1JQpIaMRa/TGNA0L8XyEsq6O5doC6pYHdzgbikgsy8BdqSCu6uFkhLKvjeywJlSQWdc1ggLKlga+0KdCUVZIxZgaykgmvXVoGqpIL/TwWikgq6+xRoSirY3VIgKakgM0eBoqSCuwsFgpIKvveeQE9SQeecE8hJKthagxBMBRljTaAmqeB66zGBmKSC/78EWpIKursSSEkq2N1JoCSpIDMjgZCkgrt7BDqSCr73jEBGUkHnXBGoSCrYWiMCEUkFGWNDoCGp4HLLCYGEpIL/HwQKkgq6OwQEApIKdveetCcVZGY9SU8quLt5Up5U8L2HJ+FJBZ1zd9KdVLC1ZifZSQUZY3VSnVRwtdU+6ZMK/j+dRCcVdPc5aU4q2N1ykpxUkJnjpDip4O7CCYPSqJLqkUACxJIMuwGyT8qoZDgSgNB4GEpqQvH///cBoWC3B0OPFFQJVY+sYyhhQb9QX9W6QoWLKDGUkdxsqK2CKqHUI09S02EyagdvZyH+ww0F/qhHKCNpv1BbC6KGqosvMZSQwE2o72KtocUj9ghlJO0Xamsh4mI6HKN24JoVI/+WoWCHfoQ+qdYVKi6ixFBG5WZDbRVUCVWP3DE0YUG/UF/VukLFRUS8psNk1A7el0L8hxsK/FGPUEbSPhOK7KNHKKPSfqG2FkQNVYcvMTQhgZtQ38VaQ8UjNl7TYTJqBy8+If7DDQX+qEcoI2m/UFsLooaqiy8xlJDATajvYq2hxSP2CGUk7RdqayHiYjoconagG0zH+WpDJQfqEcpI2i/U1oKooeriSwwlJHAT6rtYa2jxiD1CGUn7hdpaLsR0WI7aIQuEQ9iqfxn9e3rDVHsWLIh7Yoe77Q27t+xJIgDcc3Ivdi/YWGLPigxxr9hhG8PHC3s1uYc60MzeuHnlnhQRxp6p6257wY0h9yx4APeIHJrZGzev3JMiFhT44M5Gge7pEhfsmTluuxdu3LJnwYaxp9Sh2L1hf8g9CQICe2bHbffCjZ2eg696sS6KaZ31OP/bt/3/68/vv73bFsHAumce/v31t//f9ue/ayulIZ32ntmf/7/96f/f3n0LwWDdMw/+//rb73/789+1FeWQTnud7c//3/z1/2+Pdt/Upm34ygvrOUm+JWZvsGBnr1r4vKeXwE4+Bb6z43tTwn57WLWLPZEv8j1dAKs9EaikPUzu8L0pYb+9WNXFnsiHSD7Il3kE9kSN2Pb0Uaz2JKGS9jC5w/emhP32YFUXeyJf5Hu6AK72JJB48in2nR3fmyTst4dVXeyJfJHv6QWw2pNAJe1hcgffmxL228OqLvZEvojkg3yZJ7AnasS2Jx/Fak8ClbSHyR2+d0rYbw+rutgT+UK+pwtgtSeBxJNPsd/Z8b0pYb89rOpij8gX+Z4ugNWeBCrTHiZ3+N6UsN8epupiTwTy/TSMfHVssmlKFRUvsFURHlZdFfFU7aoIp0qrIrir+CrCgdpVEU6VVoVwV/FVhAO1qyKIT9MXloaLWkcrAQAA',
  control_commit:
    'AAAAAAAAADIAAABCAAAABwKAYq3/ADAAAAAAAAABm3baqGMAAAGbdtqoYwAAAAAAABCSAAH/////AAAAASAAAAAIAAAAAQwAAAAAAAMA',
  txn_data:
    'AAAAAAAAADAAAABLAAAABwKszpeMABAAAAABAAABm3baqAAAAAGbdtqoAQAAAAAAABCSAAEAAAAAAAAAAhgAAAAGdGswBnR2MAAYAAICBnRrMQZ0djEA',
  log_append_time:
    'AAAAAAAAAAcAAABDAAAAAgL/f+wFAAgAAAABAAABm3baqAAAAAGbdtqrCf//////////////////AAAAAhAAAAACYQJiABAAAgICYwJkAA==',
  snappy_raw_small:
    'AAAAAAAAAGQAAAGM/////wImg2SDAAIAAAADAAABm3baqAAAAAGbdtqoCv//////////////////AAAABNcC0CYAAAAEazAEdjAEBGgxAmEEaDIBGgAKAgEOdmFsdWUtMQA6ABQEBGsyAQQGZHVwCmZpcnN0AQr0HQEMc2Vjb25kqgQABQYQ0LrQu9GO0YeABAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVpbXF1eX2BhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ent8fX5/gIGCg4SFhoeIiYqLjI2Oj5CRkpOUlZaXmJmam5ydnp+goaKjpKWmp6ipqqusra6vsLGys7S1tre4ubq7vL2+v8DBwsPExcbHyMnKy8zNzs/Q0dLT1NXW19jZ2tvc3d7f4OHi4+Tl5ufo6err7O3u7/Dx8vP09fb3+Pn6+/z9/v8CBMO8BMOx',
  snappy_raw_large:
    'AAAAAAAAA+gAABgZ/////wKjf9M/AAIAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoPSeBFTwBQAAAAprZXktMNAFcmVjb3JkIDAg/gkA/gkA/gkA/gkA/gkAegkAJAICaQIw8AUAAgIlegAxNXoAMTF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUMfAFAAQEJXoAMjV6ADIxev4JAP4JAP4JAP4JAP4JAF4JACF6FDLwBQAGBiV6ADM1egAzMXr+CQD+CQD+CQD+CQD+CQBeCQAhehQz8AUACAglegA0NXoANDF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUNPAFAAoKJXoANTV6ADUxev4JAP4JAP4JAP4JAP4JAF4JACF6FDXwBQAMDCV6ADY1egA2MXr+CQD+CQD+CQD+CQD+CQBeCQAhehQ28AUADg4legA3NXoANzF6/gkA/gkA/gkA/gkA/gkAXgkAIXoUN/AFABAQJXoAODV6ADgxev4JAP4JAP4JAP4JAP4JAF4JACF6FDjwBQASEiV6ADk1egA5MXr+CQD+CQD+CQD+CQD+CQBeCQAhehg5xAYAFBQMDsQODDEwoAYavA4AMSLGDv4KAP4KAP4KAP4KAP4KAPoKACgCAmkEMTDEBgAWFimkADE5pCbnDv4KAP4KAP4KAP4KAP4KAPYKACWkFDHEBgAYGCmkADI5pCIRD/4KAP4KAP4KAP4KAP4KAPoKACWkFDLEBgAaGimkADM5pCI7D/4KAP4KAP4KAP4KAP4KAPoKACWkFDPEBgAcHCmkADQ5pCJlD/4KAP4KAP4KAP4KAP4KAPoKACWkFDTEBgAeHimkADU5pCKPD/4KAP4KAP4KAP4KAP4KAPoKACWkFDXEBgAgICmkADY5pCK5D/4KAP4KAP4KAP4KAP4KAPoKACWkFDbEBgAiIimkADc5pCLjD/4KAP4KAP4KAP4KAP4KAPoKACWkFDfEBgAkJCmkADg5pCINEP4KAP4KAP4KAP4KAP4KAPoKACWkFDjEBgAmJimkADk5pCI3EP4KAP4KAP4KAP4KAP4KAPoKACWkFDnEBgAoKCWkADImaBAAMiJoEP4KAP4KAP4KAP4KAP4KAPoKACGkADIOaBAEKioppCZoEAAyIl4Q/goA/goA/goA/goA/goA+goAJaQOaBAELCwppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAELi4ppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEMDAppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEMjIppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAENDQppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAENjYppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEODgppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEOjoppCZoEAAyImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEPDwlpAAzJmgQADMiaBD+CgD+CgD+CgD+CgD+CgD6CgAhpAAzDmgQBD4+KaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEBAKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEJCKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEREKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEZGKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEhIKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBEpKKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBExMKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBE5OKaQmaBAAMyJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBFBQJaQANCZoEAA0ImgQ/goA/goA/goA/goA/goA+goAIaQANA5oEARSUimkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARUVCmkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARWVimkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARYWCmkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARaWimkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARcXCmkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEAReXimkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARgYCmkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARiYimkJmgQADQiaBD+CgD+CgD+CgD+CgD+CgD6CgAlpA5oEARkZCWkADUmaBAANSJoEP4KAP4KAP4KAP4KAP4KAPoKACGkADUOaBAEZmYppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEaGgppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEamoppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEbGwppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEbm4ppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEcHAppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEcnIppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEdHQppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEdnYppCZoEAA1ImgQ/goA/goA/goA/goA/goA+goAJaQOaBAEeHglpAA2JmgQADYiaBD+CgD+CgD+CgD+CgD+CgD6CgAhpAA2DmgQBHp6KaQmaBAANiJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBHx8KaQmaBAANiJoEP4KAP4KAP4KAP4KAP4KAPoKACWkDmgQBH5+KaQmaBAANiJoEP4KAP4KAP4KAP4KAP4KAPoKACWkHDPIBgCAAYABKaYmahAANiJqEP4KAP4KAP4KAP4KAP4KAPoKACWmGDTIBgCCAYItpiZsEAA2ImwQ/goA/goA/goA/goA/goA+goAJaYYNcgGAIQBhC2mJm4QADYibhD+CgD+CgD+CgD+CgD+CgD6CgAlphg2yAYAhgGGLaYmcBAANiJwEP4KAP4KAP4KAP4KAP4KAPoKACWmGDfIBgCIAYgtpiZyEAA2InIQ/goA/goA/goA/goA/goA+goAJaYYOMgGAIoBii2mJnQQADYidBD+CgD+CgD+CgD+CgD+CgD6CgAlphg5yAYAjAGMKaYANyZ2EAA3InYQ/goA/goA/goA/goA/goA+goAIaYcNzDIBgCOAY4tpiZ4EAA3IngQ/goA/goA/goA/goA/goA+goAJaYYMcgGAJABkC2mJnoQADciehD+CgD+CgD+CgD+CgD+CgD6CgAlphgyyAYAkgGSLaYmfBAANyJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCJQBlC2mJnwQADcifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAiWAZYtpiZ8EAA3InwQ/goA/goA/goA/goA/goA+goAJaYOfBAImAGYLaYmfBAANyJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCJoBmi2mJnwQADcifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAicAZwtpiZ8EAA3InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIngGeLaYmfBAANyJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCKABoCmmADgmfBAAOCJ8EP4KAP4KAP4KAP4KAP4KAPoKACGmADgOfBAIogGiLaYmfBAAOCJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCKQBpC2mJnwQADgifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAimAaYtpiZ8EAA4InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIqAGoLaYmfBAAOCJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCKoBqi2mJnwQADgifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAisAawtpiZ8EAA4InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIrgGuLaYmfBAAOCJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCLABsC2mJnwQADgifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAiyAbItpiZ8EAA4InwQ/goA/goA/goA/goA/goA+goAJaYOfBAItAG0KaYAOSZ8EAA5InwQ/goA/goA/goA/goA/goA+goAIaYAOQ58EAi2AbYtpiZ8EAA5InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIuAG4LaYmfBAAOSJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCLoBui2mJnwQADkifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAi8AbwtpiZ8EAA5InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIvgG+LaYmfBAAOSJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCMABwC2mJnwQADkifBD+CgD+CgD+CgD+CgD+CgD6CgAlpg58EAjCAcItpiZ8EAA5InwQ/goA/goA/goA/goA/goA+goAJaYOfBAIxAHELaYmfBAAOSJ8EP4KAP4KAP4KAP4KAP4KAPoKACWmDnwQCMYBxi2mJnwQADkifBD+CgD+CgD+CgD+CgD+CgD6CgAlpiA5nAcAyAHIAQ4W8pMEMPAm85MifhAAMf4LAP4LAP4LAP4LAP4LAP4LAJILADACAmkGMTAwnAcAygHKMdAAMT3QIqgQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgxnAcAzAHMMdAAMj3QItIQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgynAcAzgHOMdAAMz3QIvwQADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0BgznAcA0AHQMdAAND3QIiYRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg0nAcA0gHSMdAANT3QIlARADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg1nAcA1AHUMdAANj3QInoRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg2nAcA1gHWMdAANz3QIqQRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg3nAcA2AHYMdAAOD3QIs4RADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0Bg4nAcA2gHaMdAAOT3QIvgRADH+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjcAdwt0AAxKiASKgqm/gsA/gsA/gsA/gsA/gsA/gsAkgsAJdAAMQ4gEgjeAd4x0CogEi42piYrEv4LAP4LAP4LAP4LAP4LAP4LAGYLACnQDiASCOAB4DHQKiASKmKm/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII4gHiMdAqIBIqjqb+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjkAeQx0CogEiq6pv4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCOYB5jHQKiASKuam/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII6AHoMdAqIBIqEqf+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjqAeox0CogEio+p/4LAP4LAP4LAP4LAP4LAP4LAJILACnQDiASCOwB7DHQKiASKmqn/gsA/gsA/gsA/gsA/gsA/gsAkgsAKdAOIBII7gHuMdAqIBIqlqf+CwD+CwD+CwD+CwD+CwD+CwCSCwAp0A4gEgjwAfAt0AAyKiASJsKn/gsA/gsA/gsA/gsA/gsA/gsAlgsAJdAAMg4gEgjyAfIx0CogEibup/4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCPQB9DHQKiASJhqo/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBII9gH2MdAqIBImRqj+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgj4Afgx0CogEiZyqP4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCPoB+jHQKiASJp6o/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBII/AH8MdAqIBImyqj+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgj+Af4x0CogEib2qP4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASDIACgAIWwDIAMiogEiYiqf4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCIICgjHQKiASJk6p/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIhAKELdAAMyogEiZ6qf4LAP4LAP4LAP4LAP4LAP4LAJYLACXQADMOIBIIhgKGMdAqIBImpqn+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgiIAogx0CogEibSqf4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCIoCijHQKiASJv6p/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIjAKMMdAqIBImKqr+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgiOAo4x0CogEiZWqv4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCJACkDHQKiASJoKq/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIkgKSMdAqIBImrqr+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgiUApQx0CogEibaqv4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCJYCljHQKiASJgar/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIImAKYLdAANCogEiYyq/4LAP4LAP4LAP4LAP4LAP4LAJYLACXQADQOIBIImgKaMdAqIBImXqv+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgicApwx0CogEiaKq/4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCJ4CnjHQKiASJrar/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIoAKgMdAqIBIm4qv+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgiiAqIx0CogEiYOrP4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCKQCpDHQKiASJjqs/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIpgKmMdAqIBImZqz+CwD+CwD+CwD+CwD+CwD+CwCWCwAp0A4gEgioAqgx0CogEiaSrP4LAP4LAP4LAP4LAP4LAP4LAJYLACnQDiASCKoCqjHQKiASJr6s/gsA/gsA/gsA/gsA/gsA/gsAlgsAKdAOIBIIrAKsLdAANSogEibqrP4LAP4LAP4LAP4LAP4LAP4LAJYLACXQADUOIBIIrgKuMdAqIBImFq3+CwD+CwDiCwAoZCAxNTEgcmVjb3L+CwD+CwD+CwCGCwBcAgJpBjE1MZwHALACsAIOa2V5LTE1MvAGFf8AMjkK/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYMpwHALICsjHQADM90AAzOdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAp0BgznAcAtAK0MdAAND3QADQ50P4LAP4LAP4LAP4LAP4LAP4LAI4LACnQGDScBwC2ArYx0AA1PdAANTnQ/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYNZwHALgCuDHQADY90AA2OdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAp0Bg2nAcAugK6MdAANz3QADc50P4LAP4LAP4LAP4LAP4LAP4LAI4LACnQGDecBwC8Arwx0AA4PdAAODnQ/gsA/gsA/gsA/gsA/gsA/gsAjgsAKdAYOJwHAL4CvjHQADk90AA5OdD+CwD+CwD+CwD+CwD+CwD+CwCOCwAYAgJpBjE1OQ==',
  lz4_linked_large:
    'AAAAAAAAA+gAAA/3/////wICnGE9AAMAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoAQiTRhUQK7ZDgAA/wfwBQAAAAprZXktMNAFcmVjb3JkIDAgCQD/TaECAmkCMPAFAAICegEVMXoBFDF6AQ8JAP9GoQICaQIx8AUABAR6ARUyegEUMnoBDwkA/0ahAgJpAjLwBQAGBnoBFTN6ARQzegEPCQD/RqECAmkCM/AFAAgIegEVNHoBFDR6AQ8JAP9GoQICaQI08AUACgp6ARU1egEUNXoBDwkA/0ahAgJpAjXwBQAMDHoBFTZ6ARQ2egEPCQD/RqECAmkCNvAFAA4OegEVN3oBFDd6AQ8JAP9GoQICaQI38AUAEBB6ARU4egEUOHoBDwkA/0ahAgJpAjjwBQASEnoBFTl6ARQ5egEPCQD/RvMEAgJpAjnEBgAUFAxrZXktMTCgBrwOFTHGDg8KAP9tsgICaQQxMMQGABYWpAEWMaQBBucODwoA/2wBpAFiMcQGABgYpAEWMqQBBREPDwoA/20BpAFiMsQGABoapAEWM6QBBTsPDwoA/20BpAFiM8QGABwcpAEWNKQBBWUPDwoA/20BpAFiNMQGAB4epAEWNaQBBY8PDwoA/20BpAFiNcQGACAgpAEWNqQBBbkPDwoA/20BpAFiNsQGACIipAEWN6QBBeMPDwoA/20BpAFiN8QGACQkpAEWOKQBBQ0QDwoA/20BpAFiOMQGACYmpAEWOaQBBTcQDwoA/20BpAFhOcQGACgopAEWMmgQFTJoEA8KAP9tsgICaQQyMMQGACoqpAEGaBAVMl4QDwoA/20BpAFiMcQGACwspAEGaBAVMl4QDwoA/20BpAFiMsQGAC4upAEGaBAVMl4QDwoA/20BpAFiM8QGADAwpAEGaBAkMjR0GA8KAP9tAaQBYjTEBgAyMqQBBmgQFTJeEA8KAP9tAaQBYjXEBgA0NKQBBmgQFTJeEA8KAP9tAaQBYjbEBgA2NqQBBmgQFTJeEA8KAP9tAaQBYjfEBgA4OKQBBmgQFTJeEA8KAP9tAaQBYjjEBgA6OqQBBmgQFTJeEA8KAP9tAaQBYTnEBgA8PKQBFjNoEBUzaBAPCgD/bbICAmkEMzDEBgA+PqQBBmgQFTNoEA8KAP9tAaQBYjHEBgBAQKQBBmgQFTNoEA8KAP9tAaQBYjLEBgBCQqQBBmgQFTNoEA8KAP9tAaQBYjPEBgBERKQBBmgQFTNoEA8KAP9tAaQBYjTEBgBGRqQBBmgQFTNoEA8KAP9tAaQBYjXEBgBISKQBFTbkGxUzaBAPCgD/bQGkAWI2xAYASkqkAQZoEBUzaBAPCgD/bQGkAWI3xAYATEykAQZoEBUzaBAPCgD/bQGkAWI4xAYATk6kAQZoEBUzaBAPCgD/bQGkAWE5xAYAUFCkARY0aBAVNGgQDwoA/22yAgJpBDQwxAYAUlKkAQZoEBU0aBAPCgD/bQGkAWIxxAYAVFSkAQZoEBU0aBAPCgD/bQGkAWIyxAYAVlakAQZoEBU0aBAPCgD/bQGkAWIzxAYAWFikAQZoEBU0aBAPCgD/bQGkAWI0xAYAWlqkAQZoEBU0aBAPCgD/bQGkAWI1xAYAXFykAQZoEBU0aBAPCgD/bQGkAWI2xAYAXl6kAQZoEBU0aBAPCgD/bQGkAWI3xAYAYGCkAQZoEBU0aBAPCgD/bQGkAWI4xAYAYmKkAQZoEBU0aBAPCgD/bQGkAWE5xAYAZGSkARY1aBAVNWgQDwoA/22yAgJpBDUwxAYAZmakAQZoEBU1aBAPCgD/bQGkAWIxxAYAaGikAQZoEBU1aBAPCgD/bQGkAWIyxAYAamqkAQZoECQ1M5QvDwoA/20BpAFiM8QGAGxspAEGaBAVNWgQDwoA/20BpAFiNMQGAG5upAEGaBAVNWgQDwoA/20BpAFiNcQGAHBwpAEGaBAVNWgQDwoA/20BpAFiNsQGAHJypAEGaBAVNWgQDwoA/20BpAFiN8QGAHR0pAEGaBAVNWgQDwoA/20BpAFiOMQGAHZ2pAEGaBAVNWgQDwoA/20BpAFhOcQGAHh4pAEWNmgQFTZoEA8KAP9tsgICaQQ2MMQGAHp6pAEGaBAkNjEgDQ8KAP9tAaQBYjHEBgB8fKQBBmgQFTZoEA8KAP9tAaQBYjLEBgB+fqQBBmgQFTZoEA8KAP9tAaQBgjPIBgCAAYABpgEGahAVNmoQDwoA/20BpgFzNMgGAIIBgqYBFTWYLxU2bBAPCgD/bQGmAXM1yAYAhAGEpgEGbhAVNm4QDwoA/20BpgFzNsgGAIYBhqYBBnAQFTZwEA8KAP9tAaYBczfIBgCIAYimAQZyEBU2chAPCgD/bQGmAXM4yAYAigGKpgEGdBAVNnQQDwoA/20BpgFyOcgGAIwBjKYBFjd2EBU3dhAPCgD/bcMCAmkENzDIBgCOAY6mAQZ4EBU3eBAPCgD/bQGmAXMxyAYAkAGQpgEGehAVN3oQDwoA/20BpgFzMsgGAJIBkqYBBnwQFTd8EA8KAP9tAaYBczPIBgCUAZSmAQZ8EBU3fBAPCgD/bQGmAXM0yAYAlgGWpgEGfBAVN3wQDwoA/20BpgFzNcgGAJgBmKYBBnwQFTd8EA8KAP9tAaYBczbIBgCaAZqmAQZ8EBU3fBAPCgD/bQGmAXM3yAYAnAGcpgEVOG4VFTd8EA8KAP9tAaYBczjIBgCeAZ6mAQZ8EBU3fBAPCgD/bQGmAXI5yAYAoAGgpgEWOHwQFTh8EA8KAP9twwICaQQ4MMgGAKIBoqYBBnwQFTh8EA8KAP9tAaYBczHIBgCkAaSmAQZ8EBU4fBAPCgD/bQGmAXMyyAYApgGmpgEGfBAVOHwQDwoA/20BpgFzM8gGAKgBqKYBBnwQFTh8EA8KAP9tAaYBczTIBgCqAaqmAQZ8EBU4fBAPCgD/bQGmAXM1yAYArAGspgEGfBAVOHwQDwoA/20BpgFzNsgGAK4BrqYBBnwQFTh8EA8KAP9tAaYBczfIBgCwAbCmAQZ8EBU4fBAPCgD/bQGmAXM4yAYAsgGypgEGfBAVOHwQDwoA/20BpgFyOcgGALQBtKYBFjl8EBU5fBAPCgD/bcMCAmkEOTDIBgC2AbamAQZ8EBU5fBAPCgD/bQGmAXMxyAYAuAG4pgEGfBAVOXwQDwoA/20BpgFzMsgGALoBuqYBBnwQJDkzvDQPCgD/bQGmAXMzyAYAvAG8pgEGfBAVOXwQDwoA/20BpgFzNMgGAL4BvqYBBnwQFTl8EA8KAP9tAaYBczXIBgDAAcCmAQZ8EBU5fBAPCgD/bQGmAXM2yAYAwgHCpgEGfBAVOXwQDwoA/20BpgFzN8gGAMQBxKYBBnwQFTl8EA8KAP9tAaYBczjIBgDGAcamAQZ8EBU5fBAPCgD/bQGmAZI5nAcAyAHIAQ7ykyYw8POTBX4QDwsA/5TUAgJpBjEwMJwHAMoBytABFzHQAQWoEA8LAP+UAtABdDGcBwDMAcygAxcy0AEUMiwPDwsA/5QC0AF0MpwHAM4BztABFzPQAQX8EA8LAP+UAtABdDOcBwDQAdDQARc00AEFJhEPCwD/lALQAXQ0nAcA0gHS0AEXNdABBVARDwsA/5QC0AF0NZwHANQB1NABFzbQAQV6EQ8LAP+UAtABdDacBwDWAdbQARc30AEFpBEPCwD/lALQAXQ3nAcA2AHY4AoXONABBc4RDwsA/5QC0AF0OJwHANoB2tABFznQAQX4EQ8LAP+UAtABczmcBwDcAdzQARcxIBIHCqYPCwD/kwHQAYQxMJwHAN4B3tABByASFjEgEg8LAP+TAtABdDGcBwDgAeDQAQcgEhYxIBIPCwD/kwLQAXQynAcA4gHi0AEHIBIWMSASDwsA/5MC0AF0M5wHAOQB5NABByASFjEgEg8LAP+TAtABdDScBwDmAebQAQcgEhYxIBIPCwD/kwLQAXQ1nAcA6AHo0AEHIBIWMSASDwsA/5MC0AF0NpwHAOoB6tABByASFjEgEg8LAP+TAtABdDecBwDsAezQAQcgEhYxIBIPCwD/kwLQAXQ4nAcA7gHu0AEHIBIWMSASDwsA/5MC0AFzOZwHAPAB8NABFzIgEgbCpw8LAP+UAdABhDIwnAcA8gHy0AEHIBIG7qcPCwD/lALQAXQxnAcA9AH00AEHIBIGGqgPCwD/lNQCAmkGMTIynAcA9gH20AEHIBIWMiASDwsA/5MC0AF0M5wHAPgB+NABByASFjIgEg8LAP+TAtABdDScBwD6AfrQAQcgEhYyIBIPCwD/kwLQAXQ1nAcA/AH80AEHIBIGyqgPCwD/lALQAXQ2nAcA/gH+0AEHIBIG9qgPCwD/lALQAYI3nAcAgAKAAkAkFzIgEgYiqQ8LAP+UAtABdDicBwCCAoLQAQcgEgZOqQ8LAP+UAtABczmcBwCEAoTQARczIBIGeqkPCwD/lAHQAYQzMJwHAIYChtABByASBqapDwsA/5QC0AF0MZwHAIgCiNABFjKwKQbSqQ8LAP+UAtABdDKcBwCKAorQAQcgEgb+qQ8LAP+UAtABdDOcBwCMAozQAQcgEgYqqg8LAP+UAtABdDScBwCOAo7QAQcgEgZWqg8LAP+UAtABdDWcBwCQApDQAQcgEgaCqg8LAP+UAtABdDacBwCSApLQAQcgEgauqg8LAP+UAtABdDecBwCUApTQAQcgEgbaqg8LAP+UAtABdDicBwCWApbQAQcgEgYGqw8LAP+UAtABczmcBwCYApjQARc0IBIGMqsPCwD/lAHQAYQ0MJwHAJoCmtABByASBl6rDwsA/5QC0AF0MZwHAJwCnNABByASBoqrDwsA/5QC0AF0MpwHAJ4CntABByASFjRAJA8LAP+TAtABdDOcBwCgAqDQAQcgEgbiqw8LAP+UAtABdDScBwCiAqLQAQcgEhY0QCQPCwD/kwLQAXQ1nAcApAKk0AEHIBIGOqwPCwD/lALQAXQ2nAcApgKm0AEHIBIGZqwPCwD/lALQAXQ3nAcAqAKo0AEHIBIGkqwPCwD/lALQAXQ4nAcAqgKq0AEHIBIGvqwPCwD/lALQAXM5nAcArAKs0AEXNSASFjWgWg8LAP+TAdABhDUwnAcArgKu0AEHIBIGFq0PCwChUHJlY29yhE6hvM4AAAAPxgDaAtABdDGcBwCwArDQAQcgEgZCrQ8LAP+UAtABdDKcBwCyArLQAQcgEgZurQ8LAP+UAtABdDOcBwC0ArTQAQcgEgaarQ8LAP+UAtABdDScBwC2ArbQAQcgEgbGrQ8LAP+UAtABdDWcBwC4ArjQAQcgEhY1gEgPCwD/kwLQAXQ2nAcAugK60AEHIBIGHq4PCwD/lALQAXQ3nAcAvAK80AEHIBIGSq4PCwD/lALQAXQ4nAcAvgK+0AEHIBIWNYBIDwsA/5NwAgJpBjE1OasPKlEAAAAAnEmJMA==',
  zstd_cli_large:
    'AAAAAAAAA+gAAAbb/////wK904tyAAQAAACfAAABm3baqAAAAAGbdtqon///////////////////AAAAoCi1L/0EaO00AJpNNA484FpLB1COcIU6xCnKEa5QhxITJiZMTJiYMDFhYsLEIMohqzV4Ea5QhzjF03vvLaWUrkolrlGHOFXBMPkD3QDSANIAbMLEfrdECb0qCRL5zBEjFn/xYhEi3t8LEcLdORAg2lv78IGdMQ8e+t0dOvCZOXDY727YoFfVoCGfmSHD2q9diwHD+3sXLrg751x7a4yxM8bc71blM6+137VgQa9KgUI+c8KEpV+6VIKE9/ciRHB3DgKE9tYePGBn7O93O3DAZ27QYL/LgIFedcGCfKYCBSsBxFDqKz9TtLJAggQyM0be30OAwN25AwfaWzNggJ2xAgX63QQI8JkHDNjvzszoVQEAyGcqtVQMpb7egsYGCxc0AZisCjtczCAgIyMTgEvMLeFSv9spoRKf2SVh0n7XISGSXtUd4VE+0xmh0XJfbrkiLHp/rxEhkbtzbQiH2ltrQijEzlgLwqB+dwNCID5z+8Gf/W7zQR+9auvBnnxm40Ge1b7aaju48/4e00Edd+dYDua0t8ZwEIedMXaDN/1uZoM2fGaswRqZGST7XR8+9Ko9euQzefBY7IstpkPH+3s5crg7hwNHe2s0NOyM3bjR765Rg89Mg8Z+V4YMvSoMGPnMFy9Wf/XqFi3e31uxwt05FSraW0uRgp0xFCj63SdO8Dm6X/CLXlW9oJd8anbBLku/dGlyQS7vL98W3OLu0mlBLe0tWxbMws6SYUEs/c6+glf4nGwFrew3twpW0WsqFaSSz8wpOGXlV65MKSjl/a0XBaO4u+WgIJT2ttoTfMLOFnOCTvq9ugk24fNiJshkv2uX4BK9LlWCSvK5MgkmmfnislYaQCSIREbA0Pt77wgecXfuGUEj7a29IliEnbFHBIn0u98QHMJnfkJQyH73BcEgetUHBIHkM98P/LHe11vvCZ/e33NO6OTunGvCpvbWHBMysbOvcyaGUn/9hqgh7q6dECWkvXULooKws2ZAFJB+d/9QP/jc/KSe9tvrpJz02tqkmvLZyaSYVn/16lxSS++Pn5JScnfsklRSe+OGpJDYGbMjddRvbiNlxGfmIlW0X14iRaRX1iE1lE9OISW0+IsXZ5AKen/7gBSQu1v3o37a2zYf5cPOlvWonn5v8ygePi/vqJ397uooHb2u5qicfG7iKJy1X7s2b9TN+9Nno2zcnTpVNaqmvWkbg2PYmTIxKKbf2mEwDJ+VwSCY/QaDGKiiMYlbkrR3Qt4h03bSISIskJAr/v9/P6rwL15UhcV6r1S917NZFRP3ZVc1PuMCVXQ0303VfI1LVeWIWpuq8xpeqcoewm+q5mf5VBWP1LKpmrfxQ1UkmmNT5V/ET6qSqP6tqvtYKqkiwnqVquanxJqq+Y1tVf2HUUlVEpa3VGU+RSZVfCj/TdX8jJOq4sjaN1XzNi5UhURybqr+S7KlqvNKsqhan9MCVWQaf2ZVLLjHruo+nIpUZWE7uyr3O2pWRUb1L6r2VzxJFYnWuFEV9FO6KuJTf1F1v8pPqoiovq2q+xgVqSLDepeq5qtEUpWH5NtUnc9wqSocKXtVFbbPdqrkP59V1f2dHqli4T67KvdzalaVRPUvqtZXeUkVEdWrVfUfo1ZSNRFi6rT2ozFpLVU1DY395O9cyUGVQXcPut08wyAWGvkPivy4Z5BJwhuD1rDGb9BA2ZgGjTG/bFAoS2I2aINCcw+Kn2Fl0CyOUQ+SnPhj0GnSOwZhwSBvUKBL/gZNOL40SAkzfIMOqtbHQVuAdscgdhiRD4r9uMWgYMEzg17BrGlQUAp4gwQ4/G/QDNlMg8pamTNo02V9HrTDs3EPgp/hZdBgk1sGJYJaa9BhapQGQVG4b3DUoKf6oUHCxLkPirUk5aDybPA7yCmaEgzyQY1x0Jo7+AYNqLYxaK240kGpD7EcVDR6a9BjzBkGZWGAO0jE4zUO2gVo+gftEIZx0M15r4OSPa8aJATZZ9Br0h4HES2BOyjB5XqDZipnGNTjjiiDohZy3UETD+Id5GLy06Cy1vQM2qEG46Cde9wGhTxaGSQZsOegz6U5DiJSw/0GOagqgoM+tzMNKnlmb9BByhoG/RGOOkjSRZeDKmP/GnTFbMYgVAV+ByU+fKJBdhiE/6AT2TwOut2fNijQ5VKDIiPrGPSlGOOgJCl0B010vG+QhWKPQXV5Rj3VFh4sDbsXO80+F6cocmcuWxxHVC7QKr1+uXQplz9x2QA0WnFB1eSqy8VVi4yRyw6GcY1LlEa106fdgYtlWiu5gkQb',
} as const;
