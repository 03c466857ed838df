import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { Cluster, type ClusterOptions, parseHostPort } from '../../../src/kafka/cluster.js';
import { ZERO_UUID } from '../../../src/kafka/protocol/schema/apis/metadata.js';
import { FakeBroker, type FakeReply, type FakeRequest } from '../../helpers/fake-broker.js';
import type {
  DescribeConfigsResult,
  IncrementalAlterConfigsRequest,
  MetadataTopic,
} from './client-types.js';
import {
  decodeDescribeConfigsRequest,
  decodeFindCoordinatorRequest,
  decodeIncrementalAlterConfigsRequest,
  decodeMetadataRequest,
  encodeDescribeConfigsResponse,
  encodeFindCoordinatorResponse,
  encodeIncrementalAlterConfigsResponse,
  encodeMetadataResponse,
} from './wire-mirror.js';

const JOBS_ID = '0123456789abcdef0123456789abcdef';

/**
 * A two-node fake cluster: node 1 and node 2, each a FakeBroker answering Metadata (topic "jobs"
 * with partition 0 led by node 1 and partition 1 by node 2), FindCoordinator (node 2 coordinates
 * every group unless `coordinatorError` is set) and the config APIs.
 */
class FakeCluster {
  readonly nodes = new Map<number, FakeBroker>();
  coordinatorError = 0;
  alterError = 0;
  altered: IncrementalAlterConfigsRequest[] = [];
  groupConfigs: DescribeConfigsResult['configs'] = [
    {
      name: 'share.auto.offset.reset',
      value: 'earliest',
      readOnly: false,
      configSource: 8,
      isSensitive: false,
      synonyms: [],
      configType: 2,
      documentation: null,
    },
    {
      name: 'share.record.lock.duration.ms',
      value: '30000',
      readOnly: false,
      configSource: 5,
      isSensitive: false,
      synonyms: [],
      configType: 3,
      documentation: null,
    },
  ];
  /** Overrides the advertised port of a node (to point it somewhere else). */
  advertised = new Map<number, number>();

  static async start(): Promise<FakeCluster> {
    const cluster = new FakeCluster();
    for (const id of [1, 2]) {
      cluster.nodes.set(id, await FakeBroker.start({ handler: (req) => cluster.answer(req) }));
    }
    return cluster;
  }

  node(id: number): FakeBroker {
    return this.nodes.get(id)!;
  }

  requests(apiKey: number): FakeRequest[] {
    return [...this.nodes.values()].flatMap((b) => b.requests.filter((r) => r.apiKey === apiKey));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((b) => b.stop()));
  }

  private answer(req: FakeRequest): FakeReply {
    const reply = (body: Buffer): FakeReply => ({ kind: 'body', body, flexibleHeader: true });
    switch (req.apiKey) {
      case 3: {
        const asked = decodeMetadataRequest(req.body).topics;
        const jobs: MetadataTopic = {
          errorCode: 0,
          name: 'jobs',
          topicId: JOBS_ID,
          isInternal: false,
          topicAuthorizedOperations: -2147483648,
          partitions: [1, 0].map((p) => ({
            errorCode: 0,
            partitionIndex: p,
            leaderId: p + 1,
            leaderEpoch: 7,
            replicaNodes: [1, 2],
            isrNodes: [1, 2],
            offlineReplicas: [],
          })),
        };
        const topics =
          asked === null
            ? [jobs]
            : asked.map(
                (t): MetadataTopic =>
                  t.name === 'jobs' || t.topicId === JOBS_ID
                    ? jobs
                    : {
                        errorCode: t.name === null ? 100 : 3,
                        name: t.name,
                        topicId: t.topicId ?? ZERO_UUID,
                        isInternal: false,
                        partitions: [],
                        topicAuthorizedOperations: -2147483648,
                      },
              );
        return reply(
          encodeMetadataResponse({
            throttleTimeMs: 0,
            brokers: [...this.nodes].map(([nodeId, b]) => ({
              nodeId,
              host: b.host,
              port: this.advertised.get(nodeId) ?? b.port,
              rack: null,
            })),
            clusterId: 'fake',
            controllerId: 1,
            topics,
          }),
        );
      }
      case 10: {
        const { coordinatorKeys } = decodeFindCoordinatorRequest(req.body);
        const node = this.node(2);
        return reply(
          encodeFindCoordinatorResponse({
            throttleTimeMs: 0,
            coordinators: coordinatorKeys.map((key) => ({
              key,
              nodeId: this.coordinatorError === 0 ? 2 : -1,
              host: this.coordinatorError === 0 ? node.host : '',
              port: this.coordinatorError === 0 ? node.port : -1,
              errorCode: this.coordinatorError,
              errorMessage: this.coordinatorError === 0 ? null : 'not yet',
            })),
          }),
        );
      }
      case 44: {
        const request = decodeIncrementalAlterConfigsRequest(req.body);
        this.altered.push(request);
        return reply(
          encodeIncrementalAlterConfigsResponse({
            throttleTimeMs: 0,
            responses: request.resources.map((r) => ({
              errorCode: this.alterError,
              errorMessage:
                this.alterError === 0 ? null : 'Invalid value for share.auto.offset.reset',
              resourceType: r.resourceType,
              resourceName: r.resourceName,
            })),
          }),
        );
      }
      case 32: {
        const request = decodeDescribeConfigsRequest(req.body);
        return reply(
          encodeDescribeConfigsResponse({
            throttleTimeMs: 0,
            results: request.resources.map((r) => ({
              errorCode: 0,
              errorMessage: null,
              resourceType: r.resourceType,
              resourceName: r.resourceName,
              configs: this.groupConfigs,
            })),
          }),
        );
      }
      default:
        return { kind: 'none' };
    }
  }
}

const fakes: FakeCluster[] = [];
const clusters: Cluster[] = [];

afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.close()));
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function setup(options: Partial<ClusterOptions> = {}) {
  const fake = await FakeCluster.start();
  fakes.push(fake);
  const cluster = new Cluster({
    brokers: [fake.node(1).address],
    clientId: 'sharq-test',
    requestTimeoutMs: 2_000,
    reconnectBackoffMs: 200,
    reconnectBackoffMaxMs: 400,
    ...options,
  });
  clusters.push(cluster);
  return { fake, cluster };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('Cluster metadata', () => {
  it('caches brokers, topic name ↔ id and partition leaders', async () => {
    const { fake, cluster } = await setup();
    const result = await cluster.metadata(['jobs', 'missing']);
    expect(result.clusterId).toBe('fake');
    expect(result.brokers.map((b) => b.nodeId)).toEqual([1, 2]);
    expect(result.topics.map((t) => t.name)).toEqual(['jobs']);
    expect(result.topics[0]!.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(result.topicErrors).toHaveLength(1);
    expect(result.topicErrors[0]!.error).toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      retryable: true,
      details: { kafkaError: 'UNKNOWN_TOPIC_OR_PARTITION', topic: 'missing' },
    });
    expect(cluster.topicId('jobs')).toBe(JOBS_ID);
    expect(cluster.topicName(JOBS_ID)).toBe('jobs');
    expect(cluster.topicById(JOBS_ID.toUpperCase())?.name).toBe('jobs');
    expect(cluster.leader(JOBS_ID, 1)).toEqual({ leaderId: 2, leaderEpoch: 7 });
    expect(cluster.endpoint(2)).toEqual({
      nodeId: 2,
      host: '127.0.0.1',
      port: fake.node(2).port,
      rack: null,
    });
    expect(decodeMetadataRequest(fake.requests(3)[0]!.body)).toMatchObject({
      allowAutoTopicCreation: false,
      topics: [
        { name: 'jobs', topicId: ZERO_UUID },
        { name: 'missing', topicId: ZERO_UUID },
      ],
    });
  });

  it('looks topics up by id and reports unknown ids', async () => {
    const { cluster } = await setup();
    const result = await cluster.metadataForTopicIds([JOBS_ID, 'ffffffffffffffffffffffffffffffff']);
    expect(result.topics.map((t) => t.name)).toEqual(['jobs']);
    expect(result.topicErrors[0]!.error.details).toMatchObject({ kafkaError: 'UNKNOWN_TOPIC_ID' });
  });

  it('takes leaders from share responses unless their epoch is older', async () => {
    const { cluster } = await setup();
    await cluster.metadata(['jobs']);
    cluster.updateLeader(JOBS_ID, 0, 2, 8);
    expect(cluster.leader(JOBS_ID, 0)).toEqual({ leaderId: 2, leaderEpoch: 8 });
    cluster.updateLeader(JOBS_ID, 0, 1, 6);
    expect(cluster.leader(JOBS_ID, 0)).toEqual({ leaderId: 2, leaderEpoch: 8 });
  });
});

describe('Cluster connections', () => {
  it('keeps one connection per node and reconnects after the broker drops it', async () => {
    const { fake, cluster } = await setup();
    await cluster.metadata([]);
    const first = await cluster.connectionTo(2);
    expect(await cluster.connectionTo(2)).toBe(first);
    expect(first.port).toBe(fake.node(2).port);
    expect(fake.node(2).connections).toBe(1);
    fake.node(2).dropConnections();
    await first.closed;
    const second = await cluster.connectionTo(2);
    expect(second).not.toBe(first);
    expect(fake.node(2).connections).toBe(2);
  });

  it('learns an unknown node id from metadata before connecting', async () => {
    const { fake, cluster } = await setup();
    const conn = await cluster.connectionTo(2);
    expect(conn.port).toBe(fake.node(2).port);
    await expect(cluster.connectionTo(9)).rejects.toMatchObject({
      code: 'SHARQ_ERR_CONNECTION',
      message: expect.stringContaining('node 9 is not in the cluster metadata'),
    });
  });

  it('backs off between failed connects to the same node', async () => {
    const { fake, cluster } = await setup();
    fake.advertised.set(2, await freePort());
    await cluster.metadata([]);
    const first = await cluster.connectionTo(2).catch((err: unknown) => err);
    expect(SharqError.is(first, 'SHARQ_ERR_CONNECTION')).toBe(true);
    const started = Date.now();
    await expect(cluster.connectionTo(2)).rejects.toMatchObject({ code: 'SHARQ_ERR_CONNECTION' });
    // The first backoff is 200 ms with equal jitter: at least 100 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });

  it('moves a node when its endpoint changes', async () => {
    const { fake, cluster } = await setup();
    await cluster.metadata([]);
    const old = await cluster.connectionTo(1);
    cluster.updateEndpoints([{ nodeId: 1, host: '127.0.0.1', port: fake.node(2).port }]);
    expect(await old.closed).toBeNull();
    const moved = await cluster.connectionTo(1);
    expect(moved.port).toBe(fake.node(2).port);
  });

  it('falls back to the next bootstrap broker when one is down', async () => {
    const fake = await FakeCluster.start();
    fakes.push(fake);
    const cluster = new Cluster({
      brokers: [`127.0.0.1:${await freePort()}`, fake.node(1).address],
      clientId: 't',
    });
    clusters.push(cluster);
    const result = await cluster.metadata([]);
    expect(result.brokers).toHaveLength(2);
  });

  it('fails with SHARQ_ERR_CONNECTION naming every broker tried when none answers', async () => {
    const a = `127.0.0.1:${await freePort()}`;
    const cluster = new Cluster({ brokers: [a], clientId: 't' });
    clusters.push(cluster);
    await expect(cluster.anyConnection()).rejects.toMatchObject({
      code: 'SHARQ_ERR_CONNECTION',
      message: expect.stringContaining(a),
    });
  });

  it('close() closes every connection and later calls fail with SHARQ_ERR_CLOSED', async () => {
    const { cluster } = await setup();
    const conn = await cluster.connectionTo(2);
    await cluster.close();
    await cluster.close();
    expect(conn.isClosed).toBe(true);
    await expect(cluster.metadata()).rejects.toMatchObject({ code: 'SHARQ_ERR_CLOSED' });
    await expect(cluster.connectionTo(1)).rejects.toMatchObject({ code: 'SHARQ_ERR_CLOSED' });
  });

  it('rejects malformed bootstrap addresses', () => {
    expect(parseHostPort('[::1]:9092')).toEqual({ host: '::1', port: 9092 });
    expect(parseHostPort('kafka-0.local:19092')).toEqual({ host: 'kafka-0.local', port: 19092 });
    for (const bad of ['kafka', 'kafka:0', 'kafka:70000', '::1:9092', '']) {
      expect(() => parseHostPort(bad)).toThrow(
        expect.objectContaining({ code: 'SHARQ_ERR_INVALID_OPTION' }),
      );
    }
    expect(() => new Cluster({ brokers: [], clientId: 't' })).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_OPTION' }),
    );
  });
});

describe('Cluster coordinators', () => {
  it('finds the group coordinator with key type GROUP, caches it, and forgets it on NOT_COORDINATOR', async () => {
    const { fake, cluster } = await setup();
    const [a, b] = await Promise.all([
      cluster.findCoordinator('jobs-group'),
      cluster.findCoordinator('jobs-group'),
    ]);
    expect(a).toEqual(b);
    expect(a.nodeId).toBe(2);
    await cluster.findCoordinator('jobs-group');
    expect(fake.requests(10)).toHaveLength(1);
    expect(decodeFindCoordinatorRequest(fake.requests(10)[0]!.body)).toEqual({
      keyType: 0,
      coordinatorKeys: ['jobs-group'],
    });
    const conn = await cluster.coordinatorConnection('jobs-group');
    expect(conn.port).toBe(fake.node(2).port);

    expect(cluster.handleCoordinatorError('jobs-group', 25)).toBe(false); // UNKNOWN_MEMBER_ID
    expect(cluster.handleCoordinatorError('jobs-group', 16)).toBe(true); // NOT_COORDINATOR
    await cluster.findCoordinator('jobs-group');
    expect(fake.requests(10)).toHaveLength(2);
    expect(cluster.handleCoordinatorError('jobs-group', 15)).toBe(true); // COORDINATOR_NOT_AVAILABLE
  });

  it('retries FindCoordinator while the coordinator is not available yet (a fresh cluster)', async () => {
    const { fake, cluster } = await setup();
    fake.coordinatorError = 15;
    const found = cluster.findCoordinator('g');
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.requests(10).length).toBeGreaterThan(1);
    fake.coordinatorError = 0;
    expect((await found).nodeId).toBe(2);
  });

  it('gives up after the request timeout with a retryable Kafka error and caches nothing', async () => {
    const { fake, cluster } = await setup({ requestTimeoutMs: 600 });
    fake.coordinatorError = 14;
    const err = await cluster.findCoordinator('g').catch((e: unknown) => e as SharqError);
    expect(err).toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      retryable: true,
      details: { kafkaCode: 14, kafkaError: 'COORDINATOR_LOAD_IN_PROGRESS', group: 'g' },
    });
    fake.coordinatorError = 0;
    expect((await cluster.findCoordinator('g')).nodeId).toBe(2);
  });
});

describe('Cluster group configs', () => {
  it('sets and deletes group configs with IncrementalAlterConfigs on resource type GROUP', async () => {
    const { fake, cluster } = await setup();
    await cluster.setGroupConfigs('g', {
      'share.auto.offset.reset': 'earliest',
      'share.isolation.level': null,
    });
    expect(fake.altered).toEqual([
      {
        validateOnly: false,
        resources: [
          {
            resourceType: 32,
            resourceName: 'g',
            configs: [
              { name: 'share.auto.offset.reset', configOperation: 0, value: 'earliest' },
              { name: 'share.isolation.level', configOperation: 1, value: null },
            ],
          },
        ],
      },
    ]);
    await cluster.setGroupConfigs('g', {});
    expect(fake.altered).toHaveLength(1);
  });

  it('surfaces a rejected config as SHARQ_ERR_KAFKA with the broker message', async () => {
    const { fake, cluster } = await setup();
    fake.alterError = 40; // INVALID_CONFIG
    await expect(
      cluster.setGroupConfigs('g', { 'share.auto.offset.reset': 'sometimes' }),
    ).rejects.toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      message: expect.stringContaining(
        'INVALID_CONFIG (40): Invalid value for share.auto.offset.reset',
      ),
    });
  });

  it('reads group configs back with DescribeConfigs', async () => {
    const { fake, cluster } = await setup();
    const configs = await cluster.describeGroupConfigs('g', ['share.auto.offset.reset']);
    expect(configs.get('share.auto.offset.reset')).toEqual({
      name: 'share.auto.offset.reset',
      value: 'earliest',
      source: 8,
      isDefault: false,
      readOnly: false,
      isSensitive: false,
    });
    expect(configs.get('share.record.lock.duration.ms')?.isDefault).toBe(true);
    const request = decodeDescribeConfigsRequest(fake.requests(32)[0]!.body);
    expect(request.resources).toEqual([
      { resourceType: 32, resourceName: 'g', configurationKeys: ['share.auto.offset.reset'] },
    ]);
  });
});
