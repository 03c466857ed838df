import { cp, open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmbeddedEngine, journalFsync } from '../../../src/embedded/embedded-engine.js';
import { AckType, type AcquiredRecord } from '../../../src/engine/types.js';
import { EmbeddedEngineOptions } from '../../../src/options/engine-options.js';
import { tempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dataDir(): Promise<string> {
  const { dir, remove } = await tempDir('sharq-ack-fsync-');
  cleanups.push(remove);
  return dir;
}

function engineOn(dir: string, options: Record<string, unknown> = {}): EmbeddedEngine {
  const engine = new EmbeddedEngine({ dataDir: dir, ...options });
  cleanups.push(() => engine.close());
  return engine;
}

/** Ten jobs in topic `jobs`, group `g` reading from the start, all ten acquired. */
async function acquiredTen(engine: EmbeddedEngine) {
  await engine.admin.createTopic('jobs');
  await engine.admin.configureGroup('g', { autoOffsetReset: 'earliest' });
  await engine.produce(
    'jobs',
    Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`job-${i}`) })),
  );
  const consumer = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
  const records = await consumer.poll({ maxRecords: 10, maxWaitMs: 1000 });
  expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  return { consumer, records };
}

const accept = (records: readonly AcquiredRecord[]) =>
  records.map((record) => ({ record, type: AckType.Accept }));

/** Counts fdatasync calls on every file handle from now on. */
async function countDatasyncs(dir: string): Promise<{ calls: () => number }> {
  const probe = await open(path.join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  const spy = vi.spyOn(proto, 'datasync');
  return { calls: () => spy.mock.calls.length };
}

/**
 * A copy of the data directory as a killed process leaves it: what the OS holds now, without
 * the close that would seal the files, and without the dead owner's LOCK.
 */
async function copyAsIfKilled(dir: string): Promise<string> {
  const copy = await dataDir();
  await cp(dir, copy, { recursive: true, filter: (src) => path.basename(src) !== 'LOCK' });
  return copy;
}

async function startOffset(engine: EmbeddedEngine): Promise<number> {
  const d = await engine.admin.describeGroup('g');
  return d.partitions.find((p) => p.topic === 'jobs')!.startOffset;
}

describe('ackFsync options', () => {
  it('defaults to interval acks fsynced within 50 ms, and rejects values out of range', () => {
    const parsed = EmbeddedEngineOptions.parse({ type: 'embedded' });
    expect(parsed.fsync).toBe('always');
    expect(parsed.ackFsync).toBe('interval');
    expect(parsed.ackFsyncIntervalMs).toBe(50);
    for (const bad of [
      { ackFsyncIntervalMs: 0 },
      { ackFsyncIntervalMs: 1001 },
      { ackFsync: 'never' },
    ]) {
      expect(() => new EmbeddedEngine(bad as never)).toThrow(
        expect.objectContaining({ code: 'SHARQ_ERR_INVALID_OPTION' }) as unknown as Error,
      );
    }
  });

  it('relaxes only fsync "always" for the state journal; weaker policies follow fsync', () => {
    const cfg = (o: Record<string, unknown>) =>
      EmbeddedEngineOptions.parse({ type: 'embedded', ...o });
    expect(journalFsync(cfg({}))).toEqual({ fsync: 'interval', fsyncIntervalMs: 50 });
    expect(journalFsync(cfg({ ackFsyncIntervalMs: 200 }))).toEqual({
      fsync: 'interval',
      fsyncIntervalMs: 200,
    });
    expect(journalFsync(cfg({ ackFsync: 'always' })).fsync).toBe('always');
    expect(journalFsync(cfg({ fsync: 'never' })).fsync).toBe('never');
    expect(journalFsync(cfg({ fsync: 'interval', fsyncIntervalMs: 300 }))).toEqual({
      fsync: 'interval',
      fsyncIntervalMs: 300,
    });
  });
});

describe('ackFsync: "interval"', () => {
  it('keeps acknowledgements made before any fsync through a clean close', async () => {
    const dir = await dataDir();
    // The interval never comes round in this test: only close() syncs the journal.
    const engine = engineOn(dir, { ackFsyncIntervalMs: 1000 });
    const { consumer, records } = await acquiredTen(engine);
    const result = await consumer.acknowledge(accept(records.slice(0, 5)));
    expect(result.failed).toEqual([]);
    await engine.close();

    const again = engineOn(dir);
    expect(await startOffset(again)).toBe(5);
    const next = again.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    const rest = await next.poll({ maxRecords: 10, maxWaitMs: 1000 });
    // The unacknowledged five come back, their first delivery still counted.
    expect(rest.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [5, 2],
      [6, 2],
      [7, 2],
      [8, 2],
      [9, 2],
    ]);
  });

  it('has an acknowledgement written to the OS when it resolves: a killed process keeps it', async () => {
    const dir = await dataDir();
    const engine = engineOn(dir, { ackFsyncIntervalMs: 1000 });
    const { consumer, records } = await acquiredTen(engine);
    const syncs = await countDatasyncs(dir);
    await consumer.acknowledge(accept(records.slice(0, 3)));
    expect(syncs.calls()).toBe(0);
    const copy = await copyAsIfKilled(dir);
    expect(await startOffset(engineOn(copy))).toBe(3);
  });

  it('fsyncs acknowledgements on the interval; once it ran they stay acknowledged after a crash', async () => {
    const dir = await dataDir();
    const engine = engineOn(dir, { ackFsyncIntervalMs: 10 });
    const { consumer, records } = await acquiredTen(engine);
    const syncs = await countDatasyncs(dir);
    await consumer.acknowledge(accept(records.slice(0, 7)));
    const deadline = Date.now() + 5000;
    while (syncs.calls() === 0) {
      if (Date.now() > deadline) throw new Error('no interval fsync of the journal');
      await new Promise((r) => setTimeout(r, 5));
    }
    const copy = await copyAsIfKilled(dir);
    const reopened = engineOn(copy);
    expect(await startOffset(reopened)).toBe(7);
    const rest = await reopened
      .createShareConsumer({ groupId: 'g', topics: ['jobs'] })
      .poll({ maxRecords: 10, maxWaitMs: 1000 });
    expect(rest.map((r) => r.offset)).toEqual([7, 8, 9]);
  });

  it('still makes an offset reset durable before it resolves', async () => {
    const dir = await dataDir();
    const engine = engineOn(dir, { ackFsyncIntervalMs: 1000 });
    const { consumer } = await acquiredTen(engine);
    await consumer.close();
    const syncs = await countDatasyncs(dir);
    await engine.admin.resetGroupOffsets('g', 'jobs', 'latest');
    expect(syncs.calls()).toBeGreaterThan(0);
    expect(await startOffset(engine)).toBe(10);
  });
});

describe('ackFsync: "always"', () => {
  it('resolves an acknowledgement only after its fdatasync', async () => {
    const dir = await dataDir();
    const engine = engineOn(dir, { ackFsync: 'always' });
    const { consumer, records } = await acquiredTen(engine);
    const syncs = await countDatasyncs(dir);
    await consumer.acknowledge(accept(records.slice(0, 1)));
    expect(syncs.calls()).toBe(1);
  });
});
