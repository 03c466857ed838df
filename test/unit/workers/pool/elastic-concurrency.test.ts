import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ElasticConcurrency,
  type ElasticConcurrencyOptionsInput,
} from '../../../../workers/pool/elastic-concurrency.js';

/** A clock the simulation steps by hand. */
class SimClock {
  t = 0;
  now(): number {
    return this.t;
  }
}

interface Workload {
  /** Latency of a job started with `inFlight` jobs running (itself included), ms. */
  latency(inFlight: number, now: number): number;
  /** Whether that job fails. */
  fails?(inFlight: number, now: number): boolean;
  /** Most jobs the queue can offer at once (default: unlimited backlog). */
  demand?: number;
}

/**
 * A discrete-event simulation of a worker: it keeps `limit` jobs running (or `demand`, when
 * smaller), each finishing after the workload's latency, and reports every completion to the
 * controller. Returns the limit after each completion, with its time.
 */
function simulate(
  ctrl: ElasticConcurrency,
  clock: SimClock,
  workload: Workload,
  untilMs: number,
): { at: number; limit: number }[] {
  const finishing: { at: number; latency: number; ok: boolean }[] = [];
  const seen: { at: number; limit: number }[] = [];
  const demand = workload.demand ?? Number.POSITIVE_INFINITY;
  while (clock.t < untilMs) {
    while (finishing.length < Math.min(ctrl.limit, demand)) {
      ctrl.onStart();
      const n = finishing.length + 1;
      const latency = workload.latency(n, clock.t);
      const ok = !(workload.fails?.(n, clock.t) ?? false);
      const job = { at: clock.t + latency, latency, ok };
      const i = finishing.findIndex((f) => f.at > job.at);
      finishing.splice(i === -1 ? finishing.length : i, 0, job);
    }
    const next = finishing.shift()!;
    clock.t = next.at;
    ctrl.onFinish(next.latency, next.ok);
    seen.push({ at: clock.t, limit: ctrl.limit });
  }
  return seen;
}

function controller(options: ElasticConcurrencyOptionsInput) {
  const clock = new SimClock();
  return { clock, ctrl: new ElasticConcurrency(options, clock) };
}

const limitsAfter = (seen: { at: number; limit: number }[], fromMs: number) =>
  seen.filter((s) => s.at >= fromMs).map((s) => s.limit);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('ElasticConcurrency', () => {
  it('raises the limit from min toward max for slow I/O whose latency does not depend on load', () => {
    const { clock, ctrl } = controller({ min: 1, max: 32 });
    expect(ctrl.limit).toBe(1);
    const seen = simulate(ctrl, clock, { latency: () => 50 }, 90_000);
    const early = mean(limitsAfter(seen, 0).slice(0, 200));
    const late = limitsAfter(seen, 60_000);
    expect(mean(late)).toBeGreaterThan(early);
    expect(Math.min(...late)).toBeGreaterThanOrEqual(24);
    expect(ctrl.limit).toBeGreaterThanOrEqual(24);
    const snap = ctrl.snapshot();
    expect(snap.limit).toBe(ctrl.limit);
    expect(snap.baselineMs).toBe(50);
    // Throughput grew with the limit: Little's law, N = X × R.
    expect(snap.throughput).toBeGreaterThan(20 * 20);
  });

  describe('a contended resource (latency = 10 ms × max(1, inFlight / 8): the knee at 8)', () => {
    const contended: Workload = { latency: (n) => 10 * Math.max(1, n / 8) };

    it('started high, lowers the limit to near the knee', () => {
      const { clock, ctrl } = controller({ min: 1, max: 64, initial: 64 });
      const seen = simulate(ctrl, clock, contended, 60_000);
      const late = limitsAfter(seen, 30_000);
      expect(Math.max(...late)).toBeLessThanOrEqual(16);
      expect(Math.min(...late)).toBeGreaterThanOrEqual(4);
      expect(ctrl.snapshot().latencyMs).toBeLessThan(20);
    });

    it('started low, climbs to near the knee and no further', () => {
      const { clock, ctrl } = controller({ min: 1, max: 64 });
      const seen = simulate(ctrl, clock, contended, 60_000);
      const late = limitsAfter(seen, 30_000);
      expect(Math.max(...late)).toBeLessThanOrEqual(16);
      expect(Math.min(...late)).toBeGreaterThanOrEqual(4);
      expect(mean(late)).toBeGreaterThan(5);
    });

    it('cuts the limit when latency climbs past the tolerance (the resource degrades)', () => {
      const { clock, ctrl } = controller({ min: 1, max: 32 });
      let degradedAt = Number.POSITIVE_INFINITY;
      const workload: Workload = {
        // Fast and flat until it degrades: then the knee moves to 4 and latency grows past it.
        latency: (n, now) => (now < degradedAt ? 10 : 10 * Math.max(1, n / 4)),
      };
      simulate(ctrl, clock, workload, 60_000);
      const before = ctrl.limit;
      expect(before).toBeGreaterThanOrEqual(24);
      degradedAt = clock.t;
      const seen = simulate(ctrl, clock, workload, 120_000);
      // The guard cuts within a few windows, then the limit stays in the band around the new knee.
      const soon = seen.filter((s) => s.at <= degradedAt + 10_000).map((s) => s.limit);
      expect(Math.min(...soon)).toBeLessThan(before / 2);
      expect(Math.max(...limitsAfter(seen, degradedAt + 30_000))).toBeLessThanOrEqual(8);
    });
  });

  it('does not creep up when the queue offers fewer jobs than the limit allows', () => {
    const { clock, ctrl } = controller({ min: 1, max: 64 });
    const seen = simulate(ctrl, clock, { latency: () => 50, demand: 3 }, 60_000);
    expect(Math.max(...limitsAfter(seen, 10_000))).toBeLessThanOrEqual(6);
  });

  it('cuts the limit when most jobs fail, even fast', () => {
    const { clock, ctrl } = controller({ min: 2, max: 32, initial: 32 });
    simulate(ctrl, clock, { latency: () => 1, fails: () => true }, 30_000);
    expect(ctrl.limit).toBe(2);
  });

  it('never leaves [min, max], whatever the workload', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(10, 100, 1000),
        (min, span, initialOffset, seed, failRate, windowMs) => {
          const max = min + span;
          const initial = Math.min(max, min + initialOffset);
          const { clock, ctrl } = controller({ min, max, initial, windowMs, minSamples: 1 });
          let s = seed;
          const random = () => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 2 ** 32;
          };
          const seen = simulate(
            ctrl,
            clock,
            {
              latency: (n) => 1 + random() * 50 * (random() < 0.5 ? 1 : n),
              fails: () => random() < failRate,
            },
            8_000,
          );
          for (const { limit } of seen) {
            expect(Number.isInteger(limit)).toBe(true);
            expect(limit).toBeGreaterThanOrEqual(min);
            expect(limit).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 60 },
    );
    // CPU-bound on a fake clock (60 workloads of 8 simulated seconds), nothing waits: on a busy
    // two-core machine it has taken over five seconds.
  }, 30_000);

  it('ignores latencies that are not finite numbers', () => {
    const { clock, ctrl } = controller({ min: 1, max: 4, windowMs: 10, minSamples: 1 });
    for (let i = 0; i < 100; i++) {
      ctrl.onStart();
      clock.t += 5;
      ctrl.onFinish(i % 2 === 0 ? Number.NaN : Number.POSITIVE_INFINITY, true);
    }
    expect(ctrl.snapshot()).toEqual({ limit: 1, latencyMs: 0, throughput: 0, baselineMs: 0 });
  });

  it('rejects bad options with the option named', () => {
    const code = (options: ElasticConcurrencyOptionsInput) => {
      try {
        new ElasticConcurrency(options);
      } catch (err) {
        return err as { code: string; message: string };
      }
      throw new Error('expected an error');
    };
    expect(code({ min: 8, max: 4 })).toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
      message: expect.stringMatching(/max: must be at least min/),
    });
    expect(code({ min: 1, max: 4, initial: 5 }).message).toMatch(/initial/);
    expect(code({ latencyTolerance: 1 }).message).toMatch(/latencyTolerance/);
    expect(code({ min: 0 }).message).toMatch(/min/);
    expect(code({ windowMs: 5 } as ElasticConcurrencyOptionsInput).message).toMatch(/windowMs/);
  });
});
