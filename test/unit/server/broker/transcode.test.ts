import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatch, sealBatch } from '../../../../src/embedded/storage/record-codec.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
  type RecordInput,
} from '../../../../src/kafka/protocol/record-batch.js';
import { transcodeRecords } from '../../../../src/server/broker/transcode.js';
import { crc32c } from '../../../../src/util/crc32c.js';

const MAX_RECORD_BYTES = 1 << 20;

/** What the general path writes: decode, then encode each batch's records at `baseOffset`. */
function generalPath(records: Buffer, baseOffset: number) {
  return decodeRecordBatches(records).batches.map((b) => ({
    header: {
      producerId: b.producerId,
      producerEpoch: b.producerEpoch,
      baseSequence: b.baseSequence,
      recordCount: b.recordCount,
      crc: b.crc,
    },
    encoded: encodeBatch(
      b.records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
      })),
      baseOffset,
      MAX_RECORD_BYTES,
    ),
  }));
}

/** The fast path's frames, sealed at `baseOffset`, or null when it declines. */
function fastPath(records: Buffer, baseOffset: number) {
  const t = transcodeRecords(records);
  return (
    t?.map(({ header, frames }) => ({
      header,
      encoded: sealBatch(frames, baseOffset, MAX_RECORD_BYTES),
    })) ?? null
  );
}

const bytes = fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a));
/** Header names: a few short ones (so some repeat), digits first, unicode, and sharq's own. */
const headerName = fc.oneof(
  fc.constantFrom('a', 'b', 'sharq.id', 'sharq.name', '0', '12', '__proto__', ''),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constant(null),
  bytes, // not always valid UTF-8
);
const record: fc.Arbitrary<RecordInput> = fc.record({
  key: fc.oneof(fc.constant(null), bytes),
  value: fc.oneof(fc.constant(null), bytes),
  headers: fc.oneof(
    fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }),
    // Names that do not repeat, mostly taken by the fast path.
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ maxLength: 20 }), {
      maxKeys: 6,
    }),
  ),
  timestamp: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
});
const batchOptions = fc.record({
  producerId: fc.integer({ min: -1, max: 2 ** 40 }),
  producerEpoch: fc.integer({ min: -1, max: 100 }),
  baseSequence: fc.integer({ min: -1, max: 1_000_000 }),
});
const records = fc
  .array(fc.tuple(fc.array(record, { minLength: 1, maxLength: 6 }), batchOptions), {
    minLength: 1,
    maxLength: 3,
  })
  .map((batches) => Buffer.concat(batches.map(([r, o]) => encodeRecordBatch(r, o))));

describe('Produce records straight into log frames', () => {
  it('writes exactly what decoding and encoding would, whenever it takes a batch', () => {
    fc.assert(
      fc.property(records, fc.integer({ min: 0, max: 2 ** 40 }), (buf, baseOffset) => {
        const fast = fastPath(buf, baseOffset);
        if (fast === null) return;
        expect(fast).toEqual(generalPath(buf, baseOffset));
      }),
      { numRuns: 500 },
    );
  });

  it("takes sharq's own jobs (plain headers), more than one batch at a time", () => {
    const job = (n: number): RecordInput => ({
      key: null,
      value: Buffer.from(JSON.stringify({ n, text: 'héllo' })),
      headers: { 'sharq.id': `id-${n}`, 'sharq.name': 'send', 'sharq.attempts': '3' },
      timestamp: 1_800_000_000_000 + n,
    });
    const buf = Buffer.concat([
      encodeRecordBatch([job(1), job(2), job(3)], {
        producerId: 7,
        producerEpoch: 0,
        baseSequence: 0,
      }),
      encodeRecordBatch([job(4)], { producerId: 7, producerEpoch: 0, baseSequence: 3 }),
    ]);
    const fast = fastPath(buf, 100);
    expect(fast).not.toBeNull();
    expect(fast!.map((b) => b.header)).toEqual([
      { producerId: 7, producerEpoch: 0, baseSequence: 0, recordCount: 3, crc: expect.any(Number) },
      { producerId: 7, producerEpoch: 0, baseSequence: 3, recordCount: 1, crc: expect.any(Number) },
    ]);
    expect(fast).toEqual(generalPath(buf, 100));
  });

  it.each([
    ['compressed', { compression: 'gzip' as const }],
    ['log-append-time', { logAppendTime: 1_800_000_000_000 }],
    ['transactional', { transactional: true }],
    ['control', { control: true }],
  ])('leaves a %s batch to the general path', (_what, options) => {
    const buf = encodeRecordBatch([{ value: 'x', headers: { a: 'b' } }], options);
    expect(transcodeRecords(buf)).toBeNull();
  });

  it('leaves repeated, integer-like and non-UTF-8 header names and values to the general path', () => {
    const one = (headers: NonNullable<RecordInput['headers']>) =>
      transcodeRecords(encodeRecordBatch([{ value: 'x', headers }]));
    expect(
      one([
        ['a', '1'],
        ['a', '2'],
      ]),
    ).toBeNull();
    expect(one({ '7': 'x' })).toBeNull();
    expect(one([['a', Buffer.from([0xff, 0xfe])]])).toBeNull();
    expect(one([['a', null]])).not.toBeNull();
  });

  it('never takes a batch the general path refuses, nor writes it differently (mutated bytes)', () => {
    const base = encodeRecordBatch(
      [
        { key: 'k', value: 'hello', headers: { 'sharq.id': 'x', b: '' } },
        { value: null, headers: [] },
      ],
      { producerId: 3, producerEpoch: 0, baseSequence: 5 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.boolean(),
        (edits, fixCrc) => {
          const buf = Buffer.from(base);
          // Records and the record count (from byte 57); the CRC made right again, mostly, so
          // the record grammar itself is what is tested.
          for (const [at, v] of edits) buf[57 + (at % (buf.length - 57))] = v;
          if (fixCrc) buf.writeUInt32BE(crc32c(buf, 0, 21, buf.length), 17);
          const fast = fastPath(buf, 0);
          let general: ReturnType<typeof generalPath> | Error;
          try {
            general = generalPath(buf, 0);
          } catch (err) {
            general = err as Error;
          }
          if (fast === null) return;
          expect(general).not.toBeInstanceOf(Error);
          expect(fast).toEqual(general);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
