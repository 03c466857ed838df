import { type FileHandle, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { PartitionLog } from '../../../../src/embedded/storage/partition-log.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

function rec(
  value: string | null,
  extra: { key?: string | null; headers?: Record<string, string>; timestamp?: number } = {},
) {
  return {
    key: extra.key === undefined || extra.key === null ? null : Buffer.from(extra.key),
    value: value === null ? null : Buffer.from(value),
    headers: extra.headers ?? {},
    timestamp: extra.timestamp ?? 1_000,
  };
}

function values(records: ReadonlyArray<{ value: Buffer | null }>): Array<string | null> {
  return records.map((r) => (r.value === null ? null : r.value.toString()));
}

describe('PartitionLog append and read', () => {
  it('round-trips keys, values, nulls, headers and timestamps', async () => {
    const log = await PartitionLog.open(await tempDir());
    const first = await log.append([
      rec('v0', { key: 'k0', headers: { a: '1', ünï: 'cödé ✓' }, timestamp: 1234.5 }),
      rec(null, { key: null }),
      rec('', { key: '' }),
    ]);
    // JSON.parse makes `__proto__` an own key, as a header decoded from the wire would be.
    const protoHeader = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    const second = await log.append([rec('v3', { headers: protoHeader })]);
    expect(first.baseOffset).toBe(0);
    expect(second.baseOffset).toBe(3);
    const got = await log.read(0, 10);
    expect(got.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(got[0]).toMatchObject({ offset: 0, timestamp: 1234.5 });
    expect(got[0]?.key?.toString()).toBe('k0');
    // Plain objects, so strict equality against literals holds.
    expect(got[0]?.headers).toStrictEqual({ a: '1', ünï: 'cödé ✓' });
    expect(got[1]?.headers).toStrictEqual({});
    expect(got[1]?.key).toBeNull();
    expect(got[1]?.value).toBeNull();
    expect(got[2]?.key).toEqual(Buffer.alloc(0));
    expect(got[2]?.value).toEqual(Buffer.alloc(0));
    expect(Object.keys(got[3]!.headers)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(got[3]!.headers, '__proto__')?.value).toBe('x');
    await log.close();
  });

  it('serves one-record reads from a read-ahead, and reads records appended after it from disk', async () => {
    const log = await PartitionLog.open(await tempDir());
    await log.append(Array.from({ length: 10 }, (_, i) => rec(`a${i}`)));
    const seen: Array<string | null> = [];
    for (let o = 0; o < 10; o++) seen.push(...values(await log.read(o, 1)));
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
    // These lie past the end that was readable when the read-ahead was taken.
    await log.append(Array.from({ length: 10 }, (_, i) => rec(`b${i}`)));
    expect(values(await log.read(8, 4))).toEqual(['a8', 'a9', 'b0', 'b1']);
    expect(values(await log.read(19, 1))).toEqual(['b9']);
    await log.close();
  });

  it('assigns offsets in call order across concurrent appends', async () => {
    const log = await PartitionLog.open(await tempDir());
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append([rec(`a${i}`), rec(`b${i}`)])),
    );
    expect(results.map((r) => r.baseOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    const got = await log.read(0, 1000);
    expect(values(got).slice(0, 4)).toEqual(['a0', 'b0', 'a1', 'b1']);
    expect(got).toHaveLength(100);
    await log.close();
  });

  it('honours maxRecords and maxBytes, returning at least one record', async () => {
    const log = await PartitionLog.open(await tempDir());
    await log.append(Array.from({ length: 10 }, (_, i) => rec(`value-${i}`.padEnd(100, '.'))));
    expect(await log.read(2, 3)).toHaveLength(3);
    const frame = (await log.read(0, 1))[0]!;
    expect(frame.offset).toBe(0);
    const two = await log.read(0, 10, 300);
    expect(two.map((r) => r.offset)).toEqual([0, 1]);
    expect(await log.read(5, 10, 1)).toHaveLength(1);
    expect(await log.read(10, 5)).toEqual([]);
    expect(await log.read(4, 0)).toEqual([]);
    await log.close();
  });

  it('rolls segments at segmentBytes and reads across them', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 400 });
    for (let i = 0; i < 10; i++)
      await log.append([rec(`r${i}`.padEnd(60, '-')), rec(`s${i}`.padEnd(60, '-'))]);
    const files = (await readdir(dir)).sort();
    expect(files.length).toBeGreaterThan(3);
    expect(files[0]).toBe('00000000000000000000.log');
    expect(files[1]).toMatch(/^0{19}[1-9]\.log$/);
    const got = await log.read(0, 100);
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(values(await log.read(7, 5)).map((v) => v?.slice(0, 2))).toEqual([
      's3',
      'r4',
      's4',
      'r5',
      's5',
    ]);
    await log.close();
  });

  it('reopens after close with the same records, offsets and end', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 300 });
    for (let i = 0; i < 8; i++)
      await log.append([rec(`x${i}`, { key: `k${i}`, headers: { i: String(i) } })]);
    const before = await log.read(0, 100);
    await log.close();
    const again = await PartitionLog.open(dir, { segmentBytes: 300 });
    expect(again.logEndOffset).toBe(8);
    expect(again.logStartOffset).toBe(0);
    const after = await again.read(0, 100);
    expect(after).toStrictEqual(before);
    expect((await again.append([rec('next')])).baseOffset).toBe(8);
    await again.close();
  });
});

describe('PartitionLog indexes', () => {
  it('answers batchLastOffset for every offset of every batch, also after reopen', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 250 });
    const sizes = [3, 1, 4, 2, 5];
    for (const n of sizes) await log.append(Array.from({ length: n }, (_, i) => rec(`v${i}`)));
    const expected = sizes.flatMap((n, b) => {
      const last = sizes.slice(0, b + 1).reduce((x, y) => x + y, 0) - 1;
      return Array.from({ length: n }, () => last);
    });
    const check = (l: PartitionLog) => {
      for (const [o, last] of expected.entries()) expect(l.batchLastOffset(o)).toBe(last);
    };
    check(log);
    await log.close();
    const again = await PartitionLog.open(dir, { segmentBytes: 250 });
    check(again);
    expect((await caught(() => again.batchLastOffset(15))).code).toBe(
      'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
    );
    await again.close();
  });

  it('finds the first offset with timestamp >= ts, even when timestamps go backwards', async () => {
    const log = await PartitionLog.open(await tempDir(), { segmentBytes: 200 });
    const stamps = [100, 200, 150, 300, 250, 400];
    for (const t of stamps) await log.append([rec('v', { timestamp: t })]);
    expect(log.offsetForTimestamp(0)).toBe(0);
    expect(log.offsetForTimestamp(100)).toBe(0);
    expect(log.offsetForTimestamp(101)).toBe(1);
    expect(log.offsetForTimestamp(160)).toBe(1);
    expect(log.offsetForTimestamp(201)).toBe(3);
    expect(log.offsetForTimestamp(260)).toBe(3);
    expect(log.offsetForTimestamp(301)).toBe(5);
    expect(log.offsetForTimestamp(401)).toBe(6);
    await log.close();
  });
});

describe('PartitionLog retention', () => {
  it('deletes whole closed segments below the offset and advances logStartOffset', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 150 });
    for (let i = 0; i < 6; i++)
      await log.append([rec(`v${i}`.padEnd(40, '.')), rec(`w${i}`.padEnd(40, '.'))]);
    const segmentsBefore = (await readdir(dir)).length;
    expect(segmentsBefore).toBe(6);
    expect(await log.deleteSegmentsBefore(5)).toBe(2); // segments [0,2) and [2,4); [4,6) holds 5
    expect(log.logStartOffset).toBe(4);
    expect((await readdir(dir)).length).toBe(4);
    expect((await caught(() => log.read(3, 1))).code).toBe('SHARQ_ERR_OFFSET_OUT_OF_RANGE');
    expect((await log.read(4, 1))[0]?.offset).toBe(4);
    expect(await log.deleteSegmentsBefore(1_000)).toBe(3); // never the active segment
    expect(log.logStartOffset).toBe(10);
    await log.close();
    const again = await PartitionLog.open(dir, { segmentBytes: 150 });
    expect([again.logStartOffset, again.logEndOffset]).toEqual([10, 12]);
    await again.close();
  });

  it('keeps segments newer than olderThanMs', async () => {
    const log = await PartitionLog.open(await tempDir(), { segmentBytes: 100 });
    const now = Date.now();
    await log.append([rec('old'.padEnd(80), { timestamp: now - 60_000 })]);
    await log.append([rec('new'.padEnd(80), { timestamp: now })]);
    await log.append([rec('tail'.padEnd(80), { timestamp: now })]);
    expect(await log.deleteSegmentsBefore(3, 30_000)).toBe(1);
    expect(log.logStartOffset).toBe(1);
    await log.close();
  });
});

describe('PartitionLog errors and visibility', () => {
  it('rejects records above maxRecordBytes without assigning offsets', async () => {
    const log = await PartitionLog.open(await tempDir(), { maxRecordBytes: 1000 });
    const err = await caught(() => log.append([rec('ok'), rec('x'.repeat(1000))]));
    expect(err.code).toBe('SHARQ_ERR_RECORD_TOO_LARGE');
    expect(err.details?.index).toBe(1);
    expect((await log.append([rec('fine')])).baseOffset).toBe(0);
    await log.close();
  });

  it('reads each field of a record once: a getter that changes cannot corrupt the segment', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    let reads = 0;
    // Longer the first time it is read than after: sized on one, written from another before.
    const headers = {
      get h() {
        return reads++ === 0 ? 'y'.repeat(100) : 'y';
      },
    };
    let valueReads = 0;
    const record = {
      key: null,
      get value() {
        return Buffer.from(valueReads++ === 0 ? 'long value' : 'v');
      },
      headers,
      timestamp: 5,
    };
    await log.append([record]);
    await log.close();
    const again = await PartitionLog.open(dir);
    const [read] = await again.read(0, 1);
    expect(read?.value?.toString()).toBe('long value');
    expect(read?.headers).toEqual({ h: 'y'.repeat(100) });
    await again.close();
  });

  it('rejects reads outside [logStart, logEnd] and invalid input', async () => {
    const log = await PartitionLog.open(await tempDir());
    await log.append([rec('a'), rec('b')]);
    for (const offset of [-1, 3, 1.5]) {
      const err = await caught(() => log.read(offset, 1));
      expect(err.code).toBe('SHARQ_ERR_OFFSET_OUT_OF_RANGE');
    }
    expect((await caught(() => log.append([]))).code).toBe('SHARQ_ERR_INVALID_ARGUMENT');
    expect((await caught(() => log.append([rec('a', { timestamp: Number.NaN })]))).code).toBe(
      'SHARQ_ERR_INVALID_ARGUMENT',
    );
    await log.close();
  });

  it('only exposes records once their append is durable, and tells onDurable listeners', async () => {
    const log = await PartitionLog.open(await tempDir());
    const seen: number[] = [];
    const unsubscribe = log.onDurable((end) => seen.push(end));
    const pending = log.append([rec('a'), rec('b')]);
    expect(log.logEndOffset).toBe(0);
    expect(await log.read(0, 10)).toEqual([]);
    expect((await caught(() => log.read(1, 10))).code).toBe('SHARQ_ERR_OFFSET_OUT_OF_RANGE');
    await pending;
    expect(log.logEndOffset).toBe(2);
    expect(seen).toEqual([2]);
    unsubscribe();
    await log.append([rec('c')]);
    expect(seen).toEqual([2]);
    await log.close();
  });

  it('flushes pending appends on close, is idempotent, and refuses calls afterwards', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    const pending = log.append([rec('last')]);
    await Promise.all([log.close(), log.close()]);
    await expect(pending).resolves.toEqual({ baseOffset: 0 });
    expect((await caught(() => log.append([rec('x')]))).code).toBe('SHARQ_ERR_CLOSED');
    expect((await caught(() => log.read(0, 1))).code).toBe('SHARQ_ERR_CLOSED');
    const again = await PartitionLog.open(dir);
    expect(again.logEndOffset).toBe(1);
    await again.close();
  });

  it('after a failed write, rejects that append and every later one, and publishes nothing', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    await log.append([rec('durable')]);
    // Pull the file descriptor out from under the log, as a dying disk would.
    const internals = log as unknown as { segments: Array<{ handle: Promise<FileHandle> }> };
    await (await internals.segments[0]!.handle).close();
    const failed = await caught(() => log.append([rec('lost')]));
    expect(failed.code).toBe('SHARQ_ERR_IO');
    expect(log.logEndOffset).toBe(1);
    const refused = await caught(() => log.append([rec('refused')]));
    expect(refused.code).toBe('SHARQ_ERR_IO');
    expect(refused.message).toMatch(/reopen/);
    await log.close().catch(() => undefined);
    const again = await PartitionLog.open(dir);
    expect(values(await again.read(0, 10))).toEqual(['durable']);
    await again.close();
  });

  it('validates its options', async () => {
    const err = await caught(() => PartitionLog.open('/tmp/unused', { segmentBytes: -1 }));
    expect(err.code).toBe('SHARQ_ERR_INVALID_OPTION');
  });
});
