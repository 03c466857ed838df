import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { AckType } from '../../../../src/engine/types.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { decodeRecordBatches } from '../../../../src/kafka/protocol/record-batch.js';
import type { ShareFetchRequest } from '../../../../src/server/share/messages.js';
import { ShareCoordinator } from '../../../../src/server/share/share-coordinator.js';
import { TopicIds } from '../../../../src/server/topic-ids.js';
import { systemClock } from '../../../../src/util/clock.js';
import { tempDir } from '../../../helpers/temp-dir.js';

let engine: EmbeddedEngine;
let remove: () => Promise<void>;
let coordinator: ShareCoordinator;
const ids = new TopicIds();

beforeEach(async () => {
  const t = await tempDir();
  remove = t.remove;
  engine = new EmbeddedEngine({ dataDir: t.dir });
  await engine.start();
  await engine.admin.createTopic('jobs', { partitions: 2 });
  await engine.admin.configureGroup('g', { autoOffsetReset: 'earliest' });
  await engine.produce(
    'jobs',
    Array.from({ length: 6 }, (_, i) => ({ value: Buffer.from(`v${i}`), partition: i % 2 })),
  );
  coordinator = new ShareCoordinator({
    engine,
    topicIds: ids,
    clock: systemClock,
    node: { nodeId: 1, host: '127.0.0.1', port: 9092 },
  });
});
afterEach(async () => {
  await coordinator.close();
  await engine.close();
  await remove();
});

const fetch = (o: Partial<ShareFetchRequest>): ShareFetchRequest => ({
  groupId: 'g',
  memberId: 'm1',
  shareSessionEpoch: 0,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1 << 20,
  maxRecords: 100,
  batchSize: 100,
  shareAcquireMode: 1,
  isRenewAck: false,
  topics: [],
  forgottenTopicsData: [],
  ...o,
});

describe('ShareCoordinator', () => {
  it('removes a member silent past the session timeout on its own timer, with no other heartbeat', async () => {
    // A clock whose timers the test fires.
    let now = 1_000_000;
    const timers: { fn: () => void; at: number }[] = [];
    const clock = {
      now: () => now,
      setTimer(fn: () => void, ms: number) {
        const t = { fn, at: now + ms };
        timers.push(t);
        return () => {
          timers.splice(timers.indexOf(t), 1);
        };
      },
    };
    const advance = async (ms: number) => {
      now += ms;
      for (;;) {
        const due = timers.find((t) => t.at <= now);
        if (due === undefined) break;
        timers.splice(timers.indexOf(due), 1);
        due.fn();
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const timed = new ShareCoordinator({
      engine,
      topicIds: ids,
      clock,
      node: { nodeId: 1, host: '127.0.0.1', port: 9092 },
      sessionTimeoutMs: 45_000,
    });
    try {
      const join = (memberId: string) =>
        timed.heartbeat(
          { groupId: 'g', memberId, memberEpoch: 0, rackId: null, subscribedTopicNames: ['jobs'] },
          'client',
        );
      await join('killed');
      const held = await timed.shareFetch(
        fetch({ memberId: 'killed' }),
        new AbortController().signal,
      );
      expect(held.responses[0]!.partitions.flatMap((p) => p.acquiredRecords)).toHaveLength(2);
      await advance(30_000);
      expect(timed.membersOf('g').map((m) => m.memberId)).toEqual(['killed']);
      await advance(30_000);
      expect(timed.membersOf('g')).toEqual([]);
      // Its records went back to the group: a new member gets all six.
      await join('next');
      const got = await timed.shareFetch(fetch({ memberId: 'next' }), new AbortController().signal);
      expect(got.responses[0]!.partitions.flatMap((p) => p.acquiredRecords)).toEqual([
        { firstOffset: 0, lastOffset: 2, deliveryCount: 2 },
        { firstOffset: 0, lastOffset: 2, deliveryCount: 2 },
      ]);
    } finally {
      await timed.close();
    }
    expect(timers).toEqual([]);
  });

  it('answers a waiting fetch with the lock its records got, set while it waited', async () => {
    await engine.admin.createTopic('idle', { partitions: 1 });
    await coordinator.heartbeat(
      {
        groupId: 'g',
        memberId: 'm1',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ['idle'],
      },
      'client',
    );
    const waiting = coordinator.shareFetch(
      fetch({ maxWaitMs: 5000 }),
      new AbortController().signal,
    );
    await new Promise((r) => setTimeout(r, 100));
    // A Queue's first add sets the group's lock (IncrementalAlterConfigs), then writes its job.
    await engine.admin.configureGroup('g', { lockDurationMs: 2000 });
    coordinator.configChanged('g');
    await engine.produce('idle', [{ value: Buffer.from('job') }]);
    const res = await waiting;
    expect(res.responses[0]!.partitions.flatMap((p) => p.acquiredRecords)).toHaveLength(1);
    // The client renews by this figure: 30 s here would let the 2 s lock lapse under a job.
    expect(res.acquisitionLockTimeoutMs).toBe(2000);
    const [held] = await engine.admin
      .describeGroup('g')
      .then((d) => d.partitions.filter((p) => p.topic === 'idle'));
    expect(held?.acquired).toBe(1);
  });

  it('joins, assigns every partition, hands out records as batches with acquired ranges, and takes acks', async () => {
    const hb = await coordinator.heartbeat(
      {
        groupId: 'g',
        memberId: 'm1',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ['jobs'],
      },
      'client-1',
    );
    expect(hb).toMatchObject({ errorCode: 0, memberEpoch: 1 });
    expect(hb.assignment).toEqual({
      topicPartitions: [{ topicId: ids.idOf('jobs'), partitions: [0, 1] }],
    });
    const res = await coordinator.shareFetch(fetch({}), new AbortController().signal);
    expect(res.errorCode).toBe(0);
    const parts = res.responses[0]!.partitions;
    expect(parts.map((p) => p.acquiredRecords)).toEqual([
      [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }],
      [{ firstOffset: 0, lastOffset: 2, deliveryCount: 1 }],
    ]);
    const values = decodeRecordBatches(parts[0]!.records!).records.map((r) => r.value!.toString());
    expect(values.length).toBe(3);
    // Accept partition 0's three, release partition 1's: they come back with delivery count 2.
    const topicId = ids.idOf('jobs');
    const next = await coordinator.shareFetch(
      fetch({
        shareSessionEpoch: 1,
        topics: [
          {
            topicId,
            partitions: [
              {
                partitionIndex: parts[0]!.partitionIndex,
                acknowledgementBatches: [
                  { firstOffset: 0, lastOffset: 2, acknowledgeTypes: [AckType.Accept] },
                ],
              },
              {
                partitionIndex: parts[1]!.partitionIndex,
                acknowledgementBatches: [
                  { firstOffset: 0, lastOffset: 2, acknowledgeTypes: [AckType.Release] },
                ],
              },
            ],
          },
        ],
      }),
      new AbortController().signal,
    );
    expect(next.errorCode).toBe(0);
    const again = next.responses[0]!.partitions.find((p) => p.acquiredRecords.length > 0)!;
    expect(again.partitionIndex).toBe(parts[1]!.partitionIndex);
    expect(again.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 2, deliveryCount: 2 }]);
  });

  it('checks share-session epochs and members', async () => {
    const signal = new AbortController().signal;
    expect((await coordinator.shareFetch(fetch({}), signal)).errorCode).toBe(E.UNKNOWN_MEMBER_ID);
    await coordinator.heartbeat(
      {
        groupId: 'g',
        memberId: 'm1',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ['jobs'],
      },
      'c',
    );
    expect((await coordinator.shareFetch(fetch({ shareSessionEpoch: 3 }), signal)).errorCode).toBe(
      E.SHARE_SESSION_NOT_FOUND,
    );
    expect((await coordinator.shareFetch(fetch({ maxRecords: 1 }), signal)).errorCode).toBe(0);
    expect((await coordinator.shareFetch(fetch({ shareSessionEpoch: 5 }), signal)).errorCode).toBe(
      E.INVALID_SHARE_SESSION_EPOCH,
    );
    expect(
      (await coordinator.shareFetch(fetch({ shareSessionEpoch: 1, maxRecords: 1 }), signal))
        .errorCode,
    ).toBe(0);
    const hb = await coordinator.heartbeat(
      { groupId: 'g', memberId: 'm1', memberEpoch: 7, rackId: null, subscribedTopicNames: null },
      'c',
    );
    expect(hb.errorCode).toBe(E.FENCED_MEMBER_EPOCH);
  });

  it('a member that leaves gives its records back to the group', async () => {
    const signal = new AbortController().signal;
    await coordinator.heartbeat(
      {
        groupId: 'g',
        memberId: 'm1',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ['jobs'],
      },
      'c',
    );
    await coordinator.heartbeat(
      {
        groupId: 'g',
        memberId: 'm2',
        memberEpoch: 0,
        rackId: null,
        subscribedTopicNames: ['jobs'],
      },
      'c',
    );
    const first = await coordinator.shareFetch(fetch({}), signal);
    expect(first.responses[0]!.partitions.flatMap((p) => p.acquiredRecords)).toHaveLength(2);
    const none = await coordinator.shareFetch(fetch({ memberId: 'm2' }), signal);
    expect(none.responses).toEqual([]);
    await coordinator.heartbeat(
      { groupId: 'g', memberId: 'm1', memberEpoch: -1, rackId: null, subscribedTopicNames: null },
      'c',
    );
    const taken = await coordinator.shareFetch(
      fetch({ memberId: 'm2', shareSessionEpoch: 1 }),
      signal,
    );
    const ranges = taken.responses[0]!.partitions.flatMap((p) => p.acquiredRecords);
    expect(ranges.every((r) => r.deliveryCount === 2)).toBe(true);
    expect(ranges.reduce((n, r) => n + r.lastOffset - r.firstOffset + 1, 0)).toBe(6);
  });
});
