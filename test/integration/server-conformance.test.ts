// The conformance suites against `sharq server`, reached through the Kafka engine as any
// process on the machine would reach it.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe } from 'vitest';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { brokerRoutes } from '../../src/server/routes/index.js';
import { SharqServer } from '../../src/server/server.js';
import { engineConformance } from '../conformance/engine-suite.js';
import { workerConformance } from '../conformance/worker-suite.js';
import { tempDir } from '../helpers/temp-dir.js';

let server: SharqServer;
let brokers: string[];
let remove: () => Promise<void>;
const quiet = { info: () => undefined, warn: () => undefined };

beforeAll(async () => {
  const t = await tempDir('sharq-server-conf-');
  remove = t.remove;
  server = new SharqServer({ port: 0, engine: { dataDir: t.dir }, logger: quiet }, brokerRoutes);
  const { port } = await server.start();
  brokers = [`127.0.0.1:${port}`];
});
afterAll(async () => {
  await server.close();
  await remove();
});

const kafkaEngine = async () => {
  const engine = new KafkaEngine({
    brokers,
    clientId: `sharq-server-test-${randomUUID().slice(0, 8)}`,
  });
  await engine.start();
  return engine;
};

describe('sharq server', () => {
  engineConformance('sharq server', async () => {
    let engine = await kafkaEngine();
    return {
      engine,
      async restart() {
        await engine.close();
        engine = await kafkaEngine();
        return engine;
      },
      cleanup: () => engine.close(),
    };
  });
  workerConformance('sharq server', async () => {
    const engine = await kafkaEngine();
    return { engine, cleanup: () => engine.close() };
  });
});
