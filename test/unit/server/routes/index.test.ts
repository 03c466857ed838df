import { afterEach, beforeEach, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { AlterShareGroupOffsets } from '../../../../src/kafka/protocol/schema/apis/alter-share-group-offsets.js';
import { ApiVersions } from '../../../../src/kafka/protocol/schema/apis/api-versions.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import type { ApiRoute } from '../../../../src/server/connection.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { brokerRoutes } from '../../../../src/server/routes/index.js';
import { ShareCoordinator } from '../../../../src/server/share/share-coordinator.js';
import { systemClock } from '../../../../src/util/clock.js';
import { brokerHarness, call } from './harness.js';

let engine: EmbeddedEngine;
let ctx: BrokerContext;
let close: () => Promise<void>;
let coordinator: ShareCoordinator;
let routes: ApiRoute[];

beforeEach(async () => {
  ({ engine, ctx, close } = await brokerHarness());
  coordinator = new ShareCoordinator({
    engine,
    topicIds: ctx.topicIds,
    clock: systemClock,
    node: ctx.node,
  });
  routes = brokerRoutes({ ...ctx, engine, coordinator });
});
afterEach(async () => {
  await coordinator.close();
  await close();
});

it('serves and advertises every API sharq defines', async () => {
  const res = await call(routes, ApiVersions, 3, {
    clientSoftwareName: 't',
    clientSoftwareVersion: '1',
  });
  const expected = [...SCHEMAS.keys()].sort((a, b) => a - b);
  expect(res.apiKeys.map((k) => k.apiKey)).toEqual(expected);
  expect(new Set(routes.map((r) => r.apiKey)).size).toBe(routes.length);
});

it('AlterShareGroupOffsets sets explicit start offsets through the embedded group', async () => {
  await engine.admin.createTopic('jobs', { partitions: 2 });
  await engine.admin.configureGroup('g', { autoOffsetReset: 'earliest' });
  await engine.produce(
    'jobs',
    Array.from({ length: 6 }, (_, i) => ({ value: Buffer.from(`${i}`), partition: i % 2 })),
  );
  const res = await call(routes, AlterShareGroupOffsets, 0, {
    groupId: 'g',
    topics: [{ topicName: 'jobs', partitions: [{ partitionIndex: 1, startOffset: 2 }] }],
  });
  expect(res.errorCode).toBe(0);
  expect(res.responses[0]!.partitions[0]!.errorCode).toBe(0);
  const d = await engine.admin.describeGroup('g');
  expect(d.partitions.map((p) => [p.partition, p.startOffset])).toEqual([
    [0, 0],
    [1, 2],
  ]);
});
