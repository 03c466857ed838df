import type { ProduceRecord, RecordPosition } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { backoffDelay } from '../util/backoff.js';
import type { Cluster, TopicMetadata } from './cluster.js';
import type { BrokerConnection } from './connection.js';
import { InitProducerIdV4, ProduceV11 } from './protocol/client-apis.js';
import { KafkaErrors, kafkaError, LEADER_MOVED } from './protocol/error-codes.js';
import { encodeRecordBatch } from './protocol/record-batch.js';
import type { ProduceResponse } from './protocol/schema/apis/produce.js';

/**
 * sharq's idempotent producer (KIP-98), over its own connections: what the Kafka engine's
 * `produce` sends to a Kafka broker or `sharq server`.
 *
 * - One producer id and epoch (InitProducerId, no transactional id) for the engine. Every batch
 *   carries it and its partition's next sequence, so a batch sent twice (a retry after a lost
 *   connection or a timeout) is written once: the broker answers the retry with the original's
 *   offset.
 * - `send` is called with one topic's records at a time (produce-coalescer.ts keeps one request
 *   per topic in flight), so a partition never has two batches on the wire: a retry always goes
 *   out before the next batch, and sequences stay in order without Java's in-flight bookkeeping.
 * - Each partition's batch goes to its leader, one Produce v11 request (acks=all) per leader, on
 *   a connection the producer owns (a long-polling ShareFetch on a shared one would hold it up).
 * - A batch is retried, the same bytes, after a lost connection, a timeout or a retriable error
 *   (a leader moved, not enough replicas), with the leaders looked up again, until
 *   `deliveryTimeoutMs` has passed since the first attempt.
 * - A batch counts as possibly written after any outcome but an answer Kafka gives before it
 *   appends (a leader moved, not enough replicas, too large, out of step). When a batch that may
 *   have been written fails for good, the producer takes a new producer id before its next batch
 *   (all sequences start again at 0): giving its sequences back would make the broker take the
 *   next batch for a retry of it and drop that batch while confirming it.
 * - A batch refused before append (too large, invalid) fails with that Kafka error, its
 *   sequences given back, and `details.kafkaError` set so the coalescer can send the calls of a
 *   refused request one by one; when other partitions of the same send were (or may have been)
 *   written, the error says so instead and carries no `kafkaError`, so nothing is sent twice.
 * - Sequences belong to the producer id they were counted under (kept on the identity), so a
 *   send that renews the id cannot reset the counters of a send still using the old one.
 */

export interface ProducerOptions {
  /** One attempt's wait for a response, and the broker's wait for acks. */
  requestTimeoutMs: number;
  /** How long a batch is retried before its produce fails. */
  deliveryTimeoutMs: number;
}

interface ProducerIdentity {
  producerId: number;
  producerEpoch: number;
  /** Next sequence per `topic\0partition` under this id. */
  sequences: Map<string, number>;
}

/** A partition's share of one `send`: its batch, encoded once, and where its records go back. */
interface PartitionBatch {
  partition: number;
  indexes: number[];
  records: ProduceRecord[];
  bytes: Buffer | undefined;
  /** The identity and base sequence the bytes were encoded with. */
  identity: ProducerIdentity | undefined;
  baseSequence: number;
  baseOffset: number | undefined;
  /** Why the last attempt failed, when it did. */
  error: SharqError | undefined;
  /** Some attempt may have been written (any outcome but an answer given before append). */
  uncertain: boolean;
}

const E = KafkaErrors;
/** Answers after which the batch is sent again, as it is, once the leaders are looked up again. */
const RETRY_WITH_METADATA: ReadonlySet<number> = new Set([...LEADER_MOVED, E.KAFKA_STORAGE_ERROR]);
/** Answers after which the batch is sent again as it is. */
const RETRY: ReadonlySet<number> = new Set([
  E.NOT_ENOUGH_REPLICAS,
  E.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  E.REQUEST_TIMED_OUT,
  E.NETWORK_EXCEPTION,
  E.CORRUPT_MESSAGE,
  E.CONCURRENT_TRANSACTIONS,
  E.THROTTLING_QUOTA_EXCEEDED,
]);
/** Answers that mean the producer id or its sequences are out of step: a new id fixes them. */
const NEW_IDENTITY: ReadonlySet<number> = new Set([
  E.OUT_OF_ORDER_SEQUENCE_NUMBER,
  E.UNKNOWN_PRODUCER_ID,
  E.INVALID_PRODUCER_EPOCH,
  E.PRODUCER_FENCED,
]);
/**
 * Answers Kafka gives before it appends anything of the batch. Every other answer (say
 * NOT_ENOUGH_REPLICAS_AFTER_APPEND, or REQUEST_TIMED_OUT while waiting for the replicas) may
 * come after the batch is in the log.
 */
const NOT_WRITTEN: ReadonlySet<number> = new Set([
  ...NEW_IDENTITY,
  ...LEADER_MOVED,
  E.NOT_ENOUGH_REPLICAS,
  E.CORRUPT_MESSAGE,
  E.MESSAGE_TOO_LARGE,
  E.RECORD_LIST_TOO_LARGE,
  E.INVALID_RECORD,
  E.INVALID_TIMESTAMP,
  E.INVALID_REQUIRED_ACKS,
  E.TOPIC_AUTHORIZATION_FAILED,
  E.CLUSTER_AUTHORIZATION_FAILED,
  E.CONCURRENT_TRANSACTIONS,
  E.THROTTLING_QUOTA_EXCEEDED,
]);
const SEQUENCE_SPACE = 2 ** 31;

export class IdempotentProducer {
  private identity: Promise<ProducerIdentity> | undefined;
  /** Set when a batch failed for good: the next send takes a new producer id first. */
  private stale = false;
  private readonly connections = new Map<number, Promise<BrokerConnection>>();
  private readonly sleeps = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly options: ProducerOptions,
  ) {}

  /**
   * Writes `records` (each with its partition chosen) to `topic`; resolves with each record's
   * position once every batch is acknowledged by all in-sync replicas.
   */
  async send(topic: string, records: readonly ProduceRecord[], partitions: readonly number[]) {
    const batches = groupByPartition(records, partitions);
    const deadline = Date.now() + this.options.deliveryTimeoutMs;
    let attempt = 0;
    let metadata = this.cluster.topicByName(topic);
    for (;;) {
      let refresh = false;
      if (metadata === undefined) {
        try {
          metadata = await this.cluster.describeTopic(topic);
        } catch (err) {
          const error = asSharqError(err, topic);
          // A topic that is gone ends the send; a lookup that failed is one failed attempt.
          if (error.code === 'SHARQ_ERR_UNKNOWN_TOPIC' || this.closed) {
            this.giveUp(
              topic,
              batches.filter((b) => b.baseOffset === undefined),
              error,
            );
          }
          for (const b of batches) if (b.baseOffset === undefined) b.error = error;
        }
      }
      if (metadata !== undefined) {
        let identity: ProducerIdentity | undefined;
        for (const b of batches) {
          if (b.baseOffset !== undefined || b.bytes !== undefined) continue;
          identity ??= await this.currentIdentity();
          this.encode(topic, b, identity);
        }
        const open = batches.filter((b) => b.baseOffset === undefined);
        refresh = await this.attempt(topic, metadata, open);
      }
      const failed = batches.filter((b) => b.baseOffset === undefined);
      if (failed.length === 0) break;
      attempt++;
      const final = failed.find(
        (b) =>
          b.error !== undefined &&
          (!retriable(b.error) || (b.uncertain && needsNewIdentity(b.error))),
      );
      if (final !== undefined || Date.now() >= deadline || this.closed) {
        this.giveUp(topic, failed, final?.error ?? failed[0]!.error!, batches);
      }
      const outOfStep = failed.filter((b) => needsNewIdentity(b.error));
      if (outOfStep.length > 0) {
        // The broker wrote none of these (an earlier attempt of theirs was not in doubt
        // either, else the send ended above): they go again under a new id. The other
        // batches keep theirs, since only the same id and sequence make a retry of a batch
        // that may have been written a duplicate the broker drops.
        this.renewIdentity();
        for (const b of outOfStep) b.bytes = undefined;
      }
      await this.sleep(
        Math.min(backoffDelay(attempt, { baseMs: 50, maxMs: 1000 }), deadline - Date.now()),
      );
      if (this.closed) this.giveUp(topic, failed, failed[0]!.error!, batches);
      if (refresh) metadata = undefined;
    }
    const out: RecordPosition[] = new Array(records.length);
    for (const b of batches) {
      for (let i = 0; i < b.indexes.length; i++) {
        out[b.indexes[i]!] = { partition: b.partition, offset: b.baseOffset! + i };
      }
    }
    return out;
  }

  /** Stops retrying (a send waiting out a backoff fails at once) and closes the connections. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.sleeps) wake();
    const conns = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(conns.map(async (c) => (await c).close()));
  }

  /** One round: every open batch to its leader; returns whether the leaders should be looked up again. */
  private async attempt(
    topic: string,
    metadata: TopicMetadata,
    batches: PartitionBatch[],
  ): Promise<boolean> {
    const byLeader = new Map<number, PartitionBatch[]>();
    let refresh = false;
    for (const b of batches) {
      const leaderId =
        this.cluster.leader(metadata.topicId, b.partition)?.leaderId ??
        metadata.partitions[b.partition]?.leaderId ??
        -1;
      if (leaderId < 0) {
        b.error = kafkaError(E.LEADER_NOT_AVAILABLE, 'the partition has no leader', {
          api: 'Produce',
          topic,
          partition: b.partition,
        });
        refresh = true;
        continue;
      }
      const list = byLeader.get(leaderId);
      if (list === undefined) byLeader.set(leaderId, [b]);
      else list.push(b);
    }
    const rounds = await Promise.all(
      [...byLeader].map(([leaderId, list]) => this.sendTo(leaderId, topic, list)),
    );
    return refresh || rounds.some(Boolean);
  }

  /** One Produce request to one leader; records each batch's outcome on it. */
  private async sendTo(
    leaderId: number,
    topic: string,
    batches: PartitionBatch[],
  ): Promise<boolean> {
    let res: ProduceResponse;
    let conn: BrokerConnection | undefined;
    try {
      if (this.closed) throw closedError();
      conn = await this.connection(leaderId);
      res = await conn.send(ProduceV11, {
        transactionalId: null,
        acks: -1,
        timeoutMs: this.options.requestTimeoutMs,
        topicData: [
          {
            name: topic,
            partitionData: batches.map((b) => ({ index: b.partition, records: b.bytes! })),
          },
        ],
      });
    } catch (err) {
      const error = asSharqError(err, topic);
      // Only a request that never left (no connection, a version the broker lacks, closed)
      // wrote nothing; one that broke, timed out or came back unreadable may have.
      const sent =
        conn !== undefined &&
        error.code !== 'SHARQ_ERR_UNSUPPORTED' &&
        error.code !== 'SHARQ_ERR_INVALID_ARGUMENT';
      for (const b of batches) {
        b.error = error;
        if (sent) b.uncertain = true;
      }
      if (error.code === 'SHARQ_ERR_CONNECTION' || error.code === 'SHARQ_ERR_TIMEOUT') {
        this.dropConnection(leaderId, conn);
      }
      return true;
    }
    const answers = new Map<number, ProducePartitionAnswer>();
    for (const t of res.responses) {
      if (t.name !== topic) continue;
      for (const p of t.partitionResponses) answers.set(p.index, p);
    }
    let refresh = false;
    for (const b of batches) {
      const a = answers.get(b.partition);
      if (a === undefined) {
        b.error = new SharqError(
          'SHARQ_ERR_PROTOCOL',
          `Produce response lacks partition ${b.partition} of "${topic}"`,
          { details: { topic, partition: b.partition } },
        );
        b.uncertain = true;
        continue;
      }
      if (a.errorCode === E.NONE) {
        b.baseOffset = Number(a.baseOffset);
        b.error = undefined;
        continue;
      }
      const message = a.errorMessage ?? a.recordErrors[0]?.batchIndexErrorMessage ?? null;
      b.error = kafkaError(a.errorCode, message, { api: 'Produce', topic, partition: b.partition });
      if (!NOT_WRITTEN.has(a.errorCode)) b.uncertain = true;
      if (RETRY_WITH_METADATA.has(a.errorCode)) refresh = true;
      if (a.currentLeader.leaderId >= 0) {
        const topicId = this.cluster.topicId(topic);
        if (topicId !== undefined) {
          this.cluster.updateLeader(
            topicId,
            b.partition,
            a.currentLeader.leaderId,
            a.currentLeader.leaderEpoch,
          );
        }
      }
    }
    if (res.nodeEndpoints.length > 0) this.cluster.updateEndpoints(res.nodeEndpoints);
    return refresh;
  }

  private encode(topic: string, b: PartitionBatch, identity: ProducerIdentity): void {
    const key = `${topic}\u0000${b.partition}`;
    const sequence = identity.sequences.get(key) ?? 0;
    b.identity = identity;
    b.baseSequence = sequence;
    b.bytes = encodeRecordBatch(b.records, {
      producerId: identity.producerId,
      producerEpoch: identity.producerEpoch,
      baseSequence: sequence,
    });
    identity.sequences.set(key, (sequence + b.records.length) % SEQUENCE_SPACE);
  }

  /**
   * Ends the send with `error`. Batches refused before append give their sequences back (the
   * broker expects them next); if any batch may have been written, a new producer id is taken
   * instead. `all` (every batch of the send) tells whether others of it were written.
   */
  private giveUp(
    topic: string,
    failed: PartitionBatch[],
    error: SharqError,
    all: PartitionBatch[] = failed,
  ): never {
    const inDoubt = failed.some((b) => b.uncertain || needsNewIdentity(b.error));
    if (inDoubt) this.renewIdentity();
    else {
      for (const b of failed) {
        if (b.identity !== undefined) {
          b.identity.sequences.set(`${topic}\u0000${b.partition}`, b.baseSequence);
        }
      }
    }
    const writtenOrInDoubt = all.some((b) => b.baseOffset !== undefined || b.uncertain);
    if (writtenOrInDoubt && typeof error.details.kafkaError === 'string') {
      // Not refused whole: the caller must not send any of it again.
      throw new SharqError(
        'SHARQ_ERR_KAFKA',
        `${error.message}; records of this produce were or may have been written`,
        {
          cause: error,
          retryable: false,
          details: {
            topic,
            failedPartitions: failed.map((b) => b.partition),
            writtenPartitions: all
              .filter((b) => b.baseOffset !== undefined)
              .map((b) => b.partition),
          },
        },
      );
    }
    throw error;
  }

  private renewIdentity(): void {
    this.stale = true;
  }

  private currentIdentity(): Promise<ProducerIdentity> {
    if (this.stale || this.identity === undefined) {
      this.stale = false;
      const next = this.initProducerId();
      next.catch(() => {
        if (this.identity === next) this.identity = undefined;
      });
      this.identity = next;
    }
    return this.identity;
  }

  private async initProducerId(): Promise<ProducerIdentity> {
    const deadline = Date.now() + this.options.deliveryTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw closedError();
      let error: SharqError;
      try {
        const conn = await this.cluster.anyConnection();
        const res = await conn.send(InitProducerIdV4, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          producerId: -1,
          producerEpoch: -1,
        });
        if (res.errorCode === E.NONE) {
          return {
            producerId: Number(res.producerId),
            producerEpoch: res.producerEpoch,
            sequences: new Map(),
          };
        }
        error = kafkaError(res.errorCode, null, { api: 'InitProducerId' });
      } catch (err) {
        // A lost connection or a timeout is retryable: another broker, or the same one later.
        error = asSharqError(err, undefined);
      }
      if (!error.retryable || Date.now() >= deadline) throw error;
      await this.sleep(backoffDelay(attempt, { baseMs: 50, maxMs: 1000 }));
    }
  }

  private connection(nodeId: number): Promise<BrokerConnection> {
    let conn = this.connections.get(nodeId);
    if (conn === undefined) {
      const opening = this.cluster.openConnection(nodeId);
      conn = opening;
      const forget = () => {
        if (this.connections.get(nodeId) === opening) this.connections.delete(nodeId);
      };
      opening.then((c) => void c.closed.then(forget), forget);
      this.connections.set(nodeId, opening);
    }
    return conn;
  }

  /** Closes `conn` (the one a request failed on) and forgets it, if it is still the node's. */
  private dropConnection(nodeId: number, conn: BrokerConnection | undefined): void {
    if (conn === undefined) return;
    void conn.close().catch(() => undefined);
    void this.connections.get(nodeId)?.then(
      (c) => {
        if (c === conn) this.connections.delete(nodeId);
      },
      () => undefined,
    );
  }

  /** A backoff; close() ends it early, and the send then fails with its last error. */
  private sleep(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.sleeps.add(wake);
    });
  }
}

type ProducePartitionAnswer = ProduceResponse['responses'][number]['partitionResponses'][number];

function groupByPartition(
  records: readonly ProduceRecord[],
  partitions: readonly number[],
): PartitionBatch[] {
  const by = new Map<number, PartitionBatch>();
  for (let i = 0; i < records.length; i++) {
    const partition = partitions[i]!;
    let b = by.get(partition);
    if (b === undefined) {
      b = {
        partition,
        indexes: [],
        records: [],
        bytes: undefined,
        identity: undefined,
        baseSequence: 0,
        baseOffset: undefined,
        error: undefined,
        uncertain: false,
      };
      by.set(partition, b);
    }
    b.indexes.push(i);
    b.records.push(records[i]!);
  }
  return [...by.values()];
}

function retriable(err: SharqError): boolean {
  if (err.code === 'SHARQ_ERR_CONNECTION' || err.code === 'SHARQ_ERR_TIMEOUT') return true;
  const code = err.details.kafkaCode;
  if (typeof code !== 'number') return false;
  return RETRY_WITH_METADATA.has(code) || RETRY.has(code) || NEW_IDENTITY.has(code);
}

function needsNewIdentity(err: SharqError | undefined): boolean {
  const code = err?.details.kafkaCode;
  return typeof code === 'number' && NEW_IDENTITY.has(code);
}

function asSharqError(err: unknown, topic: string | undefined): SharqError {
  if (SharqError.is(err)) return err;
  return new SharqError('SHARQ_ERR_CONNECTION', `Produce to "${topic}" failed: ${String(err)}`, {
    cause: err,
    details: { topic },
  });
}

function closedError(): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', 'The producer is closed');
}
