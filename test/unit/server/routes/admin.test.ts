import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { AlterShareGroupOffsets } from '../../../../src/kafka/protocol/schema/apis/alter-share-group-offsets.js';
import { CreateTopics } from '../../../../src/kafka/protocol/schema/apis/create-topics.js';
import { DeleteShareGroupOffsets } from '../../../../src/kafka/protocol/schema/apis/delete-share-group-offsets.js';
import { DeleteTopics } from '../../../../src/kafka/protocol/schema/apis/delete-topics.js';
import { DescribeConfigs } from '../../../../src/kafka/protocol/schema/apis/describe-configs.js';
import { DescribeShareGroupOffsets } from '../../../../src/kafka/protocol/schema/apis/describe-share-group-offsets.js';
import { IncrementalAlterConfigs } from '../../../../src/kafka/protocol/schema/apis/incremental-alter-configs.js';
import { ListGroups } from '../../../../src/kafka/protocol/schema/apis/list-groups.js';
import { ShareGroupDescribe } from '../../../../src/kafka/protocol/schema/apis/share-group-describe.js';
import type { ApiRoute } from '../../../../src/server/connection.js';
import { adminRoutes, type ShareMemberInfo } from '../../../../src/server/routes/admin.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { brokerHarness, call, versionsOf } from './harness.js';

let engine: EmbeddedEngine;
let ctx: BrokerContext;
let close: () => Promise<void>;
let routes: ApiRoute[];
let members: ShareMemberInfo[];
const changed: string[] = [];

beforeEach(async () => {
  ({ engine, ctx, close } = await brokerHarness());
  members = [];
  changed.length = 0;
  routes = adminRoutes(ctx, {
    membersOf: (g) => (g === 'g' ? members : []),
    onGroupConfigChanged: (g) => void changed.push(g),
  });
  await engine.admin.createTopic('jobs', { partitions: 2 });
});
afterEach(() => close());

describe('CreateTopics', () => {
  it.each(versionsOf(CreateTopics))(
    'v%i creates topics; -1 partitions is the default',
    async (v) => {
      const res = await call(routes, CreateTopics, v, {
        topics: [
          { name: 'a', numPartitions: 4, replicationFactor: 1, assignments: [], configs: [] },
          {
            name: 'b',
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [],
            configs: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
        timeoutMs: 1000,
      });
      expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
        ['a', 0],
        ['b', 0],
      ]);
      if (v >= 5) expect(res.topics.map((t) => t.numPartitions)).toEqual([4, 3]);
      if (v >= 7) expect(res.topics[0]!.topicId).toBe(ctx.topicIds.idOf('a'));
      expect(await engine.admin.describeTopic('b')).toEqual({ name: 'b', partitions: 3 });
    },
  );

  it('answers TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS, INVALID_TOPIC_EXCEPTION, INVALID_REPLICATION_FACTOR', async () => {
    const topic = (name: string, numPartitions = 1, replicationFactor = 1) => ({
      name,
      numPartitions,
      replicationFactor,
      assignments: [],
      configs: [],
    });
    const res = await call(routes, CreateTopics, 4, {
      topics: [topic('jobs'), topic('z', 0), topic('y', -5), topic('bad/name'), topic('x', 1, 3)],
      timeoutMs: 1000,
      validateOnly: false,
    });
    expect(res.topics.map((t) => t.errorCode)).toEqual([
      E.TOPIC_ALREADY_EXISTS,
      E.INVALID_PARTITIONS,
      E.INVALID_PARTITIONS,
      E.INVALID_TOPIC_EXCEPTION,
      E.INVALID_REPLICATION_FACTOR,
    ]);
    expect(res.topics[0]!.errorMessage).toContain('already exists');
  });

  it('validateOnly creates nothing', async () => {
    const res = await call(routes, CreateTopics, 1, {
      topics: [
        { name: 'dry', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] },
      ],
      timeoutMs: 1000,
      validateOnly: true,
    });
    expect(res.topics[0]!.errorCode).toBe(0);
    expect((await engine.admin.listTopics()).map((t) => t.name)).toEqual(['jobs']);
  });
});

describe('DeleteTopics', () => {
  it.each([0, 5])(
    'v%i deletes by name; an unknown one is UNKNOWN_TOPIC_OR_PARTITION',
    async (v) => {
      const res = await call(routes, DeleteTopics, v, {
        topicNames: ['jobs', 'nope'],
        timeoutMs: 1000,
      });
      expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
        ['jobs', 0],
        ['nope', E.UNKNOWN_TOPIC_OR_PARTITION],
      ]);
      expect(await engine.admin.listTopics()).toEqual([]);
    },
  );

  it('v6 deletes by id or name', async () => {
    await engine.admin.createTopic('other');
    const res = await call(routes, DeleteTopics, 6, {
      topics: [
        { name: null, topicId: ctx.topicIds.idOf('jobs') },
        { name: 'other', topicId: '0'.repeat(32) },
        { name: null, topicId: 'cd'.repeat(16) },
      ],
      timeoutMs: 1000,
    });
    expect(res.responses.map((r) => [r.name, r.errorCode])).toEqual([
      ['jobs', 0],
      ['other', 0],
      [null, E.UNKNOWN_TOPIC_ID],
    ]);
    expect(await engine.admin.listTopics()).toEqual([]);
  });
});

describe('DescribeConfigs', () => {
  it.each(versionsOf(DescribeConfigs))(
    'v%i describes a group: set keys GROUP_CONFIG, others DEFAULT',
    async (v) => {
      await engine.admin.configureGroup('g', {
        autoOffsetReset: 'earliest',
        deliveryCountLimit: 7,
      });
      const res = await call(routes, DescribeConfigs, v, {
        resources: [
          { resourceType: 32, resourceName: 'g', configurationKeys: null },
          {
            resourceType: 32,
            resourceName: 'never-seen',
            configurationKeys: ['share.delivery.count.limit'],
          },
          { resourceType: 2, resourceName: 'jobs', configurationKeys: null },
          { resourceType: 4, resourceName: '1', configurationKeys: null },
          { resourceType: 2, resourceName: 'nope', configurationKeys: null },
        ],
      });
      const [g, unseen, topic, broker, missing] = res.results;
      expect(g!.errorCode).toBe(0);
      const rows = g!.configs.map((c) => [c.name, c.value, v === 0 ? c.isDefault : c.configSource]);
      const set = v === 0 ? false : 8;
      const dflt = v === 0 ? true : 5;
      expect(rows).toEqual([
        ['share.auto.offset.reset', 'earliest', set],
        ['share.record.lock.duration.ms', '30000', dflt],
        ['share.delivery.count.limit', '7', set],
        ['errors.deadletterqueue.topic.name', '', dflt],
      ]);
      expect(unseen!.configs.map((c) => [c.name, c.value])).toEqual([
        ['share.delivery.count.limit', '5'],
      ]);
      expect([topic!.errorCode, topic!.configs]).toEqual([0, []]);
      expect([broker!.errorCode, broker!.configs]).toEqual([0, []]);
      expect(missing!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    },
  );
});

describe('IncrementalAlterConfigs', () => {
  it.each(versionsOf(IncrementalAlterConfigs))('v%i sets and deletes group configs', async (v) => {
    const res = await call(routes, IncrementalAlterConfigs, v, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [
            { name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' },
            { name: 'share.record.lock.duration.ms', configOperation: 0, value: '15000' },
            { name: 'errors.deadletterqueue.topic.name', configOperation: 0, value: 'dlq.jobs' },
            {
              name: 'errors.deadletterqueue.copy.record.enable',
              configOperation: 0,
              value: 'true',
            },
          ],
        },
      ],
      validateOnly: false,
    });
    expect(res.responses).toEqual([
      { errorCode: 0, errorMessage: null, resourceType: 32, resourceName: 'g' },
    ]);
    expect(changed).toEqual(['g']);
    const d = await engine.admin.describeGroup('g');
    expect(d.config).toMatchObject({
      autoOffsetReset: 'earliest',
      lockDurationMs: 15000,
      deadLetterTopic: 'dlq.jobs',
    });
    await call(routes, IncrementalAlterConfigs, v, {
      resources: [
        {
          resourceType: 32,
          resourceName: 'g',
          configs: [{ name: 'share.record.lock.duration.ms', configOperation: 1, value: null }],
        },
      ],
      validateOnly: false,
    });
    expect((await engine.admin.describeGroup('g')).config.lockDurationMs).toBe(30000);
  });

  it('unknown keys and bad values are INVALID_CONFIG; other resources INVALID_REQUEST; validateOnly changes nothing', async () => {
    const alter = (
      resourceType: number,
      name: string,
      value: string | null,
      validateOnly = false,
      op = 0,
    ) =>
      call(routes, IncrementalAlterConfigs, 1, {
        resources: [
          { resourceType, resourceName: 'g', configs: [{ name, configOperation: op, value }] },
        ],
        validateOnly,
      }).then((r) => r.responses[0]!.errorCode);
    expect(await alter(32, 'share.isolation.level', 'read_committed')).toBe(E.INVALID_CONFIG);
    expect(await alter(32, 'share.delivery.count.limit', '99')).toBe(E.INVALID_CONFIG);
    expect(await alter(32, 'share.auto.offset.reset', 'sometimes')).toBe(E.INVALID_CONFIG);
    expect(await alter(32, 'share.auto.offset.reset', 'earliest', false, 2)).toBe(E.INVALID_CONFIG);
    expect(await alter(2, 'retention.ms', '1')).toBe(E.INVALID_REQUEST);
    expect(await alter(32, 'share.delivery.count.limit', '3', true)).toBe(0);
    expect(changed).toEqual([]);
    expect(await engine.admin.listGroups()).toEqual([]);
  });
});

describe('groups', () => {
  beforeEach(async () => {
    await engine.admin.configureGroup('g', { autoOffsetReset: 'earliest' });
    await engine.admin.configureGroup('idle', {});
    await engine.produce(
      'jobs',
      Array.from({ length: 4 }, (_, i) => ({ value: Buffer.from(`${i}`), partition: 0 })),
    );
    // The group takes its start offsets when a consumer first looks.
    const c = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    const got = await c.poll({ maxRecords: 1, maxWaitMs: 1000 });
    await c.acknowledge(got.map((record) => ({ record, type: 1 as const })));
    await c.close();
  });

  it.each(versionsOf(ListGroups))(
    'ListGroups v%i lists share groups with their state',
    async (v) => {
      members = [{ memberId: 'm1', clientId: 'c', epoch: 2, topics: ['jobs'] }];
      const res = await call(routes, ListGroups, v, {});
      expect(res.errorCode).toBe(0);
      const rows = res.groups.map((g) => [
        g.groupId,
        g.protocolType,
        v >= 4 ? g.groupState : '',
        v >= 5 ? g.groupType : '',
      ]);
      expect(rows).toEqual([
        ['g', 'share', v >= 4 ? 'Stable' : '', v >= 5 ? 'share' : ''],
        ['idle', 'share', v >= 4 ? 'Empty' : '', v >= 5 ? 'share' : ''],
      ]);
    },
  );

  it('ListGroups filters by state (v4+) and type (v5)', async () => {
    const empty = await call(routes, ListGroups, 4, { statesFilter: ['empty'] });
    expect(empty.groups.map((g) => g.groupId)).toEqual(['g', 'idle']);
    const consumer = await call(routes, ListGroups, 5, {
      statesFilter: [],
      typesFilter: ['consumer'],
    });
    expect(consumer.groups).toEqual([]);
    members = [{ memberId: 'm1', clientId: 'c', epoch: 1, topics: ['jobs'] }];
    const stable = await call(routes, ListGroups, 5, {
      statesFilter: ['Stable'],
      typesFilter: ['share'],
    });
    expect(stable.groups.map((g) => g.groupId)).toEqual(['g']);
  });

  it.each(versionsOf(DescribeShareGroupOffsets))(
    'DescribeShareGroupOffsets v%i: start offset and lag',
    async (v) => {
      const res = await call(routes, DescribeShareGroupOffsets, v, {
        groups: [
          { groupId: 'g', topics: null },
          { groupId: 'g', topics: [{ topicName: 'jobs', partitions: [0, 5] }] },
          { groupId: 'nope', topics: null },
        ],
      });
      const [all, some, missing] = res.groups;
      expect(all!.errorCode).toBe(0);
      expect(all!.topics[0]!.topicId).toBe(ctx.topicIds.idOf('jobs'));
      const p0 = all!.topics[0]!.partitions.find((p) => p.partitionIndex === 0)!;
      expect(p0.startOffset).toBe(1);
      if (v >= 1) expect(p0.lag).toBe(3);
      expect(some!.topics[0]!.partitions.map((p) => p.errorCode)).toEqual([
        0,
        E.UNKNOWN_TOPIC_OR_PARTITION,
      ]);
      expect(missing!.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    },
  );

  it('AlterShareGroupOffsets moves an empty group; a group with members is NON_EMPTY_GROUP', async () => {
    const alter = (startOffset: number) =>
      call(routes, AlterShareGroupOffsets, 0, {
        groupId: 'g',
        topics: [
          {
            topicName: 'jobs',
            partitions: [
              { partitionIndex: 0, startOffset },
              { partitionIndex: 1, startOffset: 0 },
            ],
          },
        ],
      });
    const res = await alter(0);
    expect(res.errorCode).toBe(0);
    expect(res.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([0, 0]);
    const d = await engine.admin.describeGroup('g');
    expect(d.partitions.find((p) => p.partition === 0)!.startOffset).toBe(0);
    // Without explicit offsets from the engine, a mixed target is refused rather than guessed.
    expect((await alter(2)).responses[0]!.partitions[0]!.errorCode).toBe(E.INVALID_REQUEST);
    members = [{ memberId: 'm1', clientId: 'c', epoch: 1, topics: ['jobs'] }];
    expect((await alter(0)).errorCode).toBe(E.NON_EMPTY_GROUP);
  });

  it('AlterShareGroupOffsets with setStartOffsets sets explicit offsets', async () => {
    const seen: [string, string, [number, number][]][] = [];
    const withSetter = adminRoutes(ctx, {
      membersOf: () => [],
      setStartOffsets: async (g, t, offsets) => void seen.push([g, t, [...offsets]]),
    });
    const res = await call(withSetter, AlterShareGroupOffsets, 0, {
      groupId: 'g',
      topics: [
        { topicName: 'jobs', partitions: [{ partitionIndex: 0, startOffset: 2 }] },
        { topicName: 'nope', partitions: [{ partitionIndex: 0, startOffset: 0 }] },
      ],
    });
    expect(res.responses.map((t) => t.partitions[0]!.errorCode)).toEqual([
      0,
      E.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(seen).toEqual([['g', 'jobs', [[0, 2]]]]);
  });

  it('DeleteShareGroupOffsets starts the group over; errors for members, unknown groups and topics', async () => {
    const del = (groupId: string, topicName = 'jobs') =>
      call(routes, DeleteShareGroupOffsets, 0, { groupId, topics: [{ topicName }] });
    const res = await del('g');
    expect(res.errorCode).toBe(0);
    expect(res.responses[0]).toMatchObject({
      topicName: 'jobs',
      errorCode: 0,
      topicId: ctx.topicIds.idOf('jobs'),
    });
    // auto.offset.reset earliest: back to the log start.
    const d = await engine.admin.describeGroup('g');
    expect(d.partitions.find((p) => p.partition === 0)!.startOffset).toBe(0);
    expect((await del('g', 'nope')).responses[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    expect((await del('nope')).errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    members = [{ memberId: 'm1', clientId: 'c', epoch: 1, topics: ['jobs'] }];
    expect((await del('g')).errorCode).toBe(E.NON_EMPTY_GROUP);
  });

  it('ShareGroupDescribe v1 lists members with every partition of their topics', async () => {
    members = [{ memberId: 'm1', clientId: 'c1', epoch: 3, topics: ['jobs'] }];
    const res = await call(routes, ShareGroupDescribe, 1, {
      groupIds: ['g', 'idle', 'nope'],
      includeAuthorizedOperations: false,
    });
    const [g, idle, nope] = res.groups;
    expect(g).toMatchObject({ errorCode: 0, groupState: 'Stable', groupEpoch: 3 });
    expect(g!.members).toEqual([
      {
        memberId: 'm1',
        rackId: null,
        memberEpoch: 3,
        clientId: 'c1',
        clientHost: '',
        subscribedTopicNames: ['jobs'],
        assignment: {
          topicPartitions: [
            { topicId: ctx.topicIds.idOf('jobs'), topicName: 'jobs', partitions: [0, 1] },
          ],
        },
      },
    ]);
    expect(idle).toMatchObject({ errorCode: 0, groupState: 'Empty', members: [] });
    expect(nope!.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
  });
});
