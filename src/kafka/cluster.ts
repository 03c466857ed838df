import type tls from 'node:tls';
import { SharqError } from '../errors/sharq-error.js';
import { backoffDelay } from '../util/backoff.js';
import { BrokerConnection, type BrokerConnectionOptions, type SaslOptions } from './connection.js';
import {
  DescribeConfigsV4,
  FindCoordinatorV6,
  IncrementalAlterConfigsV1,
  MetadataV12,
} from './protocol/client-apis.js';
import { KafkaErrors, kafkaError } from './protocol/error-codes.js';
import { ConfigSource } from './protocol/schema/apis/describe-configs.js';
import { CoordinatorKeyType } from './protocol/schema/apis/find-coordinator.js';
import {
  ConfigOperation,
  ConfigResourceType,
} from './protocol/schema/apis/incremental-alter-configs.js';
import { type MetadataResponse, ZERO_UUID } from './protocol/schema/apis/metadata.js';

/**
 * What sharq knows about a Kafka cluster, and its connections: one per broker node, opened on
 * first use and reopened on demand with exponential backoff and jitter after a failure.
 *
 * Caches topic name ↔ id (share APIs name topics by id), partition leaders, broker endpoints and
 * group coordinators. Responses of the share APIs carry fresher leaders and endpoints
 * (CurrentLeader, NodeEndpoints): feed them back with `updateLeader` and `updateEndpoints`.
 */

export interface ClusterOptions {
  /** Bootstrap brokers as "host:port" ("[::1]:9092" for IPv6). */
  brokers: readonly string[];
  clientId: string;
  ssl?: boolean | tls.ConnectionOptions;
  sasl?: SaslOptions;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxFrameBytes?: number;
  /** First reconnect delay after a failed connect. Default 100 ms. */
  reconnectBackoffMs?: number;
  /** Ceiling of the doubling reconnect delay. Default 10 s. */
  reconnectBackoffMaxMs?: number;
}

export interface BrokerEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  errorCode: number;
  /** -1 while no leader is elected. */
  leaderId: number;
  leaderEpoch: number;
  replicas: readonly number[];
  isr: readonly number[];
}

export interface TopicMetadata {
  name: string;
  /** 32 lowercase hex digits. */
  topicId: string;
  isInternal: boolean;
  /** Sorted by partition index. */
  partitions: readonly PartitionMetadata[];
}

export interface TopicMetadataError {
  name: string | null;
  topicId: string;
  /** A SHARQ_ERR_KAFKA error, e.g. UNKNOWN_TOPIC_OR_PARTITION (3) or UNKNOWN_TOPIC_ID (100). */
  error: SharqError;
}

export interface MetadataResult {
  clusterId: string | null;
  controllerId: number;
  brokers: readonly BrokerEndpoint[];
  topics: readonly TopicMetadata[];
  /** Topics the broker could not describe; the others are still returned and cached. */
  topicErrors: readonly TopicMetadataError[];
}

export interface LeaderInfo {
  leaderId: number;
  leaderEpoch: number;
}

export interface GroupConfigEntry {
  name: string;
  value: string | null;
  /** DescribeConfigs ConfigSource: 8 GROUP_CONFIG when set on the group, 5 DEFAULT_CONFIG, ... */
  source: number;
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
}

interface Slot {
  host: string;
  port: number;
  conn: BrokerConnection | undefined;
  connecting: Promise<BrokerConnection> | undefined;
  failures: number;
  /** Earliest time (Date.now()) of the next connect attempt. */
  retryAt: number;
}

interface Candidate {
  key: string;
  host: string;
  port: number;
}

const COORDINATOR_MOVED: ReadonlySet<number> = new Set([
  KafkaErrors.NOT_COORDINATOR,
  KafkaErrors.COORDINATOR_NOT_AVAILABLE,
]);

/** How often a request to "any broker" is retried on another connection after it broke. */
const ANY_BROKER_ATTEMPTS = 3;

export class Cluster {
  private readonly bootstrap: readonly { host: string; port: number }[];
  private readonly connectOptions: Omit<BrokerConnectionOptions, 'host' | 'port'>;
  private readonly backoffMs: number;
  private readonly backoffMaxMs: number;

  private readonly slots = new Map<string, Slot>();
  /** Connections handed out by openConnection, closed with the cluster. */
  private readonly owned = new Set<BrokerConnection>();
  private readonly endpoints = new Map<number, BrokerEndpoint>();
  private readonly topicsByName = new Map<string, TopicMetadata>();
  private readonly topicNamesById = new Map<string, string>();
  private readonly leaders = new Map<string, LeaderInfo>();
  private readonly coordinators = new Map<string, number>();
  private readonly coordinatorLookups = new Map<string, Promise<BrokerEndpoint>>();
  private readonly sleeps = new Set<{ timer: NodeJS.Timeout; reject: (err: SharqError) => void }>();
  private closing: Promise<void> | undefined;

  constructor(options: ClusterOptions) {
    if (options.brokers.length === 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_OPTION',
        'brokers: at least one "host:port" is needed',
      );
    }
    this.bootstrap = options.brokers.map(parseHostPort);
    const connectOptions: Omit<BrokerConnectionOptions, 'host' | 'port'> = {
      clientId: options.clientId,
    };
    if (options.ssl !== undefined) connectOptions.ssl = options.ssl;
    if (options.sasl !== undefined) connectOptions.sasl = options.sasl;
    if (options.connectTimeoutMs !== undefined)
      connectOptions.connectTimeoutMs = options.connectTimeoutMs;
    if (options.requestTimeoutMs !== undefined)
      connectOptions.requestTimeoutMs = options.requestTimeoutMs;
    if (options.maxFrameBytes !== undefined) connectOptions.maxFrameBytes = options.maxFrameBytes;
    this.connectOptions = connectOptions;
    this.backoffMs = options.reconnectBackoffMs ?? 100;
    this.backoffMaxMs = Math.max(this.backoffMs, options.reconnectBackoffMaxMs ?? 10_000);
  }

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  // --- metadata -------------------------------------------------------------------------------

  /**
   * Metadata v12 for the named topics (all topics when omitted, none for []), from any broker.
   * Refreshes the caches of brokers, topic ids and partition leaders.
   */
  async metadata(topics?: readonly string[]): Promise<MetadataResult> {
    const res = await this.onAnyBroker((conn) =>
      conn.send(MetadataV12, {
        topics: topics === undefined ? null : topics.map((name) => ({ name })),
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }),
    );
    return this.absorbMetadata(res, topics === undefined);
  }

  /** Metadata v12 for topics named by id (share assignments carry ids only). */
  async metadataForTopicIds(topicIds: readonly string[]): Promise<MetadataResult> {
    const res = await this.onAnyBroker((conn) =>
      conn.send(MetadataV12, {
        topics: topicIds.map((topicId) => ({ topicId, name: null })),
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }),
    );
    return this.absorbMetadata(res, false);
  }

  /**
   * One Metadata request naming `topic` alone: its metadata (partitions may still lack a
   * leader), SHARQ_ERR_UNKNOWN_TOPIC when it does not exist, else the topic's Kafka error
   * (LEADER_NOT_AVAILABLE while it is being created).
   */
  async describeTopic(topic: string): Promise<TopicMetadata> {
    const md = await this.metadata([topic]);
    const t = md.topics.find((x) => x.name === topic);
    if (t !== undefined) return t;
    const failed = md.topicErrors.find((e) => e.name === topic);
    const code = failed?.error.details.kafkaCode;
    if (
      failed === undefined ||
      code === KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION ||
      code === KafkaErrors.INVALID_TOPIC_EXCEPTION
    ) {
      throw unknownTopicError(topic, failed?.error);
    }
    throw failed.error;
  }

  topicByName(name: string): TopicMetadata | undefined {
    return this.topicsByName.get(name);
  }

  topicById(topicId: string): TopicMetadata | undefined {
    const name = this.topicNamesById.get(normalizeUuid(topicId));
    return name === undefined ? undefined : this.topicsByName.get(name);
  }

  topicId(name: string): string | undefined {
    return this.topicsByName.get(name)?.topicId;
  }

  topicName(topicId: string): string | undefined {
    return this.topicNamesById.get(normalizeUuid(topicId));
  }

  /** The cached leader of a partition (by topic id), possibly newer than the last Metadata. */
  leader(topicId: string, partition: number): LeaderInfo | undefined {
    return this.leaders.get(`${normalizeUuid(topicId)}:${partition}`);
  }

  /**
   * Records a leader learnt from a response (ShareFetch/ShareAcknowledge CurrentLeader). Older
   * epochs than the cached one are ignored; a negative leader id only forgets the entry.
   */
  updateLeader(topicId: string, partition: number, leaderId: number, leaderEpoch: number): void {
    const key = `${normalizeUuid(topicId)}:${partition}`;
    const current = this.leaders.get(key);
    if (current !== undefined && leaderEpoch < current.leaderEpoch) return;
    if (leaderId < 0) this.leaders.delete(key);
    else this.leaders.set(key, { leaderId, leaderEpoch });
  }

  brokers(): BrokerEndpoint[] {
    return [...this.endpoints.values()];
  }

  endpoint(nodeId: number): BrokerEndpoint | undefined {
    return this.endpoints.get(nodeId);
  }

  /**
   * Adds or moves broker endpoints (NodeEndpoints of share responses, FindCoordinator answers).
   * A node whose address changed loses its connection; the next `connectionTo` uses the new one.
   */
  updateEndpoints(
    nodeEndpoints: readonly { nodeId: number; host: string; port: number; rack?: string | null }[],
  ): void {
    for (const e of nodeEndpoints) {
      const previous = this.endpoints.get(e.nodeId);
      const rack = e.rack === undefined ? (previous?.rack ?? null) : e.rack;
      this.endpoints.set(e.nodeId, { nodeId: e.nodeId, host: e.host, port: e.port, rack });
      const slot = this.slots.get(nodeKey(e.nodeId));
      if (slot !== undefined && (slot.host !== e.host || slot.port !== e.port)) {
        slot.host = e.host;
        slot.port = e.port;
        slot.failures = 0;
        slot.retryAt = 0;
        const old = slot.conn;
        slot.conn = undefined;
        void old?.close();
      }
    }
  }

  // --- connections ----------------------------------------------------------------------------

  /** The connection to a broker node, opened (or reopened, after the backoff) when needed. */
  async connectionTo(nodeId: number): Promise<BrokerConnection> {
    this.assertOpen();
    const endpoint = await this.endpointOf(nodeId);
    return this.connectSlot(nodeKey(nodeId), endpoint.host, endpoint.port);
  }

  /**
   * A new connection to a broker node, outside the shared pool: the caller owns it and closes it
   * (the cluster's close() closes it too). For long polls: a broker handles one request per
   * connection at a time, so a ShareFetch waiting at the broker on the shared connection would
   * hold up every other request on it, other share consumers' acknowledgements included.
   */
  async openConnection(nodeId: number): Promise<BrokerConnection> {
    this.assertOpen();
    const endpoint = await this.endpointOf(nodeId);
    const conn = await BrokerConnection.connect({
      ...this.connectOptions,
      host: endpoint.host,
      port: endpoint.port,
    });
    if (this.isClosed) {
      await conn.close();
      throw closedClusterError();
    }
    this.owned.add(conn);
    void conn.closed.then(() => this.owned.delete(conn));
    return conn;
  }

  private async endpointOf(nodeId: number): Promise<BrokerEndpoint> {
    let endpoint = this.endpoints.get(nodeId);
    if (endpoint === undefined) {
      await this.metadata([]);
      endpoint = this.endpoints.get(nodeId);
    }
    if (endpoint === undefined) {
      throw new SharqError(
        'SHARQ_ERR_CONNECTION',
        `Broker node ${nodeId} is not in the cluster metadata (known: ${[...this.endpoints.keys()].join(', ') || 'none'})`,
        { details: { nodeId } },
      );
    }
    return endpoint;
  }

  /**
   * Some live connection: an open one if there is any, else the first broker that accepts, known
   * nodes first, then the bootstrap list; brokers waiting out a backoff are tried last.
   */
  async anyConnection(): Promise<BrokerConnection> {
    this.assertOpen();
    for (const slot of this.slots.values()) {
      if (slot.conn !== undefined && !slot.conn.isClosed) return slot.conn;
    }
    const candidates = this.candidates();
    const errors: unknown[] = [];
    for (const c of candidates) {
      try {
        return await this.connectSlot(c.key, c.host, c.port);
      } catch (err) {
        if (this.isClosed) throw err;
        errors.push(err);
      }
    }
    const tried = candidates.map((c) => `${c.host}:${c.port}`).join(', ');
    const last = errors.at(-1);
    throw new SharqError(
      'SHARQ_ERR_CONNECTION',
      `No Kafka broker reachable (tried ${tried})${last instanceof Error ? `: ${last.message}` : ''}`,
      { cause: last, details: { brokers: tried } },
    );
  }

  // --- coordinators ---------------------------------------------------------------------------

  /** The coordinator of a (share) group, looked up with FindCoordinator v6 key type GROUP, cached. */
  async findCoordinator(groupId: string): Promise<BrokerEndpoint> {
    this.assertOpen();
    const nodeId = this.coordinators.get(groupId);
    const cached = nodeId === undefined ? undefined : this.endpoints.get(nodeId);
    if (cached !== undefined) return cached;
    const inProgress = this.coordinatorLookups.get(groupId);
    if (inProgress !== undefined) return inProgress;
    const lookup = this.lookupCoordinator(groupId).finally(() => {
      if (this.coordinatorLookups.get(groupId) === lookup) this.coordinatorLookups.delete(groupId);
    });
    this.coordinatorLookups.set(groupId, lookup);
    return lookup;
  }

  /** The connection to a group's coordinator; a coordinator that cannot be reached is forgotten. */
  async coordinatorConnection(groupId: string): Promise<BrokerConnection> {
    const coordinator = await this.findCoordinator(groupId);
    try {
      return await this.connectionTo(coordinator.nodeId);
    } catch (err) {
      this.invalidateCoordinator(groupId);
      throw err;
    }
  }

  invalidateCoordinator(groupId: string): void {
    this.coordinators.delete(groupId);
  }

  /**
   * Pass any error code a coordinator answered for this group: NOT_COORDINATOR and
   * COORDINATOR_NOT_AVAILABLE drop the cached coordinator (returns true), so the retry looks it
   * up again.
   */
  handleCoordinatorError(groupId: string, errorCode: number): boolean {
    if (!COORDINATOR_MOVED.has(errorCode)) return false;
    this.invalidateCoordinator(groupId);
    return true;
  }

  // --- group configs --------------------------------------------------------------------------

  /**
   * Sets (string) or removes (null) dynamic configs of a group, e.g.
   * `{ 'share.auto.offset.reset': 'earliest' }`, with IncrementalAlterConfigs v1 and resource
   * type GROUP. Any broker takes it (it forwards to the controller).
   */
  async setGroupConfigs(
    groupId: string,
    configs: Readonly<Record<string, string | null>>,
  ): Promise<void> {
    const entries = Object.entries(configs);
    if (entries.length === 0) return;
    const res = await this.onAnyBroker((conn) =>
      conn.send(IncrementalAlterConfigsV1, {
        resources: [
          {
            resourceType: ConfigResourceType.GROUP,
            resourceName: groupId,
            configs: entries.map(([name, value]) => ({
              name,
              configOperation: value === null ? ConfigOperation.DELETE : ConfigOperation.SET,
              value,
            })),
          },
        ],
        validateOnly: false,
      }),
    );
    const result = res.responses.find((r) => r.resourceName === groupId);
    if (result === undefined) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `IncrementalAlterConfigs response has no result for group ${groupId}`,
        { details: { group: groupId } },
      );
    }
    if (result.errorCode !== 0) {
      throw kafkaError(result.errorCode, result.errorMessage, {
        api: 'IncrementalAlterConfigs',
        group: groupId,
        configs: Object.keys(configs).join(','),
      });
    }
  }

  /** The configs of a group (all, or the named keys) with DescribeConfigs v4. */
  async describeGroupConfigs(
    groupId: string,
    keys?: readonly string[],
  ): Promise<Map<string, GroupConfigEntry>> {
    const res = await this.onAnyBroker((conn) =>
      conn.send(DescribeConfigsV4, {
        resources: [
          {
            resourceType: ConfigResourceType.GROUP,
            resourceName: groupId,
            configurationKeys: keys ?? null,
          },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      }),
    );
    const result = res.results.find((r) => r.resourceName === groupId);
    if (result === undefined) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `DescribeConfigs response has no result for group ${groupId}`,
        { details: { group: groupId } },
      );
    }
    if (result.errorCode !== 0) {
      throw kafkaError(result.errorCode, result.errorMessage, {
        api: 'DescribeConfigs',
        group: groupId,
      });
    }
    return new Map(
      result.configs.map((c) => [
        c.name,
        {
          name: c.name,
          value: c.value,
          source: c.configSource,
          isDefault: c.configSource === ConfigSource.DEFAULT_CONFIG,
          readOnly: c.readOnly,
          isSensitive: c.isSensitive,
        },
      ]),
    );
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Closes every connection; connects in progress are awaited and closed. Idempotent. */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const closedError = closedClusterError();
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.reject(closedError);
    }
    this.sleeps.clear();
    this.closing = (async () => {
      const slots = [...this.slots.values()];
      await Promise.allSettled(slots.map((s) => s.connecting));
      await Promise.all(slots.map((s) => s.conn?.close()));
      this.slots.clear();
      await Promise.all([...this.owned].map((c) => c.close()));
    })();
    return this.closing;
  }

  // --- internals ------------------------------------------------------------------------------

  /**
   * FindCoordinator, retried while the coordinator is not ready: a fresh cluster answers
   * COORDINATOR_NOT_AVAILABLE until its internal group topics exist, and a coordinator that is
   * loading its state answers COORDINATOR_LOAD_IN_PROGRESS. Both pass within seconds.
   */
  private async lookupCoordinator(groupId: string): Promise<BrokerEndpoint> {
    const deadline = Date.now() + (this.connectOptions.requestTimeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.lookupCoordinatorOnce(groupId);
      } catch (err) {
        const code = SharqError.is(err, 'SHARQ_ERR_KAFKA') ? err.details.kafkaCode : undefined;
        const notReady =
          code === KafkaErrors.COORDINATOR_NOT_AVAILABLE ||
          code === KafkaErrors.COORDINATOR_LOAD_IN_PROGRESS;
        if (!notReady || Date.now() >= deadline || this.isClosed) throw err;
        await this.sleep(this.backoff(attempt + 1));
      }
    }
  }

  private async lookupCoordinatorOnce(groupId: string): Promise<BrokerEndpoint> {
    const res = await this.onAnyBroker((conn) =>
      conn.send(FindCoordinatorV6, {
        keyType: CoordinatorKeyType.GROUP,
        coordinatorKeys: [groupId],
      }),
    );
    const c = res.coordinators.find((x) => x.key === groupId);
    if (c === undefined) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `FindCoordinator response has no entry for group ${groupId}`,
        { details: { group: groupId } },
      );
    }
    if (c.errorCode !== 0) {
      throw kafkaError(c.errorCode, c.errorMessage, { api: 'FindCoordinator', group: groupId });
    }
    this.updateEndpoints([{ nodeId: c.nodeId, host: c.host, port: c.port }]);
    if (!this.isClosed) this.coordinators.set(groupId, c.nodeId);
    return this.endpoints.get(c.nodeId)!;
  }

  private absorbMetadata(res: MetadataResponse, allTopics: boolean): MetadataResult {
    const brokers = res.brokers.map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack,
    }));
    this.updateEndpoints(brokers);
    const topics: TopicMetadata[] = [];
    const topicErrors: TopicMetadataError[] = [];
    for (const t of res.topics) {
      if (t.errorCode !== 0 || t.name === null) {
        topicErrors.push({
          name: t.name,
          topicId: t.topicId,
          error: kafkaError(t.errorCode, null, {
            api: 'Metadata',
            topic: t.name ?? undefined,
            topicId: t.topicId === ZERO_UUID ? undefined : t.topicId,
          }),
        });
        // The topic is gone (or was never there): forget what was cached about it.
        if (t.name !== null && t.errorCode === KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION) {
          this.forgetTopic(t.name);
        }
        continue;
      }
      const topic: TopicMetadata = {
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions
          .map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            leaderId: p.leaderId,
            leaderEpoch: p.leaderEpoch,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
          }))
          .sort((a, b) => a.partition - b.partition),
      };
      this.forgetTopic(t.name);
      this.topicsByName.set(topic.name, topic);
      this.topicNamesById.set(topic.topicId, topic.name);
      for (const p of topic.partitions) {
        this.updateLeader(topic.topicId, p.partition, p.leaderId, p.leaderEpoch);
      }
      topics.push(topic);
    }
    if (allTopics) {
      const present = new Set(topics.map((t) => t.name));
      for (const name of [...this.topicsByName.keys()]) {
        if (!present.has(name)) this.forgetTopic(name);
      }
    }
    return {
      clusterId: res.clusterId,
      controllerId: res.controllerId,
      brokers,
      topics,
      topicErrors,
    };
  }

  private forgetTopic(name: string): void {
    const old = this.topicsByName.get(name);
    if (old === undefined) return;
    this.topicsByName.delete(name);
    this.topicNamesById.delete(old.topicId);
    for (const p of old.partitions) this.leaders.delete(`${old.topicId}:${p.partition}`);
  }

  /** Runs a request on some broker; a connection that breaks under it is replaced. */
  private async onAnyBroker<T>(request: (conn: BrokerConnection) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < ANY_BROKER_ATTEMPTS; attempt++) {
      const conn = await this.anyConnection();
      try {
        return await request(conn);
      } catch (err) {
        if (!SharqError.is(err, 'SHARQ_ERR_CONNECTION') || this.isClosed) throw err;
        lastError = err;
      }
    }
    throw lastError;
  }

  private candidates(): Candidate[] {
    const byAddress = new Map<string, Candidate>();
    for (const e of this.endpoints.values()) {
      byAddress.set(`${e.host}:${e.port}`, { key: nodeKey(e.nodeId), host: e.host, port: e.port });
    }
    for (const b of this.bootstrap) {
      const address = `${b.host}:${b.port}`;
      if (!byAddress.has(address)) {
        byAddress.set(address, { key: `bootstrap:${address}`, host: b.host, port: b.port });
      }
    }
    const now = Date.now();
    const list = [...byAddress.values()].map((c) => ({
      c,
      due: Math.max(now, this.slots.get(c.key)?.retryAt ?? 0),
      tiebreak: Math.random(),
    }));
    list.sort((a, b) => a.due - b.due || a.tiebreak - b.tiebreak);
    return list.map((x) => x.c);
  }

  private connectSlot(key: string, host: string, port: number): Promise<BrokerConnection> {
    this.assertOpen();
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { host, port, conn: undefined, connecting: undefined, failures: 0, retryAt: 0 };
      this.slots.set(key, slot);
    }
    const s = slot;
    if (s.conn !== undefined && !s.conn.isClosed) return Promise.resolve(s.conn);
    if (s.connecting !== undefined) return s.connecting;
    const attempt = async (): Promise<BrokerConnection> => {
      const wait = s.retryAt - Date.now();
      if (wait > 0) await this.sleep(wait);
      this.assertOpen();
      let conn: BrokerConnection;
      try {
        conn = await BrokerConnection.connect({
          ...this.connectOptions,
          host: s.host,
          port: s.port,
        });
      } catch (err) {
        s.failures++;
        s.retryAt = Date.now() + this.backoff(s.failures);
        throw err;
      }
      s.failures = 0;
      s.retryAt = 0;
      if (this.isClosed) {
        await conn.close();
        throw closedClusterError();
      }
      s.conn = conn;
      void conn.closed.then(() => {
        if (s.conn === conn) s.conn = undefined;
      });
      return conn;
    };
    const connecting = attempt().finally(() => {
      if (s.connecting === connecting) s.connecting = undefined;
    });
    s.connecting = connecting;
    return connecting;
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoff(failures: number): number {
    return backoffDelay(failures, {
      baseMs: this.backoffMs,
      maxMs: this.backoffMaxMs,
      jitter: 0.5,
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleeps.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.sleeps.add(entry);
    });
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw closedClusterError();
  }
}

/** SHARQ_ERR_UNKNOWN_TOPIC: `topic` does not exist (on this cluster). */
export function unknownTopicError(topic: string, cause?: unknown): SharqError {
  return new SharqError('SHARQ_ERR_UNKNOWN_TOPIC', `Topic "${topic}" does not exist`, {
    cause,
    details: { topic },
  });
}

function closedClusterError(): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', 'The Kafka cluster client is closed');
}

function nodeKey(nodeId: number): string {
  return `node:${nodeId}`;
}

function normalizeUuid(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}

/** "host:port" or "[v6 address]:port". */
export function parseHostPort(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim());
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || !(port > 0 && port < 65536)) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `brokers: "${address}" is not "host:port" (IPv6 as "[::1]:9092")`,
      { details: { broker: address } },
    );
  }
  return { host: match[1] ?? match[2]!, port };
}
