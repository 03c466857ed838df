import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { LocalRateLimiter } from '../../../../workers/rate-limit/local-limiter.js';

class FakeClock {
  constructor(public t = 1_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

function setup(max: number, durationMs: number): { rl: LocalRateLimiter; clock: FakeClock } {
  const clock = new FakeClock();
  return { rl: new LocalRateLimiter({ max, durationMs, clock }), clock };
}

describe('LocalRateLimiter', () => {
  it('grants up to max in a window, then says when the next token is due', async () => {
    const { rl } = setup(5, 1000);
    expect(await rl.take(3)).toEqual({ granted: 3, retryInMs: 0 });
    expect(await rl.take(4)).toEqual({ granted: 2, retryInMs: 1000 });
    expect(await rl.take(1)).toEqual({ granted: 0, retryInMs: 1000 });
  });

  it('frees each token one window after it was taken (sliding, no burst at an edge)', async () => {
    const { rl, clock } = setup(5, 1000);
    await rl.take(3);
    clock.advance(400);
    await rl.take(2);
    clock.advance(599); // t0 + 999: the first three are still held
    expect(await rl.take(1)).toEqual({ granted: 0, retryInMs: 1 });
    clock.advance(1); // t0 + 1000: the first three are free, the last two are not
    expect(await rl.take(5)).toEqual({ granted: 3, retryInMs: 400 });
  });

  it('takes back what giveBack returns, and never more than it holds', async () => {
    const { rl } = setup(5, 1000);
    expect((await rl.take(5)).granted).toBe(5);
    await rl.giveBack(3);
    expect((await rl.take(5)).granted).toBe(3);
    await rl.giveBack(100);
    expect((await rl.take(10)).granted).toBe(5);
  });

  it('drops a give-back for tokens whose window has ended', async () => {
    const { rl, clock } = setup(2, 1000);
    await rl.take(2);
    clock.advance(1000);
    expect((await rl.take(1)).granted).toBe(1);
    await rl.giveBack(2); // only the token taken now is held
    expect((await rl.take(5)).granted).toBe(2);
  });

  it('holds tokens for at most one window from now when the clock steps back', async () => {
    const { rl, clock } = setup(1, 1000);
    await rl.take(1);
    clock.advance(-60_000);
    expect(await rl.take(1)).toEqual({ granted: 0, retryInMs: 1000 });
    clock.advance(1000);
    expect((await rl.take(1)).granted).toBe(1);
  });

  it('matches a model: granted = min(want, max - used in the last window), never over max', async () => {
    const op = fc.record({
      advance: fc.integer({ min: 0, max: 400 }),
      want: fc.integer({ min: 0, max: 8 }),
      use: fc.integer({ min: 0, max: 8 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(op, { maxLength: 60 }),
        async (max, ops) => {
          const durationMs = 1000;
          const { rl, clock } = setup(max, durationMs);
          const used: { t: number; n: number }[] = [];
          const usedInWindow = (t: number) =>
            used.filter((u) => u.t > t - durationMs && u.t <= t).reduce((s, u) => s + u.n, 0);
          for (const { advance, want, use } of ops) {
            clock.advance(advance);
            const { granted, retryInMs } = await rl.take(want);
            expect(granted).toBe(Math.min(want, max - usedInWindow(clock.t)));
            if (granted < want) {
              expect(retryInMs).toBeGreaterThan(0);
              expect(retryInMs).toBeLessThanOrEqual(durationMs);
            } else {
              expect(retryInMs).toBe(0);
            }
            const n = Math.min(use, granted);
            await rl.giveBack(granted - n);
            used.push({ t: clock.t, n });
            expect(usedInWindow(clock.t)).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });

  it('keeps its answers through a long run (expired entries dropped, arrays compacted)', async () => {
    const { rl, clock } = setup(3, 10);
    for (let i = 0; i < 5000; i++) {
      clock.advance(4);
      // One token used per step. Held before a take: those used at t - 4 and t - 8; the one
      // at t - 8 frees in 2 ms.
      const grant = await rl.take(2);
      expect(grant).toEqual(i < 2 ? { granted: 2, retryInMs: 0 } : { granted: 1, retryInMs: 2 });
      await rl.giveBack(grant.granted - 1);
    }
  });

  it('rejects a bad count and any call after close', async () => {
    const { rl } = setup(1, 1000);
    for (const bad of [-1, 1.5, Number.NaN]) {
      await expect(rl.take(bad)).rejects.toSatisfy((e) =>
        SharqError.is(e, 'SHARQ_ERR_INVALID_ARGUMENT'),
      );
      await expect(rl.giveBack(bad)).rejects.toSatisfy((e) =>
        SharqError.is(e, 'SHARQ_ERR_INVALID_ARGUMENT'),
      );
    }
    await rl.close();
    await rl.close();
    await expect(rl.take(1)).rejects.toSatisfy((e) => SharqError.is(e, 'SHARQ_ERR_CLOSED'));
  });
});
