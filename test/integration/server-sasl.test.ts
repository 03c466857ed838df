// `sharq server` with SASL on, against real clients (issue 7, "SASL PLAIN/SCRAM optional"):
// - kafkajs producer and admin logging in with PLAIN and with SCRAM-SHA-512;
// - sharq's Queue and Worker through the Kafka engine (kafkajs for produce and admin, sharq's own
//   share client for the share-group APIs) logging in with SCRAM-SHA-256;
// - Kafka's own Java tools (TopicCommand, ConsoleProducer, ConfigCommand, ConsoleShareConsumer)
//   with `--command-config` files carrying sasl.jaas.config (skipped without Java or the jars).
// No Kafka broker is involved: the server is started here on a free port in a temp dir.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../src/cli/admin-target.js';
import type { EngineOptions } from '../../src/options/engine-options.js';
import { Queue } from '../../src/queue/queue.js';
import { startServer } from '../../src/server/index.js';
import { Worker } from '../../workers/worker.js';
import {
  KafkaTools,
  kafkaToolsSkipReason,
  produceWithTool,
  runKafkaTool,
  shareConsumeWithTool,
  shareGroupFromEarliest,
} from '../helpers/kafka-tools.js';
import { tempDir } from '../helpers/temp-dir.js';

const USER = 'alice';
const PASSWORD = `pw-${randomUUID()}`;
const run = randomUUID().slice(0, 8);

let server: Awaited<ReturnType<typeof startServer>>;
let dir: string;
let remove: () => Promise<void>;
let bootstrap: string;
const serverLog: string[] = [];

beforeAll(async () => {
  const t = await tempDir('sharq-server-sasl-');
  dir = t.dir;
  remove = t.remove;
  server = await startServer({
    port: 0,
    engine: { dataDir: path.join(dir, 'data') },
    sasl: {
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
      users: [{ username: USER, password: PASSWORD }],
    },
    logger: {
      info: (f, m) => void serverLog.push(`info ${m} ${JSON.stringify(f)}`),
      warn: (f, m) => void serverLog.push(`warn ${m} ${JSON.stringify(f)}`),
    },
  });
  bootstrap = `127.0.0.1:${server.address.port}`;
});

afterAll(async () => {
  await server?.close();
  await remove?.();
  // The password never reaches the server's log, whatever happened.
  expect(serverLog.join('\n')).not.toContain(PASSWORD);
});

describe('kafkajs against sharq server with SASL', () => {
  it.each(['plain', 'scram-sha-512'] as const)(
    '%s: admin creates a topic, the producer writes, the offsets move',
    async (mechanism) => {
      const topic = `sasl-kafkajs-${mechanism}-${run}`;
      const kafka = new Kafka({
        clientId: `kafkajs-${mechanism}`,
        brokers: [bootstrap],
        logLevel: logLevel.NOTHING,
        sasl: { mechanism, username: USER, password: PASSWORD } as SASLOptions,
      });
      const admin = kafka.admin();
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 5 });
      await admin.connect();
      await producer.connect();
      try {
        await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
        await producer.send({
          topic,
          acks: -1,
          messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })),
        });
        const offsets = await admin.fetchTopicOffsets(topic);
        expect(offsets.map((o) => Number(o.high)).sort()).toEqual([5, 5]);
      } finally {
        await producer.disconnect();
        await admin.disconnect();
      }
    },
  );

  it('a wrong password is refused', async () => {
    const admin = new Kafka({
      clientId: 'kafkajs-wrong',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      sasl: { mechanism: 'scram-sha-512', username: USER, password: 'wrong' },
    }).admin();
    await expect(admin.connect()).rejects.toThrow(/authentication failed/i);
    await admin.disconnect();
  });
});

describe('sharq Queue and Worker through the Kafka engine with SASL', () => {
  it('SCRAM-SHA-256: jobs added are all processed', async () => {
    const name = `sasl-queue-${run}`;
    const group = `sasl-group-${run}`;
    const engine: EngineOptions = {
      type: 'kafka',
      brokers: [bootstrap],
      clientId: `sharq-sasl-${run}`,
      sasl: { mechanism: 'scram-sha-256', username: USER, password: PASSWORD },
    };
    const queue = new Queue<{ n: number }>(name, { engine, partitions: 2 });
    const seen = new Set<number>();
    const worker = new Worker<{ n: number }>(
      name,
      async (job) => {
        seen.add(job.data.n);
      },
      { engine, group, concurrency: 10, pollMaxWaitMs: 300 },
    );
    try {
      await queue.ensureTopic();
      await server.engine.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
      await worker.waitUntilReady();
      await queue.addBulk(Array.from({ length: 30 }, (_, n) => ({ name: 'job', data: { n } })));
      const deadline = Date.now() + 20_000;
      while (seen.size < 30 && Date.now() < deadline) await sleep(50);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    } finally {
      await worker.close();
      await queue.close();
    }
    // Both clients of the engine (kafkajs, sharq's share client) logged in: none was refused.
    const refused = serverLog.filter(
      (l) => l.startsWith('warn') && l.includes(`sharq-sasl-${run}"`),
    );
    expect(refused).toEqual([]);
  });

  it("a wrong password fails the queue with the server's reason", async () => {
    const queue = new Queue(`sasl-denied-${run}`, {
      engine: {
        type: 'kafka',
        brokers: [bootstrap],
        clientId: `sharq-sasl-denied-${run}`,
        sasl: { mechanism: 'scram-sha-256', username: USER, password: 'wrong' },
      },
    });
    try {
      await expect(queue.add('job', {})).rejects.toThrow(/authentication failed/i);
    } finally {
      await queue.close();
    }
  });
});

describe('sharq admin commands with --brokers and SASL', () => {
  it('log in with SHARQ_SASL_* from the environment, as a Queue does', async () => {
    const name = `sasl-admin-${run}`;
    const queue = new Queue(name, {
      engine: {
        type: 'kafka',
        brokers: [bootstrap],
        sasl: { mechanism: 'scram-sha-512', username: USER, password: PASSWORD },
      },
    });
    await queue.add('job', {});
    await queue.close();
    const env = {
      SHARQ_SASL_MECHANISM: 'SCRAM-SHA-512',
      SHARQ_SASL_USERNAME: USER,
      SHARQ_SASL_PASSWORD: PASSWORD,
    };
    const target = openTarget({ brokers: bootstrap }, env);
    try {
      const queues = await target.listQueues();
      expect(queues.map((q) => q.name)).toContain(name);
    } finally {
      await target.close();
    }
    expect(() =>
      openTarget({ brokers: bootstrap }, { SHARQ_SASL_MECHANISM: 'scram-sha-512' }),
    ).toThrow(/SHARQ_SASL_USERNAME/);
  });
});

const skipReason = kafkaToolsSkipReason();

describe.skipIf(skipReason !== null)(
  `Kafka's Java tools against sharq server with SASL${skipReason === null ? '' : ` (${skipReason})`}`,
  () => {
    /** A client properties file for `--command-config`. */
    const config = (mechanism: string, password = PASSWORD): string => {
      const module =
        mechanism === 'PLAIN'
          ? 'org.apache.kafka.common.security.plain.PlainLoginModule'
          : 'org.apache.kafka.common.security.scram.ScramLoginModule';
      const file = path.join(
        dir,
        `${mechanism}-${password === PASSWORD ? 'ok' : 'bad'}.properties`,
      );
      writeFileSync(
        file,
        [
          'security.protocol=SASL_PLAINTEXT',
          `sasl.mechanism=${mechanism}`,
          `sasl.jaas.config=${module} required username="${USER}" password="${password}";`,
          '',
        ].join('\n'),
      );
      return file;
    };

    it('TopicCommand, ConsoleProducer (PLAIN), ConfigCommand and ConsoleShareConsumer (SCRAM) round-trip records', async () => {
      const topic = `sasl-tools-${run}`;
      const group = `sasl-tools-${run}`;
      const values = Array.from({ length: 10 }, (_, i) => `value-${run}-${i}`);
      const created = await runKafkaTool(KafkaTools.topics, [
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        config('SCRAM-SHA-256'),
        '--create',
        '--topic',
        topic,
        '--partitions',
        '1',
      ]);
      expect(created.code, created.stdout + created.stderr).toBe(0);

      const produced = await produceWithTool(bootstrap, topic, values, [
        '--command-config',
        config('PLAIN'),
      ]);
      expect(produced.code, produced.stderr).toBe(0);

      const scram = ['--command-config', config('SCRAM-SHA-512')];
      const configured = await shareGroupFromEarliest(bootstrap, group, scram);
      expect(configured.code, configured.stdout + configured.stderr).toBe(0);

      const consumed = await shareConsumeWithTool(bootstrap, topic, group, values.length, scram);
      expect(consumed.code, consumed.stderr).toBe(0);
      expect(consumed.stdout.split('\n').filter((l) => l.startsWith(`value-${run}-`))).toEqual(
        values,
      );
    });

    it("a Java client with a wrong password is refused with the server's message", async () => {
      const listed = await runKafkaTool(KafkaTools.topics, [
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        config('SCRAM-SHA-512', 'wrong'),
        '--list',
      ]);
      expect(listed.code).not.toBe(0);
      expect(listed.stdout + listed.stderr).toMatch(
        /SaslAuthenticationException|Authentication failed/,
      );
    });

    it('a Java client without SASL is cut off before its first request', async () => {
      const file = path.join(dir, 'no-sasl.properties');
      writeFileSync(file, 'default.api.timeout.ms=5000\nrequest.timeout.ms=3000\n');
      const listed = await runKafkaTool(KafkaTools.topics, [
        '--bootstrap-server',
        bootstrap,
        '--command-config',
        file,
        '--list',
      ]);
      expect(listed.code).not.toBe(0);
      expect(serverLog.some((l) => l.includes('request before SASL authentication'))).toBe(true);
    });
  },
);
