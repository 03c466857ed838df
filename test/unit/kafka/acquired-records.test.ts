import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AcquiredRecord } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
} from '../../../src/kafka/protocol/record-batch.js';
import { type AcquiredRange, readAcquired } from '../../../src/kafka/share/acquired-records.js';

const target = { topic: 'jobs', partition: 3, lockDeadline: 1234 };

function read(bytes: Buffer, ranges: AcquiredRange[]): AcquiredRecord[] {
  const out: AcquiredRecord[] = [];
  readAcquired(bytes, ranges, target, out);
  return out;
}

/** What readAcquired must return: the decoder's records at acquired offsets. */
function expected(bytes: Buffer, ranges: AcquiredRange[]): AcquiredRecord[] {
  const count = (offset: number) =>
    ranges.find((r) => r.firstOffset <= offset && offset <= r.lastOffset)?.deliveryCount ?? 0;
  return decodeRecordBatches(bytes)
    .records.filter((r) => count(r.offset) > 0)
    .map((r) => ({ ...target, ...r, deliveryCount: count(r.offset) }));
}

const record = fc.record({
  key: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
  value: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
  headers: fc.array(
    fc.tuple(fc.string({ maxLength: 6 }), fc.option(fc.string({ maxLength: 6 }), { nil: null })),
    { maxLength: 3 },
  ),
  timestamp: fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }),
});

/** Consecutive batches (some gzip, some control, LogAppendTime now and then) from offset `base`. */
const batches = fc
  .tuple(
    fc.nat({ max: 5000 }),
    fc.array(
      fc.record({
        records: fc.array(record, { minLength: 1, maxLength: 12 }),
        gzip: fc.boolean(),
        control: fc.boolean(),
        logAppendTime: fc.option(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), {
          nil: undefined,
        }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
  )
  .map(([base, specs]) => {
    let offset = base;
    const parts: Buffer[] = [];
    for (const b of specs) {
      parts.push(
        encodeRecordBatch(b.records, {
          baseOffset: offset,
          compression: b.gzip ? 'gzip' : 'none',
          control: b.control && !b.gzip,
          ...(b.logAppendTime === undefined ? {} : { logAppendTime: b.logAppendTime }),
        }),
      );
      offset += b.records.length;
    }
    return { bytes: Buffer.concat(parts), first: base, last: offset - 1 };
  });

/** Ascending, non-overlapping ranges around [first, last]. */
const rangesAround = (first: number, last: number) =>
  fc
    .uniqueArray(fc.integer({ min: first - 3, max: last + 3 }), { maxLength: 10 })
    .chain((points) => {
      const sorted = [...points].sort((a, b) => a - b);
      const ranges: AcquiredRange[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2)
        ranges.push({ firstOffset: sorted[i]!, lastOffset: sorted[i + 1]!, deliveryCount: 1 });
      return fc
        .array(fc.integer({ min: 1, max: 5 }), {
          minLength: ranges.length,
          maxLength: ranges.length,
        })
        .map((counts) => ranges.map((r, i) => ({ ...r, deliveryCount: counts[i]! })));
    });

describe('readAcquired', () => {
  it('returns exactly the decoder’s records at acquired offsets, with their delivery counts', () => {
    fc.assert(
      fc.property(
        batches.chain((b) => fc.tuple(fc.constant(b), rangesAround(b.first, b.last))),
        ([{ bytes }, ranges]) => {
          expect(read(bytes, ranges)).toEqual(expected(bytes, ranges));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skips the records a batch holds outside the acquired range', () => {
    const batch = encodeRecordBatch(
      Array.from({ length: 1000 }, (_, i) => ({ value: `v${i}`, headers: { 'sharq.id': `${i}` } })),
      { baseOffset: 5000 },
    );
    const got = read(batch, [{ firstOffset: 5500, lastOffset: 5515, deliveryCount: 2 }]);
    expect(got.map((r) => [r.offset, r.value?.toString(), r.headers['sharq.id']])).toEqual(
      Array.from({ length: 16 }, (_, i) => [5500 + i, `v${500 + i}`, `${500 + i}`]),
    );
    expect(got.every((r) => r.deliveryCount === 2 && r.lockDeadline === 1234)).toBe(true);
  });

  it('ignores a trailing batch the broker cut at MaxBytes', () => {
    const a = encodeRecordBatch([{ value: 'a' }, { value: 'b' }], { baseOffset: 0 });
    const b = encodeRecordBatch([{ value: 'c' }], { baseOffset: 2 });
    const cut = Buffer.concat([a, b.subarray(0, b.length - 3)]);
    expect(
      read(cut, [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }]).map((r) => r.offset),
    ).toEqual([0, 1]);
  });

  it('refuses a batch whose CRC does not match, even when only skipped records changed', () => {
    const batch = encodeRecordBatch([{ value: 'aaaa' }, { value: 'bbbb' }], { baseOffset: 0 });
    batch.writeUInt8(batch.readUInt8(batch.length - 2) ^ 0xff, batch.length - 2); // in the last record, not acquired
    expect(() => read(batch, [{ firstOffset: 0, lastOffset: 0, deliveryCount: 1 }])).toThrow(
      /CRC-32C mismatch/,
    );
  });

  it('random bytes and bit flips read or throw SHARQ_ERR_PROTOCOL / SHARQ_ERR_UNSUPPORTED', () => {
    const coded = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        if (
          !SharqError.is(err, 'SHARQ_ERR_PROTOCOL') &&
          !SharqError.is(err, 'SHARQ_ERR_UNSUPPORTED')
        )
          throw err;
      }
    };
    const all: AcquiredRange[] = [{ firstOffset: -10, lastOffset: 1e9, deliveryCount: 1 }];
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        coded(() => read(Buffer.from(bytes), all));
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(
        batches,
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        ({ bytes }, flips) => {
          const copy = Buffer.from(bytes);
          for (const f of flips) {
            const at = f % copy.length;
            copy.writeUInt8(copy.readUInt8(at) ^ (1 << (f % 8)), at);
          }
          coded(() => read(copy, all));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
