// Interop with Kafka's own Java share consumer: Apache Kafka's console share consumer and two
// sharq workers are members of one share group on one partition at the same time. The broker
// must see all three as members (kafka-share-groups --describe --members), and between them they
// must consume every job, each side getting a share, no record held by two members at once.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { ShareConsumer, ShareConsumerOptions } from '../../src/engine/types.js';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { Queue } from '../../src/queue/queue.js';
import { Worker } from '../../workers/worker.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { KafkaTools, runKafkaTool, spawnKafkaTool } from '../helpers/kafka-tools.js';

const JOBS = 2000;
const PARTITIONS = 1;
/** Jobs are added in batches, spaced out, so that every member has fetches waiting when they land. */
const BATCH = 100;
const BATCH_GAP_MS = 40;
const SHARQ_WORKERS = 2;
/**
 * Slots per sharq worker: a sharq fetch asks for as many records as it has free slots
 * (record_limit), while the Java consumer takes whole producer batches (up to its 500
 * max.poll.records). With 8 slots the sharq side got ~8% of the jobs; with 50, 35–45%.
 */
const CONCURRENCY = 50;
/** A little work per sharq job, as a real handler would do. */
const HANDLER_MS = 1;
/** Bound on the whole exchange, from starting the consumers to having every job. */
const DEADLINE_MS = 60_000;

/** One delivery as a consumer saw it. */
interface Delivery {
  id: string;
  deliveryCount: number;
  /** Which sharq worker (1-based); 0 for the Java consumer. */
  by: number;
}

interface MemberRow {
  memberId: string;
  clientId: string;
  assignment: string;
}

/**
 * Rows of `kafka-share-groups --describe --members`:
 * GROUP  CONSUMER-ID  HOST  CLIENT-ID  #PARTITIONS  ASSIGNMENT
 */
function parseMembers(out: string, group: string): MemberRow[] {
  const rows: MemberRow[] = [];
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] !== group || cols.length < 5) continue;
    rows.push({ memberId: cols[1]!, clientId: cols[3]!, assignment: cols.slice(5).join(' ') });
  }
  return rows;
}

/** Lines of the console consumer with print.partition/offset/delivery/key: `Partition:0\tOffset:7\tDelivery:1\t<key>\t<value>`. */
function parseConsoleLine(line: string): Delivery | undefined {
  const m = /^Partition:\d+\tOffset:\d+\tDelivery:(\d+)\t([^\t]+)\t/.exec(line);
  return m === null ? undefined : { id: m[2]!, deliveryCount: Number(m[1]), by: 0 };
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

describeKafka('Kafka interop: Java console share consumer and sharq workers in one group', () => {
  it(
    'share one partition: every job consumed, both sides get some, all members visible',
    async () => {
      const brokers = kafkaBrokers()!;
      const bootstrap = brokers.join(',');
      const run = randomUUID().slice(0, 8);
      const topic = `interop-${run}`;
      const group = `interop-${run}`;
      const javaClientId = `java-console-${run}`;
      const ids = Array.from(
        { length: JOBS },
        (_, i) => `job-${run}-${String(i).padStart(5, '0')}`,
      );

      const admin = new KafkaEngine({ brokers, clientId: `sharq-interop-${run}-admin` });
      const engines: KafkaEngine[] = [];
      const workers: Worker<{ id: string }>[] = [];
      /** memberId → clientId of every sharq share consumer created. */
      const sharqMembers = new Map<string, string>();
      const sharqSeen: Delivery[] = [];
      const javaSeen: Delivery[] = [];
      const workerErrors: Error[] = [];
      let java: ChildProcess | undefined;
      let javaStderr = '';
      const queue = new Queue<{ id: string }>(topic, { engine: admin, partitions: PARTITIONS });

      try {
        await admin.start();
        await queue.ensureTopic();
        await admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });

        // The Java member: implicit acknowledgement (each poll accepts the previous poll's records).
        java = spawnKafkaTool(KafkaTools.consoleShareConsumer, [
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--group',
          group,
          '--command-property',
          `client.id=${javaClientId}`,
          '--formatter-property',
          'print.key=true',
          '--formatter-property',
          'print.partition=true',
          '--formatter-property',
          'print.offset=true',
          '--formatter-property',
          'print.delivery=true',
          // A safety net only: the test stops it long before.
          '--timeout-ms',
          String(DEADLINE_MS + 30_000),
        ]);
        let partial = '';
        java.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const d = parseConsoleLine(line);
            if (d !== undefined) javaSeen.push(d);
          }
        });
        java.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
          javaStderr += chunk;
        });
        java.stdin?.end();

        // The sharq members: workers of the same group, each on an engine with its own client id.
        for (let w = 1; w <= SHARQ_WORKERS; w++) {
          const clientId = `sharq-interop-${run}-w${w}`;
          const engine = new KafkaEngine({ brokers, clientId });
          const create = engine.createShareConsumer.bind(engine);
          engine.createShareConsumer = (options: ShareConsumerOptions): ShareConsumer => {
            const consumer = create(options);
            // The worker's delay-tier forwarder is a member of another group (sharq.delay.<queue>).
            if (options.groupId === group) sharqMembers.set(consumer.memberId, clientId);
            return consumer;
          };
          engines.push(engine);
          const worker = new Worker<{ id: string }>(
            topic,
            async (job) => {
              sharqSeen.push({ id: job.id, deliveryCount: job.deliveryCount, by: w });
              await sleep(HANDLER_MS);
            },
            { engine, group, concurrency: CONCURRENCY, pollMaxWaitMs: 500 },
          );
          worker.on('error', (err) => workerErrors.push(err));
          workers.push(worker);
        }
        const started = Date.now();
        await Promise.all(workers.map((w) => w.waitUntilReady()));

        // While all of them run: Kafka's own tool lists the sharq members next to the Java one.
        let members: MemberRow[] = [];
        let describeOut = '';
        const expectedClients = [javaClientId, ...sharqMembers.values()];
        while (Date.now() - started < DEADLINE_MS / 2) {
          const r = await runKafkaTool(KafkaTools.shareGroups, [
            '--bootstrap-server',
            bootstrap,
            '--describe',
            '--members',
            '--group',
            group,
          ]);
          describeOut = r.stdout + r.stderr;
          members = parseMembers(r.stdout, group);
          // Members show up first with no partitions, then with the assignment.
          const assigned = new Set(members.filter((m) => m.assignment).map((m) => m.clientId));
          if (expectedClients.every((c) => assigned.has(c))) break;
          if (java.exitCode !== null) break;
          await sleep(500);
        }
        expect(java.exitCode, `the Java consumer exited early:\n${javaStderr}`).toBeNull();
        console.log(`kafka-share-groups --describe --members --group ${group}\n${describeOut}`);
        const javaMembers = members.filter((m) => m.clientId === javaClientId);
        expect(javaMembers, describeOut).toHaveLength(1);
        expect(sharqMembers.size).toBe(SHARQ_WORKERS);
        for (const [memberId, clientId] of sharqMembers) {
          expect(members, describeOut).toContainEqual(
            expect.objectContaining({ memberId, clientId, assignment: `${topic}:0` }),
          );
        }
        expect(javaMembers[0]!.assignment).toBe(`${topic}:0`);
        // And the other way round: sharq's own ShareGroupDescribe sees the Java member.
        const described = await admin.admin.describeGroup(group);
        expect(described.members.map((m) => m.memberId).sort()).toEqual(
          [javaMembers[0]!.memberId, ...sharqMembers.keys()].sort(),
        );

        // Jobs land while every member has a fetch waiting.
        for (let i = 0; i < JOBS; i += BATCH) {
          await queue.addBulk(
            ids
              .slice(i, i + BATCH)
              .map((id) => ({ name: 'interop', data: { id }, opts: { jobId: id, key: id } })),
          );
          await sleep(BATCH_GAP_MS);
        }

        const union = () => new Set([...javaSeen, ...sharqSeen].map((d) => d.id));
        while (union().size < JOBS && Date.now() - started < DEADLINE_MS) {
          if (java.exitCode !== null) break;
          await sleep(100);
        }
        const elapsedMs = Date.now() - started;

        // Workers first (they finish and accept what they hold), then the Java consumer, whose
        // close commits the implicit acknowledgement of its last poll.
        await Promise.all(workers.map((w) => w.close()));
        java.kill('SIGTERM');
        if (!(await exited(java, 15_000))) java.kill('SIGKILL');
        await exited(java, 5_000);

        const all = [...javaSeen, ...sharqSeen];
        const seen = union();
        const missing = ids.filter((id) => !seen.has(id));
        const counts = new Map<string, number>();
        for (const d of all) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
        const duplicated = [...counts].filter(([, n]) => n > 1);
        const javaIds = new Set(javaSeen.map((d) => d.id));
        const sharqIds = new Set(sharqSeen.map((d) => d.id));
        const both = [...javaIds].filter((id) => sharqIds.has(id)).length;
        console.log(
          `interop ${topic} (${PARTITIONS} partition, ${JOBS} jobs) in ${elapsedMs} ms: ` +
            `Java console share consumer ${javaSeen.length} deliveries (${javaIds.size} jobs), ` +
            `sharq workers ${sharqSeen.length} deliveries (${sharqIds.size} jobs; per worker ` +
            `${workers.map((_, i) => sharqSeen.filter((d) => d.by === i + 1).length).join('/')}); ` +
            `union ${seen.size}, missing ${missing.length}, duplicates ${duplicated.length} ` +
            `(${both} jobs seen by both sides), redeliveries ${all.filter((d) => d.deliveryCount > 1).length}, ` +
            `worker errors ${workerErrors.length}`,
        );
        if (duplicated.length > 0)
          console.log(`duplicated (first 10): ${JSON.stringify(duplicated.slice(0, 10))}`);

        expect(missing, `missing jobs (first 10): ${missing.slice(0, 10).join(', ')}`).toEqual([]);
        expect(javaIds.size, 'the Java consumer got no job').toBeGreaterThan(0);
        expect(sharqIds.size, 'the sharq workers got no job').toBeGreaterThan(0);
        // Never two members holding one record at once: a record seen twice was redelivered
        // (its delivery count grew), not handed out twice on the same delivery.
        const deliveries = all.map((d) => `${d.id}#${d.deliveryCount}`);
        expect(new Set(deliveries).size).toBe(deliveries.length);
        expect(workerErrors.map((e) => e.message)).toEqual([]);
      } finally {
        if (java !== undefined && java.exitCode === null && java.signalCode === null) {
          java.kill('SIGKILL');
          await exited(java, 5_000);
        }
        await Promise.allSettled(workers.map((w) => w.close()));
        await Promise.allSettled(engines.map((e) => e.close()));
        await queue.close();
        for (const t of [topic, queue.deadLetterTopic])
          await admin.admin.deleteTopic(t).catch(() => undefined);
        await admin.close();
      }
    },
    DEADLINE_MS + 60_000,
  );
});
