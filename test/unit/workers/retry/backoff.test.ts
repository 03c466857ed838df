import { describe, expect, it } from 'vitest';
import { backoffSpec } from '../../../../src/job/envelope.js';
import { nextDelay } from '../../../../workers/retry/backoff.js';

const err = new Error('x');

describe('job backoff', () => {
  it('a number is a fixed delay', () => {
    const spec = backoffSpec(250);
    expect([1, 2, 3].map((n) => nextDelay(spec, n, err, null, undefined))).toEqual([250, 250, 250]);
  });

  it("exponential follows BullMQ's formula: delay * 2^(attemptsMade - 1)", () => {
    const spec = backoffSpec({ type: 'exponential', delay: 100 });
    expect([1, 2, 3, 4].map((n) => nextDelay(spec, n, err, null, undefined))).toEqual([
      100, 200, 400, 800,
    ]);
  });

  it('jitter keeps (1 - jitter) of the delay and randomises the rest', () => {
    const spec = backoffSpec({ type: 'fixed', delay: 1000, jitter: 0.5 });
    expect(nextDelay(spec, 1, err, null, undefined, () => 0)).toBe(500);
    expect(nextDelay(spec, 1, err, null, undefined, () => 0.5)).toBe(750);
  });

  it('custom strategies are called by name; unknown names and bad results throw', () => {
    const spec = backoffSpec({ type: 'linear', delay: 0 });
    const strategies = { linear: (made: number) => made * 10, bad: () => Number.NaN };
    expect(nextDelay(spec, 3, err, null, strategies)).toBe(30);
    expect(() =>
      nextDelay(backoffSpec({ type: 'nope', delay: 0 }), 1, err, null, strategies),
    ).toThrow(/no backoff strategy named "nope"/);
    expect(() =>
      nextDelay(backoffSpec({ type: 'bad', delay: 0 }), 1, err, null, strategies),
    ).toThrow(/not a delay/);
  });

  it('no backoff retries at once', () => {
    expect(nextDelay(undefined, 4, err, null, undefined)).toBe(0);
  });
});
