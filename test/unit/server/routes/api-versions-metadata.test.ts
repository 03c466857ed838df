import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import {
  ApiVersions,
  decodeApiVersionsResponse,
} from '../../../../src/kafka/protocol/schema/apis/api-versions.js';
import { DescribeCluster } from '../../../../src/kafka/protocol/schema/apis/describe-cluster.js';
import { FindCoordinator } from '../../../../src/kafka/protocol/schema/apis/find-coordinator.js';
import { Metadata } from '../../../../src/kafka/protocol/schema/apis/metadata.js';
import { Produce } from '../../../../src/kafka/protocol/schema/apis/produce.js';
import type { ApiRoute } from '../../../../src/server/connection.js';
import { apiVersionsRoute } from '../../../../src/server/routes/api-versions.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { metadataRoutes } from '../../../../src/server/routes/metadata.js';
import { produceRoutes } from '../../../../src/server/routes/produce.js';
import { brokerHarness, call, versionsOf } from './harness.js';

const NO_ID = '0'.repeat(32);

let engine: EmbeddedEngine;
let ctx: BrokerContext;
let close: () => Promise<void>;
let routes: ApiRoute[];

beforeEach(async () => {
  ({ engine, ctx, close } = await brokerHarness());
  const served = [...metadataRoutes(ctx), ...produceRoutes(ctx)];
  routes = [apiVersionsRoute(served), ...served];
  await engine.admin.createTopic('jobs', { partitions: 2 });
});
afterEach(() => close());

describe('ApiVersions', () => {
  it.each(versionsOf(ApiVersions))('v%i advertises only the APIs with a route', async (v) => {
    const res = await call(routes, ApiVersions, v, {
      clientSoftwareName: 'test',
      clientSoftwareVersion: '1',
    });
    expect(res.errorCode).toBe(0);
    expect(res.apiKeys.map((k) => k.apiKey)).toEqual([0, 3, 10, 18, 22, 60]);
    expect(res.apiKeys.find((k) => k.apiKey === Produce.apiKey)).toEqual({
      apiKey: 0,
      minVersion: 3,
      maxVersion: 11,
    });
  });

  it('answers a version above its own in the v0 layout with UNSUPPORTED_VERSION', async () => {
    const route = routes.find((r) => r.apiKey === ApiVersions.apiKey)!;
    expect(route.special).toBe('api-versions');
    // A v4 body (flexible, which this server cannot read) is not looked at.
    const out = await route.handle(4, new Reader(Buffer.from([0x01, 0x02]), 0, 't'), {
      header: { apiKey: 18, apiVersion: 4, correlationId: 1, clientId: null },
      connectionId: 1,
      remoteAddress: 'x',
      signal: new AbortController().signal,
      pipeline: () => undefined,
    });
    const res = decodeApiVersionsResponse(4, out!);
    expect(res.errorCode).toBe(E.UNSUPPORTED_VERSION);
    expect(res.apiKeys.find((k) => k.apiKey === 18)).toEqual({
      apiKey: 18,
      minVersion: 0,
      maxVersion: 3,
    });
  });
});

describe('Metadata', () => {
  it.each(versionsOf(Metadata))('v%i lists every topic with this broker as leader', async (v) => {
    const res = await call(routes, Metadata, v, {
      topics: v === 0 ? [] : null,
      ...(v >= 4 ? { allowAutoTopicCreation: false } : {}),
    });
    expect(res.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: 19092, rack: null }]);
    if (v >= 1) expect(res.controllerId).toBe(1);
    if (v >= 2) expect(res.clusterId).toBe('sharq-test');
    expect(res.topics).toHaveLength(1);
    const t = res.topics[0]!;
    expect(t.name).toBe('jobs');
    expect(t.errorCode).toBe(0);
    expect(
      t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]),
    ).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
    ]);
    if (v >= 10) expect(t.topicId).toBe(ctx.topicIds.idOf('jobs'));
  });

  it('v1+: an empty list asks for no topic', async () => {
    const res = await call(routes, Metadata, 1, { topics: [] });
    expect(res.topics).toEqual([]);
  });

  it.each([0, 4, 12])('v%i auto-creates a missing topic with the default partitions', async (v) => {
    const res = await call(routes, Metadata, v, {
      topics: [{ name: 'fresh', topicId: '0'.repeat(32) }],
    });
    expect(res.topics[0]).toMatchObject({ name: 'fresh', errorCode: 0 });
    expect(res.topics[0]!.partitions).toHaveLength(3);
    expect(await engine.admin.describeTopic('fresh')).toEqual({ name: 'fresh', partitions: 3 });
  });

  it('does not create a topic when asked not to; an invalid name is INVALID_TOPIC_EXCEPTION', async () => {
    const res = await call(routes, Metadata, 9, {
      topics: [{ name: 'missing' }, { name: 'bad name!' }],
      allowAutoTopicCreation: false,
    });
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['missing', E.UNKNOWN_TOPIC_OR_PARTITION],
      ['bad name!', E.INVALID_TOPIC_EXCEPTION],
    ]);
    const auto = await call(routes, Metadata, 4, {
      topics: [{ name: 'bad name!' }],
      allowAutoTopicCreation: true,
    });
    expect(auto.topics[0]!.errorCode).toBe(E.INVALID_TOPIC_EXCEPTION);
    expect((await engine.admin.listTopics()).map((t) => t.name)).toEqual(['jobs']);
  });

  it('looks up only the topics named (by name or id); every topic only when asked for all', async () => {
    await engine.admin.createTopic('other', { partitions: 1 });
    const listTopics = vi.spyOn(engine.admin, 'listTopics');
    const named = await call(routes, Metadata, 12, {
      topics: [
        { name: 'jobs', topicId: NO_ID },
        { name: null, topicId: ctx.topicIds.idOf('other') },
        { name: 'missing', topicId: NO_ID },
      ],
      allowAutoTopicCreation: false,
    });
    expect(named.topics.map((t) => [t.name, t.errorCode, t.partitions.length])).toEqual([
      ['jobs', 0, 2],
      ['other', 0, 1],
      ['missing', E.UNKNOWN_TOPIC_OR_PARTITION, 0],
    ]);
    expect(listTopics).not.toHaveBeenCalled();
    const all = await call(routes, Metadata, 12, { topics: null, allowAutoTopicCreation: false });
    expect(all.topics.map((t) => t.name).sort()).toEqual(['jobs', 'other']);
    expect(listTopics).toHaveBeenCalledTimes(1);
  });

  it('v12 finds a topic by id alone; an unknown id is UNKNOWN_TOPIC_ID', async () => {
    const id = ctx.topicIds.idOf('jobs');
    const res = await call(routes, Metadata, 12, {
      topics: [
        { name: null, topicId: id },
        { name: null, topicId: 'ab'.repeat(16) },
      ],
      allowAutoTopicCreation: false,
    });
    expect(res.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['jobs', 0],
      [null, E.UNKNOWN_TOPIC_ID],
    ]);
  });
});

describe('FindCoordinator', () => {
  it.each([0, 1, 2, 3])('v%i points at this broker', async (v) => {
    const res = await call(routes, FindCoordinator, v, { key: 'g', keyType: 0 });
    expect(res).toMatchObject({ errorCode: 0, nodeId: 1, host: '127.0.0.1', port: 19092 });
  });

  it.each([4, 5, 6])('v%i answers every key', async (v) => {
    const res = await call(routes, FindCoordinator, v, {
      keyType: v === 6 ? 2 : 0,
      coordinatorKeys: ['a', 'b'],
    });
    expect(res.coordinators.map((c) => [c.key, c.nodeId, c.port, c.errorCode])).toEqual([
      ['a', 1, 19092, 0],
      ['b', 1, 19092, 0],
    ]);
  });
});

describe('DescribeCluster', () => {
  it.each(versionsOf(DescribeCluster))('v%i lists this broker as the cluster', async (v) => {
    const res = await call(routes, DescribeCluster, v, {
      includeClusterAuthorizedOperations: false,
    });
    expect(res).toMatchObject({ errorCode: 0, clusterId: 'sharq-test', controllerId: 1 });
    expect(res.brokers).toEqual([{ brokerId: 1, host: '127.0.0.1', port: 19092, rack: null }]);
  });
});
