import type { Api } from './api.js';
import { type Buckets, parseDurations, perBucket, quantileMs } from './metrics.js';

/**
 * Reads /metrics at each poll and keeps the previous histogram per queue, so each poll yields
 * the handler p50/p95 of the jobs that ran since the last one.
 */
export class LatencyTracker {
  private previous = new Map<string, Buckets>();
  /** Latest cumulative histogram per queue (since the API's process started). */
  current = new Map<string, Buckets>();
  /** False once /metrics turns out not to be served to this token. */
  available = true;

  async poll(api: Api): Promise<void> {
    if (!this.available) return;
    const text = await api.metrics().catch(() => null);
    if (text === null) {
      this.available = false;
      return;
    }
    this.previous = this.current;
    this.current = parseDurations(text);
  }

  interval(queue: string): { p50Ms: number | null; p95Ms: number | null } {
    const now = this.current.get(queue);
    if (now === undefined) return { p50Ms: null, p95Ms: null };
    const counts = perBucket(now, this.previous.get(queue));
    return {
      p50Ms: quantileMs(now.le, counts, 0.5),
      p95Ms: quantileMs(now.le, counts, 0.95),
    };
  }
}
