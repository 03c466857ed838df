import type { z } from 'zod';
import { type EngineLease, leaseEngine } from '../engine/resolve-engine.js';
import type { Engine, ProduceRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { encodeJob } from '../job/envelope.js';
import { parseJobData } from '../job/schema.js';
import { parseOptions, topicName } from '../options/parse.js';
import { JobOptions, QueueOptions } from '../options/queue-options.js';

export type QueueOptionsInput = z.input<typeof QueueOptions>;
export type JobOptionsInput = z.input<typeof JobOptions>;

/** What `add` returns: where the job now durably sits. */
export interface AddedJob {
  id: string;
  name: string;
  queue: string;
  partition: number;
  offset: number;
}

export interface BulkJob<Data> {
  name: string;
  data: Data;
  opts?: JobOptionsInput;
}

/** The DLQ topic of a queue unless configured: `dlq.` is the prefix Kafka 4.4 requires for group DLQs. */
export function defaultDeadLetterTopic(queue: string): string {
  return `dlq.${queue}`;
}

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
  private closing: Promise<void> | undefined;

  constructor(name: string, options: QueueOptionsInput = {}) {
    const parsed = topicName.safeParse(name);
    if (!parsed.success) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_OPTION',
        `Invalid queue name "${name}": ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        { details: { option: 'name' } },
      );
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
    const encoded: { id: string; name: string; record: ProduceRecord }[] = jobs.map((job, i) => {
      if (typeof job?.name !== 'string' || job.name.length === 0) {
        throw new SharqError(
          'SHARQ_ERR_INVALID_ARGUMENT',
          `Job ${i} needs a non-empty string name`,
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
      const { id, record } = encodeJob({ name: job.name, data, ...opts });
      return { id, name: job.name, record };
    });
    await this.ensureTopic();
    const positions = await this.engine.produce(
      this.name,
      encoded.map((e) => e.record),
    );
    return encoded.map((e, i) => ({
      id: e.id,
      name: e.name,
      queue: this.name,
      partition: positions[i]!.partition,
      offset: positions[i]!.offset,
    }));
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
