/**
 * The engine seam. Everything above it (queues, workers, DLQ, admin) is written once against
 * these types; the embedded engine and the Kafka engine implement them with the same
 * behaviour, which the conformance suite in `test/conformance` checks.
 *
 * The vocabulary is Kafka's (KIP-932): topics with partitions and offsets, share groups whose
 * consumers acquire records under a time-limited lock and answer each one with an
 * acknowledgement type.
 */

/** KIP-932 acknowledgement types, with the wire values of ShareAcknowledge. */
export const AckType = {
  /** An acquired offset with no record behind it (a compaction hole). Terminal. */
  Gap: 0,
  /** Processed: the record is done for this group. Terminal. */
  Accept: 1,
  /** Give the record back for redelivery; the delivery count grows on the next acquisition. */
  Release: 2,
  /** Unprocessable: archive the record without further deliveries. Terminal. */
  Reject: 3,
  /** Keep the record acquired and extend its lock (KIP-1222). */
  Renew: 4,
} as const;
export type AckType = (typeof AckType)[keyof typeof AckType];

/** KIP-932 record states inside a share partition. */
export const RecordState = {
  Available: 0,
  Acquired: 1,
  Acknowledged: 2,
  Archived: 3,
} as const;
export type RecordState = (typeof RecordState)[keyof typeof RecordState];

/** `record_limit` never hands out more than asked for; `batch_optimized` hands out whole producer batches. */
export type AcquireMode = 'record_limit' | 'batch_optimized';

/** A record as a producer hands it to the engine. */
export interface ProduceRecord {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Readonly<Record<string, string>>;
  /** Explicit partition; otherwise the engine partitions by key (murmur2, as Kafka does), or spreads keyless records. */
  partition?: number;
  /** Milliseconds since the epoch; defaults to the time of the append. */
  timestamp?: number;
}

/** A record as it sits in a partition. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: Readonly<Record<string, string>>;
}

/** Where a produced record landed. */
export interface RecordPosition {
  partition: number;
  offset: number;
}

/** A record handed to one share consumer under an acquisition lock. */
export interface AcquiredRecord extends StoredRecord {
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** Epoch ms when the lock runs out unless renewed. */
  lockDeadline: number;
}

export interface TopicDescription {
  name: string;
  partitions: number;
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still held by the log. */
  logStartOffset: number;
  /** Offset the next appended record gets. */
  logEndOffset: number;
}

/** Per-group settings, the share-group configs of Kafka (`share.*`). */
export interface ShareGroupConfig {
  /** Where a new group starts: `earliest` or `latest` (Kafka's default is latest). */
  autoOffsetReset: 'earliest' | 'latest';
  /** Acquisition lock duration (`share.record.lock.duration.ms`). */
  lockDurationMs: number;
  /** Deliveries after which a record is archived (`share.delivery.count.limit`). */
  deliveryCountLimit: number;
  /**
   * Topic the engine copies archived records to (Kafka 4.4 `errors.deadletterqueue.topic.name`,
   * KIP-1191), or null. Catches jobs archived without a worker's verdict, such as a worker that
   * died holding a job on its last delivery.
   */
  deadLetterTopic: string | null;
}

export interface SharePartitionStats {
  topic: string;
  partition: number;
  /** Share-partition start offset: every record below it is acknowledged or archived. */
  startOffset: number;
  logEndOffset: number;
  /** Per-state counts over [startOffset, logEndOffset), where the engine knows them (Kafka does not report them: null). */
  available: number | null;
  acquired: number | null;
  acknowledged: number | null;
  archived: number | null;
  /** Records from the start offset to the log end that are not yet terminal. */
  lag: number;
}

export interface ShareGroupDescription {
  groupId: string;
  config: ShareGroupConfig;
  /** The settings set on the group itself; the others are engine or broker defaults. */
  configured: readonly (keyof ShareGroupConfig)[];
  members: { memberId: string; clientId: string; topics: string[] }[];
  partitions: SharePartitionStats[];
}

export interface ShareConsumerOptions {
  groupId: string;
  topics: readonly string[];
  clientId?: string;
  /**
   * The member id, for a caller that already has one (`sharq server` passes the id a Kafka
   * client chose, KIP-848 style). Default: a random UUID.
   */
  memberId?: string;
  /** Default acquire mode for polls; sharq uses `record_limit` sized to free worker slots. */
  acquireMode?: AcquireMode;
}

export interface PollOptions {
  /** Upper bound on records (strict in `record_limit` mode). */
  maxRecords: number;
  /** How long to wait for records when none are available. */
  maxWaitMs: number;
  signal?: AbortSignal;
}

export interface Acknowledgement {
  record: Pick<AcquiredRecord, 'topic' | 'partition' | 'offset'>;
  type: AckType;
}

export interface AckResult {
  /** Acknowledgements the engine refused (lock lost, unknown record), each with its error. */
  failed: { ack: Acknowledgement; error: Error }[];
  /** For RENEW: the new lock deadline of each renewed record, by `topic/partition/offset`. */
  renewedUntil?: number;
}

/** A member of a share group. Several consumers may share one partition. */
export interface ShareConsumer {
  readonly memberId: string;
  /** Acquires available records, waiting up to `maxWaitMs` when there are none. */
  poll(options: PollOptions): Promise<AcquiredRecord[]>;
  /**
   * Applies acknowledgements. Resolves once the engine has applied them (the embedded engine:
   * journaled, and fsynced as its `ackFsync` says; Kafka: the broker answered); records in
   * `failed` were not changed (for example their lock had expired and they went back to the
   * group).
   */
  acknowledge(acks: readonly Acknowledgement[]): Promise<AckResult>;
  /** Leaves the group; records it still holds are released for redelivery. Idempotent. */
  close(): Promise<void>;
}

/** Operator-facing reads and writes. */
export interface EngineAdmin {
  createTopic(name: string, options?: { partitions?: number }): Promise<void>;
  /** Creates the topic when missing; never changes an existing one. */
  ensureTopic(name: string, options?: { partitions?: number }): Promise<TopicDescription>;
  listTopics(): Promise<TopicDescription[]>;
  describeTopic(name: string): Promise<TopicDescription>;
  deleteTopic(name: string): Promise<void>;
  offsets(topic: string): Promise<PartitionOffsets[]>;
  /** Sets group configs; unspecified keys keep their value. */
  configureGroup(groupId: string, config: Partial<ShareGroupConfig>): Promise<void>;
  describeGroup(groupId: string): Promise<ShareGroupDescription>;
  listGroups(): Promise<string[]>;
  /** Moves a group's start offset on a topic (the group must have no members, as on Kafka). */
  resetGroupOffsets(
    groupId: string,
    topic: string,
    to: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<void>;
  /**
   * Deletes a share group: its start offsets, record states and group configs; the topics stay.
   * Refused with SHARQ_ERR_GROUP_NOT_EMPTY while it has members (as on Kafka), and with
   * SHARQ_ERR_UNKNOWN_GROUP when there is no such group.
   */
  deleteGroup(groupId: string): Promise<void>;
}

export interface Engine {
  readonly kind: 'embedded' | 'kafka';
  /** Opens files or connections. Idempotent and safe to call concurrently. */
  start(): Promise<void>;
  /** Closes consumers, flushes and releases resources. Idempotent. */
  close(): Promise<void>;
  /** Appends records to a topic; resolves once they are durable (engine policy) with their positions. */
  produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]>;
  /** Reads records by offset, for browsing and replay; not tied to any group. */
  read(
    topic: string,
    partition: number,
    fromOffset: number,
    maxRecords: number,
  ): Promise<StoredRecord[]>;
  createShareConsumer(options: ShareConsumerOptions): ShareConsumer;
  readonly admin: EngineAdmin;
  /**
   * Failures no caller waits on (a heartbeat, an ack flush, a journal write), reported as they
   * happen; the engine recovers from them itself. Returns a function that unsubscribes.
   */
  onError(listener: (err: Error) => void): () => void;
}
