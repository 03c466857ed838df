import type { z } from 'zod';
import type { DeadLetterReason } from '../src/dlq/dead-letter.js';
import type { AcquiredRecord } from '../src/engine/types.js';
import { AckType } from '../src/engine/types.js';
import { SharqError, toError } from '../src/errors/sharq-error.js';
import {
  type BackoffSpec,
  backoffSpec,
  decodeJob,
  decodeRun,
  type JobRun,
} from '../src/job/envelope.js';
import { parseJobData } from '../src/job/schema.js';
import type { WorkerOptions } from '../src/options/queue-options.js';
import type { TimerClock } from '../src/util/clock.js';
import { sleep } from '../src/util/sleep.js';
import type { FailureOutcome, RetryInfo } from './events.js';
import { type Job, type JobHooks, jobFromRecord } from './job.js';
import type { Locked } from './lock-keeper.js';
import {
  type Admission,
  admit,
  attemptOf,
  decideFailure,
  postpone,
  type RetryPolicy,
} from './outcome.js';

const RUN: Admission = { type: 'run' };

import { type BackoffStrategy, nextDelay } from './retry/backoff.js';

/** One delivery of one record on this worker. */
export interface Delivery<Data> extends Locked {
  job: Job<Data> | undefined;
  /** Created only when the handler can see it (it takes a second parameter, or runs in a sandbox). */
  controller: AbortController | undefined;
  /** Set when the attempt failed (for the elastic pool's failure share). */
  failed: boolean;
  /** Acquired before its rate-limit token (the worker was idle): take one before running. */
  needsToken: boolean;
  /** When its handler started (clock ms), 0 if it did not run: for the elastic pool. */
  startedAt: number;
  /** The handler is done and its verdict (ACCEPT, hold, tier or DLQ write) is on its way: shutdown waits for it instead of releasing. */
  deciding: boolean;
  done: Promise<void>;
}

/** What a delivery needs from its worker: narrow on purpose. */
export interface DeliveryHost<Data, Result> {
  readonly group: string;
  readonly clock: TimerClock;
  readonly options: Readonly<z.output<typeof WorkerOptions>>;
  /** The group's delivery-count limit as last read. */
  readonly deliveryLimit: number;
  /**
   * The limit for a failed delivery of `record`: read again first when the record was written
   * after the worker last read the group's settings (a Queue sets them on its first add, after
   * workers may have started).
   */
  deliveryLimitFor(record: AcquiredRecord): number | Promise<number>;
  /** The longest retry held on the worker: the hold limit, capped at half the lock. */
  readonly holdLimitMs: number;
  /** Runs the handler; a synchronous one returns its result (or throws) without a promise. */
  invoke(job: Job<Data>, signal: AbortSignal): Promise<Result> | Result;
  /** A RateLimitError without `delayMs` waits this long (the limiter's window), else the hold limit. */
  readonly rateLimitWaitMs: number | undefined;
  /** Waits for a rate-limit token; false when the worker closed or lost the lock first. */
  waitForToken(entry: Delivery<Data>): Promise<boolean>;
  /** Takes a token of the retry budget; resolves with how much longer a retry must wait (0: none). */
  retryBudgetWait(): Promise<number>;
  settle(entry: Delivery<Data>, type: AckType): Promise<boolean>;
  /** The success path: ACCEPT, and `completed` once the engine applied it. No promise per job. */
  accept(entry: Delivery<Data>, job: Job<Data>, result: Result): void;
  /** The delivery is over (its verdict may still be on its way): frees its slot. */
  finished(entry: Delivery<Data>): void;
  /** Keeps the record locked for `delayMs` without a slot, then RELEASEs it. */
  hold(entry: Delivery<Data>, delayMs: number, attemptsMade: number): void;
  /**
   * Moves the job to a delay tier (or its queue when due now); resolves once settled. `group`
   * marks a retry as this group's, so other groups reading the queue skip it.
   */
  forward(
    entry: Delivery<Data>,
    dueAt: number,
    attemptsMade: number,
    group: string | undefined,
  ): Promise<boolean>;
  deadLetter(
    entry: Delivery<Data>,
    reason: DeadLetterReason,
    error: Error,
    attempts: number,
  ): Promise<boolean>;
  emitActive(job: Job<Data>): void;
  /** The handler is about to run (the elastic pool counts it). */
  handlerStarting(entry: Delivery<Data>): void;
  emitFailed(job: Job<Data> | undefined, error: Error, outcome: FailureOutcome): void;
  emitRetrying(job: Job<Data>, error: Error, info: RetryInfo): void;
  /** progress / log of every job, one object for all of them. */
  readonly jobHooks: JobHooks<Data>;
  readonly closing: boolean;
}

/** A signal that never aborts, for handlers that do not take one (saves an AbortController per job). */
const NEVER = new AbortController().signal;
const DONE: Promise<void> = Promise.resolve();

export function newDelivery<Data>(record: AcquiredRecord, withSignal: boolean): Delivery<Data> {
  return {
    record,
    job: undefined,
    controller: withSignal ? new AbortController() : undefined,
    lockDeadline: record.lockDeadline,
    abandoned: false,
    settled: false,
    failed: false,
    needsToken: false,
    deciding: false,
    startedAt: 0,
    done: DONE,
  };
}

/** The retry policy of one job: its backoff (or the worker default) and the hold limit. */
function policyOf<Data, Result>(
  host: DeliveryHost<Data, Result>,
  spec: BackoffSpec | undefined,
  job: () => unknown,
): RetryPolicy {
  const strategies = host.options.backoffStrategies as Record<string, BackoffStrategy> | undefined;
  return {
    holdLimitMs: host.holdLimitMs,
    rateLimitWaitMs: host.rateLimitWaitMs ?? host.holdLimitMs,
    delayAfter: (made, error) => nextDelay(spec, made, error, job(), strategies),
    minDelayAfter: (made, error) => nextDelay(spec, made, error, job(), strategies, () => 0),
  };
}

/**
 * A delivery's life: decode and parse (a poison record goes to the DLQ without running), admit
 * (due later, another group's retry, attempts already spent), run the handler under the job's
 * timeout, then apply the verdict: ACCEPT, hold then RELEASE, forward to a tier, or DLQ.
 */
export async function runDelivery<Data, Result>(
  host: DeliveryHost<Data, Result>,
  entry: Delivery<Data>,
): Promise<void> {
  try {
    const { record } = entry;
    const { options } = host;
    let run: JobRun;
    let job: Job<Data>;
    let state: {
      attemptsMade: number;
      deliveryCount: number;
      attempts: number;
      deliveryLimit: number;
    };
    try {
      run = decodeRun(record);
      const decoded = decodeJob(record);
      const data = parseJobData(
        options.schema,
        decoded.data,
        'Job data does not match the worker schema',
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
        },
      ) as Data;
      state = {
        attemptsMade: run.attemptsMade ?? 0,
        deliveryCount: record.deliveryCount,
        attempts: run.attempts ?? options.attempts,
        deliveryLimit: host.deliveryLimit,
      };
      job = jobFromRecord(
        record,
        decoded,
        data,
        { made: attemptOf(state) - 1, allowed: state.attempts },
        entry,
        host.jobHooks,
      );
      entry.job = job;
    } catch (err) {
      // A poison record never reaches the handler: it goes to the DLQ with the reason.
      const error = toError(err);
      await host.deadLetter(entry, 'invalid-payload', error, record.deliveryCount);
      host.emitFailed(undefined, error, 'dead-letter');
      return;
    }
    // Built only when needed (a failure, a redelivery, a due time): most jobs never need it.
    const spec = run.backoff;
    let lazyPolicy: RetryPolicy | undefined;
    const policy = (): RetryPolicy => {
      lazyPolicy ??= policyOf(host, spec ?? backoffSpec(options.backoff), () => job);
      return lazyPolicy;
    };

    // The common case, a first delivery with nothing to check, skips the admission rules.
    const plain =
      run.group === undefined &&
      run.dueAt === undefined &&
      state.deliveryCount === 1 &&
      state.attemptsMade < state.attempts;
    const admission: Admission = plain
      ? RUN
      : admit(state, run, host.group, policy(), host.clock.now());
    switch (admission.type) {
      case 'skip':
        await host.settle(entry, AckType.Accept);
        return;
      case 'dead-letter': {
        const error = new SharqError(
          'SHARQ_ERR_ATTEMPTS_EXHAUSTED',
          `Job ${job.id} spent its ${state.attempts} attempts in deliveries that ended without a verdict (its workers stopped or lost its lock)`,
          { details: { jobId: job.id, attempts: state.attempts } },
        );
        await host.deadLetter(entry, admission.reason, error, state.attempts);
        host.emitFailed(job, error, 'dead-letter');
        return;
      }
      case 'forward':
        // Due later (keeps its group mark, none for a delayed add), or a retry redelivered early.
        await host.forward(
          entry,
          admission.dueAt,
          admission.attemptsMade,
          run.dueAt !== undefined && run.dueAt > host.clock.now() ? run.group : host.group,
        );
        return;
      case 'wait':
        // Due within the hold limit: wait here, lock renewed by the sweep.
        await sleep(admission.delayMs, entry.controller?.signal, host.clock);
        if (entry.abandoned) return;
        break;
      case 'run':
        break;
    }
    // Held (lock renewed) until the limiter lets it run; on shutdown it is released unrun.
    if (entry.needsToken && !(await host.waitForToken(entry))) {
      if (!entry.abandoned) await host.settle(entry, AckType.Release);
      return;
    }

    host.handlerStarting(entry);
    host.emitActive(job);
    let result: Result;
    try {
      const r = invokeWithTimeout(host, entry, job, run.timeout ?? options.timeout);
      // A synchronous handler's result is used as it is: no promise, no extra turn.
      result = isThenable(r) ? await r : r;
    } catch (thrown) {
      if (entry.abandoned) return;
      entry.deciding = true;
      await settleFailure(host, entry, job, state, policy(), toError(thrown));
      return;
    }
    if (entry.abandoned) return;
    entry.deciding = true;
    // The slot frees once the ACCEPT is queued, not once it is durable: the next poll goes out
    // with it (on Kafka the ACCEPT rides on that ShareFetch). `completed` waits for durability.
    host.accept(entry, job, result);
  } finally {
    host.finished(entry);
  }
}

async function settleFailure<Data, Result>(
  host: DeliveryHost<Data, Result>,
  entry: Delivery<Data>,
  job: Job<Data>,
  state: Parameters<typeof decideFailure>[1],
  policy: RetryPolicy,
  error: Error,
): Promise<void> {
  entry.failed = true;
  const limit = host.deliveryLimitFor(entry.record);
  state.deliveryLimit = typeof limit === 'number' ? limit : await limit;
  if (entry.abandoned) return;
  let now = host.clock.now();
  let verdict = decideFailure(error, state, policy, now);
  if (
    verdict.type === 'hold' ||
    (verdict.type === 'forward' && verdict.attemptsMade === attemptOf(state))
  ) {
    // A retry spends the queue's retry budget; past it, the retry waits for the budget.
    const extra = await host.retryBudgetWait();
    // The lock may have gone while the budget answered: then the job is someone else's.
    if (entry.abandoned) return;
    if (extra > 0) {
      now = host.clock.now();
      verdict = postpone(verdict, extra, state, policy, now);
    }
  }
  switch (verdict.type) {
    case 'dead-letter':
      await host.deadLetter(entry, verdict.reason, error, attemptOf(state));
      host.emitFailed(job, error, 'dead-letter');
      return;
    case 'hold':
      host.emitFailed(job, error, 'retry');
      host.emitRetrying(job, error, {
        delayMs: verdict.delayMs,
        dueAt: now + verdict.delayMs,
        via: 'hold',
      });
      host.hold(entry, verdict.delayMs, attemptOf(state));
      return;
    case 'forward': {
      // A rate-limited job did not fail: it waits, without spending its attempt.
      if (verdict.attemptsMade === attemptOf(state)) host.emitFailed(job, error, 'retry');
      const delayMs = Math.max(0, verdict.dueAt - now);
      host.emitRetrying(job, error, {
        delayMs,
        dueAt: verdict.dueAt,
        via: delayMs > 0 ? 'tier' : 'queue',
      });
      await host.forward(entry, verdict.dueAt, verdict.attemptsMade, host.group);
      return;
    }
    case 'accept':
      await host.settle(entry, AckType.Accept);
  }
}

/** Runs the handler; past `timeoutMs` the signal fires and the attempt fails with SHARQ_ERR_JOB_TIMEOUT. */
function invokeWithTimeout<Data, Result>(
  host: DeliveryHost<Data, Result>,
  entry: Delivery<Data>,
  job: Job<Data>,
  timeoutMs: number | undefined,
): Promise<Result> | Result {
  const signal = entry.controller?.signal ?? NEVER;
  if (timeoutMs === undefined) return host.invoke(job, signal);
  return new Promise<Result>((resolve, reject) => {
    const cancel = host.clock.setTimer(() => {
      const error = new SharqError(
        'SHARQ_ERR_JOB_TIMEOUT',
        `Job ${job.id} timed out after ${timeoutMs} ms`,
        {
          details: { jobId: job.id, timeoutMs },
        },
      );
      entry.controller?.abort(error);
      reject(error);
    }, timeoutMs);
    let running: Promise<Result> | Result;
    try {
      running = host.invoke(job, signal);
    } catch (e) {
      cancel();
      reject(e);
      return;
    }
    Promise.resolve(running).then(
      (r) => {
        cancel();
        resolve(r);
      },
      (e: unknown) => {
        cancel();
        reject(e);
      },
    );
  });
}

function isThenable<T>(v: Promise<T> | T): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}
