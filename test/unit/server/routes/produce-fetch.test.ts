import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
} from '../../../../src/kafka/protocol/record-batch.js';
import { Fetch } from '../../../../src/kafka/protocol/schema/apis/fetch.js';
import { InitProducerId } from '../../../../src/kafka/protocol/schema/apis/init-producer-id.js';
import { ListOffsets } from '../../../../src/kafka/protocol/schema/apis/list-offsets.js';
import { Produce } from '../../../../src/kafka/protocol/schema/apis/produce.js';
import type { ApiRoute } from '../../../../src/server/connection.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { fetchRoutes } from '../../../../src/server/routes/fetch.js';
import { produceRoutes } from '../../../../src/server/routes/produce.js';
import { brokerHarness, call, callRaw, versionsOf } from './harness.js';

let engine: EmbeddedEngine;
let ctx: BrokerContext;
let close: () => Promise<void>;
let routes: ApiRoute[];

beforeEach(async () => {
  ({ engine, ctx, close } = await brokerHarness());
  routes = [...produceRoutes(ctx), ...fetchRoutes(ctx)];
  await engine.admin.createTopic('jobs', { partitions: 2 });
});
afterEach(() => close());

const batch = (
  values: string[],
  options: Parameters<typeof encodeRecordBatch>[1] = {},
  ts = 1_000,
) =>
  encodeRecordBatch(
    values.map((v, i) => ({ key: `k${i}`, value: v, headers: { h: 'x' }, timestamp: ts + i })),
    options,
  );

function produce(
  version: number,
  partitions: { index: number; records: Buffer | null }[],
  acks = -1,
  topic = 'jobs',
) {
  return callRaw(routes, Produce, version, {
    transactionalId: null,
    acks,
    timeoutMs: 1000,
    topicData: [{ name: topic, partitionData: partitions }],
  });
}

describe('Produce', () => {
  it.each(versionsOf(Produce))(
    'v%i writes the batch with its timestamps, keys and headers',
    async (v) => {
      const res = await produce(v, [{ index: 1, records: batch(['a', 'b']) }]);
      const p = res!.responses[0]!.partitionResponses[0]!;
      expect(p).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0 });
      if (v >= 5) expect(p.logStartOffset).toBe(0);
      const again = await produce(v, [{ index: 1, records: batch(['c']) }]);
      expect(again!.responses[0]!.partitionResponses[0]!.baseOffset).toBe(2);
      const stored = await engine.read('jobs', 1, 0, 10);
      expect(
        stored.map((r) => [
          r.offset,
          r.value?.toString(),
          r.key?.toString(),
          r.timestamp,
          r.headers,
        ]),
      ).toEqual([
        [0, 'a', 'k0', 1000, { h: 'x' }],
        [1, 'b', 'k1', 1001, { h: 'x' }],
        [2, 'c', 'k0', 1000, { h: 'x' }],
      ]);
    },
  );

  it('acks=0 writes and sends no response', async () => {
    expect(await produce(7, [{ index: 0, records: batch(['a']) }], 0)).toBeNull();
    expect(await engine.read('jobs', 0, 0, 10)).toHaveLength(1);
  });

  it('answers per partition: unknown topic or partition, a corrupt batch, bad acks', async () => {
    const corrupt = batch(['x']);
    corrupt[corrupt.length - 1]! ^= 0xff;
    const res = await produce(11, [
      { index: 0, records: corrupt },
      { index: 1, records: batch(['x']).subarray(0, 30) },
      { index: 2, records: batch(['x']) },
      { index: 1, records: null },
    ]);
    expect(res!.responses[0]!.partitionResponses.map((p) => p.errorCode)).toEqual([
      E.CORRUPT_MESSAGE,
      E.CORRUPT_MESSAGE,
      E.UNKNOWN_TOPIC_OR_PARTITION,
      E.CORRUPT_MESSAGE,
    ]);
    const unknown = await produce(3, [{ index: 0, records: batch(['x']) }], -1, 'nope');
    expect(unknown!.responses[0]!.partitionResponses[0]!.errorCode).toBe(
      E.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const acks = await produce(3, [{ index: 0, records: batch(['x']) }], 2);
    expect(acks!.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.INVALID_REQUIRED_ACKS);
    expect(await engine.read('jobs', 0, 0, 10)).toEqual([]);
  });

  it('refuses a partition holding more than one batch, as Kafka does, and writes none of it', async () => {
    const idempotent = (values: string[], baseSequence: number) =>
      batch(values, { producerId: 7, producerEpoch: 0, baseSequence });
    const res = await produce(9, [
      // Plain batches (kept as they came) and gzip ones (decoded) take different paths.
      { index: 0, records: Buffer.concat([batch(['a']), batch(['b'])]) },
      {
        index: 1,
        records: Buffer.concat([
          batch(['c'], { compression: 'gzip' }),
          batch(['d'], { compression: 'gzip' }),
        ]),
      },
    ]);
    const answers = res!.responses[0]!.partitionResponses;
    expect(answers.map((p) => [p.errorCode, p.baseOffset])).toEqual([
      [E.INVALID_RECORD, -1],
      [E.INVALID_RECORD, -1],
    ]);
    expect(answers[0]!.errorMessage).toBe(
      'Produce requests with version 9 are only allowed to contain exactly one record batch per partition',
    );
    // An idempotent producer's second batch out of sequence: before, the first was written
    // while the answer said the partition had failed.
    const seq = await produce(9, [
      { index: 0, records: Buffer.concat([idempotent(['e'], 0), idempotent(['f'], 5)]) },
    ]);
    expect(seq!.responses[0]!.partitionResponses[0]!.errorCode).toBe(E.INVALID_RECORD);
    expect(await engine.read('jobs', 0, 0, 10)).toEqual([]);
    expect(await engine.read('jobs', 1, 0, 10)).toEqual([]);
    // One batch a partition still goes in.
    const one = await produce(9, [{ index: 0, records: batch(['g', 'h']) }]);
    expect(one!.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
  });

  it('refuses transactions', async () => {
    const res = await call(routes, Produce, 7, {
      transactionalId: 'tx',
      acks: -1,
      timeoutMs: 1000,
      topicData: [{ name: 'jobs', partitionData: [{ index: 0, records: batch(['a']) }] }],
    });
    expect(res.responses[0]!.partitionResponses[0]!.errorCode).toBe(
      E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
    const tx = await produce(7, [
      {
        index: 0,
        records: batch(['a'], {
          transactional: true,
          producerId: 1,
          producerEpoch: 0,
          baseSequence: 0,
        }),
      },
    ]);
    expect(tx!.responses[0]!.partitionResponses[0]!.errorCode).toBe(
      E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
  });

  it('idempotence: a retried batch is not written twice; a gap in sequences is refused', async () => {
    const init = await call(routes, InitProducerId, 1, {
      transactionalId: null,
      transactionTimeoutMs: 60000,
    });
    expect(init.errorCode).toBe(0);
    const ids = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    const first = batch(['a', 'b'], { ...ids, baseSequence: 0 });
    const r1 = await produce(7, [{ index: 0, records: first }]);
    const r2 = await produce(7, [{ index: 0, records: first }]);
    expect(r1!.responses[0]!.partitionResponses[0]!.baseOffset).toBe(0);
    expect(r2!.responses[0]!.partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0 });
    const gap = await produce(7, [
      { index: 0, records: batch(['c'], { ...ids, baseSequence: 5 }) },
    ]);
    expect(gap!.responses[0]!.partitionResponses[0]!.errorCode).toBe(
      E.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    const next = await produce(7, [
      { index: 0, records: batch(['c'], { ...ids, baseSequence: 2 }) },
    ]);
    expect(next!.responses[0]!.partitionResponses[0]!.baseOffset).toBe(2);
    expect(await engine.read('jobs', 0, 0, 10)).toHaveLength(3);
  });
});

describe('InitProducerId', () => {
  it.each(versionsOf(InitProducerId))(
    'v%i hands out a new producer id; a transactional id is refused',
    async (v) => {
      const a = await call(routes, InitProducerId, v, {
        transactionalId: null,
        transactionTimeoutMs: 1,
      });
      const b = await call(routes, InitProducerId, v, {
        transactionalId: null,
        transactionTimeoutMs: 1,
      });
      expect(a).toMatchObject({ errorCode: 0, producerEpoch: 0 });
      expect(b.producerId).toBe(a.producerId + 1);
      const tx = await call(routes, InitProducerId, v, {
        transactionalId: 'tx',
        transactionTimeoutMs: 1,
      });
      expect(tx.errorCode).toBe(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    },
  );
});

function fetch(
  version: number,
  partitions: { partition: number; fetchOffset: number; partitionMaxBytes?: number }[],
  maxBytes = 1 << 20,
  topic = 'jobs',
) {
  return call(routes, Fetch, version, {
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel: 0,
    topics: [
      {
        topic,
        partitions: partitions.map((p) => ({
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          partitionMaxBytes: p.partitionMaxBytes ?? 1 << 20,
        })),
      },
    ],
    forgottenTopicsData: [],
  });
}

describe('Fetch', () => {
  beforeEach(async () => {
    await engine.produce(
      'jobs',
      Array.from({ length: 5 }, (_, i) => ({
        value: Buffer.from(`v${i}`),
        partition: 0,
        timestamp: 100 + i,
      })),
    );
  });

  it.each(versionsOf(Fetch))('v%i reads from an offset to the log end as v2 batches', async (v) => {
    const res = await fetch(v, [
      { partition: 0, fetchOffset: 1 },
      { partition: 1, fetchOffset: 0 },
    ]);
    const [p0, p1] = res.responses[0]!.partitions;
    expect(p0).toMatchObject({ errorCode: 0, highWatermark: 5 });
    if (v >= 4) expect(p0!.lastStableOffset).toBe(5);
    if (v >= 5) expect(p0!.logStartOffset).toBe(0);
    const decoded = decodeRecordBatches(p0!.records!);
    expect(decoded.records.map((r) => [r.offset, r.value?.toString(), r.timestamp])).toEqual([
      [1, 'v1', 101],
      [2, 'v2', 102],
      [3, 'v3', 103],
      [4, 'v4', 104],
    ]);
    expect(p1).toMatchObject({ errorCode: 0, highWatermark: 0 });
    expect(p1!.records?.length ?? 0).toBe(0);
  });

  it('answers OFFSET_OUT_OF_RANGE and UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await fetch(12, [
      { partition: 0, fetchOffset: 6 },
      { partition: 7, fetchOffset: 0 },
    ]);
    expect(res.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([
      E.OFFSET_OUT_OF_RANGE,
      E.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const unknown = await fetch(4, [{ partition: 0, fetchOffset: 0 }], 1000, 'nope');
    expect(unknown.responses[0]!.partitions[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('keeps roughly to partitionMaxBytes, but returns at least one record', async () => {
    const res = await fetch(11, [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 }]);
    expect(decodeRecordBatches(res.responses[0]!.partitions[0]!.records!).records).toHaveLength(1);
    const some = await fetch(11, [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 50 }]);
    const n = decodeRecordBatches(some.responses[0]!.partitions[0]!.records!).records.length;
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThan(5);
  });

  it('an unknown fetch session is FETCH_SESSION_ID_NOT_FOUND', async () => {
    const res = await call(routes, Fetch, 7, {
      maxWaitMs: 0,
      minBytes: 0,
      sessionId: 42,
      sessionEpoch: 3,
      topics: [],
      forgottenTopicsData: [],
    });
    expect(res.errorCode).toBe(E.FETCH_SESSION_ID_NOT_FOUND);
  });
});

describe('ListOffsets', () => {
  beforeEach(async () => {
    await engine.produce(
      'jobs',
      [300, 100, 200, 400].map((timestamp, i) => ({
        value: Buffer.from(`v${i}`),
        partition: 0,
        timestamp,
      })),
    );
  });

  const list = (version: number, timestamp: number, partition = 0) =>
    call(routes, ListOffsets, version, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'jobs', partitions: [{ partitionIndex: partition, timestamp }] }],
    });

  it.each(versionsOf(ListOffsets).slice(1))('v%i: latest, earliest and by timestamp', async (v) => {
    const at = async (ts: number) => {
      const p = (await list(v, ts)).topics[0]!.partitions[0]!;
      return [p.errorCode, p.offset, p.timestamp];
    };
    expect(await at(-1)).toEqual([0, 4, -1]);
    expect(await at(-2)).toEqual([0, 0, -1]);
    expect(await at(150)).toEqual([0, 0, 300]);
    expect(await at(350)).toEqual([0, 3, 400]);
    expect(await at(500)).toEqual([0, -1, -1]);
    if (v >= 7) expect(await at(-3)).toEqual([0, 3, 400]);
  });

  it('v0 answers with oldStyleOffsets', async () => {
    const latest = (await list(0, -1)).topics[0]!.partitions[0]!;
    expect(latest).toMatchObject({ errorCode: 0, oldStyleOffsets: [4] });
    expect((await list(0, -2)).topics[0]!.partitions[0]!.oldStyleOffsets).toEqual([0]);
  });

  it('an unknown partition is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    expect((await list(3, -1, 9)).topics[0]!.partitions[0]!.errorCode).toBe(
      E.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });
});

describe('topic lookups', () => {
  it('Produce, Fetch and ListOffsets look up the topics they name, never every topic', async () => {
    for (let i = 0; i < 20; i++) await engine.admin.createTopic(`other-${i}`);
    const listTopics = vi.spyOn(engine.admin, 'listTopics');
    const describeTopic = vi.spyOn(engine.admin, 'describeTopic');
    const produced = await produce(11, [{ index: 0, records: batch(['a']) }]);
    expect(produced!.responses[0]!.partitionResponses[0]!.errorCode).toBe(0);
    const missing = await produce(11, [{ index: 0, records: batch(['a']) }], -1, 'nope');
    expect(missing!.responses[0]!.partitionResponses[0]!.errorCode).toBe(
      E.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const fetched = await fetch(12, [{ partition: 0, fetchOffset: 0 }]);
    expect(fetched.responses[0]!.partitions[0]!.errorCode).toBe(0);
    const unknown = await fetch(12, [{ partition: 0, fetchOffset: 0 }], 1 << 20, 'nope');
    expect(unknown.responses[0]!.partitions[0]!.errorCode).toBe(E.UNKNOWN_TOPIC_OR_PARTITION);
    const offsets = await call(routes, ListOffsets, 6, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'jobs', partitions: [{ partitionIndex: 0, timestamp: -1 }] }],
    });
    expect(offsets.topics[0]!.partitions[0]).toMatchObject({ errorCode: 0, offset: 1 });
    expect(listTopics).not.toHaveBeenCalled();
    expect(describeTopic.mock.calls.map(([name]) => name)).toEqual(['jobs', 'nope']);
  });
});
