import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Job } from './job.js';
import type { Worker } from './worker.js';

/**
 * Prometheus metrics of workers, from their events, in the process that runs them (the
 * engine-side gauges, lag and DLQ size, are the admin API's: src/server/admin/engine-metrics.ts):
 *
 *   sharq_jobs_processed_total{queue}            handler succeeded, job acknowledged
 *   sharq_jobs_failed_total{queue,outcome}       an attempt failed (outcome: retry | dead-letter)
 *   sharq_jobs_retried_total{queue,via}          a retry scheduled (via: hold | tier | queue)
 *   sharq_jobs_delayed_total{queue}              a retry that waits out a backoff (delay > 0)
 *   sharq_jobs_dead_lettered_total{queue,reason} a job written to the DLQ
 *   sharq_job_duration_seconds{queue,status}     handler time (status: completed | failed)
 *   sharq_jobs_in_flight{queue}                  handlers running now
 *
 * `sharq worker --metrics-port` serves them; elsewhere pass the registry to the admin API
 * (`adminApi({ registry })`) or serve `registry.metrics()` yourself.
 */
type AnyWorker = Worker<unknown, unknown>;

interface Metrics {
  processed: Counter<'queue'>;
  failed: Counter<'queue' | 'outcome'>;
  retried: Counter<'queue' | 'via'>;
  delayed: Counter<'queue'>;
  deadLettered: Counter<'queue' | 'reason'>;
  duration: Histogram<'queue' | 'status'>;
  workers: Set<AnyWorker>;
}

const byRegistry = new WeakMap<Registry, Metrics>();

function metricsOf(registry: Registry): Metrics {
  let m = byRegistry.get(registry);
  if (m !== undefined) return m;
  const workers = new Set<AnyWorker>();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  m = {
    workers,
    processed: counter('sharq_jobs_processed_total', 'Jobs completed', ['queue']),
    failed: counter('sharq_jobs_failed_total', 'Failed attempts', ['queue', 'outcome']),
    retried: counter('sharq_jobs_retried_total', 'Retries scheduled', ['queue', 'via']),
    delayed: counter('sharq_jobs_delayed_total', 'Retries that wait out a backoff', ['queue']),
    deadLettered: counter('sharq_jobs_dead_lettered_total', 'Jobs written to the DLQ', [
      'queue',
      'reason',
    ]),
    duration: new Histogram({
      name: 'sharq_job_duration_seconds',
      help: 'Handler duration',
      labelNames: ['queue', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
  new Gauge({
    name: 'sharq_jobs_in_flight',
    help: 'Handlers running now',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset();
      const sums = new Map<string, number>();
      for (const w of workers) sums.set(w.queue, (sums.get(w.queue) ?? 0) + w.activeCount);
      for (const [queue, n] of sums) this.set({ queue }, n);
    },
  });
  byRegistry.set(registry, m);
  return m;
}

/** Counts a worker's jobs into `registry`; returns a function that stops counting. */
export function registerWorkerMetrics<D, R>(worker: Worker<D, R>, registry: Registry): () => void {
  const m = metricsOf(registry);
  const w = worker as unknown as AnyWorker;
  const queue = worker.queue;
  const started = new WeakMap<Job<D>, number>();
  const took = (job: Job<D> | undefined) => {
    const t = job === undefined ? undefined : started.get(job);
    return t === undefined ? undefined : (performance.now() - t) / 1000;
  };
  const onActive = (job: Job<D>) => started.set(job, performance.now());
  const onCompleted = (job: Job<D>) => {
    m.processed.inc({ queue });
    const s = took(job);
    if (s !== undefined) m.duration.observe({ queue, status: 'completed' }, s);
  };
  const onFailed = (job: Job<D> | undefined, _e: Error, outcome: string) => {
    m.failed.inc({ queue, outcome });
    const s = took(job);
    if (s !== undefined) m.duration.observe({ queue, status: 'failed' }, s);
  };
  const onRetrying = (_j: Job<D>, _e: Error, info: { via: string; delayMs: number }) => {
    m.retried.inc({ queue, via: info.via });
    if (info.delayMs > 0) m.delayed.inc({ queue });
  };
  const onDead = (info: { reason: string }) => m.deadLettered.inc({ queue, reason: info.reason });
  m.workers.add(w);
  worker.on('active', onActive);
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);
  worker.on('retrying', onRetrying);
  worker.on('dead-lettered', onDead);
  const stop = () => {
    m.workers.delete(w);
    worker.off('active', onActive);
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
    worker.off('retrying', onRetrying);
    worker.off('dead-lettered', onDead);
  };
  worker.once('closed', stop);
  return stop;
}
