import { SharqError } from './sharq-error.js';

/**
 * Errors a handler throws to steer its job's outcome, as BullMQ users expect. Each is a
 * `SharqError`, so its code reaches the DLQ record and the `failed` event.
 */

/** Retrying cannot help (bad input, a business rule): the job goes to the DLQ at once. */
export class UnrecoverableError extends SharqError {
  constructor(message = 'Unrecoverable job failure', options?: { cause?: unknown }) {
    super('SHARQ_ERR_UNRECOVERABLE', message, options);
    this.name = 'UnrecoverableError';
  }
}

/**
 * Retry this job after `delayMs` instead of its backoff. The attempt counts; on the last one the
 * job goes to the DLQ as any failure does.
 */
export class RetryJobError extends SharqError {
  readonly delayMs: number;
  constructor(options: { delayMs: number; message?: string; cause?: unknown }) {
    super('SHARQ_ERR_RETRY_JOB', options.message ?? `Retry in ${options.delayMs} ms`, {
      cause: options.cause,
      details: { delayMs: options.delayMs },
    });
    this.name = 'RetryJobError';
    this.delayMs = validDelay(options.delayMs);
  }
}

/**
 * The job met a rate limit of the service it calls: it runs again after `delayMs` (default: the
 * worker's hold limit, `holdMaxMs` capped at half the lock) without spending an attempt.
 */
export class RateLimitError extends SharqError {
  readonly delayMs: number | undefined;
  constructor(options: { delayMs?: number; message?: string } = {}) {
    super('SHARQ_ERR_RATE_LIMITED', options.message ?? 'Rate limited', {
      details: options.delayMs === undefined ? {} : { delayMs: options.delayMs },
    });
    this.name = 'RateLimitError';
    this.delayMs = options.delayMs === undefined ? undefined : validDelay(options.delayMs);
  }
}

function validDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `delayMs must be a finite number ≥ 0, got ${ms}`,
    );
  }
  return Math.round(ms);
}
