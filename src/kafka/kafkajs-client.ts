import { type Admin, Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { Partitioner } from '../engine/partitioner.js';
import type { ProduceRecord, RecordPosition, TopicDescription } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import type { KafkaEngineConfig } from '../options/engine-options.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import { type Cluster, unknownTopicError } from './cluster.js';
import { ProduceCoalescer } from './produce-coalescer.js';
import { IdempotentProducer } from './producer.js';
import { KafkaErrors } from './protocol/error-codes.js';

/** How long a produce retries a batch (a leader moving, a broken connection) before it fails. */
const DELIVERY_TIMEOUT_MS = 30_000;

/** How long a delete waits for the broker's metadata to drop the topic before it returns anyway. */
const DELETE_SETTLE_MS = 10_000;

/**
 * What sharq takes from kafkajs: topic admin, which works against Kafka 4.x (every version
 * kafkajs negotiates is above what 4.0 removed). Produce is sharq's own idempotent producer
 * (producer.ts) behind the coalescer; the share-group protocol is sharq's own
 * (src/kafka/protocol), and so are offset reads (list-offsets.ts): kafkajs' metadata of a topic
 * deleted elsewhere fails them for every topic.
 */
export class KafkajsClient {
  private readonly kafka: Kafka;
  private readonly producer: IdempotentProducer;
  readonly admin: Admin;
  private readonly partitioner = new Partitioner();
  private readonly partitionCounts = new Map<string, number>();
  private readonly coalescer = new ProduceCoalescer((topic, records) =>
    this.sendBatch(topic, records),
  );

  constructor(
    config: KafkaEngineConfig,
    private readonly cluster: Cluster,
  ) {
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: [...config.brokers],
      connectionTimeout: config.connectionTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      logLevel: logLevel.NOTHING,
      ...(config.ssl === undefined ? {} : { ssl: config.ssl }),
      ...(config.sasl === undefined ? {} : { sasl: config.sasl as SASLOptions }),
    });
    this.producer = new IdempotentProducer(cluster, {
      requestTimeoutMs: config.requestTimeoutMs,
      deliveryTimeoutMs: Math.max(config.requestTimeoutMs, DELIVERY_TIMEOUT_MS),
    });
    this.admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await wrap('connect', () => this.admin.connect());
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.producer.close(), this.admin.disconnect()]);
  }

  /**
   * The topic's partition count, from sharq's own Metadata request (cluster.ts), whose answer
   * the producer then uses too: a topic's first produce costs one Metadata round trip, not
   * one through kafkajs and another through the producer.
   */
  async partitions(topic: string, refresh = false, settleUnknown = true): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined && !refresh) return known;
    // A topic created a moment ago may not be in the broker's metadata yet, or have no leader
    // yet (kafkajs retried these): ask again for about a second and a half before giving up.
    // A caller asking whether a topic exists (`settleUnknown` false) takes "unknown" at once:
    // a topic not made yet cost every first add() 1.5 s per topic it checked.
    let count = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        count = (await this.cluster.describeTopic(topic)).partitions.length;
        break;
      } catch (err) {
        const code = SharqError.is(err) ? err.details.kafkaCode : undefined;
        const settling =
          (settleUnknown && SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) ||
          code === KafkaErrors.LEADER_NOT_AVAILABLE;
        if (!settling || attempt >= 6) throw err;
        await sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 800 }));
      }
    }
    if (count === 0) throw unknownTopicError(topic);
    this.partitionCounts.set(topic, count);
    return count;
  }

  /**
   * Produces; concurrent calls for one topic share requests (produce-coalescer.ts), each caller
   * with its own positions and its own verdict. A record naming a partition the topic does not
   * have fails its own call only.
   */
  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return [];
    const partitions = await this.partitions(topic);
    for (const r of records) {
      const p = r.partition;
      if (p !== undefined && !(Number.isInteger(p) && p >= 0 && p < partitions)) {
        throw new SharqError('SHARQ_ERR_UNKNOWN_TOPIC', `Topic "${topic}" has no partition ${p}`, {
          details: { topic, partition: p, partitions },
        });
      }
    }
    try {
      return await this.coalescer.produce(topic, records);
    } catch (err) {
      throw tooLarge(err, records) ?? err;
    }
  }

  /**
   * One request, with partitions chosen here (murmur2 like Kafka's Java producer, round robin
   * without a key), so each record's offset is known: kafkajs reports one base offset per
   * partition, and the records of one partition go out as one batch in order.
   */
  private async sendBatch(
    topic: string,
    records: readonly ProduceRecord[],
  ): Promise<RecordPosition[]> {
    const partitions = await this.partitions(topic);
    const assigned = records.map(
      (r) => r.partition ?? this.partitioner.partition(r.key ?? null, partitions),
    );
    try {
      return await this.producer.send(topic, records, assigned);
    } catch (err) {
      // A topic deleted since its partitions were counted.
      if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) this.partitionCounts.delete(topic);
      throw err;
    }
  }

  async createTopic(
    name: string,
    partitions: number,
    configs: Record<string, string> = {},
  ): Promise<boolean> {
    const created = await wrap(
      'createTopics',
      () =>
        this.admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: name,
              numPartitions: partitions,
              replicationFactor: -1,
              configEntries: Object.entries(configs).map(([n, v]) => ({ name: n, value: v })),
            },
          ],
        }),
      name,
    );
    this.partitionCounts.delete(name);
    return created;
  }

  async listTopics(): Promise<TopicDescription[]> {
    const { topics } = await wrap('metadata', () => this.admin.fetchTopicMetadata());
    return topics
      .filter((t) => !t.name.startsWith('__'))
      .map((t) => ({ name: t.name, partitions: t.partitions.length }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Deletes a topic and returns once the broker's metadata no longer lists it. The controller
   * answers the delete before the broker has taken it in (about 30 ms here); a share-group
   * offsets description sent in between has the group coordinator ask the share coordinator for
   * the deleted topic's state, which it retries for about 26 s before it answers (Kafka 4.4), so
   * a caller's next describeGroup would time out. Also, as on the embedded engine, a delete is
   * then seen by every reader.
   */
  async deleteTopic(name: string): Promise<void> {
    await wrap('deleteTopics', () => this.admin.deleteTopics({ topics: [name] }), name);
    this.partitionCounts.delete(name);
    const deadline = Date.now() + DELETE_SETTLE_MS;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      try {
        await this.cluster.describeTopic(name);
      } catch (err) {
        if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) return;
        throw err;
      }
      await sleep(backoffDelay(attempt, { baseMs: 20, maxMs: 200 }));
    }
  }
}

/** Maps kafkajs errors onto sharq's codes, keeping the original as the cause. */
async function wrap<T>(op: string, fn: () => Promise<T>, topic?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // kafkajs wraps the last failure of its retries in `originalError`.
    const outer = err as { originalError?: unknown };
    const e = (outer.originalError ?? err) as {
      name?: string;
      type?: string;
      message?: string;
      retriable?: boolean;
    };
    if (
      e.type === 'UNKNOWN_TOPIC_OR_PARTITION' ||
      /does not host this topic-partition/.test(e.message ?? '')
    ) {
      throw unknownTopicError(topic as string, err);
    }
    if (e.type === 'TOPIC_ALREADY_EXISTS') {
      throw new SharqError('SHARQ_ERR_TOPIC_EXISTS', `Topic "${topic}" already exists`, {
        cause: err,
        details: { topic },
      });
    }
    if (
      e.name === 'KafkaJSConnectionError' ||
      e.name === 'KafkaJSNumberOfRetriesExceeded' ||
      e.name === 'KafkaJSRequestTimeoutError'
    ) {
      throw new SharqError('SHARQ_ERR_CONNECTION', `Kafka ${op} failed: ${e.message}`, {
        cause: err,
        details: { op, topic },
      });
    }
    throw new SharqError('SHARQ_ERR_KAFKA', `Kafka ${op} failed: ${e.message ?? String(err)}`, {
      cause: err,
      retryable: e.retriable === true,
      details: { op, topic, kafkaError: e.type },
    });
  }
}

/**
 * A broker's refusal of a record over its size limit (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE)
 * as the embedded engine reports it, SHARQ_ERR_RECORD_TOO_LARGE, so one check serves every
 * engine; the Kafka answer stays in `details` and `cause`.
 */
function tooLarge(err: unknown, records: readonly ProduceRecord[]): SharqError | undefined {
  if (!SharqError.is(err, 'SHARQ_ERR_KAFKA')) return undefined;
  const kafka = err.details.kafkaError;
  if (kafka !== 'MESSAGE_TOO_LARGE' && kafka !== 'RECORD_LIST_TOO_LARGE') return undefined;
  // Kafka limits a batch (max.message.bytes), sharq server each record (--max-record-bytes):
  // which one this call went over the answer does not say.
  const bytes = records.reduce((n, r) => n + (r.key?.length ?? 0) + (r.value?.length ?? 0), 0);
  const what =
    records.length === 1
      ? "the record is larger than the broker's limit"
      : `a record of this call, or its ${records.length} records as one batch (${bytes} bytes of keys and values, headers not counted), are over the broker's limit`;
  return new SharqError(
    'SHARQ_ERR_RECORD_TOO_LARGE',
    `${err.message}: ${what} (Kafka: max.message.bytes, a batch; sharq server: --max-record-bytes, a record); nothing of it was written${records.length === 1 ? '' : ': if no record is over the limit, add fewer per call'}`,
    { cause: err, details: { ...err.details, records: records.length } },
  );
}
