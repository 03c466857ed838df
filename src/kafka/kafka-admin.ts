import type {
  EngineAdmin,
  PartitionOffsets,
  ShareGroupConfig,
  ShareGroupDescription,
  SharePartitionStats,
  TopicDescription,
} from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import type { BrokerConnection } from './connection.js';
import type { KafkaEngine } from './kafka-engine.js';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  listOffsets,
  listOffsetsAt,
  type PartitionOffset,
} from './list-offsets.js';
import {
  AlterShareGroupOffsetsV0,
  DeleteGroupsV2,
  DescribeShareGroupOffsetsV1,
  ListGroupsV5,
  ShareGroupDescribeV1,
} from './protocol/client-apis.js';
import { kafkaError } from './protocol/error-codes.js';
import { ConfigSource } from './protocol/schema/apis/describe-configs.js';

/** sharq's group settings and the Kafka group configs behind them. */
const GROUP_CONFIG = {
  autoOffsetReset: 'share.auto.offset.reset',
  lockDurationMs: 'share.record.lock.duration.ms',
  deliveryCountLimit: 'share.delivery.count.limit',
  deadLetterTopic: 'errors.deadletterqueue.topic.name',
} as const satisfies Record<keyof ShareGroupConfig, string>;

/** Topic config a Kafka 4.4 broker requires on a group dead-letter topic (KIP-1191). */
const DLQ_TOPIC_CONFIG = { 'errors.deadletterqueue.group.enable': 'true' };
const DLQ_PREFIX = 'dlq.';
const DLQ_COPY_RECORD = 'errors.deadletterqueue.copy.record.enable';
const NON_EMPTY_GROUP = 68;
const GROUP_ID_NOT_FOUND = 69;
const INVALID_CONFIG = 40;
/** COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR */
const COORDINATOR_NOT_READY = new Set([14, 15, 16]);

export class KafkaAdmin implements EngineAdmin {
  constructor(private readonly engine: KafkaEngine) {}

  async createTopic(name: string, options: { partitions?: number } = {}): Promise<void> {
    await this.engine.ready();
    const partitions = options.partitions ?? 1;
    const created = await this.engine.kafkajs.createTopic(
      name,
      partitions,
      name.startsWith(DLQ_PREFIX) ? DLQ_TOPIC_CONFIG : {},
    );
    if (!created) {
      throw new SharqError('SHARQ_ERR_TOPIC_EXISTS', `Topic "${name}" already exists`, {
        details: { topic: name },
      });
    }
  }

  async ensureTopic(
    name: string,
    options: { partitions?: number } = {},
  ): Promise<TopicDescription> {
    await this.engine.ready();
    try {
      return await this.describeTopic(name);
    } catch (err) {
      if (!SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) throw err;
    }
    try {
      await this.createTopic(name, options);
    } catch (err) {
      // Another worker created it first: that is what we wanted.
      if (!SharqError.is(err, 'SHARQ_ERR_TOPIC_EXISTS')) throw err;
    }
    // Made a moment ago: the broker's metadata may not show it yet, so this one waits for it.
    return { name, partitions: await this.engine.kafkajs.partitions(name, true, true) };
  }

  async listTopics(): Promise<TopicDescription[]> {
    await this.engine.ready();
    return this.engine.kafkajs.listTopics();
  }

  /** A topic the broker does not know is SHARQ_ERR_UNKNOWN_TOPIC at once (no wait for one being made). */
  async describeTopic(name: string): Promise<TopicDescription> {
    await this.engine.ready();
    return { name, partitions: await this.engine.kafkajs.partitions(name, true, false) };
  }

  async deleteTopic(name: string): Promise<void> {
    await this.engine.ready();
    await this.engine.kafkajs.deleteTopic(name);
  }

  /** Through sharq's own ListOffsets (list-offsets.ts), not kafkajs: see there why. */
  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.engine.ready();
    const cluster = this.engine.cluster;
    const [starts, ends] = (await listOffsetsAt(cluster, topic, [
      EARLIEST_TIMESTAMP,
      LATEST_TIMESTAMP,
    ])) as [PartitionOffset[], PartitionOffset[]];
    const end = new Map(ends.map((o) => [o.partition, o.offset]));
    return starts.map((o) => ({
      partition: o.partition,
      logStartOffset: o.offset,
      logEndOffset: end.get(o.partition) ?? o.offset,
    }));
  }

  async configureGroup(groupId: string, config: Partial<ShareGroupConfig>): Promise<void> {
    await this.engine.ready();
    const configs: Record<string, string | null> = {};
    if (config.autoOffsetReset !== undefined)
      configs[GROUP_CONFIG.autoOffsetReset] = config.autoOffsetReset;
    if (config.lockDurationMs !== undefined)
      configs[GROUP_CONFIG.lockDurationMs] = String(config.lockDurationMs);
    if (config.deliveryCountLimit !== undefined)
      configs[GROUP_CONFIG.deliveryCountLimit] = String(config.deliveryCountLimit);
    if (config.deadLetterTopic !== undefined) {
      configs[GROUP_CONFIG.deadLetterTopic] = config.deadLetterTopic ?? '';
      // Without it the broker writes only the error headers; sharq's DLQ records keep key and value.
      configs[DLQ_COPY_RECORD] = config.deadLetterTopic === null ? null : 'true';
    }
    try {
      await this.engine.cluster.setGroupConfigs(groupId, configs);
    } catch (err) {
      // Group dead-letter topics are Kafka 4.4 (KIP-1191). On an older broker, keep the other
      // settings: sharq's workers still write their own DLQ records; only jobs whose worker
      // dies on their last delivery are then archived without a copy.
      const dlqKeys = [GROUP_CONFIG.deadLetterTopic, DLQ_COPY_RECORD];
      const code = SharqError.is(err, 'SHARQ_ERR_KAFKA') ? err.details.kafkaCode : undefined;
      if (code !== INVALID_CONFIG || !dlqKeys.some((k) => k in configs)) throw err;
      for (const k of dlqKeys) delete configs[k];
      await this.engine.cluster.setGroupConfigs(groupId, configs);
      this.engine.emitError(
        new SharqError(
          'SHARQ_ERR_UNSUPPORTED',
          `The broker refused a group dead-letter topic for "${groupId}" (needs Kafka 4.4); other group settings applied`,
          { cause: err, details: { groupId } },
        ),
      );
    }
  }

  async describeGroup(groupId: string): Promise<ShareGroupDescription> {
    await this.engine.ready();
    const cluster = this.engine.cluster;
    const [described, offsets, configs] = await Promise.all([
      this.toCoordinator(
        groupId,
        (c) =>
          c.send(ShareGroupDescribeV1, { groupIds: [groupId], includeAuthorizedOperations: false }),
        (res) => res.groups.find((g) => g.groupId === groupId)?.errorCode ?? 0,
      ),
      this.toCoordinator(
        groupId,
        (c) => c.send(DescribeShareGroupOffsetsV1, { groups: [{ groupId, topics: null }] }),
        (res) => res.groups.find((g) => g.groupId === groupId)?.errorCode ?? 0,
      ),
      cluster.describeGroupConfigs(groupId, Object.values(GROUP_CONFIG)),
    ]);
    const group = described.groups.find((g) => g.groupId === groupId);
    if (group !== undefined && group.errorCode !== 0 && group.errorCode !== GROUP_ID_NOT_FOUND) {
      cluster.handleCoordinatorError(groupId, group.errorCode);
      throw kafkaError(group.errorCode, group.errorMessage, { api: 'ShareGroupDescribe', groupId });
    }
    const members = group === undefined || group.errorCode !== 0 ? [] : group.members;
    const value = (k: string) => configs.get(k)?.value ?? null;
    const config: ShareGroupConfig = {
      autoOffsetReset: value(GROUP_CONFIG.autoOffsetReset) === 'earliest' ? 'earliest' : 'latest',
      lockDurationMs: Number(value(GROUP_CONFIG.lockDurationMs) ?? 30_000),
      deliveryCountLimit: Number(value(GROUP_CONFIG.deliveryCountLimit) ?? 5),
      deadLetterTopic: value(GROUP_CONFIG.deadLetterTopic) || null,
    };
    const partitions: SharePartitionStats[] = [];
    const offsetGroup = offsets.groups.find((g) => g.groupId === groupId);
    if (
      offsetGroup !== undefined &&
      offsetGroup.errorCode !== 0 &&
      offsetGroup.errorCode !== GROUP_ID_NOT_FOUND
    ) {
      throw kafkaError(offsetGroup.errorCode, offsetGroup.errorMessage, {
        api: 'DescribeShareGroupOffsets',
        groupId,
      });
    }
    const topics = offsetGroup?.topics ?? [];
    // The log ends of the group's topics, all at once; a topic deleted since the group read it
    // has nothing left to describe (Kafka may still list its offsets for a while).
    const logEnds = await Promise.all(
      topics.map((t) =>
        listOffsets(cluster, t.topicName, LATEST_TIMESTAMP).then(
          (o) => new Map(o.map((x) => [x.partition, x.offset])),
          (err: unknown) => {
            if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) return undefined;
            throw err;
          },
        ),
      ),
    );
    for (const [i, t] of topics.entries()) {
      const ends = logEnds[i];
      if (ends === undefined) continue;
      for (const p of t.partitions) {
        if (p.errorCode !== 0 || p.startOffset < 0) continue;
        const logEndOffset = ends.get(p.partitionIndex) ?? p.startOffset;
        partitions.push({
          topic: t.topicName,
          partition: p.partitionIndex,
          startOffset: p.startOffset,
          logEndOffset,
          available: null,
          acquired: null,
          acknowledged: null,
          archived: null,
          lag: p.lag >= 0 ? p.lag : Math.max(0, logEndOffset - p.startOffset),
        });
      }
    }
    partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return {
      groupId,
      config,
      configured: (Object.keys(GROUP_CONFIG) as (keyof typeof GROUP_CONFIG)[]).filter(
        (k) => configs.get(GROUP_CONFIG[k])?.source === ConfigSource.GROUP_CONFIG,
      ),
      members: members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        topics: [...m.subscribedTopicNames],
      })),
      partitions,
    };
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.engine.ready();
    const res = await this.toCoordinator(
      groupId,
      (c) => c.send(DeleteGroupsV2, { groupsNames: [groupId] }),
      (r) => r.results.find((g) => g.groupId === groupId)?.errorCode ?? 0,
    );
    const result = res.results.find((g) => g.groupId === groupId);
    const code = result?.errorCode ?? 0;
    if (code === 0) return;
    const details = { groupId, kafkaCode: code };
    if (code === GROUP_ID_NOT_FOUND)
      throw new SharqError('SHARQ_ERR_UNKNOWN_GROUP', `Share group "${groupId}" does not exist`, {
        details,
      });
    if (code === NON_EMPTY_GROUP)
      throw new SharqError(
        'SHARQ_ERR_GROUP_NOT_EMPTY',
        `Share group "${groupId}" has members; stop them before deleting it`,
        { details },
      );
    this.engine.cluster.handleCoordinatorError(groupId, code);
    throw kafkaError(code, result?.errorMessage ?? null, { api: 'DeleteGroups', groupId });
  }

  async listGroups(): Promise<string[]> {
    await this.engine.ready();
    const cluster = this.engine.cluster;
    // Each broker lists only the groups it coordinates: ask them all.
    await cluster.metadata([]);
    const answers = await Promise.all(
      cluster.brokers().map(async (b) => {
        const conn = await cluster.connectionTo(b.nodeId);
        const res = await conn.send(ListGroupsV5, { statesFilter: [], typesFilter: ['share'] });
        if (res.errorCode !== 0) {
          throw kafkaError(res.errorCode, null, { api: 'ListGroups', nodeId: b.nodeId });
        }
        return res.groups.map((g) => g.groupId);
      }),
    );
    return [...new Set(answers.flat())].sort();
  }

  /**
   * A request to the group coordinator, sent again to the new one while the coordinator moves
   * or is still loading (a fresh cluster answers NOT_COORDINATOR for a while).
   */
  private async toCoordinator<T>(
    groupId: string,
    send: (conn: BrokerConnection) => Promise<T>,
    errorOf: (res: T) => number,
  ): Promise<T> {
    const cluster = this.engine.cluster;
    const deadline = Date.now() + this.engine.config.requestTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      const res = await send(await cluster.coordinatorConnection(groupId));
      const code = errorOf(res);
      if (!COORDINATOR_NOT_READY.has(code) || Date.now() >= deadline) return res;
      cluster.invalidateCoordinator(groupId);
      await sleep(backoffDelay(attempt + 1, { baseMs: 50, maxMs: 1000 }));
    }
  }

  async resetGroupOffsets(
    groupId: string,
    topic: string,
    to: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<void> {
    await this.engine.ready();
    const cluster = this.engine.cluster;
    const timestamp =
      typeof to === 'object'
        ? to.timestamp
        : to === 'earliest'
          ? EARLIEST_TIMESTAMP
          : LATEST_TIMESTAMP;
    let targets = await listOffsets(cluster, topic, timestamp);
    if (targets.some((t) => t.offset < 0)) {
      // No record at or after the timestamp: start at the log end, as kafka-share-groups does.
      const ends = new Map(
        (await listOffsets(cluster, topic, LATEST_TIMESTAMP)).map((o) => [o.partition, o.offset]),
      );
      targets = targets.map((t) =>
        t.offset < 0 ? { partition: t.partition, offset: ends.get(t.partition) ?? 0 } : t,
      );
    }
    const res = await this.toCoordinator(
      groupId,
      (conn) =>
        conn.send(AlterShareGroupOffsetsV0, {
          groupId,
          topics: [
            {
              topicName: topic,
              partitions: targets.map((t) => ({
                partitionIndex: t.partition,
                startOffset: t.offset,
              })),
            },
          ],
        }),
      (r) => r.errorCode,
    );
    if (res.errorCode !== 0) {
      this.engine.cluster.handleCoordinatorError(groupId, res.errorCode);
      throw kafkaError(res.errorCode, res.errorMessage, {
        api: 'AlterShareGroupOffsets',
        groupId,
        topic,
      });
    }
    for (const t of res.responses) {
      for (const p of t.partitions) {
        if (p.errorCode !== 0)
          throw kafkaError(p.errorCode, p.errorMessage, {
            api: 'AlterShareGroupOffsets',
            groupId,
            topic,
            partition: p.partitionIndex,
          });
      }
    }
  }
}
