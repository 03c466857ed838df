/**
 * Topic lookups of the Kafka engine against sharq server: whether a topic exists is one
 * Metadata request, and only a topic made a moment ago is waited for.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/resolve-engine.js';
import type { Engine } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { brokerRoutes } from '../../../src/server/routes/index.js';
import { SharqServer } from '../../../src/server/server.js';
import { tempDir } from '../../helpers/temp-dir.js';

const METADATA = 3;
const CREATE_TOPICS = 19;
/** The API keys the server was asked, in order. */
const asked: number[] = [];
let server: SharqServer;
let engine: Engine;
let remove: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir('sharq-topics-');
  remove = t.remove;
  server = new SharqServer(
    {
      port: 0,
      engine: { dataDir: t.dir, fsync: 'never' },
      logger: { info: () => undefined, warn: () => undefined },
    },
    (parts) =>
      brokerRoutes(parts).map((route) => ({
        ...route,
        handle: (version, body, ctx) => {
          asked.push(route.apiKey);
          return route.handle(version, body, ctx);
        },
      })),
  );
  const { port } = await server.start();
  engine = createEngine({ type: 'kafka', brokers: [`127.0.0.1:${port}`] });
  await engine.admin.listTopics();
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  await remove?.();
});

it('describeTopic of a topic not made yet is SHARQ_ERR_UNKNOWN_TOPIC after one Metadata request; ensureTopic then makes it', async () => {
  asked.length = 0;
  const err = await engine.admin.describeTopic('not-yet').catch((e: unknown) => e);
  expect(SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')).toBe(true);
  expect(asked.filter((k) => k === METADATA)).toHaveLength(1);
  asked.length = 0;
  expect(await engine.admin.ensureTopic('not-yet', { partitions: 2 })).toEqual({
    name: 'not-yet',
    partitions: 2,
  });
  // One look before the create (and the one kafkajs' createTopics makes itself), none
  // repeated for a topic that was simply missing.
  const create = asked.indexOf(CREATE_TOPICS);
  expect(asked.filter((k) => k === CREATE_TOPICS)).toHaveLength(1);
  expect(asked.slice(0, create).filter((k) => k === METADATA).length).toBeLessThanOrEqual(2);
});
