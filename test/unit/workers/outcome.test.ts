import { describe, expect, it } from 'vitest';
import { RateLimitError, RetryJobError, UnrecoverableError } from '../../../src/errors/control.js';
import { admit, decideFailure, postpone, type RetryPolicy } from '../../../workers/outcome.js';

const policy = (delay: number, holdLimitMs = 5000): RetryPolicy => ({
  holdLimitMs,
  rateLimitWaitMs: 1000,
  delayAfter: () => delay,
  minDelayAfter: () => delay,
});
const state = (o: Partial<Parameters<typeof decideFailure>[1]> = {}) => ({
  attemptsMade: 0,
  deliveryCount: 1,
  attempts: 5,
  deliveryLimit: 5,
  ...o,
});
const NOW = 1_000_000;

describe('decideFailure', () => {
  it('holds a short retry on the worker while the record has deliveries left', () => {
    expect(decideFailure(new Error('x'), state(), policy(1000), NOW)).toEqual({
      type: 'hold',
      delayMs: 1000,
    });
  });

  it('forwards a long retry to a tier, counting the failed attempt', () => {
    expect(decideFailure(new Error('x'), state({ attemptsMade: 2 }), policy(60_000), NOW)).toEqual({
      type: 'forward',
      dueAt: NOW + 60_000,
      attemptsMade: 3,
    });
  });

  it('forwards even a short retry once the record reached the delivery limit', () => {
    expect(
      decideFailure(new Error('x'), state({ deliveryCount: 5, attempts: 9 }), policy(0), NOW),
    ).toEqual({ type: 'forward', dueAt: NOW, attemptsMade: 5 });
  });

  it('dead-letters the last attempt, an UnrecoverableError, and a backoff that cannot be computed', () => {
    expect(decideFailure(new Error('x'), state({ attemptsMade: 4 }), policy(0), NOW)).toEqual({
      type: 'dead-letter',
      reason: 'attempts-exhausted',
    });
    expect(decideFailure(new UnrecoverableError('no'), state(), policy(0), NOW)).toEqual({
      type: 'dead-letter',
      reason: 'unrecoverable',
    });
    const broken: RetryPolicy = {
      holdLimitMs: 5000,
      rateLimitWaitMs: 1000,
      delayAfter: () => {
        throw new Error('no such strategy');
      },
      minDelayAfter: () => {
        throw new Error('no such strategy');
      },
    };
    expect(decideFailure(new Error('x'), state(), broken, NOW)).toEqual({
      type: 'dead-letter',
      reason: 'backoff-failed',
    });
  });

  it('RetryJobError sets the delay; RateLimitError forwards without spending the attempt', () => {
    expect(decideFailure(new RetryJobError({ delayMs: 200 }), state(), policy(999), NOW)).toEqual({
      type: 'hold',
      delayMs: 200,
    });
    // Not held when the job's own backoff is long: its redelivery would be read as a crash.
    expect(
      decideFailure(new RetryJobError({ delayMs: 200 }), state(), policy(60_000), NOW),
    ).toEqual({
      type: 'forward',
      dueAt: NOW + 200,
      attemptsMade: 1,
    });
    expect(
      decideFailure(
        new RateLimitError({ delayMs: 300 }),
        state({ attemptsMade: 1 }),
        policy(0),
        NOW,
      ),
    ).toEqual({ type: 'forward', dueAt: NOW + 1000, attemptsMade: 1 });
    // Never less than a second: a rate limit answered at once would spin.
    expect(decideFailure(new RateLimitError({ delayMs: 0 }), state(), policy(0), NOW)).toEqual({
      type: 'forward',
      dueAt: NOW + 1000,
      attemptsMade: 0,
    });
  });
});

describe('admit', () => {
  it('runs a first delivery that is due', () => {
    expect(admit(state(), {}, 'g', policy(60_000), NOW)).toEqual({ type: 'run' });
  });

  it("skips another group's retry", () => {
    expect(admit(state(), { group: 'other' }, 'g', policy(0), NOW)).toEqual({ type: 'skip' });
  });

  it('waits for a job due soon and forwards one due later', () => {
    expect(admit(state(), { dueAt: NOW + 100 }, 'g', policy(0), NOW)).toEqual({
      type: 'wait',
      delayMs: 100,
    });
    expect(admit(state(), { dueAt: NOW + 60_000 }, 'g', policy(0), NOW)).toEqual({
      type: 'forward',
      dueAt: NOW + 60_000,
      attemptsMade: 0,
    });
  });

  it('sends a redelivery whose previous attempt would have gone through a tier back through one', () => {
    // Delivery 2: the first ended without a verdict (a crash, perhaps after its tier write).
    expect(admit(state({ deliveryCount: 2 }), {}, 'g', policy(60_000), NOW)).toEqual({
      type: 'forward',
      dueAt: NOW + 60_000,
      attemptsMade: 1,
    });
    // A short backoff: the lock expiry already was the wait.
    expect(admit(state({ deliveryCount: 2 }), {}, 'g', policy(100), NOW)).toEqual({ type: 'run' });
  });

  it('dead-letters a job whose attempts were spent by deliveries without a verdict', () => {
    expect(admit(state({ deliveryCount: 6, attempts: 5 }), {}, 'g', policy(0), NOW)).toEqual({
      type: 'dead-letter',
      reason: 'attempts-exhausted',
    });
  });
});

describe('postpone', () => {
  it('moves a hold that no longer fits the hold limit to a tier', () => {
    expect(postpone({ type: 'hold', delayMs: 1000 }, 500, state(), policy(0, 2000), NOW)).toEqual({
      type: 'hold',
      delayMs: 1500,
    });
    expect(postpone({ type: 'hold', delayMs: 1000 }, 5000, state(), policy(0, 2000), NOW)).toEqual({
      type: 'forward',
      dueAt: NOW + 6000,
      attemptsMade: 1,
    });
  });
});
