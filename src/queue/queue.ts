import type { z } from 'zod';
import { type EngineLease, leaseEngine } from '../engine/resolve-engine.js';
import type { Engine, ProduceRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { backoffSpec, encodeJob, type JobRun } from '../job/envelope.js';
import { parseJobData } from '../job/schema.js';
import { parseOptions } from '../options/parse.js';
import { JobOptions, QueueOptions } from '../options/queue-options.js';
import { reconcileGroupConfig } from './group-config.js';
import {
  defaultDeadLetterTopic,
  delayTierTopic,
  queueGroup,
  queueNameProblem,
  tierFor,
} from './names.js';

export type QueueOptionsInput = z.input<typeof QueueOptions>;
export type JobOptionsInput = z.input<typeof JobOptions>;

/** What `add` returns: where the job now durably sits. */
export interface AddedJob {
  id: string;
  name: string;
  queue: string;
  /** The topic holding the job now: the queue, or a delay tier for a delayed job. */
  topic: string;
  partition: number;
  offset: number;
  /** For a delayed job: when it becomes due (epoch ms). */
  dueAt?: number;
}

export interface BulkJob<Data> {
  name: string;
  data: Data;
  opts?: JobOptionsInput;
}

export { defaultDeadLetterTopic } from './names.js';

/**
 * A queue is a topic. `add` resolves once the job is durable on the engine (on the embedded
 * engine with the default fsync policy: on disk). A rejected `add` may still have reached the
 * log (an I/O error after the write), so callers that retry an add should give the job an id
 * and make its handler idempotent: delivery is at least once.
 */
export class Queue<Data = unknown> {
  readonly name: string;
  readonly deadLetterTopic: string;
  private readonly options: Readonly<z.output<typeof QueueOptions>>;
  private readonly lease: EngineLease;
  private topicReady: Promise<void> | undefined;
  private readonly tiersReady = new Map<string, Promise<unknown>>();
  private closing: Promise<void> | undefined;

  constructor(name: string, options: QueueOptionsInput = {}) {
    const problem = queueNameProblem(name);
    if (problem !== undefined) {
      throw new SharqError('SHARQ_ERR_INVALID_OPTION', `Invalid queue name "${name}": ${problem}`, {
        details: { option: 'name' },
      });
    }
    this.name = name;
    this.options = parseOptions('Queue', QueueOptions, options);
    this.deadLetterTopic = this.options.deadLetterTopic ?? defaultDeadLetterTopic(name);
    this.lease = leaseEngine(this.options.engine);
  }

  get engine(): Engine {
    return this.lease.engine;
  }

  /** Adds one job. Resolves with its position once it is durable. */
  async add(name: string, data: Data, opts?: JobOptionsInput): Promise<AddedJob> {
    const [job] = await this.addBulk([opts === undefined ? { name, data } : { name, data, opts }]);
    return job!;
  }

  /** Adds jobs as one batch: one durable write per partition. */
  async addBulk(jobs: readonly BulkJob<Data>[]): Promise<AddedJob[]> {
    this.assertOpen();
    if (!Array.isArray(jobs) || jobs.length === 0) {
      throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', 'addBulk needs a non-empty array of jobs');
    }
    const now = Date.now();
    const defaults = this.options.defaultJobOptions;
    const encoded: {
      id: string;
      name: string;
      topic: string;
      dueAt?: number;
      record: ProduceRecord;
    }[] = jobs.map((job, i) => {
      if (typeof job?.name !== 'string' || job.name.length === 0) {
        throw new SharqError(
          'SHARQ_ERR_INVALID_ARGUMENT',
          jobs.length === 1
            ? `A job needs a non-empty string name, got ${JSON.stringify(job?.name) ?? String(job?.name)}`
            : `Job ${i} of the ${jobs.length} in addBulk needs a non-empty string name, got ${JSON.stringify(job?.name) ?? String(job?.name)}`,
          {
            details: { index: i },
          },
        );
      }
      const opts = parseOptions(`job "${job.name}"`, JobOptions, job.opts);
      const data = parseJobData(
        this.options.schema,
        job.data,
        `Job "${job.name}" data does not match the queue schema`,
        { queue: this.name, jobName: job.name },
      );
      const runAt = opts.runAt instanceof Date ? opts.runAt.getTime() : opts.runAt;
      const dueAt = runAt ?? (opts.delay === undefined ? undefined : now + opts.delay);
      const delayed = dueAt !== undefined && dueAt > now;
      const run: JobRun = {
        attempts: opts.attempts ?? defaults?.attempts,
        backoff: backoffSpec(opts.backoff ?? defaults?.backoff),
        timeout: opts.timeout ?? defaults?.timeout,
        dueAt: delayed ? dueAt : undefined,
      };
      const { id, record } = encodeJob({
        name: job.name,
        data,
        jobId: opts.jobId,
        key: opts.key,
        headers: opts.headers,
        partition: delayed ? undefined : opts.partition,
        run,
      });
      // A delayed job waits in the delay tier for its delay; the forwarder brings it back.
      return delayed
        ? {
            id,
            name: job.name,
            topic: delayTierTopic(this.name, tierFor(dueAt - now)),
            dueAt,
            record,
          }
        : { id, name: job.name, topic: this.name, record };
    });
    await this.ensureTopic();
    const byTopic = new Map<string, number[]>();
    encoded.forEach((e, i) => {
      const list = byTopic.get(e.topic);
      if (list === undefined) byTopic.set(e.topic, [i]);
      else list.push(i);
    });
    const positions: { partition: number; offset: number }[] = new Array(encoded.length);
    await Promise.all(
      [...byTopic].map(async ([topic, indexes]) => {
        if (topic !== this.name) await this.ensureTier(topic);
        const written = await this.engine.produce(
          topic,
          indexes.map((i) => encoded[i]!.record),
        );
        indexes.forEach((i, k) => {
          positions[i] = written[k]!;
        });
      }),
    );
    return encoded.map((e, i) => {
      const added: AddedJob = {
        id: e.id,
        name: e.name,
        queue: this.name,
        topic: e.topic,
        partition: positions[i]!.partition,
        offset: positions[i]!.offset,
      };
      if (e.dueAt !== undefined) added.dueAt = e.dueAt;
      return added;
    });
  }

  private ensureTier(topic: string): Promise<unknown> {
    let ready = this.tiersReady.get(topic);
    if (ready === undefined) {
      ready = this.engine.admin.ensureTopic(topic, { partitions: 1 }).catch((err: unknown) => {
        this.tiersReady.delete(topic);
        throw err;
      });
      this.tiersReady.set(topic, ready);
    }
    return ready;
  }

  /** Creates the queue topic and its dead-letter topic when missing. */
  ensureTopic(): Promise<void> {
    this.topicReady ??= (async () => {
      const partitions = this.options.partitions;
      await this.engine.admin.ensureTopic(
        this.name,
        partitions === undefined ? {} : { partitions },
      );
      await this.engine.admin.ensureTopic(this.deadLetterTopic);
      // The queue owns its group's settings: written when the group has none, compared otherwise.
      const { deliveryLimit, lockDurationMs } = this.options;
      if (deliveryLimit !== undefined || lockDurationMs !== undefined) {
        await reconcileGroupConfig(
          this.engine.admin,
          queueGroup(this.name),
          {
            deadLetterTopic: this.deadLetterTopic,
            ...(deliveryLimit === undefined ? {} : { deliveryCountLimit: deliveryLimit }),
            ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
          },
          { override: false, surface: `queue "${this.name}"` },
        );
      }
    })().catch((err: unknown) => {
      this.topicReady = undefined;
      throw err;
    });
    return this.topicReady;
  }

  close(): Promise<void> {
    this.closing ??= this.lease.release();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined)
      throw new SharqError('SHARQ_ERR_CLOSED', `Queue "${this.name}" is closed`);
  }
}
