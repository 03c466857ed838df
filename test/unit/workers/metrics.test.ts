import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { UnrecoverableError } from '../../../src/errors/control.js';
import { Queue } from '../../../src/queue/queue.js';
import { registerWorkerMetrics } from '../../../workers/metrics.js';
import { Worker } from '../../../workers/worker.js';
import { embedded, queueName } from '../admin/fixtures.js';

let engine: EmbeddedEngine;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ engine, close } = await embedded());
});
afterEach(() => close());

describe('worker metrics', () => {
  it('counts processed, failed, retried, delayed and dead-lettered jobs and handler durations', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    await q.addBulk([
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'poison', data: {} },
      { name: 'flaky', data: {}, opts: { attempts: 2, backoff: 10 } },
    ]);
    const registry = new Registry();
    let flaky = 0;
    const w = new Worker(
      name,
      async (job) => {
        if (job.name === 'poison') throw new UnrecoverableError('no');
        if (job.name === 'flaky' && flaky++ === 0) throw new Error('once');
      },
      { engine, pollMaxWaitMs: 50 },
    );
    registerWorkerMetrics(w, registry);
    const value = async (metric: string, labels: Record<string, string> = {}) => {
      const m = await registry.getSingleMetric(metric)!.get();
      return m.values
        .filter(
          (v) =>
            Object.entries(labels).every(([k, x]) => v.labels[k] === x) &&
            !('metricName' in v && String(v.metricName).endsWith('_bucket')),
        )
        .reduce((n, v) => n + v.value, 0);
    };
    try {
      const end = Date.now() + 10_000;
      while ((await value('sharq_jobs_processed_total')) < 3 && Date.now() < end)
        await new Promise((r) => setTimeout(r, 20));
      expect(await value('sharq_jobs_processed_total', { queue: name })).toBe(3);
      expect(await value('sharq_jobs_failed_total', { outcome: 'dead-letter' })).toBe(1);
      expect(await value('sharq_jobs_failed_total', { outcome: 'retry' })).toBe(1);
      expect(await value('sharq_jobs_retried_total')).toBe(1);
      expect(await value('sharq_jobs_delayed_total')).toBe(1);
      expect(await value('sharq_jobs_dead_lettered_total', { reason: 'unrecoverable' })).toBe(1);
      const text = await registry.metrics();
      expect(text).toContain(
        `sharq_job_duration_seconds_count{queue="${name}",status="completed"} 3`,
      );
      expect(text).toContain(`sharq_job_duration_seconds_count{queue="${name}",status="failed"} 2`);
      expect(text).toContain(`sharq_jobs_in_flight{queue="${name}"} 0`);
    } finally {
      await w.close();
      await q.close();
    }
  });
});
