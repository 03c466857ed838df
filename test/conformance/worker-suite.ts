import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dlq/dead-letter.js';
import type { Engine, StoredRecord } from '../../src/engine/types.js';
import { RateLimitError, RetryJobError, UnrecoverableError } from '../../src/errors/control.js';
import { HEADER } from '../../src/job/envelope.js';
import { Queue, type QueueOptionsInput } from '../../src/queue/queue.js';
import type { Job } from '../../workers/job.js';
import { Worker, type WorkerOptionsInput } from '../../workers/worker.js';

/**
 * Worker behaviour every engine must show, written once: retries with backoff (held on the
 * worker and through delay tiers), delayed jobs, attempts past the group's delivery limit,
 * timeouts, handler-steered outcomes, group settings with one owner, progress and log events.
 * Timing is asserted as order and minimum delay, never as exact times.
 */
export interface WorkerFixture {
  engine: Engine;
  cleanup(): Promise<void>;
}

/** Lock duration of the suite's groups: engines must accept it (Kafka's minimum can be set to 1000). */
const LOCK_MS = 2000;

export function workerConformance(name: string, create: () => Promise<WorkerFixture>): void {
  describe(`worker conformance: ${name}`, () => {
    let fx: WorkerFixture;
    let engine: Engine;
    const open: { close(): Promise<void> }[] = [];

    beforeEach(async () => {
      fx = await create();
      engine = fx.engine;
    });
    afterEach(async () => {
      await Promise.allSettled(open.splice(0).map((o) => o.close()));
      await fx.cleanup();
    });

    function queue<D>(opts: Omit<QueueOptionsInput, 'engine'> = {}): Queue<D> {
      const q = new Queue<D>(`wq-${randomUUID().slice(0, 8)}`, {
        engine,
        lockDurationMs: LOCK_MS,
        ...opts,
      });
      open.push(q);
      return q;
    }
    function worker<D, R>(
      q: Queue<D>,
      handler: (job: Job<D>, signal: AbortSignal) => Promise<R> | R,
      opts: WorkerOptionsInput = {},
    ): Worker<D, R> {
      const w = new Worker<D, R>(q.name, handler, { engine, pollMaxWaitMs: 100, ...opts });
      open.push(w);
      return w;
    }
    async function dlq(q: Queue<unknown>): Promise<StoredRecord[]> {
      const out: StoredRecord[] = [];
      // A topic created a moment ago may not be in every broker's metadata yet (kafkajs then
      // fails listOffsets): read it as empty, the caller polls again.
      const offsets = await engine.admin.offsets(q.deadLetterTopic).catch(() => []);
      for (const o of offsets) {
        if (o.logEndOffset > o.logStartOffset)
          out.push(...(await engine.read(q.deadLetterTopic, o.partition, o.logStartOffset, 1000)));
      }
      return out;
    }
    async function until(cond: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
      const end = Date.now() + ms;
      while (!(await cond())) {
        if (Date.now() > end) throw new Error('condition not met in time');
        await new Promise((r) => setTimeout(r, 20));
      }
    }

    it('retries with a fixed backoff held on the worker: attempts in order, each after the delay', async () => {
      const q = queue<string>();
      await q.add('flaky', 'x', { attempts: 3, backoff: 400 });
      const starts: { attempt: number; delivery: number; at: number }[] = [];
      const failedAt: number[] = [];
      const w = worker(q, (job) => {
        starts.push({ attempt: job.attempt, delivery: job.deliveryCount, at: Date.now() });
        throw new Error(`attempt ${job.attempt}`);
      });
      const via: string[] = [];
      w.on('failed', () => failedAt.push(Date.now()));
      w.on('retrying', (_j, _e, info) => via.push(info.via));
      await until(async () => (await dlq(q)).length === 1);
      expect(starts.map((s) => s.attempt)).toEqual([1, 2, 3]);
      // A hold ends in RELEASE: the same record, delivered again.
      expect(starts.map((s) => s.delivery)).toEqual([1, 2, 3]);
      expect(via).toEqual(['hold', 'hold']);
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i]!.at - failedAt[i - 1]!).toBeGreaterThanOrEqual(390);
      }
      const [dead] = await dlq(q);
      expect(dead!.headers[DLQ_HEADER.attempts]).toBe('3');
      expect(dead!.headers[DLQ_HEADER.reason]).toBe('attempts-exhausted');
    });

    it('retries with exponential backoff through a delay tier: growing gaps, a fresh record each time', async () => {
      const q = queue<string>();
      await q.add('flaky', 'x', { attempts: 3, backoff: { type: 'exponential', delay: 500 } });
      const starts: { attempt: number; at: number; topicOffset: number }[] = [];
      const failedAt: number[] = [];
      // holdMaxMs 0: every retry goes through a tier, as long backoffs do.
      const w = worker(
        q,
        (job) => {
          starts.push({ attempt: job.attempt, at: Date.now(), topicOffset: job.offset });
          throw new Error('down');
        },
        { holdMaxMs: 0 },
      );
      w.on('failed', () => failedAt.push(Date.now()));
      await until(async () => (await dlq(q)).length === 1);
      expect(starts.map((s) => s.attempt)).toEqual([1, 2, 3]);
      expect(starts[1]!.at - failedAt[0]!).toBeGreaterThanOrEqual(490);
      expect(starts[2]!.at - failedAt[1]!).toBeGreaterThanOrEqual(990);
      // Each retry is a new record in the queue, carrying the attempts it made.
      expect(new Set(starts.map((s) => s.topicOffset)).size).toBe(3);
      const [dead] = await dlq(q);
      expect(dead!.headers[DLQ_HEADER.attempts]).toBe('3');
      expect(dead!.headers[HEADER.origin]).toBe(`${q.name}/0/0`);
    });

    it('attempts: 1 means no retry', async () => {
      const q = queue<number>();
      await q.add('once', 1, { attempts: 1 });
      let calls = 0;
      worker(q, () => {
        calls++;
        throw new Error('no');
      });
      await until(async () => (await dlq(q)).length === 1);
      expect(calls).toBe(1);
    });

    it("makes more attempts than the group's delivery limit by moving the job to a fresh record", async () => {
      const q = queue<number>({ deliveryLimit: 2 });
      await q.add('many', 1, { attempts: 5 });
      const attempts: number[] = [];
      worker(q, (job) => {
        attempts.push(job.attempt);
        throw new Error('again');
      });
      await until(async () => (await dlq(q)).length === 1);
      expect(attempts).toEqual([1, 2, 3, 4, 5]);
      const [dead] = await dlq(q);
      expect(dead!.headers[DLQ_HEADER.attempts]).toBe('5');
    });

    it('runs delayed jobs (delay and runAt) no earlier than due, and at once when not delayed', async () => {
      const q = queue<string>();
      const addedAt = Date.now();
      const [now, later, at] = await q.addBulk([
        { name: 'now', data: 'now' },
        { name: 'later', data: 'later', opts: { delay: 1500 } },
        { name: 'at', data: 'at', opts: { runAt: new Date(addedAt + 800) } },
      ]);
      expect(now!.topic).toBe(q.name);
      expect(later!.topic).not.toBe(q.name);
      expect(later!.dueAt).toBeGreaterThanOrEqual(addedAt + 1500);
      const ran = new Map<string, number>();
      worker(q, (job) => {
        ran.set(job.data, Date.now());
      });
      await until(() => ran.size === 3);
      expect(ran.get('later')!).toBeGreaterThanOrEqual(later!.dueAt!);
      expect(ran.get('at')!).toBeGreaterThanOrEqual(at!.dueAt!);
      // In due order (a worker that joins late may run several in one batch: not strictly).
      expect(ran.get('now')!).toBeLessThanOrEqual(ran.get('at')!);
      expect(ran.get('at')!).toBeLessThanOrEqual(ran.get('later')!);
    });

    it('times out an attempt: the signal fires, the attempt fails and is retried, then dead-lettered', async () => {
      const q = queue<number>();
      await q.add('slow', 1, { attempts: 2, timeout: 300 });
      const aborted: string[] = [];
      worker(q, async (_job, signal) => {
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted.push((signal.reason as { code?: string }).code ?? '?');
            resolve();
          });
        });
      });
      await until(async () => (await dlq(q)).length === 1);
      expect(aborted).toEqual(['SHARQ_ERR_JOB_TIMEOUT', 'SHARQ_ERR_JOB_TIMEOUT']);
      const [dead] = await dlq(q);
      expect(dead!.headers[DLQ_HEADER.errorCode]).toBe('SHARQ_ERR_JOB_TIMEOUT');
    });

    it('handler-steered outcomes: RetryJobError waits its delay, RateLimitError spends no attempt, UnrecoverableError dead-letters with its code', async () => {
      const q = queue<string>();
      await q.addBulk([
        { name: 'retry', data: 'retry', opts: { attempts: 2 } },
        { name: 'limited', data: 'limited', opts: { attempts: 1 } },
        { name: 'fatal', data: 'fatal', opts: { attempts: 5 } },
      ]);
      const runs: Record<string, number[]> = { retry: [], limited: [], fatal: [] };
      let retryFailedAt = 0;
      let retryRanAt = 0;
      worker(q, (job) => {
        runs[job.data]!.push(job.attempt);
        if (job.data === 'retry') {
          if (job.attempt === 1) {
            retryFailedAt = Date.now();
            throw new RetryJobError({ delayMs: 600 });
          }
          retryRanAt = Date.now();
        } else if (job.data === 'limited') {
          if (runs.limited!.length === 1) throw new RateLimitError({ delayMs: 200 });
        } else {
          throw new UnrecoverableError('never');
        }
      });
      await until(() => runs.retry!.length === 2 && runs.limited!.length === 2);
      await until(async () => (await dlq(q)).length === 1);
      expect(retryRanAt - retryFailedAt).toBeGreaterThanOrEqual(590);
      // attempts: 1, yet it ran again after the rate limit, as attempt 1: no attempt was spent.
      expect(runs.limited).toEqual([1, 1]);
      expect(runs.fatal).toEqual([1]);
      const [dead] = await dlq(q);
      expect(dead!.headers[DLQ_HEADER.errorCode]).toBe('SHARQ_ERR_UNRECOVERABLE');
      expect(dead!.headers[DLQ_HEADER.errorName]).toBe('UnrecoverableError');
      expect(dead!.headers[DLQ_HEADER.reason]).toBe('unrecoverable');
    });

    it('uses a custom backoff strategy registered on the worker by name', async () => {
      const q = queue<number>();
      await q.add('c', 1, { attempts: 3, backoff: { type: 'linear', delay: 100 } });
      const asked: number[] = [];
      const w = worker(
        q,
        () => {
          throw new Error('x');
        },
        {
          backoffStrategies: {
            linear: (made) => {
              asked.push(made);
              return made * 100;
            },
          },
        },
      );
      const delays: number[] = [];
      w.on('retrying', (_j, _e, info) => delays.push(info.delayMs));
      await until(async () => (await dlq(q)).length === 1);
      expect(delays).toEqual([100, 200]);
      expect(asked).toContain(2);
    });

    it('group settings have one owner: a disagreeing worker fails setup with a code unless it overrides', async () => {
      const q = queue<number>({ deliveryLimit: 3 });
      await q.ensureTopic();
      const w = worker(q, () => undefined, { deliveryLimit: 4 });
      await expect(w.waitUntilReady()).rejects.toMatchObject({
        code: 'SHARQ_ERR_GROUP_CONFIG_MISMATCH',
      });
      await w.close();
      const agrees = worker(q, () => undefined, { deliveryLimit: 3 });
      await agrees.waitUntilReady();
      const overrides = worker(q, () => undefined, { deliveryLimit: 4, overrideGroupConfig: true });
      await overrides.waitUntilReady();
      expect((await engine.admin.describeGroup(overrides.group)).config.deliveryCountLimit).toBe(4);
    });

    it('surfaces job.progress() and job.log() as worker events', async () => {
      const q = queue<number>();
      await q.add('p', 1);
      const events: string[] = [];
      const w = worker(q, (job) => {
        job.progress(50);
        job.log('half way');
        job.progress({ done: true });
      });
      w.on('progress', (_j, v) => events.push(`progress ${JSON.stringify(v)}`));
      w.on('log', (_j, line) => events.push(`log ${line}`));
      await until(() => events.length === 3);
      expect(events).toEqual(['progress 50', 'log half way', 'progress {"done":true}']);
    });

    /** The most starts in any span of `windowMs`. */
    function peakIn(windowMs: number, starts: number[]): number {
      const sorted = [...starts].sort((a, b) => a - b);
      let peak = 0;
      for (let i = 0, j = 0; i < sorted.length; i++) {
        while (sorted[i]! - sorted[j]! >= windowMs) j++;
        peak = Math.max(peak, i - j + 1);
      }
      return peak;
    }

    it('rate limit in one process: at most max jobs start per duration, and a limited job spends no attempt', async () => {
      const q = queue<number>();
      await q.addBulk(
        Array.from({ length: 12 }, (_, n) => ({ name: 'r', data: n, opts: { attempts: 1 } })),
      );
      const starts: number[] = [];
      const attempts: number[] = [];
      const w = worker(
        q,
        (job) => {
          starts.push(Date.now());
          attempts.push(job.deliveryCount);
        },
        { concurrency: 8, limiter: { max: 4, durationMs: 400 } },
      );
      const notices: string[] = [];
      w.on('notice', (m) => notices.push(m));
      await until(() => starts.length === 12);
      // A token is taken before the poll and its job starts when the poll returns: start times
      // trail token times by up to one poll round trip (20 ms wait plus the network on Kafka).
      expect(peakIn(400 - 60, starts)).toBeLessThanOrEqual(4);
      // 12 jobs at 4 per 400 ms take at least two more windows after the first.
      expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(790);
      expect(attempts.every((d) => d === 1)).toBe(true);
      expect(notices.join()).toMatch(/per process/);
      expect(await dlq(q)).toHaveLength(0);
    });

    it('rate limit: a worker idle on a long poll holds no tokens, so jobs added later still start at most max per duration', async () => {
      const q = queue<number>();
      await q.ensureTopic();
      const starts: number[] = [];
      const w = worker(q, () => void starts.push(Date.now()), {
        concurrency: 10,
        pollMaxWaitMs: 1000,
        limiter: { max: 5, durationMs: 1000 },
      });
      await w.waitUntilReady();
      await new Promise((r) => setTimeout(r, 900));
      await q.addBulk(Array.from({ length: 10 }, (_, n) => ({ name: 'late', data: n })));
      await until(() => starts.length === 10);
      expect(peakIn(1000 - 60, starts)).toBeLessThanOrEqual(5);
    });

    it('rate limit fleet-wide through Redis: two workers share one budget', async () => {
      const q = queue<number>();
      await q.addBulk(Array.from({ length: 12 }, (_, n) => ({ name: 'r', data: n })));
      const starts: number[] = [];
      const limiter = {
        max: 3,
        durationMs: 500,
        redis: 'redis://127.0.0.1:6379',
        key: `${q.name}-${randomUUID()}`,
      };
      for (let i = 0; i < 2; i++)
        worker(q, () => void starts.push(Date.now()), { concurrency: 4, limiter });
      await until(() => starts.length === 12);
      // Fixed windows on Redis: a span of one duration may straddle two windows, never more
      // (less the start's lag behind its token: one poll round trip).
      expect(peakIn(500 - 60, starts)).toBeLessThanOrEqual(6);
      // 12 jobs at 3 per window need four windows: at least three window edges pass.
      expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1000);
    });

    it('retry budget: retries past it wait for the budget', async () => {
      const q = queue<number>();
      await q.addBulk(
        Array.from({ length: 4 }, (_, n) => ({ name: 'b', data: n, opts: { attempts: 2 } })),
      );
      const due = new Map<number, number>();
      const ranAt = new Map<number, number>();
      const w = worker(
        q,
        (job) => {
          if (job.attempt === 1) throw new Error('dependency down');
          ranAt.set(job.data, Date.now());
        },
        { concurrency: 4, retryBudget: { max: 2, durationMs: 800 } },
      );
      w.on('retrying', (job, _e, info) => due.set(job.data, info.dueAt));
      await until(() => ranAt.size === 4);
      // Two retries fit the budget; the other two are scheduled for when it frees again.
      expect(peakIn(800, [...due.values()])).toBeLessThanOrEqual(2);
      for (const [n, at] of ranAt) expect(at).toBeGreaterThanOrEqual(due.get(n)!);
    });

    it.each(['thread', 'process'] as const)(
      'a sandboxed processor (%s) that crashes or runs out of memory fails only that attempt; a replacement runs the retry',
      async (kind) => {
        const q = queue<number>();
        await q.addBulk([
          { name: 'exit', data: 1, opts: { attempts: 2 } },
          { name: 'oom', data: 2, opts: { attempts: 2 } },
        ]);
        const file = fileURLToPath(
          new URL('../fixtures/processors/crash-once.mjs', import.meta.url),
        );
        const w = new Worker<number, { pid: number; threadId: number; attempt: number }>(
          q.name,
          { file, kind, maxOldGenerationSizeMb: 32 },
          { engine, pollMaxWaitMs: 100, concurrency: 1 },
        );
        open.push(w);
        const failures: string[] = [];
        const results: { pid: number; threadId: number; attempt: number }[] = [];
        const progress: unknown[] = [];
        w.on('failed', (_j, e) => failures.push((e as { code?: string }).code ?? e.message));
        w.on('completed', (_j, r) => results.push(r));
        w.on('progress', (_j, v) => progress.push(v));
        await until(() => results.length === 2, 30_000);
        expect(failures).toEqual(['SHARQ_ERR_SANDBOX_CRASHED', 'SHARQ_ERR_SANDBOX_CRASHED']);
        expect(results.map((r) => r.attempt)).toEqual([2, 2]);
        if (kind === 'process') expect(results.every((r) => r.pid !== process.pid)).toBe(true);
        else expect(results.every((r) => r.threadId > 0)).toBe(true);
        expect(progress).toEqual([100, 100]);
        expect(await dlq(q)).toHaveLength(0);
      },
    );

    it('a delayed job outlives forwarders that stop while holding it (no archive at the delivery limit)', async () => {
      const q = queue<string>();
      // 6 s: one record in the 5 s tier through every stop below.
      const [added] = await q.addBulk([{ name: 'd', data: 'd', opts: { delay: 6000 } }]);
      let ranAt = 0;
      for (let i = 0; i < 7; i++) {
        const w = worker(q, () => {
          ranAt = Date.now();
        });
        await w.waitUntilReady();
        // Long enough for the forwarder to acquire and hold the tier record, then stop.
        await new Promise((r) => setTimeout(r, 250));
        await w.close();
      }
      worker(q, () => {
        ranAt = Date.now();
      });
      await until(() => ranAt > 0);
      expect(ranAt).toBeGreaterThanOrEqual(added!.dueAt!);
      expect(await dlq(q)).toHaveLength(0);
    });

    it('close() during a backoff moves held retries to a delay tier: not run early, not lost', async () => {
      const q = queue<number>();
      // Within the hold limit (half the 2 s lock): held on the worker.
      await q.add('h', 1, { attempts: 2, backoff: 900 });
      let failedAt = 0;
      const first = worker(q, () => {
        failedAt = Date.now();
        throw new Error('first');
      });
      await until(() => first.heldCount === 1);
      await first.close();
      let ranAt = 0;
      worker(q, () => {
        ranAt = Date.now();
      });
      await until(() => ranAt > 0);
      expect(ranAt - failedAt).toBeGreaterThanOrEqual(890);
    });
  });
}
