import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { admin, embedded, queueName, queueWithDlq } from './fixtures.js';

let engine: EmbeddedEngine;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ engine, close } = await embedded());
});
afterEach(() => close());

describe('DLQ browse', () => {
  it('pages newest first across partitions, each record once, by cursor', async () => {
    const name = queueName();
    const jobs = Array.from({ length: 23 }, (_, i) => ({ partition: i % 3, at: 5000 + i * 10 }));
    await queueWithDlq(engine, name, jobs, { partitions: 3 });
    // The DLQ has 1 partition by default: records land on partition (source % 1) = 0.
    const a = admin(engine);
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await a.listDlq(name, { limit: 5, ...(cursor ? { cursor } : {}) });
      seen.push(...res.records.map((r) => r.timestamp));
      if (res.nextCursor === null) break;
      cursor = res.nextCursor;
    }
    expect(seen).toHaveLength(23);
    expect(seen).toEqual([...seen].sort((x, y) => y - x));
    const asc = await a.listDlq(name, { limit: 100, order: 'asc' });
    expect(asc.records.map((r) => r.timestamp)).toEqual([...seen].reverse());
    expect(asc.nextCursor).toBeNull();
  });

  it('merges a multi-partition DLQ by time', async () => {
    const name = queueName();
    await engine.admin.createTopic(`dlq.${name}`, { partitions: 2 });
    await queueWithDlq(
      engine,
      name,
      Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, at: 1000 + i })),
    );
    const a = admin(engine);
    const first = await a.listDlq(name, { limit: 4 });
    expect(first.records.map((r) => r.timestamp)).toEqual([1009, 1008, 1007, 1006]);
    expect(new Set(first.records.map((r) => r.partition))).toEqual(new Set([0, 1]));
    const rest = await a.listDlq(name, { limit: 10, cursor: first.nextCursor! });
    expect(rest.records.map((r) => r.timestamp)).toEqual([1005, 1004, 1003, 1002, 1001, 1000]);
    expect(rest.nextCursor).toBeNull();
  });

  it('filters by reason, error name and code, job id and name, and time range', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [
      { name: 'email', reason: 'attempts-exhausted', at: 1000 },
      { name: 'sms', reason: 'unrecoverable', error: new RangeError('x'), at: 2000 },
      { name: 'email', jobId: 'special', reason: 'invalid-payload', at: 3000 },
      { name: 'email', error: Object.assign(new Error('y'), { code: 'E_OTHER' }), at: 4000 },
    ]);
    const a = admin(engine);
    const ids = async (q: Parameters<typeof a.listDlq>[1]) =>
      (await a.listDlq(name, q)).records.map((r) => r.jobId).sort();
    expect(await ids({ reason: 'unrecoverable' })).toEqual(['job-1']);
    expect(await ids({ errorName: 'RangeError' })).toEqual(['job-1']);
    expect(await ids({ errorCode: 'E_OTHER' })).toEqual(['job-3']);
    expect(await ids({ errorCode: 'E_BOOM' })).toEqual(['job-0', 'special']);
    expect(await ids({ jobId: 'special' })).toEqual(['special']);
    expect(await ids({ jobName: 'sms' })).toEqual(['job-1']);
    expect(await ids({ from: 2000, to: 4000 })).toEqual(['job-1', 'special']);
    expect(await ids({ jobName: 'none' })).toEqual([]);
  });

  it('stops a selective scan at scanLimit with a cursor to go on', async () => {
    const name = queueName();
    await queueWithDlq(
      engine,
      name,
      Array.from({ length: 300 }, (_, i) => ({ name: i === 0 ? 'rare' : 'common', at: 1000 + i })),
    );
    const a = admin(engine, { scanLimit: 100 });
    const res = await a.listDlq(name, { jobName: 'rare' });
    expect(res.records).toEqual([]);
    expect(res.scanned).toBe(100);
    expect(res.nextCursor).not.toBeNull();
    let cursor = res.nextCursor;
    const found = [];
    while (cursor !== null) {
      const next = await a.listDlq(name, { jobName: 'rare', cursor });
      found.push(...next.records);
      cursor = next.nextCursor;
    }
    expect(found.map((r) => r.jobId)).toEqual(['job-0']);
  });

  it('shows one record in full and 404s a missing one', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{ data: { to: 'a@example.com' } }]);
    const a = admin(engine);
    const d = await a.dlqRecord(name, { partition: 0, offset: 0 });
    expect(d).toMatchObject({
      id: '0:0',
      jobId: 'job-0',
      jobName: 'email',
      key: 'key-0',
      keyEncoding: 'utf8',
      payload: { to: 'a@example.com' },
      payloadTruncated: false,
      reason: 'attempts-exhausted',
      errorName: 'TypeError',
      errorCode: 'E_BOOM',
      attempts: 3,
      state: 'pending',
      source: { topic: name, partition: 0, offset: 0, group: `sharq.${name}` },
    });
    expect(d.stack).toContain('TypeError: boom');
    expect(d.headers.tenant).toBe('acme');
    const small = admin(engine, { previewBytes: 64 });
    await queueWithDlq(engine, `${name}-big`, [{ data: { s: 'x'.repeat(500) } }]);
    const big = await small.dlqRecord(`${name}-big`, { partition: 0, offset: 0 });
    expect(big.payloadTruncated).toBe(true);
    expect(typeof big.payload).toBe('string');
    expect((big.payload as string).length).toBe(64);
    const missing = await a.dlqRecord(name, { partition: 0, offset: 9 }).catch((e: unknown) => e);
    expect(SharqError.is(missing, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
    const noQueue = await a.listDlq('nope').catch((e: unknown) => e);
    expect(SharqError.is(noQueue, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
  });

  it('refuses a bad cursor and bad query values with coded errors', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}]);
    const a = admin(engine);
    const bad = await a.listDlq(name, { cursor: 'garbage' }).catch((e: unknown) => e);
    expect(SharqError.is(bad, 'SHARQ_ERR_INVALID_ARGUMENT')).toBe(true);
    const limit = await a.listDlq(name, { limit: 0 }).catch((e: unknown) => e);
    expect(SharqError.is(limit, 'SHARQ_ERR_INVALID_OPTION')).toBe(true);
    const ascCursor = (await a.listDlq(name, { limit: 1, order: 'asc' })).nextCursor;
    expect(ascCursor).toBeNull();
  });

  it('discards: hidden from pending, listed as discarded, idempotent', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}, { reason: 'unrecoverable' }]);
    const a = admin(engine);
    const dry = await a.discard(name, {
      selection: { ids: [{ partition: 0, offset: 1 }] },
      dryRun: true,
    });
    expect(dry).toMatchObject({ discarded: 1, dryRun: true });
    expect((await a.listDlq(name)).records).toHaveLength(3);
    const res = await a.discard(name, { selection: { ids: [{ partition: 0, offset: 1 }] } });
    expect(res).toMatchObject({ matched: 1, discarded: 1, skipped: 0 });
    expect((await a.listDlq(name)).records.map((r) => r.id)).toEqual(['0:2', '0:0']);
    expect((await a.listDlq(name, { state: 'discarded' })).records.map((r) => r.id)).toEqual([
      '0:1',
    ]);
    expect((await a.listDlq(name, { state: 'all' })).records).toHaveLength(3);
    const again = await a.discard(name, { selection: { ids: [{ partition: 0, offset: 1 }] } });
    expect(again).toMatchObject({ discarded: 0, skipped: 1 });
    const byFilter = await a.discard(name, { selection: { filter: { reason: 'unrecoverable' } } });
    expect(byFilter.discarded).toBe(1);
    // Another process (a new admin) reads the same ledger.
    expect((await admin(engine).queue(name)).counts.deadLettered).toBe(1);
    const missing = await a
      .discard(name, { selection: { ids: [{ partition: 0, offset: 99 }] } })
      .catch((e: unknown) => e);
    expect(SharqError.is(missing, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
  });
});
