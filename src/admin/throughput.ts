import type { Clock } from '../util/clock.js';

/**
 * Rates from samples of counters that only grow (a queue's log-end offsets, its group's start
 * offsets, the DLQ's log end), taken by this process whenever it reads a queue and on a timer.
 * A rate spans the oldest sample of the last `windowMs`; it is null until two samples exist.
 */
export interface Sample {
  at: number;
  enqueued: number;
  completed: number;
  deadLettered: number;
}

export interface Rates {
  enqueuedPerSec: number | null;
  completedPerSec: number | null;
  deadLetteredPerSec: number | null;
  windowMs: number | null;
}

const MAX_SAMPLES = 64;

export class ThroughputSampler {
  private readonly samples = new Map<string, Sample[]>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 60_000,
  ) {}

  record(queue: string, counters: Omit<Sample, 'at'>): Rates {
    const now = this.clock.now();
    let list = this.samples.get(queue);
    if (list === undefined) {
      list = [];
      this.samples.set(queue, list);
    }
    const last = list[list.length - 1];
    // Samples closer than a second apart add noise, not information.
    if (last === undefined || now - last.at >= 1000) list.push({ at: now, ...counters });
    while (list.length > MAX_SAMPLES || (list.length > 2 && now - list[0]!.at > this.windowMs))
      list.shift();
    const first = list[0]!;
    const span = now - first.at;
    if (span <= 0) {
      return {
        enqueuedPerSec: null,
        completedPerSec: null,
        deadLetteredPerSec: null,
        windowMs: null,
      };
    }
    const rate = (a: number, b: number) =>
      Math.max(0, Math.round(((b - a) / span) * 1000 * 100) / 100);
    return {
      enqueuedPerSec: rate(first.enqueued, counters.enqueued),
      completedPerSec: rate(first.completed, counters.completed),
      deadLetteredPerSec: rate(first.deadLettered, counters.deadLettered),
      windowMs: span,
    };
  }
}
