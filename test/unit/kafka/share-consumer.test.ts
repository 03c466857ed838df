import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckType } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { encodeRecordBatch } from '../../../src/kafka/protocol/record-batch.js';
import { KafkaShareConsumer } from '../../../src/kafka/share/share-consumer.js';
import type {
  ShareTransport,
  WireShareAcknowledgeRequest,
  WireShareFetchRequest,
  WireShareFetchResponse,
} from '../../../src/kafka/share/transport.js';

const TOPIC_ID = 'aa'.repeat(16);
const OTHER_ID = 'bb'.repeat(16);

type Partition = WireShareFetchResponse['responses'][number]['partitions'][number];

function partition(index: number, records: Buffer | null, first: number, last: number): Partition {
  return {
    partitionIndex: index,
    errorCode: 0,
    errorMessage: null,
    acknowledgeErrorCode: 0,
    acknowledgeErrorMessage: null,
    currentLeader: { leaderId: 1, leaderEpoch: 0 },
    records,
    acquiredRecords: [{ firstOffset: first, lastOffset: last, deliveryCount: 1 }],
  };
}

/**
 * A broker scripted at the share-protocol level: one member assigned the given partitions, each
 * ShareFetch answered from a queue of responses; every request is recorded.
 */
class ScriptedTransport implements ShareTransport {
  fetches: WireShareFetchRequest[] = [];
  acks: WireShareAcknowledgeRequest[] = [];
  responses: WireShareFetchResponse['responses'][] = [];
  constructor(private readonly assignment: { topicId: string; partitions: number[] }[]) {}

  async shareFetch(_nodeId: number, req: WireShareFetchRequest): Promise<WireShareFetchResponse> {
    this.fetches.push(structuredClone(req));
    const responses = this.responses.shift() ?? [];
    if (responses.length === 0)
      await new Promise((r) => setTimeout(r, Math.min(req.maxWaitMs, 20)));
    return {
      errorCode: 0,
      errorMessage: null,
      acquisitionLockTimeoutMs: 30_000,
      responses,
      nodeEndpoints: [],
    };
  }
  async shareAcknowledge(_nodeId: number, req: WireShareAcknowledgeRequest) {
    this.acks.push(structuredClone(req));
    return {
      errorCode: 0,
      errorMessage: null,
      acquisitionLockTimeoutMs: 30_000,
      responses: [],
      nodeEndpoints: [],
    };
  }
  async heartbeat() {
    return {
      errorCode: 0,
      errorMessage: null,
      memberId: null,
      memberEpoch: 1,
      heartbeatIntervalMs: 60_000,
      assignment: { topicPartitions: this.assignment },
    };
  }
  invalidateCoordinator(): void {}
  async topicId(name: string) {
    return name === 'jobs' ? TOPIC_ID : undefined;
  }
  async topicName(topicId: string) {
    return topicId === TOPIC_ID ? 'jobs' : undefined;
  }
  async leaderOf() {
    return 1;
  }
  leaderMoved(): void {}
  async refreshMetadata(): Promise<void> {}

  /** Every (offset, type) this member has sent back, over fetches and acknowledges. */
  sentAcks(): { partition: number; offset: number; type: number }[] {
    const out: { partition: number; offset: number; type: number }[] = [];
    for (const req of [...this.fetches, ...this.acks]) {
      for (const t of req.topics) {
        for (const p of t.partitions) {
          for (const b of p.acknowledgementBatches) {
            for (let o = b.firstOffset; o <= b.lastOffset; o++) {
              out.push({
                partition: p.partitionIndex,
                offset: o,
                type: b.acknowledgeTypes[b.acknowledgeTypes.length === 1 ? 0 : o - b.firstOffset]!,
              });
            }
          }
        }
      }
    }
    return out;
  }
}

const consumers: KafkaShareConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.close()));
});

function consumerOn(transport: ScriptedTransport, errors: Error[]): KafkaShareConsumer {
  const c = new KafkaShareConsumer(transport, {
    groupId: 'g',
    topics: ['jobs'],
    clientId: 't',
    onError: (e) => errors.push(e),
  });
  consumers.push(c);
  return c;
}

describe('KafkaShareConsumer', () => {
  it('delivers only acquired offsets and acknowledges acquired offsets without a record as GAP', async () => {
    const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0] }]);
    // Offsets 0..2 in the batch, 0..3 acquired: 3 has no record (say, a control batch).
    const batch = encodeRecordBatch([{ value: 'a' }, { value: 'b' }, { value: 'c' }], {
      baseOffset: 0,
    });
    t.responses.push([], [{ topicId: TOPIC_ID, partitions: [partition(0, batch, 1, 3)] }]);
    const c = consumerOn(t, []);
    const got = await c.poll({ maxRecords: 10, maxWaitMs: 2000 });
    expect(got.map((r) => [r.offset, r.value?.toString(), r.deliveryCount])).toEqual([
      [1, 'b', 1],
      [2, 'c', 1],
    ]);
    await c.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
    expect(t.sentAcks()).toEqual(
      expect.arrayContaining([
        { partition: 0, offset: 3, type: AckType.Gap },
        { partition: 0, offset: 1, type: AckType.Accept },
        { partition: 0, offset: 2, type: AckType.Accept },
      ]),
    );
  });

  it('releases, never GAPs, records of a partition it cannot decode, and keeps the other partitions', async () => {
    const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0, 1] }]);
    const good = encodeRecordBatch([{ value: 'ok' }], { baseOffset: 0 });
    const bad = Buffer.from(good);
    bad[bad.length - 1]! ^= 0xff; // breaks the batch CRC
    t.responses.push(
      [],
      [{ topicId: TOPIC_ID, partitions: [partition(0, good, 0, 0), partition(1, bad, 0, 0)] }],
    );
    const errors: Error[] = [];
    const c = consumerOn(t, errors);
    const got = await c.poll({ maxRecords: 10, maxWaitMs: 2000 });
    expect(got.map((r) => [r.partition, r.value?.toString()])).toEqual([[0, 'ok']]);
    expect(errors.map((e) => (e as { code?: string }).code)).toContain('SHARQ_ERR_PROTOCOL');
    await c.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
    const sent = t.sentAcks();
    expect(sent).toContainEqual({ partition: 1, offset: 0, type: AckType.Release });
    expect(sent.filter((a) => a.type === AckType.Gap)).toEqual([]);
  });

  it('releases records of a topic id it cannot name instead of archiving them', async () => {
    const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0] }]);
    const batch = encodeRecordBatch([{ value: 'x' }, { value: 'y' }], { baseOffset: 0 });
    t.responses.push([], [{ topicId: OTHER_ID, partitions: [partition(0, batch, 0, 1)] }]);
    const errors: Error[] = [];
    const c = consumerOn(t, errors);
    expect(await c.poll({ maxRecords: 10, maxWaitMs: 300 })).toEqual([]);
    expect(errors.map((e) => (e as { code?: string }).code)).toContain('SHARQ_ERR_UNKNOWN_TOPIC');
    await c.poll({ maxRecords: 10, maxWaitMs: 100 });
    const sent = t.sentAcks();
    expect(sent.filter((a) => a.type === AckType.Release).map((a) => a.offset)).toEqual([0, 1]);
    expect(sent.filter((a) => a.type === AckType.Gap)).toEqual([]);
  });

  it('asks a broker that keeps failing again after a growing pause, not every 200 ms', async () => {
    vi.useFakeTimers();
    try {
      const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0] }]);
      let failed = 0;
      t.shareFetch = async () => {
        failed++;
        throw new SharqError('SHARQ_ERR_CONNECTION', 'Cannot connect to broker: ECONNREFUSED');
      };
      const errors: Error[] = [];
      const c = consumerOn(t, errors);
      const abort = new AbortController();
      // As a worker's poll loop does: poll again as soon as a poll returns.
      const loop = (async () => {
        while (!abort.signal.aborted)
          await c.poll({ maxRecords: 1, maxWaitMs: 1000, signal: abort.signal });
      })();
      await vi.advanceTimersByTimeAsync(20_000);
      abort.abort();
      await vi.advanceTimersByTimeAsync(100);
      await loop;
      // 0.1 + 0.2 + 0.4 + ... s, then every 5 s: about nine in 20 s (a hundred before).
      expect(failed).toBeGreaterThanOrEqual(6);
      expect(failed).toBeLessThanOrEqual(12);
      expect(errors).toHaveLength(failed);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps fetching from a healthy broker while another is in its pause', async () => {
    vi.useFakeTimers();
    try {
      const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0, 1] }]);
      t.leaderOf = async (_topicId?: string, partition?: number) => (partition === 0 ? 1 : 2);
      const asked = new Map<number, number>();
      const healthy = t.shareFetch.bind(t);
      t.shareFetch = async (nodeId, req) => {
        asked.set(nodeId, (asked.get(nodeId) ?? 0) + 1);
        if (nodeId === 1) throw new SharqError('SHARQ_ERR_CONNECTION', 'ECONNREFUSED');
        return healthy(nodeId, req);
      };
      const c = consumerOn(t, []);
      const abort = new AbortController();
      const loop = (async () => {
        while (!abort.signal.aborted)
          await c.poll({ maxRecords: 2, maxWaitMs: 100, signal: abort.signal });
      })();
      await vi.advanceTimersByTimeAsync(10_000);
      abort.abort();
      await vi.advanceTimersByTimeAsync(100);
      await loop;
      // Broker 2 answers an empty fetch in 20 ms: hundreds of fetches; broker 1 a handful.
      expect(asked.get(1)).toBeLessThanOrEqual(10);
      expect(asked.get(2)).toBeGreaterThan(100);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never asks for more records than poll allows (record_limit)', async () => {
    const t = new ScriptedTransport([{ topicId: TOPIC_ID, partitions: [0] }]);
    const c = consumerOn(t, []);
    await c.poll({ maxRecords: 7, maxWaitMs: 100 });
    expect(t.fetches.length).toBeGreaterThan(0);
    for (const f of t.fetches) {
      expect(f.maxRecords).toBeLessThanOrEqual(7);
      expect(f.shareAcquireMode).toBe(1);
    }
    // The opening request of the session carries no acknowledgements.
    expect(t.fetches[0]!.shareSessionEpoch).toBe(0);
    expect(
      t.fetches[0]!.topics.every((x) =>
        x.partitions.every((p) => p.acknowledgementBatches.length === 0),
      ),
    ).toBe(true);
  });
});
