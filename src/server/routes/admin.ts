import { DEFAULT_GROUP_CONFIG } from '../../embedded/embedded-engine.js';
import type { ShareGroupConfig, ShareGroupDescription } from '../../engine/types.js';
import { SharqError } from '../../errors/sharq-error.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { AlterShareGroupOffsets } from '../../kafka/protocol/schema/apis/alter-share-group-offsets.js';
import {
  CreateTopics,
  type CreateTopicsResponse,
} from '../../kafka/protocol/schema/apis/create-topics.js';
import { DeleteShareGroupOffsets } from '../../kafka/protocol/schema/apis/delete-share-group-offsets.js';
import {
  DeleteTopics,
  type DeleteTopicsResponse,
} from '../../kafka/protocol/schema/apis/delete-topics.js';
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from '../../kafka/protocol/schema/apis/describe-configs.js';
import {
  DescribeShareGroupOffsets,
  type DescribeShareGroupOffsetsResponse,
} from '../../kafka/protocol/schema/apis/describe-share-group-offsets.js';
import { IncrementalAlterConfigs } from '../../kafka/protocol/schema/apis/incremental-alter-configs.js';
import { ListGroups } from '../../kafka/protocol/schema/apis/list-groups.js';
import {
  ShareGroupDescribe,
  type ShareGroupDescribeResponse,
} from '../../kafka/protocol/schema/apis/share-group-describe.js';
import type { ApiRoute } from '../connection.js';
import {
  type BrokerContext,
  errorOf,
  invalidTopicName,
  NO_TOPIC_ID,
  topicsByName,
} from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

/** DescribeConfigs / IncrementalAlterConfigs resource types. */
export const ResourceType = { TOPIC: 2, BROKER: 4, GROUP: 32 } as const;
/** Kafka's ConfigSource values used here. */
export const ConfigSource = { DEFAULT_CONFIG: 5, GROUP_CONFIG: 8 } as const;
const ConfigType = { STRING: 2, INT: 3 } as const;
const OP_SET = 0;
const OP_DELETE = 1;

/** A member of a share group as the share coordinator knows it. */
export interface ShareMemberInfo {
  memberId: string;
  clientId: string;
  clientHost?: string;
  epoch: number;
  topics: readonly string[];
}

export interface AdminRouteOptions {
  /** The members of a share group (the share coordinator owns them). */
  membersOf: (groupId: string) => readonly ShareMemberInfo[];
  /** Called after IncrementalAlterConfigs changed a group's settings. */
  onGroupConfigChanged?: (groupId: string) => void;
  /**
   * Sets a share group's start offsets on some partitions of a topic (AlterShareGroupOffsets).
   * Without it only "every partition to its log start" or "every partition to its log end" can
   * be done (`engine.admin.resetGroupOffsets` takes no explicit offsets).
   */
  setStartOffsets?: (
    groupId: string,
    topic: string,
    offsets: ReadonlyMap<number, number>,
  ) => Promise<void>;
}

/** The group configs a share group has here: Kafka's name, sharq's key, type and docs. */
const GROUP_CONFIGS = [
  {
    name: 'share.auto.offset.reset',
    key: 'autoOffsetReset',
    type: ConfigType.STRING,
    doc: 'Where a share group with no start offset on a partition begins: earliest or latest.',
  },
  {
    name: 'share.record.lock.duration.ms',
    key: 'lockDurationMs',
    type: ConfigType.INT,
    doc: 'How long an acquired record stays locked to its consumer.',
  },
  {
    name: 'share.delivery.count.limit',
    key: 'deliveryCountLimit',
    type: ConfigType.INT,
    doc: 'Deliveries after which a record is archived.',
  },
  {
    name: 'errors.deadletterqueue.topic.name',
    key: 'deadLetterTopic',
    type: ConfigType.STRING,
    doc: 'Topic archived records are copied to (empty: none).',
  },
] as const satisfies readonly {
  name: string;
  key: keyof ShareGroupConfig;
  type: number;
  doc: string;
}[];

/**
 * Accepted and ignored: sharq's Kafka engine sets it with a group dead-letter topic, and the
 * embedded engine always copies key and value to the dead-letter topic.
 */
const DLQ_COPY_RECORD = 'errors.deadletterqueue.copy.record.enable';

function configValue(config: ShareGroupConfig, key: keyof ShareGroupConfig): string {
  const v = config[key];
  return v === null ? '' : String(v);
}

/** Parses a SET value of a group config; throws a message for INVALID_CONFIG. */
function parseGroupConfig(name: string, value: string | null): Partial<ShareGroupConfig> {
  const int = (min: number, max: number): number => {
    const n = Number(value);
    if (value === null || value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name} must be an integer from ${min} to ${max}, got ${value}`);
    return n;
  };
  switch (name) {
    case 'share.auto.offset.reset':
      if (value !== 'earliest' && value !== 'latest')
        throw new Error(`${name} must be earliest or latest, got ${value}`);
      return { autoOffsetReset: value };
    case 'share.record.lock.duration.ms':
      return { lockDurationMs: int(1000, 3_600_000) };
    case 'share.delivery.count.limit':
      return { deliveryCountLimit: int(2, 10) };
    case 'errors.deadletterqueue.topic.name': {
      if (value === null || value === '') return { deadLetterTopic: null };
      const bad = invalidTopicName(value);
      if (bad !== null) throw new Error(bad);
      return { deadLetterTopic: value };
    }
    default:
      throw new Error(`Unknown group config ${name}`);
  }
}

/**
 * The admin APIs: CreateTopics (v0-7), DeleteTopics (v0-6), DescribeConfigs (v0-4),
 * IncrementalAlterConfigs (v0-1), ListGroups (v0-5), DescribeShareGroupOffsets (v0-1),
 * AlterShareGroupOffsets (v0), DeleteShareGroupOffsets (v0) and ShareGroupDescribe (v1).
 */
export function adminRoutes(ctx: BrokerContext, options: AdminRouteOptions): ApiRoute[] {
  const { engine, topicIds } = ctx;

  /** The group, or undefined when the engine has never seen it. */
  async function describeGroup(groupId: string): Promise<ShareGroupDescription | undefined> {
    const groups = await engine.admin.listGroups();
    if (!groups.includes(groupId)) return undefined;
    return engine.admin.describeGroup(groupId);
  }

  function memberCount(groupId: string, described: ShareGroupDescription | undefined): number {
    return Math.max(options.membersOf(groupId).length, described?.members.length ?? 0);
  }

  // ---- topics -------------------------------------------------------------------------------

  const createTopics = schemaRoute(CreateTopics, async (req) => {
    const existing = await topicsByName(engine);
    const seen = new Map<string, number>();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const topics: CreateTopicsResponse['topics'] = [];
    for (const t of req.topics) {
      const result = (
        errorCode: number,
        errorMessage: string | null,
        partitions = -1,
      ): CreateTopicsResponse['topics'][number] => ({
        name: t.name,
        topicId: errorCode === 0 ? topicIds.idOf(t.name) : NO_TOPIC_ID,
        errorCode,
        errorMessage,
        topicConfigErrorCode: 0,
        numPartitions: partitions,
        replicationFactor: errorCode === 0 ? 1 : -1,
        configs: errorCode === 0 ? [] : null,
      });
      if ((seen.get(t.name) ?? 0) > 1) {
        topics.push(result(E.INVALID_REQUEST, `Topic ${t.name} is named more than once`));
        continue;
      }
      const badName = invalidTopicName(t.name);
      if (badName !== null) {
        topics.push(result(E.INVALID_TOPIC_EXCEPTION, badName));
        continue;
      }
      if (existing.has(t.name)) {
        topics.push(result(E.TOPIC_ALREADY_EXISTS, `Topic '${t.name}' already exists.`));
        continue;
      }
      let partitions = t.numPartitions;
      if (t.assignments.length > 0) {
        if (partitions !== -1) {
          topics.push(
            result(E.INVALID_REQUEST, 'Both numPartitions and replica assignments were set'),
          );
          continue;
        }
        partitions = t.assignments.length;
      }
      if (partitions === -1) partitions = ctx.defaultPartitions;
      if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
        topics.push(
          result(
            E.INVALID_PARTITIONS,
            `Number of partitions must be from 1 to 1024, got ${partitions}`,
          ),
        );
        continue;
      }
      if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
        topics.push(
          result(
            E.INVALID_REPLICATION_FACTOR,
            `Replication factor: ${t.replicationFactor} larger than available brokers: 1.`,
          ),
        );
        continue;
      }
      if (req.validateOnly) {
        topics.push(result(0, null, partitions));
        continue;
      }
      try {
        await engine.admin.createTopic(t.name, { partitions });
        topicIds.learn([t.name]);
        existing.set(t.name, partitions);
        topics.push(result(0, null, partitions));
      } catch (err) {
        const e = errorOf(err);
        topics.push(result(e.errorCode, e.errorMessage));
      }
    }
    return { throttleTimeMs: 0, topics };
  });

  const deleteTopics = schemaRoute(DeleteTopics, async (req, version) => {
    const existing = await topicsByName(engine);
    const wanted: { name: string | null; topicId: string }[] =
      version >= 6
        ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : req.topicNames.map((name) => ({ name, topicId: NO_TOPIC_ID }));
    const responses: DeleteTopicsResponse['responses'] = [];
    for (const w of wanted) {
      const byId = w.name === null || w.name === '';
      const name = byId ? topicIds.topicOf(w.topicId) : w.name;
      const result = (errorCode: number, errorMessage: string | null) => ({
        name: version >= 6 && byId && errorCode !== 0 ? null : (name ?? w.name),
        topicId:
          name !== undefined && name !== null && errorCode === 0 ? topicIds.idOf(name) : w.topicId,
        errorCode,
        errorMessage,
      });
      if (name === undefined || name === null || !existing.has(name)) {
        responses.push(
          byId
            ? result(E.UNKNOWN_TOPIC_ID, `No topic with id ${w.topicId}`)
            : result(E.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host topic ${name}`),
        );
        continue;
      }
      try {
        await engine.admin.deleteTopic(name);
        existing.delete(name);
        responses.push(result(0, null));
      } catch (err) {
        const e = errorOf(err);
        responses.push(result(e.errorCode, e.errorMessage));
      }
    }
    return { throttleTimeMs: 0, responses };
  });

  // ---- configs ------------------------------------------------------------------------------

  const describeConfigs = schemaRoute(DescribeConfigs, async (req, version) => {
    const results: DescribeConfigsResponse['results'] = [];
    const existing = await topicsByName(engine);
    for (const res of req.resources) {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      if (res.resourceType === ResourceType.GROUP) {
        let described: ShareGroupDescription | undefined;
        try {
          described = await describeGroup(res.resourceName);
        } catch (err) {
          const e = errorOf(err);
          results.push({
            ...base,
            errorCode: e.errorCode,
            errorMessage: e.errorMessage,
            configs: [],
          });
          continue;
        }
        const config = described?.config ?? DEFAULT_GROUP_CONFIG;
        const configured = new Set(described?.configured ?? []);
        const keys = res.configurationKeys;
        const configs = GROUP_CONFIGS.filter((c) => keys === null || keys.includes(c.name)).map(
          (c) => {
            const source = configured.has(c.key)
              ? ConfigSource.GROUP_CONFIG
              : ConfigSource.DEFAULT_CONFIG;
            return {
              name: c.name,
              value: configValue(config, c.key),
              readOnly: false,
              isDefault: source === ConfigSource.DEFAULT_CONFIG,
              configSource: version === 0 ? -1 : source,
              isSensitive: false,
              synonyms: [],
              configType: version >= 3 ? c.type : 0,
              documentation: version >= 3 && req.includeDocumentation ? c.doc : null,
            };
          },
        );
        results.push({ ...base, errorCode: 0, errorMessage: null, configs });
        continue;
      }
      if (res.resourceType === ResourceType.TOPIC) {
        if (!existing.has(res.resourceName)) {
          results.push({
            ...base,
            errorCode: E.UNKNOWN_TOPIC_OR_PARTITION,
            errorMessage: `Topic ${res.resourceName} does not exist`,
            configs: [],
          });
          continue;
        }
        results.push({ ...base, errorCode: 0, errorMessage: null, configs: [] });
        continue;
      }
      if (res.resourceType === ResourceType.BROKER) {
        results.push({ ...base, errorCode: 0, errorMessage: null, configs: [] });
        continue;
      }
      results.push({
        ...base,
        errorCode: E.INVALID_REQUEST,
        errorMessage: `Resource type ${res.resourceType} is not supported by sharq server`,
        configs: [],
      });
    }
    return { throttleTimeMs: 0, results };
  });

  const incrementalAlterConfigs = schemaRoute(IncrementalAlterConfigs, async (req) => {
    const responses = [];
    for (const res of req.resources) {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      if (res.resourceType !== ResourceType.GROUP) {
        responses.push({
          ...base,
          errorCode: E.INVALID_REQUEST,
          errorMessage: `sharq server alters group configs (resource type 32) only, not type ${res.resourceType}`,
        });
        continue;
      }
      let change: Partial<ShareGroupConfig> = {};
      try {
        for (const c of res.configs) {
          if (c.name === DLQ_COPY_RECORD) continue;
          if (c.configOperation === OP_SET) {
            change = { ...change, ...parseGroupConfig(c.name, c.value) };
          } else if (c.configOperation === OP_DELETE) {
            const known = GROUP_CONFIGS.find((g) => g.name === c.name);
            if (known === undefined) throw new Error(`Unknown group config ${c.name}`);
            change = { ...change, [known.key]: DEFAULT_GROUP_CONFIG[known.key] };
          } else {
            throw new Error(
              `Operation ${c.configOperation} (APPEND/SUBTRACT) is not valid for ${c.name}`,
            );
          }
        }
      } catch (err) {
        responses.push({
          ...base,
          errorCode: E.INVALID_CONFIG,
          errorMessage: err instanceof Error ? err.message : String(err),
        });
        continue;
      }
      if (!req.validateOnly && Object.keys(change).length > 0) {
        try {
          await engine.admin.configureGroup(res.resourceName, change);
          options.onGroupConfigChanged?.(res.resourceName);
        } catch (err) {
          const e = errorOf(err);
          responses.push({
            ...base,
            errorCode: SharqError.is(err, 'SHARQ_ERR_INVALID_ARGUMENT')
              ? E.INVALID_CONFIG
              : e.errorCode,
            errorMessage: e.errorMessage,
          });
          continue;
        }
      }
      responses.push({ ...base, errorCode: 0, errorMessage: null });
    }
    return { throttleTimeMs: 0, responses };
  });

  // ---- groups -------------------------------------------------------------------------------

  const listGroups = schemaRoute(ListGroups, async (req, version) => {
    const types = version >= 5 ? req.typesFilter.map((t) => t.toLowerCase()) : [];
    const states = version >= 4 ? req.statesFilter.map((s) => s.toLowerCase()) : [];
    if (types.length > 0 && !types.includes('share'))
      return { throttleTimeMs: 0, errorCode: 0, groups: [] };
    const groups = [];
    for (const groupId of await engine.admin.listGroups()) {
      let engineMembers = 0;
      try {
        engineMembers = (await engine.admin.describeGroup(groupId)).members.length;
      } catch {
        engineMembers = 0;
      }
      const members = Math.max(options.membersOf(groupId).length, engineMembers);
      const groupState = members > 0 ? 'Stable' : 'Empty';
      if (states.length > 0 && !states.includes(groupState.toLowerCase())) continue;
      groups.push({ groupId, protocolType: 'share', groupState, groupType: 'share' });
    }
    return { throttleTimeMs: 0, errorCode: 0, groups };
  });

  const describeShareGroupOffsets = schemaRoute(DescribeShareGroupOffsets, async (req) => {
    const existing = await topicsByName(engine);
    const groups: DescribeShareGroupOffsetsResponse['groups'] = [];
    for (const g of req.groups) {
      let described: ShareGroupDescription | undefined;
      try {
        described = await describeGroup(g.groupId);
      } catch (err) {
        const e = errorOf(err);
        groups.push({ groupId: g.groupId, topics: [], ...e });
        continue;
      }
      if (described === undefined) {
        groups.push({
          groupId: g.groupId,
          topics: [],
          errorCode: E.GROUP_ID_NOT_FOUND,
          errorMessage: `Group ${g.groupId} not found`,
        });
        continue;
      }
      const stats = new Map(described.partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p]));
      const wanted =
        g.topics ??
        [...new Set(described.partitions.map((p) => p.topic))].map((topicName) => ({
          topicName,
          partitions: described.partitions
            .filter((p) => p.topic === topicName)
            .map((p) => p.partition),
        }));
      const topics = wanted.map((t) => {
        const partitions = existing.get(t.topicName);
        return {
          topicName: t.topicName,
          topicId: partitions === undefined ? NO_TOPIC_ID : topicIds.idOf(t.topicName),
          partitions: t.partitions.map((p) => {
            if (partitions === undefined || p < 0 || p >= partitions) {
              return {
                partitionIndex: p,
                startOffset: -1,
                leaderEpoch: -1,
                lag: -1,
                errorCode: E.UNKNOWN_TOPIC_OR_PARTITION,
                errorMessage: `This server does not host ${t.topicName}-${p}`,
              };
            }
            const s = stats.get(`${t.topicName}\u0000${p}`);
            return {
              partitionIndex: p,
              startOffset: s?.startOffset ?? -1,
              leaderEpoch: s === undefined ? -1 : 0,
              lag: s?.lag ?? -1,
              errorCode: 0,
              errorMessage: null,
            };
          }),
        };
      });
      groups.push({ groupId: g.groupId, topics, errorCode: 0, errorMessage: null });
    }
    return { throttleTimeMs: 0, groups };
  });

  const alterShareGroupOffsets = schemaRoute(AlterShareGroupOffsets, async (req) => {
    const existing = await topicsByName(engine);
    const groupError = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      responses: req.topics.map((t) => ({
        topicName: t.topicName,
        topicId: existing.has(t.topicName) ? topicIds.idOf(t.topicName) : NO_TOPIC_ID,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage,
        })),
      })),
    });
    let described: ShareGroupDescription | undefined;
    try {
      described = await describeGroup(req.groupId);
    } catch (err) {
      const e = errorOf(err);
      return groupError(e.errorCode, e.errorMessage);
    }
    const members = memberCount(req.groupId, described);
    if (members > 0)
      return groupError(
        E.NON_EMPTY_GROUP,
        `Share group ${req.groupId} has ${members} member(s); stop them before altering its offsets`,
      );
    const responses = [];
    for (const t of req.topics) {
      const partitions = existing.get(t.topicName);
      const answer = (errorCode: number, errorMessage: string | null) => ({
        topicName: t.topicName,
        topicId: partitions === undefined ? NO_TOPIC_ID : topicIds.idOf(t.topicName),
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          errorMessage,
        })),
      });
      if (partitions === undefined) {
        responses.push(answer(E.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${t.topicName} does not exist`));
        continue;
      }
      const bad = t.partitions.find((p) => p.partitionIndex < 0 || p.partitionIndex >= partitions);
      if (bad !== undefined) {
        responses.push(
          answer(
            E.UNKNOWN_TOPIC_OR_PARTITION,
            `This server does not host ${t.topicName}-${bad.partitionIndex}`,
          ),
        );
        continue;
      }
      try {
        const ends = await engine.admin.offsets(t.topicName);
        const offsets = new Map<number, number>();
        for (const p of t.partitions) {
          const o = ends[p.partitionIndex]!;
          // -1: the log end, as a timestamp past every record resolves.
          const at = p.startOffset < 0 ? o.logEndOffset : p.startOffset;
          if (at < o.logStartOffset || at > o.logEndOffset)
            throw new SharqError(
              'SHARQ_ERR_INVALID_ARGUMENT',
              `Start offset ${at} of ${t.topicName}-${p.partitionIndex} is outside ${o.logStartOffset}..${o.logEndOffset}`,
            );
          offsets.set(p.partitionIndex, at);
        }
        if (options.setStartOffsets !== undefined) {
          await options.setStartOffsets(req.groupId, t.topicName, offsets);
        } else {
          const all = ends.every((o) => offsets.has(o.partition));
          const to = ends.every((o) => offsets.get(o.partition) === o.logStartOffset)
            ? 'earliest'
            : ends.every((o) => offsets.get(o.partition) === o.logEndOffset)
              ? 'latest'
              : undefined;
          if (!all || to === undefined)
            throw new SharqError(
              'SHARQ_ERR_INVALID_ARGUMENT',
              'This server sets every partition of a topic to its earliest or latest offset only',
            );
          await engine.admin.resetGroupOffsets(req.groupId, t.topicName, to);
        }
        responses.push(answer(0, null));
      } catch (err) {
        const e = errorOf(err);
        responses.push(answer(e.errorCode, e.errorMessage));
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses };
  });

  const deleteShareGroupOffsets = schemaRoute(DeleteShareGroupOffsets, async (req) => {
    const existing = await topicsByName(engine);
    const groupError = (errorCode: number, errorMessage: string) => ({
      throttleTimeMs: 0,
      errorCode,
      errorMessage,
      responses: [],
    });
    let described: ShareGroupDescription | undefined;
    try {
      described = await describeGroup(req.groupId);
    } catch (err) {
      const e = errorOf(err);
      return groupError(e.errorCode, e.errorMessage);
    }
    if (described === undefined)
      return groupError(E.GROUP_ID_NOT_FOUND, `Group ${req.groupId} not found`);
    const members = memberCount(req.groupId, described);
    if (members > 0)
      return groupError(
        E.NON_EMPTY_GROUP,
        `Share group ${req.groupId} has ${members} member(s); stop them before deleting its offsets`,
      );
    const responses = [];
    for (const t of req.topics) {
      const result = (errorCode: number, errorMessage: string | null) => ({
        topicName: t.topicName,
        topicId: existing.has(t.topicName) ? topicIds.idOf(t.topicName) : NO_TOPIC_ID,
        errorCode,
        errorMessage,
      });
      if (!existing.has(t.topicName)) {
        responses.push(result(E.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${t.topicName} does not exist`));
        continue;
      }
      try {
        // Forgetting the start offsets: the group starts over as share.auto.offset.reset says.
        await engine.admin.resetGroupOffsets(
          req.groupId,
          t.topicName,
          described.config.autoOffsetReset,
        );
        responses.push(result(0, null));
      } catch (err) {
        const e = errorOf(err);
        responses.push(result(e.errorCode, e.errorMessage));
      }
    }
    return { throttleTimeMs: 0, errorCode: 0, errorMessage: null, responses };
  });

  const shareGroupDescribe = schemaRoute(ShareGroupDescribe, async (req) => {
    const existing = await topicsByName(engine);
    const known = new Set(await engine.admin.listGroups());
    const groups: ShareGroupDescribeResponse['groups'] = req.groupIds.map((groupId) => {
      const members = options.membersOf(groupId);
      if (!known.has(groupId) && members.length === 0) {
        return {
          errorCode: E.GROUP_ID_NOT_FOUND,
          errorMessage: `Group ${groupId} not found`,
          groupId,
          groupState: 'Dead',
          groupEpoch: -1,
          assignmentEpoch: -1,
          assignorName: '',
          members: [],
          authorizedOperations: -2147483648,
        };
      }
      const epoch = members.reduce((max, m) => Math.max(max, m.epoch), 0);
      return {
        errorCode: 0,
        errorMessage: null,
        groupId,
        groupState: members.length > 0 ? 'Stable' : 'Empty',
        groupEpoch: epoch,
        assignmentEpoch: epoch,
        assignorName: 'simple',
        members: members.map((m) => ({
          memberId: m.memberId,
          rackId: null,
          memberEpoch: m.epoch,
          clientId: m.clientId,
          clientHost: m.clientHost ?? '',
          subscribedTopicNames: [...m.topics],
          assignment: {
            topicPartitions: m.topics
              .filter((t) => existing.has(t))
              .map((t) => ({
                topicId: topicIds.idOf(t),
                topicName: t,
                partitions: Array.from({ length: existing.get(t)! }, (_, p) => p),
              })),
          },
        })),
        authorizedOperations: -2147483648,
      };
    });
    return { throttleTimeMs: 0, groups };
  });

  return [
    createTopics,
    deleteTopics,
    describeConfigs,
    incrementalAlterConfigs,
    listGroups,
    describeShareGroupOffsets,
    alterShareGroupOffsets,
    deleteShareGroupOffsets,
    shareGroupDescribe,
  ];
}
