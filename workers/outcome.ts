import type { DeadLetterReason } from '../src/dlq/dead-letter.js';
import { RateLimitError, RetryJobError, UnrecoverableError } from '../src/errors/control.js';
import { SharqError } from '../src/errors/sharq-error.js';

/**
 * The pure part of the worker: what to do with a delivery, from its error, its place in the
 * job's attempts and the retry policy. No I/O, no clock of its own: `now` comes in.
 *
 *   success                                     → accept
 *   UnrecoverableError, bad payload             → dead-letter
 *   RateLimitError                              → forward after its wait; the attempt is not spent
 *   failure on the last attempt                 → dead-letter (attempts-exhausted)
 *   failure, retry due within the hold limit
 *     and deliveries left on this record        → hold: wait on the worker, lock renewed, RELEASE
 *   failure, retry due later (or no deliveries
 *     left on this record)                      → forward: a fresh record in a delay tier (or
 *                                                 straight back to the queue when due now)
 *
 * Kafka's RELEASE redelivers at once and Kafka has no delayed redelivery, hence hold and
 * forward. When brokers gain delayed redelivery, `hold` is where it steps in: a RELEASE with a
 * not-before time, with no record held by the worker and no tier.
 */
/** The shortest wait of a RateLimitError. */
export const MIN_RATE_LIMIT_WAIT_MS = 1000;

export type Verdict =
  | { type: 'accept' }
  | { type: 'dead-letter'; reason: DeadLetterReason }
  | { type: 'hold'; delayMs: number }
  | { type: 'forward'; dueAt: number; attemptsMade: number };

export interface AttemptState {
  /** Attempts spent before this record (the job's `sharq.made` header). */
  attemptsMade: number;
  /** This record's delivery count, 1 on its first delivery. */
  deliveryCount: number;
  /** Attempts the job may make in all. */
  attempts: number;
  /** The group's delivery-count limit: RELEASE is possible only below it. */
  deliveryLimit: number;
}

export interface RetryPolicy {
  /** The delay before the next attempt after `attemptsMade` failed ones; may throw (no such strategy). */
  delayAfter(attemptsMade: number, error: Error): number;
  /** The shortest that delay can be (jitter at its low end): what `admit` checks a redelivery by. */
  minDelayAfter(attemptsMade: number, error: Error): number;
  /** Retries due within this many ms may be held on the worker. */
  holdLimitMs: number;
  /** The wait of a RateLimitError that names none. */
  rateLimitWaitMs: number;
}

/** This attempt's number, counting deliveries of earlier records of the job. */
export function attemptOf(s: AttemptState): number {
  return s.attemptsMade + s.deliveryCount;
}

export function isUnrecoverable(error: Error): boolean {
  return error instanceof UnrecoverableError || SharqError.is(error, 'SHARQ_ERR_UNRECOVERABLE');
}

/** The verdict on a failed attempt. */
export function decideFailure(
  error: Error,
  s: AttemptState,
  policy: RetryPolicy,
  now: number,
): Verdict {
  if (isUnrecoverable(error)) return { type: 'dead-letter', reason: 'unrecoverable' };
  const attempt = attemptOf(s);
  if (error instanceof RateLimitError || SharqError.is(error, 'SHARQ_ERR_RATE_LIMITED')) {
    // At least a second: a rate limit answered at once would spin without spending attempts.
    const wait = Math.max(
      MIN_RATE_LIMIT_WAIT_MS,
      (error as RateLimitError).delayMs ?? policy.rateLimitWaitMs,
    );
    return { type: 'forward', dueAt: now + wait, attemptsMade: attempt - 1 };
  }
  if (attempt >= s.attempts) return { type: 'dead-letter', reason: 'attempts-exhausted' };
  let delayMs: number;
  if (error instanceof RetryJobError) delayMs = error.delayMs;
  else {
    try {
      delayMs = policy.delayAfter(attempt, error);
    } catch {
      // A retry that cannot be scheduled would spin: dead-letter it with the handler's error.
      return { type: 'dead-letter', reason: 'backoff-failed' };
    }
  }
  // A hold ends in RELEASE, and `admit` reads a redelivery by the policy's shortest delay: hold
  // only when it agrees, else the redelivery would wait the policy's backoff a second time.
  if (
    delayMs <= policy.holdLimitMs &&
    s.deliveryCount < s.deliveryLimit &&
    agreesWithHold(policy, attempt, error)
  )
    return { type: 'hold', delayMs };
  return { type: 'forward', dueAt: now + delayMs, attemptsMade: attempt };
}

function agreesWithHold(policy: RetryPolicy, attempt: number, error: Error): boolean {
  try {
    return policy.minDelayAfter(attempt, error) <= policy.holdLimitMs;
  } catch {
    return true;
  }
}

/** What to do with a delivery before its handler runs. */
export type Admission =
  | { type: 'run' }
  /** A retry of another share group on the shared queue topic: acknowledge it, silently. */
  | { type: 'skip' }
  | { type: 'wait'; delayMs: number }
  | { type: 'forward'; dueAt: number; attemptsMade: number }
  | { type: 'dead-letter'; reason: DeadLetterReason };

/**
 * Checks a delivery before running it:
 * - a job due later than now waits (short) or goes back to a tier (long);
 * - a redelivery (delivery count > 1) whose previous attempt would have been retried through a
 *   tier means that attempt ended without a verdict (its worker died, perhaps between writing
 *   the tier copy and ACCEPT): it waits its backoff again through a tier rather than run early;
 * - a job whose attempts were all spent by deliveries without a verdict is dead-lettered.
 */
export function admit(
  s: AttemptState,
  run: { dueAt?: number | undefined; group?: string | undefined },
  group: string,
  policy: RetryPolicy,
  now: number,
): Admission {
  if (run.group !== undefined && run.group !== group) return { type: 'skip' };
  const spent = s.attemptsMade + s.deliveryCount - 1;
  if (spent >= s.attempts) return { type: 'dead-letter', reason: 'attempts-exhausted' };
  if (run.dueAt !== undefined && run.dueAt > now) {
    const wait = run.dueAt - now;
    return wait <= policy.holdLimitMs
      ? { type: 'wait', delayMs: wait }
      : { type: 'forward', dueAt: run.dueAt, attemptsMade: spent };
  }
  if (s.deliveryCount > 1) {
    let previous: number;
    try {
      previous = policy.minDelayAfter(spent, new Error('delivery ended without a verdict'));
    } catch {
      previous = 0;
    }
    if (previous > policy.holdLimitMs)
      return { type: 'forward', dueAt: now + previous, attemptsMade: spent };
  }
  return { type: 'run' };
}

/** A retry verdict made `extraMs` later (the retry budget is spent): it may no longer fit a hold. */
export function postpone(
  verdict: Verdict,
  extraMs: number,
  s: AttemptState,
  policy: RetryPolicy,
  now: number,
): Verdict {
  if (verdict.type === 'hold') {
    const delayMs = verdict.delayMs + extraMs;
    return delayMs <= policy.holdLimitMs
      ? { type: 'hold', delayMs }
      : { type: 'forward', dueAt: now + delayMs, attemptsMade: attemptOf(s) };
  }
  if (verdict.type === 'forward')
    return { ...verdict, dueAt: Math.max(verdict.dueAt, now) + extraMs };
  return verdict;
}
