import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DLQ_HEADER } from '../../../src/dlq/dead-letter.js';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import type { StoredRecord } from '../../../src/engine/types.js';
import { UnrecoverableError } from '../../../src/errors/control.js';
import { Queue } from '../../../src/queue/queue.js';
import type { Job } from '../../../workers/job.js';
import { Worker, type WorkerOptionsInput } from '../../../workers/worker.js';
import { tempDir } from '../../helpers/temp-dir.js';

let engine: EmbeddedEngine;
let remove: () => Promise<void>;
const open: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  const t = await tempDir();
  remove = t.remove;
  engine = new EmbeddedEngine({ dataDir: t.dir });
  await engine.start();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
  await engine.close();
  await remove();
});

let seq = 0;
function queue<D>(opts: { schema?: z.ZodType } = {}): Queue<D> {
  const q = new Queue<D>(`q${++seq}`, { engine, ...opts });
  open.push(q);
  return q;
}
function worker<D, R>(
  q: Queue<D>,
  handler: (job: Job<D>, signal: AbortSignal) => Promise<R> | R,
  opts: WorkerOptionsInput = {},
): Worker<D, R> {
  const w = new Worker<D, R>(q.name, handler, { engine, pollMaxWaitMs: 50, ...opts });
  open.push(w);
  return w;
}
async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
async function dlqRecords(q: Queue<unknown>): Promise<StoredRecord[]> {
  const [o] = await engine.admin.offsets(q.deadLetterTopic);
  return o!.logEndOffset === 0 ? [] : engine.read(q.deadLetterTopic, 0, 0, 1000);
}

describe('Queue', () => {
  it('adds jobs durably and reports their ids and positions', async () => {
    const q = queue<{ n: number }>();
    const one = await q.add('a', { n: 1 }, { jobId: 'job-1' });
    expect(one).toMatchObject({ id: 'job-1', name: 'a', queue: q.name, partition: 0, offset: 0 });
    const bulk = await q.addBulk([
      { name: 'b', data: { n: 2 } },
      { name: 'c', data: { n: 3 }, opts: { headers: { trace: 'x' } } },
    ]);
    expect(bulk.map((j) => j.offset)).toEqual([1, 2]);
    const [rec] = await engine.read(q.name, 0, 2, 1);
    expect(rec!.headers.trace).toBe('x');
  });

  it('refuses bad input with coded errors', async () => {
    const q = queue<{ to: string }>({ schema: z.object({ to: z.string().email() }) });
    await expect(q.add('m', { to: 'not-an-email' })).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_PAYLOAD',
    });
    await expect(q.addBulk([])).rejects.toMatchObject({ code: 'SHARQ_ERR_INVALID_ARGUMENT' });
    await expect(q.add('', { to: 'a@b.co' })).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_ARGUMENT',
      message: 'A job needs a non-empty string name, got ""',
    });
    await expect(
      q.addBulk([
        { name: 'm', data: { to: 'a@b.co' } },
        { name: 7 as unknown as string, data: { to: 'a@b.co' } },
      ]),
    ).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_ARGUMENT',
      message: 'Job 1 of the 2 in addBulk needs a non-empty string name, got 7',
      details: { index: 1 },
    });
    await expect(
      q.add('m', { to: 'a@b.co' }, { headers: { 'sharq.id': 'x' } }),
    ).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
    });
    await q.close();
    await expect(q.add('m', { to: 'a@b.co' })).rejects.toMatchObject({ code: 'SHARQ_ERR_CLOSED' });
  });
});

describe('Worker', () => {
  it('processes every job once and acknowledges it', async () => {
    const q = queue<{ n: number }>();
    await q.addBulk(Array.from({ length: 200 }, (_, n) => ({ name: 'j', data: { n } })));
    const seen: number[] = [];
    const w = worker(
      q,
      (job) => {
        seen.push(job.data.n);
        return job.data.n * 2;
      },
      { concurrency: 8 },
    );
    const results: number[] = [];
    w.on('completed', (_job, r) => results.push(r));
    await until(() => results.length === 200);
    expect(new Set(seen).size).toBe(200);
    expect(seen.length).toBe(200);
    const d = await engine.admin.describeGroup(w.group);
    expect(d.partitions[0]!.startOffset).toBe(200);
  });

  it('never runs more than `concurrency` handlers at once', async () => {
    const q = queue<number>();
    await q.addBulk(Array.from({ length: 30 }, (_, n) => ({ name: 'j', data: n })));
    let running = 0;
    let peak = 0;
    let done = 0;
    worker(
      q,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        done++;
      },
      { concurrency: 3 },
    );
    await until(() => done === 30);
    expect(peak).toBe(3);
  });

  it('retries a failing job until its last attempt, then dead-letters it with the error', async () => {
    const q = queue<string>();
    await q.add('flaky', 'payload', { key: 'k1', headers: { trace: 't-1' } });
    const attempts: number[] = [];
    const w = worker(
      q,
      (job) => {
        attempts.push(job.deliveryCount);
        throw new Error(`attempt ${job.deliveryCount} failed`);
      },
      { attempts: 3 },
    );
    const outcomes: string[] = [];
    w.on('failed', (_j, _e, outcome) => outcomes.push(outcome));
    await until(async () => (await dlqRecords(q)).length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    await until(() => outcomes.length === 3);
    expect(outcomes).toEqual(['retry', 'retry', 'dead-letter']);
    const [dead] = await dlqRecords(q);
    expect(dead!.key?.toString()).toBe('k1');
    expect(JSON.parse(dead!.value!.toString())).toBe('payload');
    expect(dead!.headers).toMatchObject({
      trace: 't-1',
      [DLQ_HEADER.topic]: q.name,
      [DLQ_HEADER.offset]: '0',
      [DLQ_HEADER.group]: w.group,
      [DLQ_HEADER.deliveryCount]: '3',
      [DLQ_HEADER.message]: 'attempt 3 failed',
      [DLQ_HEADER.reason]: 'attempts-exhausted',
      [DLQ_HEADER.errorName]: 'Error',
    });
    const d = await engine.admin.describeGroup(w.group);
    expect(d.partitions[0]!.lag).toBe(0);
  });

  it('dead-letters at once on UnrecoverableError', async () => {
    const q = queue<number>();
    await q.add('bad', 1);
    let calls = 0;
    worker(
      q,
      () => {
        calls++;
        throw new UnrecoverableError('cannot ever work');
      },
      { attempts: 5 },
    );
    await until(async () => (await dlqRecords(q)).length === 1);
    const [dead] = await dlqRecords(q);
    expect(calls).toBe(1);
    expect(dead!.headers[DLQ_HEADER.reason]).toBe('unrecoverable');
    expect(dead!.headers[DLQ_HEADER.deliveryCount]).toBe('1');
  });

  it('sends poison records (not JSON, or failing the schema) to the DLQ without running the handler', async () => {
    const q = queue<{ n: number }>();
    await q.ensureTopic();
    await engine.produce(q.name, [{ value: Buffer.from('{not json') }]);
    await q.add('wrong-shape', { n: 'x' } as never);
    await q.add('ok', { n: 1 });
    const handled: unknown[] = [];
    worker(
      q,
      (job) => {
        handled.push(job.data);
      },
      { schema: z.object({ n: z.number() }) },
    );
    await until(async () => (await dlqRecords(q)).length === 2 && handled.length === 1);
    const dead = await dlqRecords(q);
    expect(dead.map((d) => d.headers[DLQ_HEADER.reason])).toEqual([
      'invalid-payload',
      'invalid-payload',
    ]);
    expect(dead.map((d) => d.headers[DLQ_HEADER.errorCode])).toEqual([
      'SHARQ_ERR_INVALID_PAYLOAD',
      'SHARQ_ERR_INVALID_PAYLOAD',
    ]);
    expect(handled).toEqual([{ n: 1 }]);
  });

  it('renews the lock of a long job so no other worker gets it', async () => {
    const q = queue<number>();
    await q.add('long', 1);
    const deliveries: string[] = [];
    const slow = async (job: Job<number>) => {
      deliveries.push(`${job.deliveryCount}`);
      await new Promise((r) => setTimeout(r, 3500));
    };
    const a = worker(q, slow, { lockDurationMs: 1000 });
    const b = worker(q, slow, { lockDurationMs: 1000 });
    let completed = 0;
    a.on('completed', () => completed++);
    b.on('completed', () => completed++);
    await until(() => completed === 1, 15_000);
    expect(deliveries).toEqual(['1']);
  });

  it('close() waits for running jobs, and aborts and releases them at the deadline', async () => {
    const q = queue<number>();
    await q.addBulk([
      { name: 'fast', data: 1 },
      { name: 'stuck', data: 2 },
    ]);
    let finished = 0;
    let aborted = 0;
    const w = worker(
      q,
      async (job, signal) => {
        if (job.name === 'fast') {
          await new Promise((r) => setTimeout(r, 100));
          finished++;
          return;
        }
        await new Promise((_r, reject) =>
          signal.addEventListener('abort', () => {
            aborted++;
            reject(signal.reason);
          }),
        );
      },
      { concurrency: 2, shutdownTimeoutMs: 300 },
    );
    await until(() => w.activeCount === 2);
    await w.close();
    expect(finished).toBe(1);
    expect(aborted).toBe(1);
    // The aborted job went back to the queue: another worker gets it on its second delivery.
    const got: number[] = [];
    worker(q, (job) => {
      got.push(job.deliveryCount);
    });
    await until(() => got.length === 1);
    expect(got).toEqual([2]);
  });

  it('reports a setup failure that cannot pass on error and rejects waitUntilReady with its code', async () => {
    // The test's engine owns its directory; a worker with its own engine on it cannot start.
    const w = new Worker('q-locked', () => undefined, {
      engine: { type: 'embedded', dataDir: engine.dataDir },
    });
    open.push(w);
    const errors: string[] = [];
    w.on('error', (e) => errors.push((e as { code?: string }).code ?? e.message));
    await expect(w.waitUntilReady()).rejects.toMatchObject({ code: 'SHARQ_ERR_DATA_DIR_LOCKED' });
    expect(errors[0]).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
  });

  it('elastic concurrency rises on a slow-I/O workload', async () => {
    const q = queue<number>();
    await q.addBulk(Array.from({ length: 3000 }, (_, n) => ({ name: 'io', data: n })));
    let peak = 0;
    const w = worker(
      q,
      async () => {
        // Slow I/O: the latency does not grow with the jobs in flight.
        await new Promise((r) => setTimeout(r, 20));
      },
      { elastic: { min: 1, max: 48, windowMs: 150, minSamples: 3 } },
    );
    await until(() => {
      peak = Math.max(peak, w.concurrency);
      return peak >= 12;
    }, 15_000);
    expect(peak).toBeGreaterThanOrEqual(12);
    // Real timers: on a loaded machine the pool needs more windows than the default 5 s allow.
  }, 20_000);

  it('elastic concurrency comes down when latency climbs with the jobs in flight', async () => {
    const q = queue<number>();
    await q.addBulk(Array.from({ length: 3000 }, (_, n) => ({ name: 'cpu', data: n })));
    let inFlight = 0;
    const w = worker(
      q,
      async () => {
        // A contended resource: every job in flight slows every other one.
        inFlight++;
        await new Promise((r) => setTimeout(r, 4 * inFlight));
        inFlight--;
      },
      { elastic: { min: 1, max: 64, initial: 64, windowMs: 150, minSamples: 3 } },
    );
    await until(() => w.concurrency <= 32, 15_000);
    expect(w.concurrency).toBeLessThan(64);
  }, 20_000);

  /** The test engine, with writes to topics matching `match` failing or slowed. */
  function interceptProduce(
    match: (topic: string) => boolean,
    how: { failUntil?: number; delayMs?: number },
  ): void {
    const produce = engine.produce.bind(engine);
    engine.produce = async (topic, records) => {
      if (match(topic)) {
        if (how.delayMs !== undefined) await new Promise((r) => setTimeout(r, how.delayMs));
        if (how.failUntil !== undefined && Date.now() < how.failUntil)
          throw new Error(`${topic} is down`);
      }
      return produce(topic, records);
    };
  }

  it('a failed tier write leaves the lock to lapse: a short outage does not burn deliveries', async () => {
    const q = queue<number>();
    await q.add('j', 1, { attempts: 3, backoff: 30_000 });
    interceptProduce((t) => t.startsWith('delay.'), { failUntil: Date.now() + 1500 });
    const runs: number[] = [];
    const errors: string[] = [];
    const w = worker(
      q,
      (job) => {
        runs.push(job.deliveryCount);
        throw new Error('fails');
      },
      { lockDurationMs: 1000 },
    );
    w.on('error', (e) => errors.push((e as { code?: string }).code ?? e.message));
    await until(() => errors.length >= 1);
    // The write failed once; the record waits out its lock (1 s) instead of coming straight back.
    await new Promise((r) => setTimeout(r, 600));
    expect(errors.filter((c) => c === 'SHARQ_ERR_IO')).toHaveLength(1);
    const [dead] = await dlqRecords(q);
    expect(dead).toBeUndefined();
    expect(runs).toEqual([1]);
  });

  it('close() past its deadline lets a verdict already being written finish instead of releasing the job', async () => {
    const q = queue<number>();
    await q.add('j', 1, { attempts: 2, backoff: 60_000 });
    interceptProduce((t) => t.startsWith('delay.'), { delayMs: 600 });
    let failed = false;
    const w = worker(
      q,
      () => {
        failed = true;
        throw new Error('fails');
      },
      { shutdownTimeoutMs: 100 },
    );
    await until(() => failed);
    await w.close();
    // One copy of the job in all: in the tier, none left in the queue.
    const d = await engine.admin.describeGroup(w.group);
    expect(d.partitions[0]!.available).toBe(0);
    expect(d.partitions[0]!.acquired).toBe(0);
    const tierCopies = (
      await Promise.all(
        (
          await engine.admin.listTopics()
        )
          .filter((t) => t.name.startsWith(`delay.${q.name}.`))
          .map(async (t) => (await engine.admin.offsets(t.name))[0]!.logEndOffset),
      )
    ).reduce((a, b) => a + b, 0);
    expect(tierCopies).toBe(1);
  });

  it('an async event listener that rejects is reported on error, not an unhandled rejection', async () => {
    const q = queue<number>();
    await q.add('j', 1);
    const w = worker(q, () => 'ok');
    const errors: string[] = [];
    w.on('error', (e) => errors.push(e.message));
    w.on('completed', async () => {
      throw new Error('listener bug');
    });
    await until(() => errors.length === 1);
    expect(errors).toEqual(['listener bug']);
  });

  it('retries past the retry budget are spread at its rate, not made due at once', async () => {
    const q = queue<number>();
    await q.addBulk(
      Array.from({ length: 12 }, (_, n) => ({ name: 'b', data: n, opts: { attempts: 2 } })),
    );
    const due: number[] = [];
    const w = worker(
      q,
      (job) => {
        if (job.attempt === 1) throw new Error('down');
      },
      { concurrency: 12, retryBudget: { max: 3, durationMs: 1000 } },
    );
    w.on('retrying', (_j, _e, info) => due.push(info.dueAt));
    await until(() => due.length === 12);
    due.sort((a, b) => a - b);
    // 3 at once, then one every 333 ms: no 1 s span holds more than the budget (and one edge).
    for (let i = 0; i + 4 < due.length; i++)
      expect(due[i + 4]! - due[i]!).toBeGreaterThanOrEqual(990);
  });

  it('a lock shortened after the worker started (a Queue setting it later) is still renewed in time', async () => {
    const name = `late-${++seq}`;
    const runs: number[] = [];
    const w = new Worker<number>(
      name,
      async () => {
        runs.push(Date.now());
        await new Promise((r) => setTimeout(r, 3500));
      },
      { engine, pollMaxWaitMs: 50 },
    );
    open.push(w);
    await w.waitUntilReady();
    // The group had no lock setting, so the queue may set one: 1 s, much shorter than the 30 s default.
    const q = new Queue<number>(name, { engine, lockDurationMs: 1000 });
    open.push(q);
    await q.add('long', 1);
    await until(() => runs.length >= 1);
    // A second worker waits for the job: it gets it only if the first lets its lock expire.
    const other = new Worker<number>(name, () => void runs.push(Date.now()), {
      engine,
      pollMaxWaitMs: 50,
    });
    open.push(other);
    await new Promise((r) => setTimeout(r, 3500));
    expect(runs).toHaveLength(1);
  });

  it('a delivery limit set after the worker started (a Queue setting it later) is the one its retries go by', async () => {
    const name = `late-limit-${++seq}`;
    const runs: number[] = [];
    const w = new Worker<number>(
      name,
      (job) => {
        runs.push(job.attempt);
        throw new Error(`attempt ${job.attempt} failed`);
      },
      { engine, pollMaxWaitMs: 50 },
    );
    open.push(w);
    await w.waitUntilReady();
    // The worker read the default limit (5); the queue sets 3 on its first add.
    const q = new Queue<number>(name, {
      engine,
      deliveryLimit: 3,
      defaultJobOptions: { attempts: 6, backoff: { type: 'fixed', delay: 20 } },
    });
    open.push(q);
    await q.add('flaky', 1);
    await until(async () => (await dlqRecords(q)).length === 1);
    const [dead] = await dlqRecords(q);
    // All six attempts ran (the retry past the third delivery went to a fresh record); before,
    // the third was held and the engine archived it with attempts left.
    expect(dead!.headers[DLQ_HEADER.reason]).toBe('attempts-exhausted');
    expect(runs).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
