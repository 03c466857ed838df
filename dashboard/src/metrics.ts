/**
 * Handler durations from the API's /metrics (Prometheus text): the `sharq_job_duration_seconds`
 * histogram that workers in the API's own process record (workers/metrics.ts). Workers in other
 * processes serve their own metrics, so a queue may have none here: the page says so.
 */
export interface Buckets {
  /** Upper bounds in seconds, ascending, the last one Infinity. */
  le: number[];
  /** Cumulative counts per bound (completed and failed attempts together). */
  cumulative: number[];
}

const LINE = /^sharq_job_duration_seconds_bucket\{([^}]*)\}\s+(\S+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

export function parseDurations(text: string): Map<string, Buckets> {
  const acc = new Map<string, Map<number, number>>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of m[1]!.matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    const queue = labels.queue;
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    const v = Number(m[2]);
    if (queue === undefined || Number.isNaN(le) || Number.isNaN(v)) continue;
    let q = acc.get(queue);
    if (q === undefined) {
      q = new Map();
      acc.set(queue, q);
    }
    q.set(le, (q.get(le) ?? 0) + v);
  }
  const out = new Map<string, Buckets>();
  for (const [queue, q] of acc) {
    const le = [...q.keys()].sort((a, b) => a - b);
    out.set(queue, { le, cumulative: le.map((b) => q.get(b)!) });
  }
  return out;
}

/** Counts per bucket (not cumulative) of `now`, less `before` when given (an interval). */
export function perBucket(now: Buckets, before?: Buckets): number[] {
  const cum = now.cumulative.map((c, i) => {
    const prev = before !== undefined && before.le[i] === now.le[i] ? before.cumulative[i]! : 0;
    return Math.max(0, c - prev);
  });
  return cum.map((c, i) => Math.max(0, c - (i === 0 ? 0 : cum[i - 1]!)));
}

/** The q-quantile in ms, interpolated within its bucket; null without observations. */
export function quantileMs(le: number[], counts: number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      const lo = i === 0 ? 0 : le[i - 1]!;
      const hi = le[i]!;
      if (!Number.isFinite(hi)) return lo * 1000;
      return (lo + ((rank - seen) / c) * (hi - lo)) * 1000;
    }
    seen += c;
  }
  return null;
}

export function bucketLabel(le: number): string {
  if (!Number.isFinite(le)) return '∞';
  return le < 1 ? `${Math.round(le * 1000)}ms` : `${le}s`;
}
