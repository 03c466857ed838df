import type { QueueSummary } from './api.js';

/**
 * What the charts draw: samples of each queue taken by this page at every poll, kept for the
 * last `KEEP_MS`. Rates come from the growth of the queue's totals between two samples, so they
 * span this page's own interval (a couple of seconds), not the server's minute.
 */
export interface Sample {
  at: number;
  enqueued: number;
  completed: number;
  deadLettered: number;
  lag: number;
  deadLetterPending: number;
  oldestPendingAgeMs: number | null;
  /** Handler p50/p95 over the interval in ms, from /metrics when this process serves them. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface Point {
  at: number;
  value: number | null;
}

const KEEP_MS = 10 * 60_000;
const byQueue = new Map<string, Sample[]>();

export function record(
  q: QueueSummary,
  at: number,
  latency?: { p50Ms: number | null; p95Ms: number | null },
): void {
  let list = byQueue.get(q.name);
  if (list === undefined) {
    list = [];
    byQueue.set(q.name, list);
  }
  const last = list[list.length - 1];
  if (last !== undefined && at - last.at < 500) return;
  list.push({
    at,
    enqueued: q.totals.enqueued,
    completed: q.totals.completed,
    deadLettered: q.totals.deadLettered,
    lag: q.counts.lag,
    deadLetterPending: q.counts.deadLettered,
    oldestPendingAgeMs: q.oldestPendingAgeMs,
    p50Ms: latency?.p50Ms ?? null,
    p95Ms: latency?.p95Ms ?? null,
  });
  while (list.length > 2 && at - list[0]!.at > KEEP_MS) list.shift();
}

export function samples(queue: string): Sample[] {
  return byQueue.get(queue) ?? [];
}

type Counter = 'enqueued' | 'completed' | 'deadLettered';

/** Per-second growth of a counter between consecutive samples. */
export function rates(queue: string, key: Counter): Point[] {
  const list = samples(queue);
  const out: Point[] = [];
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]!;
    const b = list[i]!;
    const secs = (b.at - a.at) / 1000;
    out.push({ at: b.at, value: secs > 0 ? Math.max(0, (b[key] - a[key]) / secs) : null });
  }
  return out;
}

export function series(
  queue: string,
  key: 'lag' | 'deadLetterPending' | 'oldestPendingAgeMs' | 'p50Ms' | 'p95Ms',
): Point[] {
  return samples(queue).map((s) => ({ at: s.at, value: s[key] }));
}

/** The latest rate of a counter, or null with fewer than two samples. */
export function lastRate(queue: string, key: Counter): number | null {
  const r = rates(queue, key);
  return r[r.length - 1]?.value ?? null;
}

/** Sums of several queues' series, point by point on the first queue's times (same polls). */
export function sum(lists: Point[][]): Point[] {
  const byAt = new Map<number, number>();
  for (const l of lists)
    for (const p of l) if (p.value !== null) byAt.set(p.at, (byAt.get(p.at) ?? 0) + p.value);
  return [...byAt.entries()].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value }));
}
