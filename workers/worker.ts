import { EventEmitter } from 'node:events';
import type { z } from 'zod';
import { type DeadLetterReason, deadLetterRecord } from '../src/dlq/dead-letter.js';
import { type EngineLease, leaseEngine } from '../src/engine/resolve-engine.js';
import {
  AckType,
  type AcquiredRecord,
  type Engine,
  type ShareConsumer,
  type ShareGroupConfig,
} from '../src/engine/types.js';
import { UnrecoverableError } from '../src/errors/control.js';
import { SharqError, toError } from '../src/errors/sharq-error.js';
import { decodeJob } from '../src/job/envelope.js';
import { parseJobData } from '../src/job/schema.js';
import { parseOptions, topicName } from '../src/options/parse.js';
import { WorkerOptions } from '../src/options/queue-options.js';
import { defaultDeadLetterTopic } from '../src/queue/queue.js';
import { AckBatcher } from './ack-batcher.js';
import { type Job, jobFromRecord } from './job.js';

export type WorkerOptionsInput = z.input<typeof WorkerOptions>;
export type Handler<Data, Result> = (
  job: Job<Data>,
  signal: AbortSignal,
) => Promise<Result> | Result;

/** How one delivery ended. */
export type FailureOutcome = 'retry' | 'dead-letter';

export interface WorkerEvents<Data, Result> {
  /** A handler started on a job. */
  active: [job: Job<Data>];
  /** The handler succeeded and the job is acknowledged (durably). */
  completed: [job: Job<Data>, result: Result];
  /** The handler threw; `outcome` says whether the job will be retried or was dead-lettered. */
  failed: [job: Job<Data> | undefined, error: Error, outcome: FailureOutcome];
  /** A job is safely in the dead-letter topic and acknowledged in the queue. */
  'dead-lettered': [info: { record: AcquiredRecord; reason: DeadLetterReason; error: Error }];
  /** The worker lost a job's lock (it expired or the engine refused a renewal); the job runs again elsewhere. */
  'lock-lost': [job: Job<Data>, error: Error];
  /** A poll found nothing and no job is running. */
  drained: [];
  /** A background failure the worker recovered from (poll, ack, DLQ write). */
  error: [error: Error];
  closed: [];
}

interface Running<Data> {
  record: AcquiredRecord;
  job: Job<Data> | undefined;
  controller: AbortController;
  lockDeadline: number;
  /** Set when the worker gave the record back (shutdown, lost lock): its late verdict is dropped. */
  abandoned: boolean;
  /** Set once its verdict (ACCEPT / RELEASE) is on its way: the lock needs no more renewals. */
  settled: boolean;
  done: Promise<void>;
}

/** How often running jobs are checked for a lock renewal, as a share of the lock duration. */
const RENEW_CHECK_SHARE = 1 / 6;
/** A lock is renewed once less than this share of it is left. */
const RENEW_WHEN_LEFT = 1 / 2;

/**
 * Runs a handler over a queue's jobs as one member of the queue's share group. Any number of
 * workers, in any number of processes, may share one queue: the engine hands each job to one of
 * them at a time.
 *
 *   success                         → ACCEPT
 *   thrown error, attempts left     → RELEASE (delivered again, the delivery count grows)
 *   thrown error on the last attempt,
 *   UnrecoverableError, bad payload → dead-letter record written and confirmed, then ACCEPT
 *   handler still running           → its lock is RENEWed in the background
 */
export class Worker<Data = unknown, Result = unknown> extends EventEmitter<
  WorkerEvents<Data, Result>
> {
  readonly queue: string;
  readonly group: string;
  readonly deadLetterTopic: string;
  private readonly options: Readonly<z.output<typeof WorkerOptions>>;
  private readonly lease: EngineLease;
  /**
   * Deliveries being handled. One per delivery, not per offset: a record redelivered here while
   * an abandoned handler of its earlier delivery still runs is a second entry.
   */
  private readonly running = new Set<Running<Data>>();
  private readonly pendingAcks = new Set<Promise<unknown>>();
  private consumer: ShareConsumer | undefined;
  private acks: AckBatcher | undefined;
  private groupConfig: ShareGroupConfig | undefined;
  private readonly pollAbort = new AbortController();
  private slotFreed: (() => void) | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private runLoop: Promise<void> | undefined;
  private readyPromise: Promise<void> | undefined;
  private ready: Promise<void> | undefined;
  private readyWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private offEngineError: (() => void) | undefined;
  /** Partitions of the dead-letter topic, read once at setup (KIP-1191: source partition modulo this). */
  private dlqPartitions = 1;
  private closing: Promise<void> | undefined;

  constructor(
    queue: string,
    private readonly handler: Handler<Data, Result>,
    options: WorkerOptionsInput = {},
  ) {
    super();
    const parsed = topicName.safeParse(queue);
    if (!parsed.success) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_OPTION',
        `Invalid queue name "${queue}": ${parsed.error.issues[0]?.message}`,
        {
          details: { option: 'queue' },
        },
      );
    }
    if (typeof handler !== 'function') {
      throw new SharqError('SHARQ_ERR_INVALID_OPTION', 'Worker handler must be a function', {
        details: { option: 'handler' },
      });
    }
    this.queue = queue;
    this.options = parseOptions('Worker', WorkerOptions, options);
    this.group = this.options.group ?? `sharq.${queue}`;
    this.deadLetterTopic = this.options.deadLetterTopic ?? defaultDeadLetterTopic(queue);
    this.lease = leaseEngine(this.options.engine);
    if (this.options.autorun) void this.run();
  }

  get engine(): Engine {
    return this.lease.engine;
  }

  /** Jobs running now. */
  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Resolves once the worker has joined its group and is polling. Setup failures that may pass
   * (a broker still starting) are retried; it rejects on one that cannot (bad configuration), or
   * when the worker closes first.
   */
  waitUntilReady(): Promise<void> {
    if (this.consumer !== undefined) return Promise.resolve();
    if (this.closing !== undefined) {
      return Promise.reject(
        new SharqError('SHARQ_ERR_CLOSED', `Worker of "${this.queue}" is closed`),
      );
    }
    // Not running (autorun: false): one setup attempt, without polling.
    if (this.runLoop === undefined) return this.setupOnce();
    this.ready ??= new Promise<void>((resolve, reject) => {
      this.readyWaiter = { resolve, reject };
    });
    return this.ready;
  }

  /** One setup at a time: concurrent callers share it; a failed one may be tried again. */
  private setupOnce(): Promise<void> {
    this.readyPromise ??= this.setup().catch((err: unknown) => {
      this.readyPromise = undefined;
      throw err;
    });
    return this.readyPromise;
  }

  /** Starts polling (done by the constructor unless `autorun: false`). */
  run(): Promise<void> {
    this.runLoop ??= this.loop();
    return this.runLoop;
  }

  /**
   * Stops taking jobs, waits up to `shutdownTimeoutMs` for running ones, then aborts the rest
   * through their AbortSignal and releases their jobs for redelivery. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async setup(): Promise<void> {
    const admin = this.engine.admin;
    await admin.ensureTopic(this.queue);
    this.dlqPartitions = (await admin.ensureTopic(this.deadLetterTopic)).partitions;
    const config: Partial<ShareGroupConfig> = {
      // A queue must not skip jobs added before its first worker started.
      autoOffsetReset: 'earliest',
      deadLetterTopic: this.deadLetterTopic,
    };
    if (this.options.maxAttempts !== undefined)
      config.deliveryCountLimit = this.options.maxAttempts;
    if (this.options.lockDurationMs !== undefined)
      config.lockDurationMs = this.options.lockDurationMs;
    await admin.configureGroup(this.group, config);
    this.groupConfig = (await admin.describeGroup(this.group)).config;
    if (this.closing !== undefined)
      throw new SharqError('SHARQ_ERR_CLOSED', 'Worker closed while starting');
    this.consumer = this.engine.createShareConsumer({ groupId: this.group, topics: [this.queue] });
    // Background failures of the engine (lost broker, failed heartbeat) surface on `error`.
    this.offEngineError = this.engine.onError((err) => this.reportError(err));
    this.acks = new AckBatcher(this.consumer, (err) => this.reportError(err));
    const check = Math.max(100, Math.floor(this.groupConfig.lockDurationMs * RENEW_CHECK_SHARE));
    this.renewTimer = setInterval(() => this.renewLocks(), check);
    this.renewTimer.unref();
  }

  private async loop(): Promise<void> {
    // Setup failures (engine not reachable, directory locked by another process) are reported
    // and retried with backoff until the worker is closed.
    for (let attempt = 0; this.closing === undefined; attempt++) {
      try {
        await this.setupOnce();
        this.readyWaiter?.resolve();
        break;
      } catch (err) {
        if (this.closing !== undefined) break;
        const error = toError(err);
        this.reportError(error);
        if (SharqError.is(error) && !error.retryable) this.readyWaiter?.reject(error);
        await sleep(Math.min(5000, 100 * 2 ** Math.min(attempt, 6)), this.pollAbort.signal);
      }
    }
    if (this.closing !== undefined) {
      this.readyWaiter?.reject(
        new SharqError('SHARQ_ERR_CLOSED', `Worker of "${this.queue}" closed before it was ready`),
      );
      return;
    }
    const consumer = this.consumer!;
    let failures = 0;
    while (this.closing === undefined) {
      const free = this.options.concurrency - this.running.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      let records: AcquiredRecord[];
      try {
        // Verdicts of finished jobs go out first: on Kafka they ride on this fetch rather than
        // wait behind it while the member still holds their locks.
        this.acks!.flushNow();
        records = await consumer.poll({
          maxRecords: free,
          maxWaitMs: this.options.pollMaxWaitMs,
          signal: this.pollAbort.signal,
        });
        failures = 0;
      } catch (err) {
        if (this.closing !== undefined) break;
        this.reportError(toError(err));
        failures++;
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)), this.pollAbort.signal);
        continue;
      }
      if (records.length === 0) {
        if (this.running.size === 0 && this.closing === undefined) this.emit('drained');
        continue;
      }
      for (const record of records) this.start(record);
    }
  }

  private start(record: AcquiredRecord): void {
    const entry: Running<Data> = {
      record,
      job: undefined,
      controller: new AbortController(),
      lockDeadline: record.lockDeadline,
      abandoned: false,
      settled: false,
      done: Promise.resolve(),
    };
    if (this.closing !== undefined) {
      // Acquired while shutting down: give it straight back.
      this.settle(entry, AckType.Release);
      return;
    }
    this.running.add(entry);
    entry.done = this.process(entry).finally(() => {
      this.running.delete(entry);
      const wake = this.slotFreed;
      this.slotFreed = undefined;
      wake?.();
    });
  }

  private async process(entry: Running<Data>): Promise<void> {
    const { record } = entry;
    const maxAttempts = this.groupConfig!.deliveryCountLimit;
    let job: Job<Data>;
    try {
      const decoded = decodeJob(record);
      const data = parseJobData(
        this.options.schema,
        decoded.data,
        'Job data does not match the worker schema',
        {
          topic: record.topic,
          partition: record.partition,
          offset: record.offset,
        },
      ) as Data;
      job = jobFromRecord(record, decoded, data, maxAttempts, () => entry.lockDeadline);
      entry.job = job;
    } catch (err) {
      // A poison record never reaches the handler: it goes to the DLQ with the reason.
      await this.deadLetter(entry, 'invalid-payload', toError(err));
      return;
    }
    this.emit('active', job);
    let result: Result;
    try {
      result = await this.handler(job, entry.controller.signal);
    } catch (thrown) {
      if (entry.abandoned) return;
      const error = toError(thrown);
      if (error instanceof UnrecoverableError || SharqError.is(error, 'SHARQ_ERR_UNRECOVERABLE')) {
        await this.deadLetter(entry, 'unrecoverable', error);
      } else if (record.deliveryCount >= maxAttempts) {
        await this.deadLetter(entry, 'attempts-exhausted', error);
      } else {
        this.settle(entry, AckType.Release);
        this.emit('failed', job, error, 'retry');
      }
      return;
    }
    if (entry.abandoned) return;
    const accepted = this.settle(entry, AckType.Accept);
    void accepted.then((ok) => {
      if (ok) this.emit('completed', job, result);
    });
  }

  /**
   * The terminal-failure path: write the DLQ record and await its confirmation, then ACCEPT the
   * original. If the write fails the job is released instead, so it is never lost (on its last
   * delivery the engine then archives it into the group's dead-letter topic itself).
   */
  private async deadLetter(
    entry: Running<Data>,
    reason: DeadLetterReason,
    error: Error,
  ): Promise<void> {
    const { record } = entry;
    try {
      const dead = deadLetterRecord(
        {
          source: record,
          group: this.group,
          deliveryCount: record.deliveryCount,
          reason,
          error,
          message: error.message,
          now: Date.now(),
        },
        this.dlqPartitions,
      );
      await this.engine.produce(this.deadLetterTopic, [dead]);
    } catch (err) {
      const failure = new SharqError(
        'SHARQ_ERR_DLQ_WRITE_FAILED',
        `Could not write job ${record.topic}/${record.partition}@${record.offset} to ${this.deadLetterTopic}; released for redelivery`,
        {
          cause: err,
          details: { topic: record.topic, partition: record.partition, offset: record.offset },
        },
      );
      this.reportError(failure);
      this.settle(entry, AckType.Release);
      this.emit('failed', entry.job, error, 'retry');
      return;
    }
    if (entry.abandoned) return;
    const accepted = await this.settle(entry, AckType.Accept);
    this.emit('failed', entry.job, error, 'dead-letter');
    if (accepted) this.emit('dead-lettered', { record, reason, error });
  }

  /** Queues the verdict; resolves true once the engine applied it durably. */
  private settle(entry: Running<Data>, type: AckType): Promise<boolean> {
    const { record } = entry;
    entry.settled = true;
    const p = this.acks!.submit({ record, type }).then(({ error }) => {
      if (error === undefined) return true;
      this.lockLost(entry, error);
      return false;
    });
    this.pendingAcks.add(p);
    void p.finally(() => this.pendingAcks.delete(p));
    return p;
  }

  private lockLost(entry: Running<Data>, error: Error): void {
    entry.abandoned = true;
    entry.controller.abort(error);
    if (entry.job !== undefined && this.listenerCount('lock-lost') > 0)
      this.emit('lock-lost', entry.job, error);
    else this.reportError(error);
  }

  /** RENEWs the locks of running jobs whose lock is more than half used. */
  private renewLocks(): void {
    const lockMs = this.groupConfig?.lockDurationMs;
    if (lockMs === undefined || this.acks === undefined) return;
    const now = Date.now();
    for (const entry of this.running) {
      if (entry.abandoned || entry.settled || entry.lockDeadline - now > lockMs * RENEW_WHEN_LEFT)
        continue;
      if (entry.lockDeadline <= now) {
        this.lockLost(
          entry,
          new SharqError(
            'SHARQ_ERR_INVALID_RECORD_STATE',
            `The lock of job at ${entry.record.topic}/${entry.record.partition}@${entry.record.offset} expired before it could be renewed`,
          ),
        );
        continue;
      }
      const p = this.acks
        .submit({ record: entry.record, type: AckType.Renew })
        .then(({ error, renewedUntil }) => {
          if (error !== undefined) this.lockLost(entry, error);
          else if (renewedUntil !== undefined) entry.lockDeadline = renewedUntil;
        });
      this.pendingAcks.add(p);
      void p.finally(() => this.pendingAcks.delete(p));
    }
  }

  private async shutdown(): Promise<void> {
    this.pollAbort.abort();
    this.slotFreed?.();
    await this.runLoop?.catch(() => undefined);
    await this.readyPromise?.catch(() => undefined);
    const running = [...this.running];
    if (running.length > 0) {
      // Wait for the running jobs or the deadline, whichever comes first, leaving no timer behind.
      let allDone = false;
      const stopWaiting = new AbortController();
      void Promise.allSettled(running.map((r) => r.done)).then(() => {
        allDone = true;
        stopWaiting.abort();
      });
      await sleep(this.options.shutdownTimeoutMs, stopWaiting.signal);
      if (!allDone) {
        const reason = new SharqError(
          'SHARQ_ERR_SHUTDOWN_TIMEOUT',
          `Worker of "${this.queue}" closed with jobs still running after ${this.options.shutdownTimeoutMs} ms; they were aborted and released`,
        );
        for (const r of this.running) {
          if (r.abandoned) continue;
          r.abandoned = true;
          r.controller.abort(reason);
          this.settle(r, AckType.Release);
        }
      }
    }
    clearInterval(this.renewTimer);
    await this.acks?.drain();
    await Promise.allSettled([...this.pendingAcks]);
    await this.consumer?.close();
    this.offEngineError?.();
    await this.lease.release();
    this.emit('closed');
  }

  private reportError(err: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', err);
    else
      process.emitWarning(err.message, {
        code: (err as { code?: string }).code ?? 'SHARQ_WORKER_ERROR',
      });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    t.unref?.();
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
