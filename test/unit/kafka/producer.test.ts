import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProduceRecord } from '../../../src/engine/types.js';
import type { SharqError } from '../../../src/errors/sharq-error.js';
import { Cluster } from '../../../src/kafka/cluster.js';
import { KafkaEngine } from '../../../src/kafka/kafka-engine.js';
import { ProduceCoalescer } from '../../../src/kafka/produce-coalescer.js';
import { IdempotentProducer } from '../../../src/kafka/producer.js';
import { Reader } from '../../../src/kafka/protocol/reader.js';
import { decodeRecordBatches } from '../../../src/kafka/protocol/record-batch.js';
import { InitProducerId } from '../../../src/kafka/protocol/schema/apis/init-producer-id.js';
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from '../../../src/kafka/protocol/schema/apis/produce.js';
import { Writer } from '../../../src/kafka/protocol/writer.js';
import { brokerRoutes } from '../../../src/server/routes/index.js';
import { SharqServer } from '../../../src/server/server.js';
import { DEFAULT_API_VERSIONS, FakeBroker, type FakeReply } from '../../helpers/fake-broker.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { until } from '../../helpers/until.js';
import { decodeMetadataRequest, encodeMetadataResponse } from './wire-mirror.js';

/**
 * sharq's idempotent producer against a scripted broker (each answer chosen by the test, so
 * every error path is reached on purpose) and against a real `sharq server` behind a proxy that
 * loses a response, where the broker's own duplicate check has to keep a retried batch from
 * being written twice.
 */

const TOPIC_ID = '00112233445566778899aabbccddeeff';

interface SeenBatch {
  partition: number;
  producerId: number;
  baseSequence: number;
  count: number;
  bytes: Buffer;
}

type Verdict =
  | { errorCode: number; message?: string }
  /** Write the batch, then answer this error anyway (NOT_ENOUGH_REPLICAS_AFTER_APPEND). */
  | { writeThen: number }
  /** Write the batch (with the broker's duplicate check), then drop the connection unanswered. */
  | 'write-then-close'
  /** Drop the connection without writing. */
  | 'close'
  /** Write and answer (what an empty script does). */
  | 'write';

/**
 * One node leading partitions 0 and 1 of "jobs". It keeps a log per partition and checks
 * sequences as Kafka does: a batch whose producer id, first and last sequence match one of the
 * last five it wrote is answered with that batch's offset and not written (the content is not
 * compared); a batch that does not follow the last one is OUT_OF_ORDER_SEQUENCE_NUMBER.
 */
class FakeKafka {
  broker!: FakeBroker;
  readonly batches: SeenBatch[] = [];
  readonly log = new Map<number, string[]>([
    [0, []],
    [1, []],
  ]);
  initCount = 0;
  metadataCount = 0;
  /** The verdict on the next batches, in order; an empty script writes and answers. */
  script: Verdict[] = [];
  /** Metadata requests to answer by closing the connection. */
  failMetadata = 0;
  private readonly written = new Map<string, { first: number; last: number; offset: number }[]>();

  static async start(): Promise<FakeKafka> {
    const fake = new FakeKafka();
    fake.broker = await FakeBroker.start({
      apiVersions: [...DEFAULT_API_VERSIONS, [0, 3, 11], [22, 0, 4]],
      handler: (req) => fake.answer(req.apiKey, req.apiVersion, req.body),
    });
    return fake;
  }

  private answer(apiKey: number, version: number, body: Buffer): FakeReply {
    if (apiKey === 3) {
      this.metadataCount++;
      if (this.failMetadata > 0) {
        this.failMetadata--;
        return { kind: 'close' };
      }
      decodeMetadataRequest(body);
      return {
        kind: 'body',
        flexibleHeader: true,
        body: encodeMetadataResponse({
          throttleTimeMs: 0,
          brokers: [{ nodeId: 1, host: this.broker.host, port: this.broker.port, rack: null }],
          clusterId: 'fake',
          controllerId: 1,
          topics: [
            {
              errorCode: 0,
              name: 'jobs',
              topicId: TOPIC_ID,
              isInternal: false,
              topicAuthorizedOperations: -2147483648,
              partitions: [0, 1].map((p) => ({
                errorCode: 0,
                partitionIndex: p,
                leaderId: 1,
                leaderEpoch: 0,
                replicaNodes: [1],
                isrNodes: [1],
                offlineReplicas: [],
              })),
            },
          ],
        }),
      };
    }
    if (apiKey === 22) {
      this.initCount++;
      const w = new Writer(32);
      InitProducerId.response.encode(version, w, {
        throttleTimeMs: 0,
        errorCode: 0,
        producerId: BigInt(1000 + this.initCount),
        producerEpoch: 0,
      } as never);
      return { kind: 'body', body: Buffer.from(w.toBuffer()), flexibleHeader: version >= 2 };
    }
    if (apiKey !== 0) return { kind: 'none' };
    const req = Produce.request.decode(version, new Reader(body)) as ProduceRequest;
    const responses: ProduceResponse['responses'] = [];
    for (const t of req.topicData) {
      const partitionResponses = [];
      for (const p of t.partitionData) {
        const bytes = Buffer.from(p.records!);
        const [batch] = decodeRecordBatches(bytes).batches;
        const seen: SeenBatch = {
          partition: p.index,
          producerId: Number(batch!.producerId),
          baseSequence: batch!.baseSequence,
          count: batch!.records.length,
          bytes,
        };
        this.batches.push(seen);
        const verdict = this.script.shift();
        if (verdict === 'close') return { kind: 'close' };
        let errorCode = 0;
        let baseOffset = -1;
        if (
          verdict === undefined ||
          verdict === 'write' ||
          verdict === 'write-then-close' ||
          'writeThen' in verdict
        ) {
          const outcome = this.write(seen, batch!.records);
          if (outcome < 0) errorCode = 45;
          else baseOffset = outcome;
          if (verdict === 'write-then-close') return { kind: 'close' };
          if (typeof verdict === 'object' && outcome >= 0) {
            errorCode = verdict.writeThen;
            baseOffset = -1;
          }
        } else errorCode = verdict.errorCode;
        partitionResponses.push({
          index: p.index,
          errorCode,
          baseOffset: BigInt(baseOffset),
          logAppendTimeMs: -1n,
          logStartOffset: 0n,
          recordErrors: [],
          errorMessage: null,
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
        });
      }
      responses.push({ name: t.name, partitionResponses } as never);
    }
    const w = new Writer(64);
    Produce.response.encode(version, w, {
      responses,
      throttleTimeMs: 0,
      nodeEndpoints: [],
    } as never);
    return { kind: 'body', body: Buffer.from(w.toBuffer()), flexibleHeader: version >= 9 };
  }

  /** The batch's offset (written now or before), or -1 when its sequence does not follow on. */
  private write(b: SeenBatch, records: readonly { value: Buffer | null }[]): number {
    const key = `${b.producerId}:${b.partition}`;
    const state = this.written.get(key) ?? [];
    const last = b.baseSequence + b.count - 1;
    const dup = state.find((x) => x.first === b.baseSequence && x.last === last);
    if (dup !== undefined) return dup.offset;
    if (state.length > 0 && b.baseSequence !== state.at(-1)!.last + 1) return -1;
    const log = this.log.get(b.partition)!;
    const offset = log.length;
    for (const r of records) log.push(r.value!.toString());
    state.push({ first: b.baseSequence, last, offset });
    if (state.length > 5) state.shift();
    this.written.set(key, state);
    return offset;
  }
}

const rec = (v: string, partition: number): ProduceRecord => ({
  value: Buffer.from(v),
  headers: { 'sharq-name': 'email' },
  partition,
});

let fake: FakeKafka;
let cluster: Cluster;
let producer: IdempotentProducer;

async function setUp(deliveryTimeoutMs = 5000): Promise<void> {
  fake = await FakeKafka.start();
  cluster = new Cluster({
    brokers: [fake.broker.address],
    clientId: 'producer-test',
    connectTimeoutMs: 1000,
    requestTimeoutMs: 1000,
  });
  producer = new IdempotentProducer(cluster, { requestTimeoutMs: 1000, deliveryTimeoutMs });
}

const send = (records: ProduceRecord[]) =>
  producer.send(
    'jobs',
    records,
    records.map((r) => r.partition!),
  );

afterEach(async () => {
  await producer?.close();
  await cluster?.close();
  await fake?.broker.stop();
});

describe('IdempotentProducer', () => {
  it("sends each partition's records as one batch under one producer id, sequences following on", async () => {
    await setUp();
    const first = await send([rec('a', 0), rec('b', 1), rec('c', 0)]);
    expect(first).toEqual([
      { partition: 0, offset: 0 },
      { partition: 1, offset: 0 },
      { partition: 0, offset: 1 },
    ]);
    const second = await send([rec('d', 0)]);
    expect(second).toEqual([{ partition: 0, offset: 2 }]);
    expect(fake.initCount).toBe(1);
    expect(fake.batches.map((b) => [b.partition, b.producerId, b.baseSequence, b.count])).toEqual([
      [0, 1001, 0, 2],
      [1, 1001, 0, 1],
      [0, 1001, 2, 1],
    ]);
    expect(fake.log.get(0)).toEqual(['a', 'c', 'd']);
  });

  it('sends a batch whose answer was lost again byte for byte, so the broker drops the copy and answers the first offset', async () => {
    await setUp();
    await send([rec('x', 0)]);
    fake.script = ['write-then-close'];
    const positions = await send([rec('y', 0), rec('z', 0)]);
    expect(positions).toEqual([
      { partition: 0, offset: 1 },
      { partition: 0, offset: 2 },
    ]);
    const [lost, retry] = fake.batches.slice(1);
    expect(retry!.bytes.equals(lost!.bytes)).toBe(true);
    expect(fake.log.get(0)).toEqual(['x', 'y', 'z']);
  });

  it('looks the leader up again after NOT_LEADER_OR_FOLLOWER and resends the same batch', async () => {
    await setUp();
    await send([rec('a', 1)]);
    const metadataBefore = fake.metadataCount;
    fake.script = [{ errorCode: 6 }];
    expect(await send([rec('b', 1)])).toEqual([{ partition: 1, offset: 1 }]);
    expect(fake.metadataCount).toBeGreaterThan(metadataBefore);
    const [refused, retry] = fake.batches.slice(1);
    expect(retry!.bytes.equals(refused!.bytes)).toBe(true);
  });

  it('fails a refused batch with the Kafka error and gives its sequences back for the next batch', async () => {
    await setUp();
    await send([rec('a', 0)]);
    fake.script = [{ errorCode: 10 }];
    await expect(send([rec('too big', 0)])).rejects.toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      details: { kafkaError: 'MESSAGE_TOO_LARGE', topic: 'jobs', partition: 0 },
    });
    await send([rec('b', 0)]);
    expect(fake.batches.map((b) => [b.producerId, b.baseSequence])).toEqual([
      [1001, 0],
      [1001, 1],
      [1001, 1],
    ]);
    expect(fake.log.get(0)).toEqual(['a', 'b']);
  });

  it('takes a new producer id after OUT_OF_ORDER_SEQUENCE_NUMBER and sends the batch again from sequence 0', async () => {
    await setUp();
    await send([rec('a', 0), rec('b', 0)]);
    fake.script = [{ errorCode: 45 }];
    expect(await send([rec('c', 0)])).toEqual([{ partition: 0, offset: 2 }]);
    expect(fake.initCount).toBe(2);
    expect(fake.batches.slice(1).map((b) => [b.producerId, b.baseSequence])).toEqual([
      [1001, 2],
      [1002, 0],
    ]);
  });

  it('gives up on a batch that may have been written once the delivery timeout passes, then starts a new producer id', async () => {
    await setUp(800);
    await send([rec('a', 0)]);
    fake.script = Array.from({ length: 50 }, () => 'close' as const);
    await expect(send([rec('b', 0)])).rejects.toMatchObject({ code: 'SHARQ_ERR_CONNECTION' });
    expect(fake.batches.length).toBeGreaterThan(2);
    fake.script = [];
    expect(await send([rec('c', 0)])).toEqual([{ partition: 0, offset: 1 }]);
    expect(fake.initCount).toBe(2);
    expect(fake.batches.at(-1)).toMatchObject({ producerId: 1002, baseSequence: 0 });
  });

  it('takes a new producer id when a batch that was appended (NOT_ENOUGH_REPLICAS_AFTER_APPEND) fails for good, so the next batch is not taken for its retry', async () => {
    await setUp(400);
    await send([rec('a', 0)]);
    fake.script = [
      { writeThen: 20 },
      ...Array.from({ length: 100 }, (): Verdict => ({ errorCode: 19 })),
    ];
    // In doubt (it was appended), so not a refusal the coalescer may split and send again.
    const err = (await send([rec('b', 0)]).catch((e: unknown) => e)) as SharqError;
    expect(err.code).toBe('SHARQ_ERR_KAFKA');
    expect(err.message).toMatch(/NOT_ENOUGH_REPLICAS \(19\).*may have been written/);
    expect(err.details.kafkaError).toBeUndefined();
    fake.script = [];
    expect(await send([rec('c', 0)])).toEqual([{ partition: 0, offset: 2 }]);
    expect(fake.log.get(0)).toEqual(['a', 'b', 'c']);
    expect(fake.batches.at(-1)).toMatchObject({ producerId: 1002, baseSequence: 0 });
  });

  it('keeps retrying through a failed metadata lookup, and a send that gives up there leaves no sequence reused', async () => {
    await setUp(5000);
    await send([rec('a', 0)]);
    // NOT_LEADER_OR_FOLLOWER, then two lookups that fail: the send goes on and lands.
    fake.script = [{ errorCode: 6 }];
    fake.failMetadata = 2;
    expect(await send([rec('b', 0)])).toEqual([{ partition: 0, offset: 1 }]);
    await producer.close();
    await cluster.close();
    await setUp(300);
    await send([rec('x', 0)]);
    // A batch in doubt (its answer lost), then no metadata until the deadline.
    fake.script = ['write-then-close'];
    fake.failMetadata = 1000;
    await expect(send([rec('y', 0)])).rejects.toMatchObject({ code: 'SHARQ_ERR_CONNECTION' });
    fake.failMetadata = 0;
    expect(await send([rec('z', 0)])).toEqual([{ partition: 0, offset: 2 }]);
    expect(fake.log.get(0)).toEqual(['x', 'y', 'z']);
  });

  it('under the coalescer, a refusal of one partition fails the request without sending the written partition again', async () => {
    await setUp();
    const coalescer = new ProduceCoalescer((topic, records) =>
      producer.send(
        topic,
        records,
        records.map((r) => r.partition!),
      ),
    );
    await send([rec('first', 0)]);
    // 'held' leaves at once; 'two' (partition 0) and 'big' (partition 1) share the next request.
    fake.script = ['write', 'write', { errorCode: 10 }];
    const held = coalescer.produce('jobs', [rec('held', 0)]);
    const calls = [
      coalescer.produce('jobs', [rec('two', 0)]),
      coalescer.produce('jobs', [rec('big', 1)]),
    ];
    await held;
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const err = (results[1] as PromiseRejectedResult).reason as SharqError;
    expect(err.code).toBe('SHARQ_ERR_KAFKA');
    expect(err.details.kafkaError).toBeUndefined();
    expect(err.details).toMatchObject({ writtenPartitions: [0], failedPartitions: [1] });
    expect(fake.log.get(0)).toEqual(['first', 'held', 'two']);
    expect(fake.log.get(1)).toEqual([]);
  });

  it('close() ends a send that would retry for another minute', async () => {
    await setUp(60_000);
    await send([rec('a', 0)]);
    fake.script = Array.from({ length: 1000 }, () => ({ errorCode: 19 }));
    const pending = send([rec('b', 0)]).catch((err: SharqError) => err);
    await until(() => fake.batches.length >= 3, 'two refused attempts');
    await producer.close();
    // Its last answer (in a backoff) or the closed connection (in flight), well before the
    // delivery timeout, which outlasts the test's own.
    expect(['SHARQ_ERR_KAFKA', 'SHARQ_ERR_CONNECTION']).toContain(
      ((await pending) as SharqError).code,
    );
  });
});

describe('IdempotentProducer on sharq server', () => {
  const quiet = { info: () => undefined, warn: () => undefined };
  const PROXY_HOST = '127.0.0.2';

  it("a topic's first produce costs one Metadata request, shared by partition count and producer", async () => {
    const dir = await tempDir('sharq-producer-');
    const server = new SharqServer(
      { port: 0, host: '127.0.0.1', engine: { dataDir: dir.dir }, logger: quiet },
      brokerRoutes,
    );
    const { port } = await server.start();
    await server.engine.admin.createTopic('made-elsewhere', { partitions: 3 });
    const engine = new KafkaEngine({ brokers: [`127.0.0.1:${port}`] });
    try {
      await engine.ready();
      const metadata = vi.spyOn(engine.cluster, 'metadata');
      const kafkajsMetadata = vi.spyOn(engine.kafkajs.admin, 'fetchTopicMetadata');
      const positions = await engine.produce('made-elsewhere', [
        { value: Buffer.from('a'), partition: 2 },
      ]);
      expect(positions).toEqual([{ partition: 2, offset: 0 }]);
      expect(metadata.mock.calls).toEqual([[['made-elsewhere']]]);
      expect(kafkajsMetadata).not.toHaveBeenCalled();
      await expect(
        engine.produce('made-elsewhere', [{ value: Buffer.from('b'), partition: 3 }]),
      ).rejects.toMatchObject({ code: 'SHARQ_ERR_UNKNOWN_TOPIC' });
      await expect(
        engine.produce('never-made', [{ value: Buffer.from('c') }]),
      ).rejects.toMatchObject({ code: 'SHARQ_ERR_UNKNOWN_TOPIC' });
    } finally {
      await engine.close();
      await server.close();
      await dir.remove();
    }
  });

  it('a produce whose response is lost is sent again and written once', async () => {
    const dir = await tempDir('sharq-producer-');
    const server = new SharqServer(
      {
        port: 0,
        host: '127.0.0.1',
        advertisedHost: PROXY_HOST,
        engine: { dataDir: dir.dir },
        logger: quiet,
      },
      brokerRoutes,
    );
    const { port } = await server.start();
    // Passes bytes both ways, but drops the first Produce response (API key 0) and the connection.
    let dropped = false;
    const proxy = net.createServer((client) => {
      const upstream = net.connect(port, '127.0.0.1');
      const sent = new Map<number, number>();
      client.on('data', (d) => {
        // Request frames: size, api key, version, correlation id (one frame per chunk here).
        if (d.length >= 12) sent.set(d.readInt32BE(8), d.readInt16BE(4));
        upstream.write(d);
      });
      upstream.on('data', (d) => {
        if (!dropped && d.length >= 8 && sent.get(d.readInt32BE(4)) === 0) {
          dropped = true;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(d);
      });
      for (const s of [client, upstream]) s.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    // The server advertises the proxy's address (the same port on 127.0.0.2), so every
    // connection the client opens from the metadata goes through it.
    await new Promise<void>((r) => proxy.listen(port, PROXY_HOST, r));
    const engine = new KafkaEngine({ brokers: [`${PROXY_HOST}:${port}`] });
    try {
      await engine.admin.ensureTopic('emails', { partitions: 1 });
      const positions = await engine.produce('emails', [
        { value: Buffer.from('one') },
        { value: Buffer.from('two') },
      ]);
      expect(dropped).toBe(true);
      expect(positions).toEqual([
        { partition: 0, offset: 0 },
        { partition: 0, offset: 1 },
      ]);
      await engine.produce('emails', [{ value: Buffer.from('three') }]);
      const stored = await server.engine.read('emails', 0, 0, 10);
      expect(stored.map((r) => r.value?.toString())).toEqual(['one', 'two', 'three']);
    } finally {
      await engine.close();
      proxy.close();
      await server.close();
      await dir.remove();
    }
  });
});
