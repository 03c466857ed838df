import { Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { KafkaProtocolListener } from '../../../../src/server/listener.js';
import { ServerOptions } from '../../../../src/server/options.js';
import { adminRoutes } from '../../../../src/server/routes/admin.js';
import { apiVersionsRoute } from '../../../../src/server/routes/api-versions.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { fetchRoutes } from '../../../../src/server/routes/fetch.js';
import { brokerRoutes } from '../../../../src/server/routes/index.js';
import { metadataRoutes } from '../../../../src/server/routes/metadata.js';
import { produceRoutes } from '../../../../src/server/routes/produce.js';
import { SharqServer } from '../../../../src/server/server.js';
import { tempDir } from '../../../helpers/temp-dir.js';
import { brokerHarness } from './harness.js';

const quiet = { info: () => undefined, warn: () => undefined };

describe('kafkajs 2.2.4 against the routes', () => {
  let engine: EmbeddedEngine;
  let ctx: BrokerContext;
  let close: () => Promise<void>;
  let listener: KafkaProtocolListener;
  let port: number;

  beforeEach(async () => {
    ({ engine, ctx, close } = await brokerHarness());
    const served = [
      ...metadataRoutes(ctx),
      ...produceRoutes(ctx),
      ...fetchRoutes(ctx),
      ...adminRoutes(ctx, { membersOf: () => [] }),
    ];
    listener = new KafkaProtocolListener(
      ServerOptions.parse({ port: 0 }),
      [apiVersionsRoute(served), ...served],
      quiet,
    );
    port = (await listener.listen()).port;
    ctx.node.port = port;
  });
  afterEach(async () => {
    await listener.close(100);
    await close();
  });

  it('creates a topic, reads its metadata, produces idempotently and lists offsets', async () => {
    const kafka = new Kafka({
      clientId: 'routes-test',
      brokers: [`127.0.0.1:${port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2 },
    });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })).toBe(
        true,
      );
      expect(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2 }] })).toBe(
        false,
      );
      const md = await admin.fetchTopicMetadata({ topics: ['orders'] });
      expect(md.topics[0]!.name).toBe('orders');
      expect(md.topics[0]!.partitions.map((p) => [p.partitionId, p.leader]).sort()).toEqual([
        [0, 1],
        [1, 1],
      ]);

      await producer.connect();
      await producer.send({
        topic: 'orders',
        acks: -1,
        messages: [
          {
            key: 'a',
            value: 'one',
            partition: 0,
            headers: { trace: 't1' },
            timestamp: '1700000000000',
          },
          { key: 'b', value: 'two', partition: 0 },
          { key: 'c', value: 'three', partition: 1 },
        ],
      });
      await producer.send({ topic: 'orders', messages: [{ value: 'four', partition: 0 }] });

      const p0 = await engine.read('orders', 0, 0, 10);
      expect(p0.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString()])).toEqual([
        [0, 'a', 'one'],
        [1, 'b', 'two'],
        [2, null, 'four'],
      ]);
      expect(p0[0]!.headers).toEqual({ trace: 't1' });
      expect(p0[0]!.timestamp).toBe(1700000000000);
      expect((await engine.read('orders', 1, 0, 10)).map((r) => r.value?.toString())).toEqual([
        'three',
      ]);

      const offsets = await admin.fetchTopicOffsets('orders');
      expect(offsets.map((o) => [o.partition, o.low, o.high]).sort()).toEqual([
        [0, '0', '3'],
        [1, '0', '1'],
      ]);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe('brokerRoutes in SharqServer', () => {
  it('serves kafkajs and advertises the share APIs', async () => {
    const t = await tempDir('sharq-routes-');
    const server = new SharqServer(
      { port: 0, engine: { dataDir: t.dir, fsync: 'never' }, logger: quiet },
      brokerRoutes,
    );
    try {
      const { port } = await server.start();
      const kafka = new Kafka({
        brokers: [`127.0.0.1:${port}`],
        logLevel: logLevel.NOTHING,
        retry: { retries: 2 },
      });
      const admin = kafka.admin();
      await admin.connect();
      try {
        // kafkajs asks Metadata with auto-creation; the server creates the topic.
        const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        await producer.send({ topic: 'auto', messages: [{ value: 'x' }] });
        await producer.disconnect();
        expect((await server.engine.admin.describeTopic('auto')).partitions).toBe(
          server.engine.config.defaultPartitions,
        );
        const versions = await (
          admin as unknown as { describeCluster(): Promise<{ brokers: { port: number }[] }> }
        ).describeCluster();
        expect(versions.brokers[0]!.port).toBe(port);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await server.close(100);
      await t.remove();
    }
  });
});
