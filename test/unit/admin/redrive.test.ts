import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDRIVE_HEADER } from '../../../src/admin/dlq-record.js';
import { DLQ_HEADER } from '../../../src/dlq/dead-letter.js';
import type { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import type { Engine, StoredRecord } from '../../../src/engine/types.js';
import { UnrecoverableError } from '../../../src/errors/control.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { dlqStateTopic } from '../../../src/queue/names.js';
import { systemClock, type TimerClock } from '../../../src/util/clock.js';
import { Worker } from '../../../workers/worker.js';
import { admin, embedded, queueName, queueWithDlq, steppingClock } from './fixtures.js';

let engine: EmbeddedEngine;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ engine, close } = await embedded());
});
afterEach(() => close());

/** The system clock whose timers fire at once. */
const instantTimers: TimerClock = {
  now: () => Date.now(),
  setTimer(fn: () => void) {
    queueMicrotask(fn);
    return () => undefined;
  },
};

/** The system clock, `ms` ahead: a process whose claims' owners look long gone. */
function later(ms: number): TimerClock {
  return { now: () => Date.now() + ms, setTimer: systemClock.setTimer };
}

async function queueRecords(e: Engine, topic: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  for (const o of await e.admin.offsets(topic))
    out.push(...(await e.read(topic, o.partition, o.logStartOffset, 10_000)));
  return out;
}

describe('redrive', () => {
  it('puts a record back with its key, value and business headers, fresh attempts and its origin', async () => {
    const name = queueName();
    const q = await queueWithDlq(engine, name, [{ headers: { 'x-trace': 't1' } }]);
    const a = admin(engine);
    const res = await a.redrive(name, { selection: { ids: [{ partition: 0, offset: 0 }] } });
    expect(res).toMatchObject({ matched: 1, redriven: 1, skipped: 0, refused: 0 });
    expect(res.items[0]).toMatchObject({ id: '0:0', outcome: 'redriven', target: { topic: name } });
    const [copy, ...more] = await queueRecords(engine, name);
    expect(more).toEqual([]);
    const [dead] = await engine.read(q.deadLetterTopic, 0, 0, 1);
    expect(copy!.key).toEqual(dead!.key);
    expect(copy!.value).toEqual(dead!.value);
    expect(copy!.headers).toMatchObject({
      tenant: 'acme',
      'x-trace': 't1',
      'sharq.id': 'job-0',
      'sharq.name': 'email',
      'sharq.attempts': '3',
      [REDRIVE_HEADER.from]: `${q.deadLetterTopic}/0/0`,
      [REDRIVE_HEADER.count]: '1',
    });
    for (const k of Object.keys(copy!.headers)) {
      expect(k.startsWith('__dlq.') || k.startsWith('sharq.error.')).toBe(false);
    }
    expect(copy!.headers['sharq.made']).toBeUndefined();
    expect(dead!.headers[DLQ_HEADER.reason]).toBe('attempts-exhausted');
    const detail = await a.dlqRecord(name, { partition: 0, offset: 0 });
    expect(detail.state).toBe('redriven');
    expect(detail.redrives).toHaveLength(1);
    expect((await a.queue(name)).counts.deadLettered).toBe(0);
  });

  it('is idempotent: the same DLQ record redriven twice is enqueued once', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}]);
    const a = admin(engine);
    const sel = { selection: { ids: [{ partition: 0, offset: 1 }] } };
    await a.redrive(name, sel);
    const again = await a.redrive(name, sel);
    expect(again).toMatchObject({ redriven: 0, skipped: 1 });
    expect(again.items[0]).toMatchObject({ outcome: 'skipped', why: 'already redriven' });
    // Another process with a fresh view of the ledger also skips it.
    const other = await admin(engine).redrive(name, { selection: { filter: {} } });
    expect(other).toMatchObject({ matched: 2, redriven: 1, skipped: 1 });
    expect(await queueRecords(engine, name)).toHaveLength(2);
  });

  it('holds across a crash between the produce and the ledger write', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}, {}]);
    // The engine accepts the queue's records, then fails the ledger's `redriven` write.
    let failRedriven = true;
    const crashing: Engine = Object.create(engine, {
      produce: {
        value: async (topic: string, records: Parameters<Engine['produce']>[1]) => {
          if (
            failRedriven &&
            topic === dlqStateTopic(name) &&
            records.some((r) => r.value?.toString().includes('"op":"redriven"'))
          ) {
            failRedriven = false;
            throw new SharqError('SHARQ_ERR_IO', 'disk gone');
          }
          return engine.produce(topic, records);
        },
      },
    });
    const crashingAdmin = admin(crashing);
    const crashed = await crashingAdmin
      .redrive(name, { selection: { filter: {} } })
      .catch((e: unknown) => e);
    expect(SharqError.is(crashed, 'SHARQ_ERR_IO')).toBe(true);
    expect(await queueRecords(engine, name)).toHaveLength(3);
    // Another process cannot tell a crashed redrive from a slow one: it leaves the claims alone.
    const meanwhile = await admin(engine).redrive(name, { selection: { filter: {} } });
    expect(meanwhile).toMatchObject({ matched: 3, redriven: 0, skipped: 3 });
    expect(meanwhile.items.every((i) => i.why === 'being redriven by another redrive')).toBe(true);
    // Past the claim timeout, a fresh process takes over: the copies are found, none produced again.
    const res = await admin(engine, { clock: later(61_000) }).redrive(name, {
      selection: { filter: {} },
    });
    expect(res).toMatchObject({ matched: 3, redriven: 3, skipped: 0 });
    const copies = await queueRecords(engine, name);
    expect(copies).toHaveLength(3);
    expect(res.items.map((i) => i.target?.offset).sort()).toEqual(
      copies.map((c) => c.offset).sort(),
    );
    expect(await admin(engine).redrive(name, { selection: { filter: {} } })).toMatchObject({
      redriven: 0,
      skipped: 3,
    });
    expect(await crashingAdmin.redrive(name, { selection: { filter: {} } })).toMatchObject({
      redriven: 0,
      skipped: 3,
    });
  });

  it('the same SharqAdmin takes over its own failed claims at once; a claim with no copy is enqueued once', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}]);
    // The ledger takes the intents, then the queue's produce fails: claims without copies.
    let failQueue = true;
    const flaky: Engine = Object.create(engine, {
      produce: {
        value: async (topic: string, records: Parameters<Engine['produce']>[1]) => {
          if (failQueue && topic === name) {
            failQueue = false;
            throw new SharqError('SHARQ_ERR_CONNECTION', 'broker gone');
          }
          return engine.produce(topic, records);
        },
      },
    });
    const a = admin(flaky);
    await expect(a.redrive(name, { selection: { filter: {} } })).rejects.toMatchObject({
      code: 'SHARQ_ERR_CONNECTION',
    });
    expect(await queueRecords(engine, name)).toHaveLength(0);
    expect(await admin(engine).redrive(name, { selection: { filter: {} } })).toMatchObject({
      redriven: 0,
      skipped: 2,
    });
    // Its own redrive is not running any more: no need to wait out the timeout.
    expect(await a.redrive(name, { selection: { filter: {} } })).toMatchObject({
      redriven: 2,
      skipped: 0,
    });
    expect(await queueRecords(engine, name)).toHaveLength(2);
  });

  it('stops without enqueueing when its claims grew old before the produce, and finishes on the next redrive', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}]);
    // The ledger write of the intents takes 31 s by this process's clock (timeout 60 s).
    let skew = 0;
    const clock: TimerClock = { now: () => Date.now() + skew, setTimer: systemClock.setTimer };
    const slowLedger: Engine = Object.create(engine, {
      produce: {
        value: async (topic: string, records: Parameters<Engine['produce']>[1]) => {
          const out = await engine.produce(topic, records);
          if (skew === 0 && records.some((r) => r.value?.toString().includes('"op":"intent"')))
            skew = 31_000;
          return out;
        },
      },
    });
    const a = admin(slowLedger, { clock });
    const err = await a.redrive(name, { selection: { filter: {} } }).catch((e: unknown) => e);
    expect(SharqError.is(err, 'SHARQ_ERR_REDRIVE_CLAIM_EXPIRED')).toBe(true);
    expect((err as SharqError).details).toMatchObject({ queue: name, ids: ['0:0', '0:1'] });
    expect(await queueRecords(engine, name)).toHaveLength(0);
    expect(await a.redrive(name, { selection: { filter: {} } })).toMatchObject({ redriven: 2 });
    expect(await queueRecords(engine, name)).toHaveLength(2);
  });

  it('dry-runs without writing, and redrives what a filter matches up to a limit', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [
      { reason: 'unrecoverable' },
      { reason: 'attempts-exhausted' },
      { reason: 'unrecoverable' },
      { reason: 'unrecoverable' },
    ]);
    const a = admin(engine);
    const dry = await a.redrive(name, {
      selection: { filter: { reason: 'unrecoverable' } },
      dryRun: true,
    });
    expect(dry).toMatchObject({ dryRun: true, matched: 3, redriven: 3 });
    expect(dry.items.every((i) => i.outcome === 'would-redrive')).toBe(true);
    expect(await queueRecords(engine, name)).toHaveLength(0);
    const two = await a.redrive(name, {
      selection: { filter: { reason: 'unrecoverable' } },
      limit: 2,
    });
    expect(two.redriven).toBe(2);
    expect(two.items.map((i) => i.id)).toEqual(['0:0', '0:2']);
    expect((await a.listDlq(name)).records.map((r) => r.id)).toEqual(['0:3', '0:1']);
  });

  it('refuses past the redrive ceiling', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [
      { headers: { [REDRIVE_HEADER.count]: '2' } },
      { headers: { [REDRIVE_HEADER.count]: '1' } },
    ]);
    const a = admin(engine, { maxRedrives: 2 });
    const one = await a
      .redrive(name, { selection: { ids: [{ partition: 0, offset: 0 }] } })
      .catch((e: unknown) => e);
    expect(SharqError.is(one, 'SHARQ_ERR_REDRIVE_LIMIT')).toBe(true);
    const all = await a.redrive(name, { selection: { filter: {} } });
    expect(all).toMatchObject({ matched: 2, redriven: 1, refused: 1 });
    const [copy] = await queueRecords(engine, name);
    expect(copy!.headers[REDRIVE_HEADER.count]).toBe('2');
    const missing = await a
      .redrive(name, { selection: { ids: [{ partition: 0, offset: 7 }] } })
      .catch((e: unknown) => e);
    expect(SharqError.is(missing, 'SHARQ_ERR_NOT_FOUND')).toBe(true);
  });

  it('caps records per second (on an injected clock)', async () => {
    const name = queueName();
    await queueWithDlq(
      engine,
      name,
      Array.from({ length: 50 }, () => ({})),
    );
    const clock = steppingClock();
    const a = admin(engine, { clock, redriveRatePerSec: 1000 });
    const progress: number[] = [];
    const res = await a.redrive(
      name,
      { selection: { filter: {} }, ratePerSec: 10 },
      { onProgress: (done) => progress.push(done) },
    );
    expect(res.redriven).toBe(50);
    // 50 records at 10/s: batches of 10, each waits its share of a second.
    expect(clock.slept).toBeGreaterThanOrEqual(4900);
    expect(clock.slept).toBeLessThanOrEqual(5000);
    expect(progress.at(-1)).toBe(50);
  });

  it('skips discarded records; a redriven job that fails again comes back with count 1 and runs', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}]);
    const a = admin(engine);
    await a.discard(name, { selection: { ids: [{ partition: 0, offset: 0 }] } });
    const res = await a.redrive(name, { selection: { filter: {} } });
    expect(res).toMatchObject({ redriven: 1, skipped: 1 });
    // A real worker runs the redriven job with fresh attempts.
    const ran: { id: string; attempt: number }[] = [];
    const w = new Worker(
      name,
      async (job) => {
        ran.push({ id: job.id, attempt: job.attempt });
      },
      { engine, pollMaxWaitMs: 50 },
    );
    try {
      const end = Date.now() + 10_000;
      while (ran.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await w.close();
    }
    expect(ran).toEqual([{ id: 'job-1', attempt: 1 }]);
  });

  it('a job dead-lettered by a worker is redriven and completes', async () => {
    const name = queueName();
    const { Queue } = await import('../../../src/queue/queue.js');
    const q = new Queue(name, { engine });
    await q.add('pay', { amount: 5 }, { jobId: 'pay-1', key: 'cust-9', headers: { tenant: 't' } });
    let fail = true;
    const done: string[] = [];
    const w = new Worker(
      name,
      async (job) => {
        if (fail) throw new UnrecoverableError('card declined');
        done.push(`${job.id}:${job.headers.tenant}:${JSON.stringify(job.data)}`);
      },
      { engine, pollMaxWaitMs: 50 },
    );
    try {
      const a = admin(engine);
      const until = async (cond: () => Promise<boolean> | boolean) => {
        const end = Date.now() + 10_000;
        while (!(await cond())) {
          if (Date.now() > end) throw new Error('timed out');
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await until(async () => (await a.listDlq(name)).records.length === 1);
      const [entry] = (await a.listDlq(name)).records;
      expect(entry).toMatchObject({
        jobId: 'pay-1',
        reason: 'unrecoverable',
        errorCode: 'SHARQ_ERR_UNRECOVERABLE',
      });
      fail = false;
      await a.redrive(name, {
        selection: { ids: [{ partition: entry!.partition, offset: entry!.offset }] },
      });
      await until(() => done.length === 1);
      expect(done).toEqual(['pay-1:t:{"amount":5}']);
    } finally {
      await w.close();
      await q.close();
    }
  });
});

describe('redrive in steps', () => {
  it('goes on from nextCursor after a limit, each record once', async () => {
    const name = queueName();
    await queueWithDlq(
      engine,
      name,
      Array.from({ length: 25 }, () => ({})),
    );
    const a = admin(engine);
    let cursor: string | undefined;
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const res = await a.redrive(name, {
        selection: { filter: {}, ...(cursor ? { cursor } : {}) },
        limit: 10,
      });
      total += res.redriven;
      if (res.nextCursor === null) break;
      cursor = res.nextCursor;
    }
    expect(total).toBe(25);
    expect(await queueRecords(engine, name)).toHaveLength(25);
  });
});

describe('concurrent redrives (several SharqAdmins: processes, as the ledger sees them)', () => {
  /** DLQ id → copies in the queue, by `sharq.redrive.from`. */
  async function copiesByOrigin(name: string, dlqTopic: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const c of await queueRecords(engine, name)) {
      const from = c.headers[REDRIVE_HEADER.from] ?? '';
      const id = from.slice(dlqTopic.length + 1).replace('/', ':');
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  it('enqueues each DLQ record exactly once however many redrive it at the same moment', async () => {
    for (let round = 0; round < 8; round++) {
      const name = queueName();
      const n = 12;
      const q = await queueWithDlq(
        engine,
        name,
        Array.from({ length: n }, (_, i) => ({ partition: i % 2 })),
        { partitions: 2 },
      );
      const dlq = await engine.admin.offsets(q.deadLetterTopic);
      const ids = dlq.flatMap((o) =>
        Array.from({ length: o.logEndOffset }, (_, offset) => ({ partition: o.partition, offset })),
      );
      expect(ids).toHaveLength(n);
      // The third caps its rate, in batches of 1-4 records; its waits cost no time.
      const admins = [admin(engine), admin(engine), admin(engine, { clock: instantTimers })];
      // Different selections and batch sizes, so the redrives interleave differently each round.
      const results = await Promise.all([
        admins[0]!.redrive(name, { selection: { filter: {} } }),
        admins[1]!.redrive(name, { selection: { ids: [...ids].reverse() } }),
        admins[2]!.redrive(name, { selection: { ids }, ratePerSec: 1 + (round % 4) }),
        admins[0]!.redrive(name, { selection: { ids: ids.slice(round % n) } }),
      ]);
      const copies = await copiesByOrigin(name, q.deadLetterTopic);
      expect([...copies.keys()].sort()).toEqual(
        ids.map((p) => `${p.partition}:${p.offset}`).sort(),
      );
      expect([...copies.values()].every((c) => c === 1)).toBe(true);
      // Each record reported redriven by exactly one of them; the others skipped it.
      expect(results.reduce((s, r) => s + r.redriven, 0)).toBe(n);
      for (const r of results) expect(r.redriven + r.skipped).toBe(r.matched);
      const after = await admin(engine).listDlq(name, { state: 'redriven', limit: 100 });
      expect(after.records).toHaveLength(n);
      await q.close();
    }
  }, 60_000);

  it('a record raced by a discard and a redrive is either discarded or enqueued once, never both', async () => {
    for (let round = 0; round < 6; round++) {
      const name = queueName();
      const n = 10;
      const q = await queueWithDlq(
        engine,
        name,
        Array.from({ length: n }, () => ({})),
      );
      const ids = Array.from({ length: n }, (_, offset) => ({ partition: 0, offset }));
      const [redriven, discarded] = await Promise.all([
        admin(engine).redrive(name, { selection: { ids: round % 2 ? [...ids].reverse() : ids } }),
        admin(engine).discard(name, { selection: { ids } }),
      ]);
      const copies = await copiesByOrigin(name, q.deadLetterTopic);
      const a = admin(engine);
      const gone = new Set(
        (await a.listDlq(name, { state: 'discarded', limit: 100 })).records.map((r) => r.id),
      );
      const back = new Set(
        (await a.listDlq(name, { state: 'redriven', limit: 100 })).records.map((r) => r.id),
      );
      for (const { offset } of ids) {
        const id = `0:${offset}`;
        expect(gone.has(id) !== back.has(id)).toBe(true);
        expect(copies.get(id) ?? 0).toBe(back.has(id) ? 1 : 0);
      }
      expect(redriven.redriven).toBe(back.size);
      expect(discarded.discarded).toBe(gone.size);
      expect(redriven.redriven + discarded.discarded).toBe(n);
      await q.close();
    }
  }, 60_000);
});
