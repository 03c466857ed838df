import type { BackoffSpec } from '../../src/job/envelope.js';

/** A user strategy: the delay before the next attempt, from the attempts made so far. */
export type BackoffStrategy = (attemptsMade: number, error: Error, job: unknown) => number;

/**
 * The wait before the next attempt, after `attemptsMade` attempts failed (1 after the first).
 * `fixed` waits `delay`; `exponential` waits `delay * 2^(attemptsMade-1)` (BullMQ's formula);
 * `jitter` j keeps `(1-j)` of the delay and randomises the rest. An unknown strategy name, or a
 * strategy that throws or returns something other than a finite number ≥ 0, is an error the
 * caller turns into a dead letter: a job whose retry cannot be scheduled must not spin.
 */
export function nextDelay(
  spec: BackoffSpec | undefined,
  attemptsMade: number,
  error: Error,
  job: unknown,
  strategies: Readonly<Record<string, BackoffStrategy>> | undefined,
  random: () => number = Math.random,
): number {
  if (spec === undefined) return 0;
  let raw: number;
  switch (spec.type) {
    case 'fixed':
      raw = spec.delay;
      break;
    case 'exponential':
      raw = spec.delay * 2 ** Math.max(0, attemptsMade - 1);
      break;
    default: {
      const strategy = strategies?.[spec.type];
      if (strategy === undefined)
        throw new Error(`no backoff strategy named "${spec.type}" is registered on this worker`);
      raw = strategy(attemptsMade, error, job);
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < 0)
        throw new Error(
          `backoff strategy "${spec.type}" returned ${String(raw)}, not a delay in ms`,
        );
    }
  }
  const jitter = spec.jitter ?? 0;
  const delay = jitter > 0 ? raw * (1 - jitter) + raw * jitter * random() : raw;
  return Math.round(Math.min(delay, Number.MAX_SAFE_INTEGER));
}
