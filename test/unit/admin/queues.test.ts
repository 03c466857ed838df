import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { Queue } from '../../../src/queue/queue.js';
import { Worker } from '../../../workers/worker.js';
import { admin, embedded, queueName, queueWithDlq, steppingClock } from './fixtures.js';

let engine: EmbeddedEngine;
let close: () => Promise<void>;
const open: { close(): Promise<void> }[] = [];
beforeEach(async () => {
  ({ engine, close } = await embedded());
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  await close();
});

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('queues', () => {
  it('reading a queue, its pause state and its DLQ creates no topic; a pause makes its own', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{ jobId: 'dead-1' }]);
    const names = async () => (await engine.admin.listTopics()).map((t) => t.name).sort();
    const before = await names();
    const a = admin(engine);
    expect((await a.queue(name)).name).toBe(name);
    expect((await a.pauseState(name)).paused).toBe(false);
    expect((await a.listDlq(name)).records).toHaveLength(1);
    expect((await a.discard(name, { selection: { filter: {} }, dryRun: true })).matched).toBe(1);
    expect(await names()).toEqual(before);
    // A change makes what it writes to, and reads it back at once.
    expect((await a.pause(name)).paused).toBe(true);
    expect((await a.pauseState(name)).paused).toBe(true);
    expect(await names()).toContain(`sharq.control.${name}`);
    expect((await a.discard(name, { selection: { filter: {} } })).discarded).toBe(1);
    expect(await names()).toContain(`sharq.dlq-state.${name}`);
    expect((await a.listDlq(name, { state: 'all' })).records.map((r) => r.state)).toEqual([
      'discarded',
    ]);
  });

  it('lists queues, not their DLQ, delay tiers or control topics', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    open.push(q);
    await q.add('a', {});
    await q.add('later', {}, { delay: 60_000 });
    await admin(engine).pause(name);
    const queues = await admin(engine).listQueues();
    expect(queues.map((x) => x.name)).toEqual([name]);
    expect(queues[0]).toMatchObject({
      name,
      partitions: 1,
      group: `sharq.${name}`,
      deadLetterTopic: `dlq.${name}`,
      paused: true,
      members: 0,
      counts: { lag: 1, available: 1, inFlight: 0, delayed: 1, deadLettered: 0 },
    });
  });

  it('details a queue: partitions, members, counts, oldest pending age, delayed, retrying, throughput', async () => {
    const name = queueName();
    const clock = steppingClock(Date.now());
    const q = new Queue(name, { engine, partitions: 2 });
    open.push(q);
    await q.addBulk(
      Array.from({ length: 6 }, (_, i) => ({ name: 'j', data: { i }, opts: { partition: i % 2 } })),
    );
    await q.add('d', {}, { delay: 120_000 });
    await queueWithDlq(engine, `${name}`, [{}, {}]);
    const a = admin(engine, { clock });
    const first = await a.queue(name);
    expect(first.partitionDetail).toHaveLength(2);
    expect(first.counts).toMatchObject({
      lag: 6,
      available: 6,
      inFlight: 0,
      delayed: 1,
      deadLettered: 2,
      retrying: 0,
    });
    expect(first.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    expect(first.delayTiers.find((t) => t.waiting === 1)?.topic).toBe(`delay.${name}.2m`);
    expect(first.throughput.windowMs).toBeNull();
    // A worker holding one job: a member and one in flight.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const w = new Worker(name, () => held, { engine, concurrency: 1, pollMaxWaitMs: 50 });
    open.push(w);
    await until(async () => (await a.queue(name)).counts.inFlight === 1);
    await q.addBulk([
      { name: 'j', data: {} },
      { name: 'j', data: {} },
    ]);
    clock.setTimer(() => undefined, 10_000);
    const second = await a.queue(name);
    expect(second.members).toBe(1);
    expect(second.groupMembers).toHaveLength(1);
    expect(second.counts).toMatchObject({ lag: 8, inFlight: 1 });
    // 2 jobs added over the 10 s since the first look.
    expect(second.throughput.enqueuedPerSec).toBeCloseTo(0.2, 5);
    expect(second.throughput.windowMs).toBe(10_000);
    release();
    const missing = await a.queue('nope').catch((e: unknown) => e);
    expect(SharqError.is(missing, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
    const bad = await a.queue('../x').catch((e: unknown) => e);
    expect(SharqError.is(bad, 'SHARQ_ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it('the DLQ, a delay tier or the control topic of a queue is not a queue: 404 saying what it is, and nothing made', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{ jobId: 'dead-1' }]);
    const names = async () => (await engine.admin.listTopics()).map((t) => t.name).sort();
    const before = await names();
    const a = admin(engine);
    for (const [topic, what] of [
      [`dlq.${name}`, `the dead-letter topic of queue "${name}"`],
      [`delay.${name}.30s`, `the 30s delay tier of queue "${name}"`],
      [`sharq.control.${name}`, `the pause control topic of queue "${name}"`],
    ] as const) {
      for (const read of [
        () => a.queue(topic),
        () => a.pauseState(topic),
        () => a.listDlq(topic),
      ]) {
        const err = await read().catch((e: unknown) => e);
        expect(SharqError.is(err, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
        expect((err as SharqError).message).toBe(`No queue "${topic}": that is ${what}`);
      }
    }
    expect(await names()).toEqual(before);
  });

  it('counts a retry waiting in a delay tier as retrying', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    open.push(q);
    await q.add('flaky', {}, { attempts: 3, backoff: 60_000 });
    const w = new Worker(
      name,
      () => {
        throw new Error('later');
      },
      { engine, pollMaxWaitMs: 50 },
    );
    open.push(w);
    const a = admin(engine);
    await until(async () => (await a.queue(name)).counts.retrying === 1);
    const d = await a.queue(name);
    expect(d.counts).toMatchObject({ delayed: 1, retrying: 1, lag: 0 });
  });

  it('pauses and resumes the fleet: workers stop acquiring and say so', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    open.push(q);
    const ran: string[] = [];
    const events: string[] = [];
    const w = new Worker(
      name,
      async (job) => {
        ran.push(job.name);
      },
      { engine, pollMaxWaitMs: 50 },
    );
    open.push(w);
    w.on('paused', (i) => events.push(`paused:${i.reason}`));
    w.on('resumed', () => events.push('resumed'));
    await w.waitUntilReady();
    const a = admin(engine);
    const state = await a.pause(name, 'deploy', 'test');
    expect(state).toMatchObject({ queue: name, paused: true, reason: 'deploy', by: 'test' });
    await until(() => events.includes('paused:deploy'));
    // A poll already waiting when the pause lands may still take a job: let it end (50 ms).
    await new Promise((r) => setTimeout(r, 200));
    await q.add('while-paused', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(ran).toEqual([]);
    expect((await a.queue(name)).counts.available).toBe(1);
    const resumed = await a.resume(name, 'test');
    expect(resumed.paused).toBe(false);
    await until(() => ran.length === 1);
    expect(events).toEqual(['paused:deploy', 'resumed']);
    // A worker that starts on a paused queue acquires nothing.
    await a.pause(name);
    const late: string[] = [];
    const w2 = new Worker(
      name,
      async (job) => {
        late.push(job.name);
      },
      { engine, pollMaxWaitMs: 50 },
    );
    open.push(w2);
    await w.close();
    await w2.waitUntilReady();
    await q.add('second', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(late).toEqual([]);
    await a.resume(name);
    await until(() => late.length === 1);
  });

  it('resets offsets: refused with members, then earliest, latest, by timestamp, dry run', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    open.push(q);
    const a = admin(engine);
    let n = 0;
    const w = new Worker(
      name,
      async () => {
        n++;
      },
      { engine, pollMaxWaitMs: 50 },
    );
    await q.addBulk(Array.from({ length: 4 }, () => ({ name: 'j', data: {} })));
    await until(() => n === 4);
    const refused = await a.resetOffsets(name, { to: 'earliest' }).catch((e: unknown) => e);
    expect(SharqError.is(refused, 'SHARQ_ERR_GROUP_ACTIVE')).toBe(true);
    await w.close();
    const dry = await a.resetOffsets(name, { to: 'earliest', dryRun: true });
    expect(dry.partitions).toEqual([{ partition: 0, before: 4, after: 0 }]);
    expect((await a.queue(name)).counts.lag).toBe(0);
    const res = await a.resetOffsets(name, { to: 'earliest' });
    expect(res.partitions).toEqual([{ partition: 0, before: 4, after: 0 }]);
    expect((await a.queue(name)).counts.lag).toBe(4);
    expect((await a.resetOffsets(name, { to: 'latest' })).partitions[0]?.after).toBe(4);
    const [third] = await engine.read(name, 0, 2, 1);
    const byTime = await a.resetOffsets(name, {
      to: { timestamp: third!.timestamp },
      dryRun: true,
    });
    expect(byTime.partitions[0]!.after).toBeLessThanOrEqual(2);
    const bad = await a.resetOffsets(name, { to: 'middle' as never }).catch((e: unknown) => e);
    expect(SharqError.is(bad, 'SHARQ_ERR_INVALID_OPTION')).toBe(true);
  });

  it('enqueues a job as Queue.add does', async () => {
    const name = queueName();
    const a = admin(engine);
    const added = await a.enqueue(name, {
      name: 'hello',
      data: { to: 'x' },
      opts: { jobId: 'h1' },
    });
    expect(added).toMatchObject({ id: 'h1', name: 'hello', queue: name, offset: 0 });
    const [r] = await engine.read(name, 0, 0, 1);
    expect(JSON.parse(r!.value!.toString())).toEqual({ to: 'x' });
    const bad = await a.enqueue(name, { data: 1 }).catch((e: unknown) => e);
    expect(SharqError.is(bad, 'SHARQ_ERR_INVALID_OPTION')).toBe(true);
  });
});
