import type { DeadLetterReason } from '../src/dlq/dead-letter.js';
import type { AcquiredRecord } from '../src/engine/types.js';
import type { Job } from './job.js';

/** How a failed attempt ended. */
export type FailureOutcome = 'retry' | 'dead-letter';

/** Where a retry waits: on the worker (lock renewed, then RELEASE) or in a delay tier. */
export interface RetryInfo {
  delayMs: number;
  dueAt: number;
  via: 'hold' | 'tier' | 'queue';
}

export interface WorkerEvents<Data, Result> {
  /** A worker is set up and polling. */
  ready: [];
  /** A handler started on a job. */
  active: [job: Job<Data>];
  /** The handler succeeded and the job is acknowledged (durably). */
  completed: [job: Job<Data>, result: Result];
  /** An attempt failed; `outcome` says whether the job will be retried or was dead-lettered. */
  failed: [job: Job<Data> | undefined, error: Error, outcome: FailureOutcome];
  /** A failed job's next attempt is scheduled. */
  retrying: [job: Job<Data>, error: Error, info: RetryInfo];
  /** A job is safely in the dead-letter topic and acknowledged in the queue. */
  'dead-lettered': [
    info: {
      record: AcquiredRecord;
      reason: DeadLetterReason;
      error: Error;
      /** The job, unless its record could not be decoded (a poison record). */
      job: Job<Data> | undefined;
    },
  ];
  /** The worker lost a job's lock (it expired or the engine refused a renewal); the job runs again elsewhere. */
  'lock-lost': [job: Job<Data>, error: Error];
  /** `job.progress(value)` from a handler. */
  progress: [job: Job<Data>, value: unknown];
  /** `job.log(line)` from a handler. */
  log: [job: Job<Data>, line: string];
  /** A poll found nothing and no job is running. */
  drained: [];
  /** Something an operator should know that is not an error (a rate limit that is per process only). */
  notice: [message: string];
  /** A background failure the worker recovered from (poll, ack, DLQ write). */
  error: [error: Error];
  /** The queue was paused for the whole fleet (admin API, `sharq queue pause`): no new jobs are acquired. */
  paused: [info: { reason: string | null; by: string | null; at: number | null }];
  /** The queue was resumed: the worker acquires again. */
  resumed: [info: { by: string | null; at: number | null }];
  closed: [];
}
