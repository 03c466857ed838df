import type { AcquiredRecord } from '../src/engine/types.js';
import type { DecodedJob } from '../src/job/envelope.js';

/** A job as a handler sees it: one delivery of one record. */
export interface Job<Data = unknown> {
  readonly id: string;
  readonly name: string;
  readonly data: Data;
  readonly queue: string;
  readonly key: string | null;
  /** Headers the producer set, without sharq's own. */
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: number;
  /** When this record was written (epoch ms): the add, or the latest retry hop. */
  readonly timestamp: number;
  /** This record's delivery number, 1 on the first. */
  readonly deliveryCount: number;
  /** Attempts made before this one (0 on the first), across retries through delay tiers. */
  readonly attemptsMade: number;
  /** This attempt's number, 1 on the first: `attemptsMade + 1`. Handlers use it to stay idempotent. */
  readonly attempt: number;
  /** Attempts the job may make in all; a failure on the last goes to the DLQ. */
  readonly attempts: number;
  /** Epoch ms when the lock runs out; the worker renews it while the handler runs. */
  readonly lockDeadline: number;
  /** Reports progress: the worker emits `progress` with the value. */
  progress(value: unknown): void;
  /** Adds a log line: the worker emits `log` with it. */
  log(line: string): void;
}

export interface JobHooks<Data> {
  lockDeadline(): number;
  progress(job: Job<Data>, value: unknown): void;
  log(job: Job<Data>, line: string): void;
}

export function jobFromRecord<Data>(
  record: AcquiredRecord,
  decoded: DecodedJob,
  data: Data,
  attempt: { made: number; allowed: number },
  hooks: JobHooks<Data>,
): Job<Data> {
  const job: Job<Data> = {
    id: decoded.id,
    name: decoded.name,
    data,
    queue: record.topic,
    key: decoded.key,
    headers: decoded.headers,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    deliveryCount: record.deliveryCount,
    attemptsMade: attempt.made,
    attempt: attempt.made + 1,
    attempts: attempt.allowed,
    get lockDeadline() {
      return hooks.lockDeadline();
    },
    progress: (value) => hooks.progress(job, value),
    log: (line) => hooks.log(job, String(line)),
  };
  return job;
}
