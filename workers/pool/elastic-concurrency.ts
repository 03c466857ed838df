/**
 * Elastic concurrency: how many jobs a worker runs at once, found by measuring instead of guessed.
 *
 * A pure controller. It owns no timer: the worker calls `onStart()` / `onFinish(latencyMs, ok)`
 * per job and reads `limit` before it acquires more. Time comes from the injected `Clock`, so a
 * test drives it with a simulated workload and a hand-stepped clock.
 *
 * The algorithm: AIMD on windows, steered by throughput, with a latency guard.
 *
 *   Every window (`windowMs`, and at least `minSamples` completions) yields the throughput X
 *   (completions per second), the median latency R and the share of failed jobs. The baseline R0
 *   is the lowest median of the last `baselineWindows` windows.
 *
 *   1. Guard: R > latencyTolerance × R0, or failures above `failureThreshold`
 *        → cut: limit ← limit × backoffRatio (multiplicative decrease).
 *   2. The window did not use its slots (average in flight under half the limit: the queue ran
 *      dry, or the worker is starved by polls) → hold; nothing was learnt about the resource.
 *   3. Otherwise compare with the window before the last change. The slots added (or removed)
 *      were *useful* when throughput moved by at least half of their share of the limit
 *      (+25% slots → ≥ +12.5% X; −25% slots → ≥ −12.5% X).
 *        useful  → raise: limit ← limit + increase (additive increase)
 *        useless → cut:   limit ← limit × backoffRatio
 *      With nothing to compare with (the first window, or the limit pinned at a bound) it
 *      probes: upward, or at `max` by taking `increase` slots away every few windows, since only
 *      a removal shows whether slots at the top are doing work.
 *
 * Why it converges. Little's law ties the three figures: in flight N = X × R. Below the knee of
 * the resource the jobs share (the point where it saturates), R stays near R0, so X grows in
 * proportion to N and every added slot is useful: the limit climbs one step per window, up to
 * `max` for I/O whose latency does not depend on concurrency. Past the knee X is flat and each
 * added slot only queues (R grows as N / X): the next comparison finds the slot useless and the
 * limit drops by a factor, back below the knee, where removing slots costs throughput and the
 * climb starts again. The limit so runs a sawtooth in a band around the knee, about
 * [knee × backoffRatio, knee + increase]. Started above the knee, the probe's removed slots
 * carried no work (X holds while N falls), so it keeps cutting until X starts to fall. The latency guard is the
 * fast brake for a resource that degrades at once (R climbing well past its baseline), and the
 * failure share for one that sheds load by failing fast, which would otherwise look like speed.
 * Several workers sharing one resource converge to fair shares for the reason Chiu and Jain gave
 * for AIMD (1989): an additive step is the same for each, a multiplicative cut takes more from
 * the bigger limit.
 *
 * The limit is an integer: a job runs or it does not, and comparing windows needs limits that
 * differ by whole slots. It never leaves [min, max].
 */
import { z } from 'zod';
import { concurrencySlots } from '../../src/options/concurrency.js';
import { parseOptions } from '../../src/options/parse.js';
import { type Clock, systemClock } from '../../src/util/clock.js';

/** The worker's own concurrency range: the controller's bounds live inside it. */
const slots = concurrencySlots;

export const ElasticConcurrencyOptions = z
  .object({
    min: slots
      .default(1)
      .describe(
        'Lowest limit (jobs at once). Default 1; an integer in the range of `concurrency`.',
      ),
    max: slots
      .default(100)
      .describe(
        'Highest limit (jobs at once). Default 100; an integer in the range of `concurrency`, at least `min`.',
      ),
    initial: slots
      .optional()
      .describe('Limit to start from. Default: `min`; between `min` and `max`.'),
    windowMs: z
      .number()
      .int()
      .min(10)
      .max(600_000)
      .default(1000)
      .describe('Length of a measuring window, ms. Default 1000; 10–600000.'),
    minSamples: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(10)
      .describe(
        'Completions a window needs before it is judged; one with fewer stays open past `windowMs`. Default 10; 1–100000.',
      ),
    latencyTolerance: z
      .number()
      .gt(1)
      .max(100)
      .default(2)
      .describe(
        'A window whose median latency exceeds this multiple of the baseline (the lowest recent median) cuts the limit. Default 2; above 1, at most 100.',
      ),
    backoffRatio: z
      .number()
      .min(0.1)
      .max(0.95)
      .default(0.75)
      .describe('Factor of a cut (multiplicative decrease). Default 0.75; 0.1–0.95.'),
    increase: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(1)
      .describe('Slots added per window while raising (additive increase). Default 1; 1–1000.'),
    failureThreshold: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'A window in which a larger share of jobs failed cuts the limit, as for high latency (a downstream shedding load fails fast). Default 0.5; 0–1, where 1 never cuts for failures.',
      ),
    baselineWindows: z
      .number()
      .int()
      .min(2)
      .max(10_000)
      .default(30)
      .describe(
        'Windows the baseline latency is the minimum of; older minimums expire, so the baseline follows a resource that became slower for good. Default 30; 2–10000.',
      ),
  })
  .strict()
  .superRefine((o, ctx) => {
    const { min, max } = o;
    if (min > max)
      ctx.addIssue({ code: 'custom', path: ['max'], message: `must be at least min (${min})` });
    if (o.initial !== undefined && (o.initial < min || o.initial > max))
      ctx.addIssue({
        code: 'custom',
        path: ['initial'],
        message: `must be between min (${min}) and max (${max})`,
      });
  });
export type ElasticConcurrencyOptionsInput = z.input<typeof ElasticConcurrencyOptions>;

export interface ElasticConcurrencySnapshot {
  /** Jobs that may run at once now. */
  limit: number;
  /** Median job latency of the last judged window, ms (0 before the first). */
  latencyMs: number;
  /** Completions per second in the last judged window (0 before the first). */
  throughput: number;
  /** Lowest median latency of the recent windows, ms (0 before the first). */
  baselineMs: number;
}

/** Slots are useful when throughput moves by at least this share of their share of the limit. */
const USEFUL_SHARE = 0.5;
/** A window whose average in flight is under this share of the limit did not use its slots. */
const SATURATED_SHARE = 0.5;
/** A window closes early at this many completions, which bounds its memory and its sort. */
const MAX_SAMPLES = 4096;
/** Windows pinned at `max` before a probe takes slots away. */
const PROBE_AFTER = 5;

/** The window a change was measured against: the limit it ran at and what it achieved. */
interface Reference {
  limit: number;
  throughput: number;
}

/** The lowest latency baseline the guard compares with. */
const MIN_BASELINE_MS = 1;

export class ElasticConcurrency {
  private readonly options: Readonly<z.output<typeof ElasticConcurrencyOptions>>;
  private current: number;
  private inFlight = 0;
  private reference: Reference | undefined;
  /** Judged windows in a row spent at `max` without a probe. */
  private pinned = 0;
  /** Medians of the last `baselineWindows` windows, oldest first. */
  private readonly medians: number[] = [];
  private last: Omit<ElasticConcurrencySnapshot, 'limit'> = {
    latencyMs: 0,
    throughput: 0,
    baselineMs: 0,
  };
  // The open window.
  private windowStart: number;
  private lastEventAt: number;
  /** ∫ inFlight dt over the window, job·ms. */
  private busy = 0;
  private readonly samples = new Float64Array(MAX_SAMPLES);
  private count = 0;
  private failures = 0;

  constructor(
    options: ElasticConcurrencyOptionsInput = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = parseOptions('ElasticConcurrency', ElasticConcurrencyOptions, options);
    this.current = this.options.initial ?? this.options.min;
    this.windowStart = this.lastEventAt = clock.now();
  }

  /** Jobs that may run at once now. */
  get limit(): number {
    return this.current;
  }

  /** A job started. */
  onStart(): void {
    this.advance(this.clock.now());
    this.inFlight++;
  }

  /** A job ended after `latencyMs`; `ok` is false when it failed. */
  onFinish(latencyMs: number, ok: boolean): void {
    const now = this.clock.now();
    this.advance(now);
    if (this.inFlight > 0) this.inFlight--;
    if (Number.isFinite(latencyMs)) {
      this.samples[this.count++] = Math.max(0, latencyMs);
      if (!ok) this.failures++;
    }
    const elapsed = now - this.windowStart;
    const due = elapsed >= this.options.windowMs && this.count >= this.options.minSamples;
    if ((due || this.count === MAX_SAMPLES) && elapsed > 0) this.judge(now, elapsed);
  }

  snapshot(): ElasticConcurrencySnapshot {
    return { limit: this.current, ...this.last };
  }

  private advance(now: number): void {
    if (now > this.lastEventAt) this.busy += this.inFlight * (now - this.lastEventAt);
    this.lastEventAt = Math.max(this.lastEventAt, now);
  }

  /** Closes the window, moves the limit by its verdict and opens the next window. */
  private judge(now: number, elapsed: number): void {
    const o = this.options;
    const throughput = (this.count * 1000) / elapsed;
    const latency = median(this.samples.subarray(0, this.count));
    const failureShare = this.failures / this.count;
    const saturated = this.busy / elapsed >= SATURATED_SHARE * this.current;
    this.medians.push(latency);
    if (this.medians.length > o.baselineWindows) this.medians.shift();
    // Floored at 1 ms: sub-millisecond medians make any jitter look like a latency climb.
    const baseline = Math.max(MIN_BASELINE_MS, Math.min(...this.medians));
    this.last = { latencyMs: latency, throughput, baselineMs: baseline };
    this.windowStart = this.lastEventAt = now;
    this.busy = 0;
    this.count = 0;
    this.failures = 0;

    if (latency > o.latencyTolerance * baseline || failureShare > o.failureThreshold) {
      this.step('cut', throughput);
    } else if (!saturated) {
      // Demand-limited: the throughput says nothing about the resource, so forget the reference.
      this.reference = undefined;
    } else if (this.reference === undefined || this.reference.limit === this.current) {
      if (this.current < o.max) this.step('raise', throughput);
      else if (++this.pinned >= PROBE_AFTER) this.step('probe', throughput);
      else this.reference = { limit: this.current, throughput };
    } else {
      this.step(this.useful(this.reference, throughput) ? 'raise' : 'cut', throughput);
    }
  }

  /** Did the slots changed since the reference window move throughput by their share? */
  private useful(ref: Reference, throughput: number): boolean {
    const slotChange = (this.current - ref.limit) / ref.limit;
    const throughputChange = (throughput - ref.throughput) / ref.throughput;
    return slotChange > 0
      ? throughputChange >= USEFUL_SHARE * slotChange
      : throughputChange <= USEFUL_SHARE * slotChange;
  }

  private step(kind: 'raise' | 'cut' | 'probe', throughput: number): void {
    const { min, max, increase, backoffRatio } = this.options;
    this.reference = { limit: this.current, throughput };
    this.pinned = 0;
    const next =
      kind === 'raise'
        ? this.current + increase
        : kind === 'probe'
          ? this.current - increase
          : Math.min(this.current - 1, Math.floor(this.current * backoffRatio));
    this.current = Math.min(max, Math.max(min, next));
  }
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
