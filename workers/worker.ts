import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { SharqError, toError } from '../src/errors/sharq-error.js';
import { forwardRecord } from '../src/job/envelope.js';
import { parseOptions } from '../src/options/parse.js';
import { WorkerOptions } from '../src/options/queue-options.js';
import { reconcileGroupConfig } from '../src/queue/group-config.js';
import {
  defaultDeadLetterTopic,
  delayTierTopic,
  delayTierTopics,
  queueGroup,
  queueNameProblem,
  tierFor,
} from '../src/queue/names.js';
import { backoffDelay } from '../src/util/backoff.js';
import { systemClock, type TimerClock } from '../src/util/clock.js';
import { sleep } from '../src/util/sleep.js';
import { AckBatcher } from './ack-batcher.js';
import { type Delivery, type DeliveryHost, newDelivery, runDelivery } from './delivery.js';
import type { FailureOutcome, RetryInfo, WorkerEvents } from './events.js';
import { forwardThenAccept } from './forward.js';
import type { Job } from './job.js';
import { LockKeeper } from './lock-keeper.js';
import { PauseWatch } from './pause-watch.js';
import { PollLoop } from './poll-loop.js';
import { ElasticConcurrency } from './pool/elastic-concurrency.js';
import { createRateLimiter, type RateLimiter } from './rate-limit/limiter.js';
import { DelayForwarder } from './retry/forwarder.js';
import {
  createSandboxPool,
  SandboxOptions,
  type SandboxOptionsInput,
  type SandboxPool,
} from './sandbox/pool.js';

export type { FailureOutcome, RetryInfo, WorkerEvents } from './events.js';
export type WorkerOptionsInput = z.input<typeof WorkerOptions>;
export type Handler<Data, Result> = (
  job: Job<Data>,
  signal: AbortSignal,
) => Promise<Result> | Result;
/**
 * What runs jobs: a function in this process, or a sandboxed processor (as BullMQ's): a module
 * path, run in worker threads, or `{ file, kind: 'thread' | 'process', ... }`.
 */
export type Processor<Data, Result> = Handler<Data, Result> | SandboxOptionsInput;

/** A hold's lock must outlast the wait by this much, so a crash mid-wait never frees it early. */
const HOLD_MARGIN_MS = 250;
/** The keep-alive interval's period: it does nothing, it only holds the event loop open. */
const KEEP_ALIVE_MS = 2 ** 30;
/** A record this much older than the last read of the group's settings cannot postdate a change. */
const CONFIG_CLOCK_SLACK_MS = 1000;
/** After the first, the group's settings are read again at most this often. */
const CONFIG_REREAD_MS = 1000;

interface Hold {
  cancel: () => void;
  dueAt: number;
  attemptsMade: number;
}

/**
 * Runs a handler over a queue's jobs as one member of the queue's share group. Any number of
 * workers, in any number of processes, may share one queue: the engine hands each job to one of
 * them at a time.
 *
 *   success                              → ACCEPT
 *   failure, attempts left, short backoff → held on the worker (lock renewed), then RELEASE
 *   failure, attempts left, long backoff  → forwarded to a delay tier, then ACCEPT
 *   last attempt, UnrecoverableError,
 *   bad payload                           → dead-letter record written and confirmed, then ACCEPT
 *   handler still running                 → its lock is RENEWed in the background
 *
 * The parts: `delivery.ts` (one delivery's life), `outcome.ts` (the pure verdict),
 * `forward.ts` (write then ACCEPT), `lock-keeper.ts` (renewals), `retry/` (backoff, the
 * delay-tier forwarder). This file is the lifecycle: setup, the poll loop and shutdown.
 */
export class Worker<Data = unknown, Result = unknown> extends EventEmitter<
  WorkerEvents<Data, Result>
> {
  readonly queue: string;
  readonly group: string;
  readonly deadLetterTopic: string;
  private readonly options: Readonly<z.output<typeof WorkerOptions>>;
  private readonly clock: TimerClock;
  private readonly lease: EngineLease;
  /** Deliveries holding a concurrency slot. One per delivery, not per offset. */
  private readonly running = new Set<Delivery<Data>>();
  /** Failed deliveries waiting out a short backoff before their RELEASE. */
  private readonly holds = new Map<Delivery<Data>, Hold>();
  private readonly pendingAcks = new Set<Promise<unknown>>();
  private readonly withSignal: boolean;
  private consumer: ShareConsumer | undefined;
  private acks: AckBatcher | undefined;
  private keeper: LockKeeper<Delivery<Data>> | undefined;
  private forwarder: DelayForwarder | undefined;
  private readonly limiter: RateLimiter | undefined;
  private readonly elastic: ElasticConcurrency | undefined;
  private readonly retryBudget: RateLimiter | undefined;
  /** When the next retry postponed past the budget is due (spreads them at the budget's rate). */
  private budgetNextAt = 0;
  private groupConfig: ShareGroupConfig | undefined;
  /** When `groupConfig` was read (this.clock), how often since setup, and a read under way. */
  private configReadAt = 0;
  private configRereads = 0;
  private configRead: Promise<void> | undefined;
  private readonly host: DeliveryHost<Data, Result>;
  private readonly pollAbort = new AbortController();
  private poller: PollLoop | undefined;
  private runLoop: Promise<void> | undefined;
  /** Holds the process open while the worker runs (see `run`). */
  private keepAlive: NodeJS.Timeout | undefined;
  private readyPromise: Promise<void> | undefined;
  private ready: Promise<void> | undefined;
  private readyWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private offEngineError: (() => void) | undefined;
  /** Partitions of the dead-letter topic, read once at setup (KIP-1191: source partition modulo this). */
  private dlqPartitions = 1;
  private closing: Promise<void> | undefined;
  private pauseWatch: PauseWatch | undefined;

  private readonly handler: Handler<Data, Result>;
  private readonly sandbox: SandboxPool | undefined;

  constructor(queue: string, processor: Processor<Data, Result>, options: WorkerOptionsInput = {}) {
    // An async listener that rejects is reported on `error`, never an unhandled rejection.
    super({ captureRejections: true });
    const problem = queueNameProblem(queue);
    if (problem !== undefined) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_OPTION',
        `Invalid queue name "${queue}": ${problem}`,
        {
          details: { option: 'queue' },
        },
      );
    }
    this.queue = queue;
    this.options = parseOptions('Worker', WorkerOptions, options);
    this.clock = this.options.clock ?? systemClock;
    if (typeof processor === 'function') {
      this.handler = processor;
      // A handler that takes no signal cannot see one: it gets a shared one, no controller per job.
      this.withSignal = processor.length >= 2;
    } else {
      const sandbox = parseOptions('Worker processor', SandboxOptions, processor);
      const file = sandbox.file.startsWith('file:') ? fileURLToPath(sandbox.file) : sandbox.file;
      if (!existsSync(file)) {
        throw new SharqError(
          'SHARQ_ERR_INVALID_OPTION',
          `Worker processor file ${path.resolve(file)} does not exist`,
          { details: { option: 'processor', file } },
        );
      }
      const pool = createSandboxPool(
        { ...sandbox, size: this.options.elastic?.max ?? this.options.concurrency },
        this.clock,
      );
      this.sandbox = pool;
      this.withSignal = true;
      this.handler = (job, signal) =>
        pool.run(
          {
            id: job.id,
            name: job.name,
            data: job.data,
            queue: job.queue,
            attempt: job.attempt,
            attempts: job.attempts,
            deliveryCount: job.deliveryCount,
            headers: { ...job.headers },
            timestamp: job.timestamp,
          },
          signal,
          { progress: (v) => job.progress(v), log: (line) => job.log(line) },
        ) as Promise<Result>;
    }
    this.group = this.options.group ?? queueGroup(queue);
    this.deadLetterTopic = this.options.deadLetterTopic ?? defaultDeadLetterTopic(queue);
    this.elastic =
      this.options.elastic === undefined
        ? undefined
        : new ElasticConcurrency(this.options.elastic, this.clock);
    const notice = (message: string) => queueMicrotask(() => this.fire('notice', message));
    this.limiter =
      this.options.limiter === undefined
        ? undefined
        : createRateLimiter(this.options.limiter, {
            key: queue,
            clock: this.clock,
            onNotice: notice,
          });
    this.retryBudget =
      this.options.retryBudget === undefined
        ? undefined
        : createRateLimiter(this.options.retryBudget, {
            key: `${queue}:retries`,
            clock: this.clock,
            onNotice: notice,
          });
    this.host = this.deliveryHost();
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

  /** Jobs this worker may run at once now: fixed, or the elastic pool's current limit. */
  get concurrency(): number {
    return this.elastic?.limit ?? this.options.concurrency;
  }

  /** Failed jobs waiting on this worker for a short backoff. */
  get heldCount(): number {
    return this.holds.size;
  }

  /**
   * Resolves once the worker has joined its group and is polling. Setup failures that may pass
   * (a broker still starting) are retried; it rejects on one that cannot (bad configuration, a
   * group setting in disagreement), or when the worker closes first.
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

  /**
   * Starts polling (done by the constructor unless `autorun: false`). From here until `close()`
   * has finished, the worker keeps the process alive, as a Redis connection keeps a BullMQ
   * worker's: sharq's own timers (setup retries, heartbeats, backoffs) never do, so a worker
   * waiting out a broker that is down let the process end, with exit code 0.
   */
  run(): Promise<void> {
    if (this.runLoop === undefined && this.closing === undefined)
      this.keepAlive = setInterval(() => undefined, KEEP_ALIVE_MS);
    this.runLoop ??= this.loop();
    return this.runLoop;
  }

  /**
   * Stops taking jobs, waits up to `shutdownTimeoutMs` for running ones, then aborts the rest
   * through their AbortSignal and releases their jobs for redelivery; jobs waiting out a
   * backoff go to a delay tier so they do not run early elsewhere. Idempotent.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** One setup at a time: concurrent callers share it; a failed one may be tried again. */
  private setupOnce(): Promise<void> {
    this.readyPromise ??= this.setup().catch((err: unknown) => {
      this.readyPromise = undefined;
      throw err;
    });
    return this.readyPromise;
  }

  private async setup(): Promise<void> {
    const admin = this.engine.admin;
    const [, dlq] = await Promise.all([
      admin.ensureTopic(this.queue),
      admin.ensureTopic(this.deadLetterTopic),
      ...delayTierTopics(this.queue).map((t) => admin.ensureTopic(t, { partitions: 1 })),
    ]);
    this.dlqPartitions = dlq.partitions;
    const wanted: Partial<ShareGroupConfig> = { deadLetterTopic: this.deadLetterTopic };
    if (this.options.deliveryLimit !== undefined)
      wanted.deliveryCountLimit = this.options.deliveryLimit;
    if (this.options.lockDurationMs !== undefined)
      wanted.lockDurationMs = this.options.lockDurationMs;
    this.configReadAt = this.clock.now();
    this.groupConfig = await reconcileGroupConfig(admin, this.group, wanted, {
      override: this.options.overrideGroupConfig,
      surface: `the worker of "${this.queue}"`,
    });
    if (this.closing !== undefined)
      throw new SharqError('SHARQ_ERR_CLOSED', 'Worker closed while starting');
    this.consumer = this.engine.createShareConsumer({ groupId: this.group, topics: [this.queue] });
    // Background failures of the engine (lost broker, failed heartbeat) surface on `error`.
    this.offEngineError = this.engine.onError((err) => this.reportError(err));
    this.acks = new AckBatcher(this.consumer, (err) => this.reportError(err));
    this.keeper = new LockKeeper(this.acks, this.groupConfig.lockDurationMs, this.clock, (e, err) =>
      this.lockLost(e, err),
    );
    if (this.options.forwarder) {
      this.forwarder = new DelayForwarder({
        engine: this.engine,
        queue: this.queue,
        deadLetterTopic: this.deadLetterTopic,
        clock: this.clock,
        pollMaxWaitMs: this.options.pollMaxWaitMs,
        onError: (err) => this.reportError(err),
      });
      await this.forwarder.start();
    }
    this.pauseWatch ??= this.watchPause();
    await this.pauseWatch.start();
  }

  /** The fleet-wide pause of the queue (pause-watch.ts), reported as events and a notice. */
  private watchPause(): PauseWatch {
    return new PauseWatch(
      this.engine,
      this.queue,
      this.clock,
      (s) => {
        if (s.paused) this.fire('paused', { reason: s.reason, by: s.by, at: s.at });
        else {
          this.fire('resumed', { by: s.by, at: s.at });
          this.poller?.notify();
        }
        this.fire(
          'notice',
          `queue "${this.queue}" ${s.paused ? `paused${s.reason ? `: ${s.reason}` : ''}` : 'resumed'}`,
        );
      },
      (err) => this.reportError(err),
    );
  }

  private async loop(): Promise<void> {
    // Setup failures (engine not reachable, directory locked by another process) are reported
    // and retried with backoff until the worker is closed; one that cannot pass rejects
    // waitUntilReady.
    for (let attempt = 1; this.closing === undefined; attempt++) {
      try {
        await this.setupOnce();
        this.readyWaiter?.resolve();
        this.fire('ready');
        break;
      } catch (err) {
        if (this.closing !== undefined) break;
        const error = toError(err);
        this.reportError(error);
        if (SharqError.is(error) && !error.retryable) this.readyWaiter?.reject(error);
        await sleep(
          backoffDelay(attempt, { baseMs: 100, maxMs: 5000 }),
          this.pollAbort.signal,
          this.clock,
        );
      }
    }
    if (this.closing !== undefined) {
      this.readyWaiter?.reject(
        new SharqError('SHARQ_ERR_CLOSED', `Worker of "${this.queue}" closed before it was ready`),
      );
      return;
    }
    this.poller = new PollLoop({
      consumer: this.consumer!,
      acks: this.acks!,
      clock: this.clock,
      limiter: this.limiter,
      pollMaxWaitMs: this.options.pollMaxWaitMs,
      // A paused queue (pause-watch.ts) has no free slots; resuming wakes the loop.
      concurrency: () => (this.pauseWatch?.paused ? 0 : this.concurrency),
      running: () => this.running.size,
      closing: () => this.closing !== undefined,
      signal: this.pollAbort.signal,
      start: (record, needsToken) => this.start(record, needsToken),
      reportError: (err) => this.reportError(err),
      drained: () => this.fire('drained'),
    });
    await this.poller.run();
  }

  private start(record: AcquiredRecord, needsToken = false): void {
    const entry = newDelivery<Data>(record, this.withSignal);
    entry.needsToken = needsToken;
    if (this.closing !== undefined) {
      // Acquired while shutting down: give it straight back.
      void this.settle(entry, AckType.Release);
      return;
    }
    this.running.add(entry);
    this.keeper!.add(entry);
    this.keeper!.observe(record.lockDeadline - this.clock.now());
    entry.done = runDelivery(this.host, entry);
  }

  /** A delivery is over: its slot frees (its verdict may still be on its way). */
  private finished(entry: Delivery<Data>): void {
    // The elastic pool learns from handler runs only (not skips, waits or moves).
    if (entry.startedAt > 0)
      this.elastic?.onFinish(this.clock.now() - entry.startedAt, !entry.failed);
    this.running.delete(entry);
    if (!this.holds.has(entry)) this.keeper!.delete(entry);
    this.poller?.notify();
  }

  /** ACCEPTs a job that succeeded; `completed` once the engine applied it. */
  private accept(entry: Delivery<Data>, job: Job<Data>, result: Result): void {
    entry.settled = true;
    this.acks!.submitWith({ record: entry.record, type: AckType.Accept }, ({ error }) => {
      if (error === undefined) this.fire('completed', job, result);
      else this.lockLost(entry, error);
    });
  }

  /** Queues the verdict; resolves true once the engine applied it durably. */
  private settle(entry: Delivery<Data>, type: AckType): Promise<boolean> {
    entry.settled = true;
    const p = this.acks!.submit({ record: entry.record, type }).then(({ error }) => {
      if (error === undefined) return true;
      this.lockLost(entry, error);
      return false;
    });
    this.pendingAcks.add(p);
    void p.finally(() => this.pendingAcks.delete(p));
    return p;
  }

  private hold(entry: Delivery<Data>, delayMs: number, attemptsMade: number): void {
    const dueAt = this.clock.now() + delayMs;
    // The lock must outlast the wait: then a crash mid-wait frees the job no earlier than due.
    if (entry.lockDeadline < dueAt + HOLD_MARGIN_MS) void this.keeper!.renew(entry);
    const cancel = this.clock.setTimer(() => {
      this.holds.delete(entry);
      this.keeper!.delete(entry);
      if (!entry.abandoned) void this.settle(entry, AckType.Release);
    }, delayMs);
    this.holds.set(entry, { cancel, dueAt, attemptsMade });
  }

  private async forward(
    entry: Delivery<Data>,
    dueAt: number,
    attemptsMade: number,
    group: string | undefined,
  ): Promise<boolean> {
    const { record } = entry;
    const wait = dueAt - this.clock.now();
    const target =
      wait <= 0
        ? {
            topic: this.queue,
            record: forwardRecord(record, { attemptsMade, dueAt: undefined, group }),
          }
        : {
            topic: delayTierTopic(this.queue, tierFor(wait)),
            record: forwardRecord(record, { attemptsMade, dueAt, group }),
          };
    const result = await forwardThenAccept(
      { engine: this.engine, settle: (_r, type) => this.settle(entry, type) },
      record,
      target,
      (err) =>
        this.reportError(
          new SharqError(
            'SHARQ_ERR_IO',
            `Could not move job ${record.topic}/${record.partition}@${record.offset} to ${target.topic}; it is delivered again when its lock lapses`,
            { cause: err, details: { topic: target.topic } },
          ),
        ),
    );
    if (result === 'write-failed') this.letLapse(entry);
    return result === 'done';
  }

  /**
   * The terminal-failure path: write the DLQ record and await its confirmation, then ACCEPT the
   * original. If the write fails the job is released instead, so it is never lost (on its last
   * delivery the engine then archives it into the group's dead-letter topic itself).
   */
  private async deadLetter(
    entry: Delivery<Data>,
    reason: DeadLetterReason,
    error: Error,
    attempts: number,
  ): Promise<boolean> {
    const { record } = entry;
    const dead = deadLetterRecord(
      {
        source: record,
        group: this.group,
        deliveryCount: record.deliveryCount,
        attempts,
        reason,
        error,
        message: error.message,
        now: this.clock.now(),
      },
      this.dlqPartitions,
    );
    const result = await forwardThenAccept(
      { engine: this.engine, settle: (_r, type) => this.settle(entry, type) },
      record,
      { topic: this.deadLetterTopic, record: dead },
      (err) =>
        this.reportError(
          new SharqError(
            'SHARQ_ERR_DLQ_WRITE_FAILED',
            `Could not write job ${record.topic}/${record.partition}@${record.offset} to ${this.deadLetterTopic}; it is delivered again when its lock lapses`,
            {
              cause: err,
              details: { topic: record.topic, partition: record.partition, offset: record.offset },
            },
          ),
        ),
    );
    if (result === 'write-failed') this.letLapse(entry);
    if (result === 'done') this.fire('dead-lettered', { record, reason, error, job: entry.job });
    return result === 'done';
  }

  /** Stops renewing a record whose verdict could not be written: its lock lapses, it comes back. */
  private letLapse(entry: Delivery<Data>): void {
    entry.settled = true;
    this.keeper?.delete(entry);
  }

  private lockLost(entry: Delivery<Data>, error: Error): void {
    if (entry.abandoned) return;
    entry.abandoned = true;
    entry.controller?.abort(error);
    const hold = this.holds.get(entry);
    if (hold !== undefined) {
      hold.cancel();
      this.holds.delete(entry);
    }
    this.keeper?.delete(entry);
    if (entry.job !== undefined && this.listenerCount('lock-lost') > 0)
      this.fire('lock-lost', entry.job, error);
    else this.reportError(error);
  }

  private async shutdown(): Promise<void> {
    try {
      await this.stopAll();
    } finally {
      clearInterval(this.keepAlive);
    }
  }

  private async stopAll(): Promise<void> {
    this.pollAbort.abort();
    this.poller?.notify();
    this.pauseWatch?.close();
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
      await sleep(this.options.shutdownTimeoutMs, stopWaiting.signal, this.clock);
      if (!allDone) {
        const reason = new SharqError(
          'SHARQ_ERR_SHUTDOWN_TIMEOUT',
          `Worker of "${this.queue}" closed with jobs still running after ${this.options.shutdownTimeoutMs} ms; they were aborted and released`,
        );
        const deciding: Promise<void>[] = [];
        for (const r of this.running) {
          if (r.abandoned) continue;
          // A verdict already being written (a tier or DLQ copy) finishes: releasing it now
          // would leave the job in two places.
          if (r.deciding) {
            deciding.push(r.done);
            continue;
          }
          r.abandoned = true;
          r.controller?.abort(reason);
          void this.settle(r, AckType.Release);
        }
        await Promise.allSettled(deciding);
      }
    }
    // Jobs waiting out a short backoff: a RELEASE now would run them early elsewhere, so they
    // move to a delay tier with their due time (released if that write fails: never lost).
    const held = [...this.holds];
    this.holds.clear();
    await Promise.allSettled(
      held.map(([entry, h]) => {
        h.cancel();
        return this.forward(entry, h.dueAt, h.attemptsMade, this.group);
      }),
    );
    this.keeper?.stop();
    await this.sandbox?.close();
    await this.forwarder?.close();
    await this.acks?.drain();
    await this.keeper?.drain();
    await Promise.allSettled([...this.pendingAcks]);
    await this.consumer?.close();
    this.offEngineError?.();
    await Promise.allSettled([this.limiter?.close(), this.retryBudget?.close()]);
    await this.lease.release();
    this.fire('closed');
  }

  /** Emits an event; a listener that throws is reported, never allowed to stall the loop. */
  private fire<K extends keyof WorkerEvents<Data, Result>>(
    event: K,
    ...args: WorkerEvents<Data, Result>[K]
  ): void {
    try {
      (this.emit as (e: K, ...a: unknown[]) => boolean)(event, ...args);
    } catch (err) {
      if (event === 'error') process.emitWarning(toError(err).message);
      else this.reportError(toError(err));
    }
  }

  /** Where EventEmitter sends the rejection of an async listener (captureRejections). */
  [Symbol.for('nodejs.rejection')](err: unknown, event: string): void {
    const error = toError(err);
    if (event === 'error') process.emitWarning(error.message);
    else this.reportError(error);
  }

  private reportError(err: Error): void {
    if (this.listenerCount('error') > 0) this.fire('error', err);
    else
      process.emitWarning(err.message, {
        code: (err as { code?: string }).code ?? 'SHARQ_WORKER_ERROR',
      });
  }

  /**
   * The delivery limit for a failed delivery. A worker reads the group's settings at setup, and
   * a Queue sets them on its first add, which may come after: a record written after the last
   * read (its timestamp, with a second for clocks apart) has them read again first, at most
   * once a second after the first time, and concurrent callers share one read. With a limit of
   * 5 read at setup and 3 set later, a failing job was held at its third delivery instead of
   * moved on, and the engine archived it with attempts left.
   */
  private deliveryLimitFor(record: AcquiredRecord): number | Promise<number> {
    const limit = () => this.groupConfig?.deliveryCountLimit ?? 5;
    const now = this.clock.now();
    if (record.timestamp < this.configReadAt - CONFIG_CLOCK_SLACK_MS) return limit();
    if (this.configRereads > 0 && now - this.configReadAt < CONFIG_REREAD_MS) return limit();
    this.configRead ??= (async () => {
      const readAt = this.clock.now();
      try {
        this.groupConfig = (await this.engine.admin.describeGroup(this.group)).config;
        this.configReadAt = readAt;
        this.configRereads++;
      } catch (err) {
        // Not fatal: decide by the settings as last read.
        this.reportError(toError(err));
      } finally {
        this.configRead = undefined;
      }
    })();
    return this.configRead.then(limit);
  }

  private deliveryHost(): DeliveryHost<Data, Result> {
    const worker = this;
    return {
      group: this.group,
      clock: this.clock,
      options: this.options,
      get deliveryLimit() {
        return worker.groupConfig?.deliveryCountLimit ?? 5;
      },
      deliveryLimitFor: (record) => this.deliveryLimitFor(record),
      get holdLimitMs() {
        const lock = worker.keeper?.lockMs ?? worker.groupConfig?.lockDurationMs ?? 30_000;
        return Math.min(worker.options.holdMaxMs, Math.floor(lock / 2));
      },
      get closing() {
        return worker.closing !== undefined;
      },
      invoke: (job, signal) => this.handler(job, signal),
      rateLimitWaitMs: this.options.limiter?.durationMs,
      waitForToken: async (entry) => {
        const limiter = this.limiter;
        while (limiter !== undefined && !entry.abandoned && this.closing === undefined) {
          try {
            const grant = await limiter.take(1);
            if (grant.granted === 1) return true;
            await sleep(grant.retryInMs, this.pollAbort.signal, this.clock);
          } catch (err) {
            this.reportError(toError(err));
            await sleep(1000, this.pollAbort.signal, this.clock);
          }
        }
        return limiter === undefined;
      },
      retryBudgetWait: async () => {
        const budget = this.options.retryBudget;
        if (this.retryBudget === undefined || budget === undefined) return 0;
        try {
          const grant = await this.retryBudget.take(1);
          if (grant.granted === 1) return 0;
          // Past the budget: postponed retries are spread at the budget's rate from when it
          // frees, rather than all made due at the same instant.
          const now = this.clock.now();
          this.budgetNextAt = Math.max(this.budgetNextAt, now + grant.retryInMs);
          const at = this.budgetNextAt;
          this.budgetNextAt += budget.durationMs / budget.max;
          return at - now;
        } catch (err) {
          // No budget to be had (Redis down): wait a window rather than hammer.
          this.reportError(toError(err));
          return this.options.retryBudget?.durationMs ?? 0;
        }
      },
      settle: (entry, type) => this.settle(entry, type),
      accept: (entry, job, result) => this.accept(entry, job, result),
      finished: (entry) => this.finished(entry),
      hold: (entry, delayMs, attemptsMade) => this.hold(entry, delayMs, attemptsMade),
      forward: (entry, dueAt, attemptsMade, group) =>
        this.forward(entry, dueAt, attemptsMade, group),
      deadLetter: (entry, reason, error, attempts) =>
        this.deadLetter(entry, reason, error, attempts),
      emitActive: (job) => this.fire('active', job),
      handlerStarting: (entry) => {
        if (this.elastic === undefined) return;
        entry.startedAt = this.clock.now();
        this.elastic.onStart();
      },
      emitFailed: (job: Job<Data> | undefined, error: Error, outcome: FailureOutcome) =>
        this.fire('failed', job, error, outcome),
      emitRetrying: (job: Job<Data>, error: Error, info: RetryInfo) =>
        this.fire('retrying', job, error, info),
      jobHooks: {
        progress: (job, value) => this.fire('progress', job, value),
        log: (job, line) => this.fire('log', job, line),
      },
    };
  }
}
