import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_FRAME_VERSION,
  batchFrameHead,
  batchRecordStarts,
  decodeBatchBody,
  isWellFormedBody,
} from '../../../../src/embedded/storage/batch-frame.js';
import { inspectPartition } from '../../../../src/embedded/storage/partition-inspect.js';
import { PartitionLog, type TornTailInfo } from '../../../../src/embedded/storage/partition-log.js';
import { decodeRecord, encodeBatch } from '../../../../src/embedded/storage/record-codec.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
  type RecordInput,
} from '../../../../src/kafka/protocol/record-batch.js';
import { checkProduceRecords } from '../../../../src/server/broker/produce-batches.js';
import { crc32c } from '../../../../src/util/crc32c.js';
import { caught, useTempDirs } from './temp-dir.js';

const MAX_RECORD_BYTES = 1 << 20;
const tempDir = useTempDirs();

/**
 * What the per-record path stores and reads back for the same Produce records: decode, a frame
 * per record at `baseOffset`, each frame decoded again.
 */
function perRecord(records: Buffer, baseOffset: number) {
  let offset = baseOffset;
  return decodeRecordBatches(records).batches.map((b) => {
    const encoded = encodeBatch(
      b.records.map((r) => ({
        key: r.key,
        value: r.value,
        headers: r.headers,
        timestamp: r.timestamp,
      })),
      offset,
      MAX_RECORD_BYTES,
    );
    offset += b.records.length;
    return encoded.starts.map((s) => decodeRecord(encoded.bytes, s + 8));
  });
}

/** Each checked batch as a batch frame at consecutive offsets: the frame's body, checked whole. */
function asFrames(records: Buffer, baseOffset: number) {
  const checked = checkProduceRecords(records);
  if (checked === null) return null;
  let offset = baseOffset;
  return checked.map(({ input }) => {
    const head = batchFrameHead(input, offset, MAX_RECORD_BYTES);
    offset += input.timestamps.length;
    const body = Buffer.concat([head.subarray(8), input.kafka]);
    // The combined checksum is the frame's CRC-32C as any reader computes it.
    expect(head.readUInt32LE(0)).toBe(body.length);
    expect(head.readUInt32LE(4)).toBe(crc32c(body));
    expect(isWellFormedBody(body)).toBe(true);
    return body;
  });
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

describe('batch frames (a Produce batch kept as it came)', () => {
  it('read back exactly as the per-record format would store them, whole or in any piece', () => {
    let taken = 0;
    fc.assert(
      fc.property(
        records,
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.nat(),
        fc.nat(),
        (buf, base, a, b) => {
          const frames = asFrames(buf, base);
          if (frames === null) return;
          taken++;
          const expected = perRecord(buf, base);
          frames.forEach((body, i) => {
            const starts = batchRecordStarts(body);
            const n = starts.length;
            expect(decodeBatchBody(body, starts, 0, n)).toEqual(expected[i]);
            const from = a % n;
            const to = from + 1 + (b % (n - from));
            expect(decodeBatchBody(body, starts, from, to)).toEqual(expected[i]!.slice(from, to));
          });
        },
      ),
      { numRuns: 500 },
    );
    // Most generated batches are plain: the property held for them, not only for declines.
    expect(taken).toBeGreaterThan(100);
  });

  it('take integer-like, __proto__ and null header names and values, reading them as the per-record path does', () => {
    const buf = encodeRecordBatch([
      {
        value: 'x',
        headers: [
          ['a', '1'],
          ['7', 'seven'],
          ['__proto__', 'p'],
          ['nul', null],
        ],
      },
    ]);
    const frames = asFrames(buf, 0);
    expect(frames).not.toBeNull();
    const [record] = decodeBatchBody(frames![0]!, batchRecordStarts(frames![0]!), 0, 1);
    expect(record).toEqual(perRecord(buf, 0)[0]![0]);
    expect(Object.keys(record!.headers)).toEqual(['7', 'a', '__proto__', 'nul']);
    expect(record!.headers.nul).toBe('');
    expect(Object.getPrototypeOf(record!.headers)).toBe(Object.prototype);
  });

  it('leave a header name repeated in a record, or one not valid UTF-8, to the per-record path', () => {
    const one = (headers: NonNullable<RecordInput['headers']>) =>
      checkProduceRecords(encodeRecordBatch([{ value: 'x', headers }]));
    expect(one([['a', '1']])).not.toBeNull();
    expect(
      one([
        ['a', '1'],
        ['a', '2'],
      ]),
    ).toBeNull();
    expect(one([['a', Buffer.from([0xff, 0xfe])]])).toBeNull();
    expect(one([['é', 'ü']])).not.toBeNull();
    // A length of 128 or more has its high bit set: not taken for a bad byte.
    expect(one([['a', 'x'.repeat(200)]])).not.toBeNull();
    expect(one([['a', Buffer.concat([Buffer.alloc(200, 0x78), Buffer.from([0xff])])]])).toBeNull();
    // The same name in two records is not a repeat.
    expect(
      checkProduceRecords(
        encodeRecordBatch([
          { value: 'x', headers: { a: '1' } },
          { value: 'y', headers: { a: '2' } },
        ]),
      ),
    ).not.toBeNull();
  });

  it('answer a record over maxRecordBytes as the per-record path does, however its headers are sent', async () => {
    // Wire bytes that read back three times larger (each bad byte a U+FFFD), and a repeated name
    // of which only the last is kept: sized by the wire, the first would pass a 1 MiB limit and
    // the second fail it. Both go the per-record way, which sizes what it stores.
    const limit = 1024 * 1024;
    const bad = encodeRecordBatch([{ value: 'x', headers: [['h', Buffer.alloc(400_000, 0xff)]] }]);
    const repeated = encodeRecordBatch([
      {
        value: Buffer.alloc(600_000),
        headers: [
          ['h', 'a'.repeat(300_000)],
          ['h', 'b'.repeat(300_000)],
        ],
      },
    ]);
    expect(checkProduceRecords(bad)).toBeNull();
    expect(checkProduceRecords(repeated)).toBeNull();
    const store = (buf: Buffer) => {
      const [r] = decodeRecordBatches(buf).records;
      return encodeBatch([{ ...r!, timestamp: 1 }], 0, limit);
    };
    expect((await caught(() => store(bad))).code).toBe('SHARQ_ERR_RECORD_TOO_LARGE');
    expect(store(repeated).bytes.length).toBeLessThan(limit);
  });

  it.each([
    ['compressed', { compression: 'gzip' as const }],
    ['log-append-time', { logAppendTime: 1_800_000_000_000 }],
    ['transactional', { transactional: true }],
    ['control', { control: true }],
  ])('leave a %s batch to the per-record path', (_what, options) => {
    expect(checkProduceRecords(encodeRecordBatch([{ value: 'x' }], options))).toBeNull();
  });

  it('never take a batch the per-record path refuses, nor read it differently (mutated bytes)', () => {
    let taken = 0;
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
          const frames = asFrames(buf, 0);
          if (frames === null) return;
          taken++;
          const expected = perRecord(buf, 0);
          frames.forEach((body, i) => {
            const starts = batchRecordStarts(body);
            expect(decodeBatchBody(body, starts, 0, starts.length)).toEqual(expected[i]);
          });
        },
      ),
      { numRuns: 2000 },
    );
    // Edits to values and keys keep a batch plain: some mutated batches were taken and compared.
    expect(taken).toBeGreaterThan(20);
  });

  it('hold each record to maxRecordBytes as the per-record encoder does', async () => {
    const big = { value: Buffer.alloc(2000), headers: { h: 'v' } };
    const [checked] = checkProduceRecords(encodeRecordBatch([{ value: 'x' }, big]))!;
    const err = await caught(() => batchFrameHead(checked!.input, 0, 1500));
    const perRecordError = await caught(() =>
      encodeBatch(
        [
          { key: null, value: Buffer.from('x'), headers: {}, timestamp: 1 },
          { key: null, value: big.value, headers: big.headers, timestamp: 1 },
        ],
        0,
        1500,
      ),
    );
    expect(err.code).toBe('SHARQ_ERR_RECORD_TOO_LARGE');
    expect(err.message).toBe(perRecordError.message);
    expect(err.details).toEqual(perRecordError.details);
  });
});

/** A plain Kafka batch of jobs n..n+count-1, checked for a batch frame. */
function kafkaBatch(n: number, count: number) {
  const buf = encodeRecordBatch(
    Array.from({ length: count }, (_, i) => ({
      value: `v${n + i}`,
      headers: { 'sharq.id': `id-${n + i}` },
      timestamp: 1_800_000_000_000 + n + i,
    })),
    { producerId: 1, producerEpoch: 0, baseSequence: n },
  );
  return checkProduceRecords(buf)![0]!.input;
}

const values = (records: { value: Buffer | null }[]) => records.map((r) => r.value?.toString());
const rec = (value: string) => ({
  key: null,
  value: Buffer.from(value),
  headers: {},
  timestamp: 5,
});

async function reopen(dir: string) {
  const torn: TornTailInfo[] = [];
  const log = await PartitionLog.open(dir, { onTornTail: (info) => torn.push(info) });
  return { log, torn };
}

/** A log in a fresh directory with `appends` made in order, and its first segment file. */
async function logWith(...appends: (ReturnType<typeof kafkaBatch> | ReturnType<typeof rec>[])[]) {
  const dir = await tempDir();
  const log = await PartitionLog.open(dir);
  for (const a of appends) await log.append(a);
  return { dir, log, file: path.join(dir, '00000000000000000000.log') };
}

describe('PartitionLog with batch frames', () => {
  it('mixes batch frames and record frames; reads any range, one record at a time or across frames, before and after a reopen', async () => {
    const { dir, log } = await logWith();
    expect((await log.append(kafkaBatch(0, 5))).baseOffset).toBe(0);
    expect((await log.append([rec('v5'), rec('v6')])).baseOffset).toBe(5);
    expect((await log.append(kafkaBatch(7, 3))).baseOffset).toBe(7);
    const all = Array.from({ length: 10 }, (_, i) => `v${i}`);
    const check = async (l: PartitionLog) => {
      expect(values(await l.read(0, 100))).toEqual(all);
      const one: string[] = [];
      for (let i = 0; i < 10; i++) {
        const [r] = await l.read(i, 1);
        expect(r!.offset).toBe(i);
        one.push(r!.value!.toString());
      }
      expect(one).toEqual(all);
      expect(values(await l.read(3, 5))).toEqual(all.slice(3, 8));
      expect(l.batchLastOffset(2)).toBe(4);
      expect(l.batchLastOffset(8)).toBe(9);
      expect(l.offsetForTimestamp(1_800_000_000_002)).toBe(2);
    };
    await check(log);
    await log.close();
    const { log: again, torn } = await reopen(dir);
    expect(torn).toEqual([]);
    expect(again.logEndOffset).toBe(10);
    await check(again);
    expect((await again.append(kafkaBatch(10, 2))).baseOffset).toBe(10);
    expect(values(await again.read(9, 5))).toEqual(['v9', 'v10', 'v11']);
    await again.close();
  });

  it('counts a whole batch frame against maxBytes, and still returns one frame when it alone is larger', async () => {
    const { log } = await logWith(kafkaBatch(0, 50), kafkaBatch(50, 50));
    expect((await log.read(0, 100, 10)).length).toBe(50);
    expect((await log.read(10, 100, 10)).map((r) => r.offset)).toEqual(
      Array.from({ length: 40 }, (_, i) => 10 + i),
    );
    expect((await log.read(0, 100)).length).toBe(100);
    await log.close();
  });

  it('cuts a batch frame torn at the tail whole, and refuses one whole at the tail that fails its checksum', async () => {
    const { dir, log, file } = await logWith(kafkaBatch(0, 4), kafkaBatch(4, 4));
    await log.close();
    const bytes = await readFile(file);
    const second = 8 + bytes.readUInt32LE(0);
    expect(bytes[second + 8]).toBe(BATCH_FRAME_VERSION);

    // A bit flipped in Kafka's part of the last frame: whole, so not a torn write.
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 3]! ^= 0x10;
    await writeFile(file, flipped);
    const err = await caught(() => PartitionLog.open(dir));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({
      damagedTail: true,
      droppedOffset: 4,
      damagedOffset: 4,
      // The frame's own header says it holds offsets 4..7: the whole batch goes.
      damagedLastOffset: 7,
      mayHaveBeenConfirmed: true,
    });
    expect(err.message).toContain('the batch at offsets 4..7 (as its own header says)');
    expect(err.message).toContain('would drop offsets 4..7');
    const inspected = await inspectPartition(path.dirname(file));
    expect(inspected.damage).toMatchObject({
      kind: 'damaged-tail',
      droppedOffsets: { from: 4, to: 7 },
      intactRecordsDropped: 0,
    });

    // A header that does not fit where the frame sits (its base offset damaged): one offset.
    const offsetHit = Buffer.from(bytes);
    offsetHit[second + 8 + 2]! ^= 0x01;
    await writeFile(file, offsetHit);
    const err2 = await caught(() => PartitionLog.open(dir));
    expect(err2.details).toMatchObject({ damagedOffset: 4, damagedLastOffset: 4 });
    expect(err2.message).toContain('the record at offset 4 is whole');

    // The same frame cut short: torn, cut with all of its batch.
    await writeFile(file, bytes);
    await truncate(file, bytes.length - 5);
    const { log: again, torn } = await reopen(dir);
    expect(torn).toEqual([{ file, position: second, droppedBytes: bytes.length - 5 - second }]);
    expect(again.logEndOffset).toBe(4);
    expect(values(await again.read(0, 10))).toEqual(['v0', 'v1', 'v2', 'v3']);
    await again.close();
  });

  it('reports damage inside a batch frame that a good frame follows as corruption, not a torn tail', async () => {
    const { dir, log, file } = await logWith(kafkaBatch(0, 4), [rec('after')]);
    await log.close();
    const bytes = await readFile(file);
    bytes[40]! ^= 0x01;
    await writeFile(file, bytes);
    const err = await caught(() => PartitionLog.open(dir));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.message).toMatch(/a valid frame follows/);
  });
});
