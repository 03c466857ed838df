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
  progress(job: Job<Data>, value: unknown): void;
  log(job: Job<Data>, line: string): void;
}

/** A job's view of its delivery: where its lock deadline lives. */
export interface LockSource {
  readonly lockDeadline: number;
}

/**
 * The Job a handler gets. A class, not an object literal with closures: its methods live on the
 * prototype, so a job costs one object and no functions (the hot path at high concurrency).
 */
class DeliveredJob<Data> implements Job<Data> {
  readonly id: string;
  readonly name: string;
  readonly queue: string;
  readonly key: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly deliveryCount: number;
  readonly attemptsMade: number;
  readonly attempt: number;
  readonly attempts: number;
  readonly #lock: LockSource;
  readonly #hooks: JobHooks<Data>;

  constructor(
    record: AcquiredRecord,
    decoded: DecodedJob,
    readonly data: Data,
    made: number,
    allowed: number,
    lock: LockSource,
    hooks: JobHooks<Data>,
  ) {
    this.id = decoded.id;
    this.name = decoded.name;
    this.queue = record.topic;
    this.key = decoded.key;
    this.headers = decoded.headers;
    this.partition = record.partition;
    this.offset = record.offset;
    this.timestamp = record.timestamp;
    this.deliveryCount = record.deliveryCount;
    this.attemptsMade = made;
    this.attempt = made + 1;
    this.attempts = allowed;
    this.#lock = lock;
    this.#hooks = hooks;
  }

  get lockDeadline(): number {
    return this.#lock.lockDeadline;
  }

  progress(value: unknown): void {
    this.#hooks.progress(this, value);
  }

  log(line: string): void {
    this.#hooks.log(this, String(line));
  }
}

export function jobFromRecord<Data>(
  record: AcquiredRecord,
  decoded: DecodedJob,
  data: Data,
  attempt: { made: number; allowed: number },
  lock: LockSource,
  hooks: JobHooks<Data>,
): Job<Data> {
  return new DeliveredJob(record, decoded, data, attempt.made, attempt.allowed, lock, hooks);
}
