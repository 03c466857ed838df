import type {
  Engine,
  ProduceRecord,
  RecordPosition,
  ShareConsumer,
  ShareConsumerOptions,
  StoredRecord,
} from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { type KafkaEngineConfig, KafkaEngineOptions } from '../options/engine-options.js';
import { parseOptions } from '../options/parse.js';
import { Cluster } from './cluster.js';
import { KafkaAdmin } from './kafka-admin.js';
import { KafkajsClient } from './kafkajs-client.js';
import { readPartition } from './read-partition.js';
import { ClusterTransport } from './share/cluster-transport.js';
import { KafkaShareConsumer } from './share/share-consumer.js';

/**
 * The Kafka engine: a real Apache Kafka 4.2+ cluster. kafkajs administers topics; sharq's own
 * protocol client produces (idempotent, acks=all), speaks the share-group APIs and reads by
 * offset. The broker owns locks, delivery counts and the start offset: workers on any number of
 * machines share partitions.
 */
export class KafkaEngine implements Engine {
  readonly kind = 'kafka' as const;
  readonly config: Readonly<KafkaEngineConfig>;
  readonly admin: KafkaAdmin;
  readonly kafkajs: KafkajsClient;
  readonly cluster: Cluster;
  private readonly consumers = new Set<KafkaShareConsumer>();
  private readonly errorListeners = new Set<(err: Error) => void>();
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    options: Omit<
      KafkaEngineConfig,
      'type' | 'clientId' | 'connectionTimeoutMs' | 'requestTimeoutMs'
    > &
      Partial<KafkaEngineConfig>,
  ) {
    this.config = parseOptions('Kafka engine', KafkaEngineOptions, { type: 'kafka', ...options });
    const sasl = this.config.sasl;
    this.cluster = new Cluster({
      brokers: this.config.brokers,
      clientId: this.config.clientId,
      connectTimeoutMs: this.config.connectionTimeoutMs,
      requestTimeoutMs: this.config.requestTimeoutMs,
      ...(this.config.ssl === undefined ? {} : { ssl: this.config.ssl }),
      ...(sasl === undefined ? {} : { sasl }),
    });
    this.kafkajs = new KafkajsClient(this.config, this.cluster);
    this.admin = new KafkaAdmin(this);
  }

  /** Background failures no caller waits on (a heartbeat, an ack flush). */
  onError(listener: (err: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  start(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    this.starting ??= this.kafkajs.connect().catch((err: unknown) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => undefined);
      await Promise.allSettled([...this.consumers].map((c) => c.close()));
      await this.kafkajs.disconnect();
      await this.cluster.close();
    })();
    return this.closing;
  }

  async ready(): Promise<void> {
    if (this.closing !== undefined) throw closedError();
    await this.start();
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    await this.ready();
    return this.kafkajs.produce(topic, records);
  }

  async read(
    topic: string,
    partition: number,
    fromOffset: number,
    maxRecords: number,
  ): Promise<StoredRecord[]> {
    await this.ready();
    const { records } = await readPartition(this.cluster, topic, partition, fromOffset, maxRecords);
    return records.map((r) => ({ topic, partition, ...r }));
  }

  createShareConsumer(options: ShareConsumerOptions): ShareConsumer {
    if (this.closing !== undefined) throw closedError();
    const consumer = new KafkaShareConsumer(new ClusterTransport(this.cluster, options.groupId), {
      groupId: options.groupId,
      topics: options.topics,
      clientId: options.clientId ?? this.config.clientId,
      onError: (err) => this.emitError(err),
    });
    this.consumers.add(consumer);
    const close = consumer.close.bind(consumer);
    consumer.close = () => close().finally(() => this.consumers.delete(consumer));
    return consumer;
  }

  emitError(err: Error): void {
    for (const l of this.errorListeners) l(err);
  }
}

function closedError(): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', 'The Kafka engine is closed');
}
