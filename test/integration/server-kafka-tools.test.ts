// Kafka's own Java tools and clients against `sharq server` (issue 7, "Must show"):
// - ConsoleProducer writes records that ConsoleShareConsumer then reads back;
// - `kafka-share-groups --describe --members` lists the members sharq workers hold;
// - `kafka-share-groups --delete` deletes an empty share group (DeleteGroups), refuses others;
// - Kafka's Java share consumer (the console share consumer is a KafkaShareConsumer) and sharq
//   workers in one group consume every record exactly once between them.
// Needs Java 17+ and the Kafka jars in .kafka/libs (scripts/kafka.sh prereqs); skipped otherwise.
// No Kafka broker is involved: the server is started here on a free port in a temp dir.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AckType, type ShareConsumer, type ShareConsumerOptions } from '../../src/engine/types.js';
import { SharqError } from '../../src/errors/sharq-error.js';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { Queue } from '../../src/queue/queue.js';
import { startServer } from '../../src/server/index.js';
import type { SharqServer } from '../../src/server/server.js';
import { Worker } from '../../workers/worker.js';
import {
  KafkaTools,
  kafkaToolsSkipReason,
  produceWithTool,
  runKafkaTool,
  shareConsumeWithTool,
  shareGroupFromEarliest,
  spawnKafkaTool,
} from '../helpers/kafka-tools.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');

const skipReason = kafkaToolsSkipReason();
const hasJars = existsSync(path.join(root, '.kafka', 'libs', '.installed'));

interface MemberRow {
  memberId: string;
  host: string;
  clientId: string;
  assignment: string;
}

/** `t:0,1;u:2` (the ASSIGNMENT column) → ['t:0', 't:1', 'u:2']. */
function partitionsOf(assignment: string): string[] {
  return assignment
    .split(';')
    .filter((a) => a.includes(':'))
    .flatMap((a) => {
      const at = a.lastIndexOf(':');
      return a
        .slice(at + 1)
        .split(',')
        .map((p) => `${a.slice(0, at)}:${p.trim()}`);
    });
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
    rows.push({
      memberId: cols[1]!,
      host: cols[2]!,
      clientId: cols[3]!,
      assignment: cols.slice(5).join(' '),
    });
  }
  return rows;
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

/** A Kafka engine whose share consumers of `group` are recorded (memberId → clientId). */
function recordingEngine(
  brokers: string[],
  clientId: string,
  group: string,
  members: Map<string, string>,
): KafkaEngine {
  const engine = new KafkaEngine({ brokers, clientId });
  const create = engine.createShareConsumer.bind(engine);
  engine.createShareConsumer = (options: ShareConsumerOptions): ShareConsumer => {
    const consumer = create(options);
    // A worker's delay-tier forwarder is a member of another group (sharq.delay.<queue>).
    if (options.groupId === group) members.set(consumer.memberId, clientId);
    return consumer;
  };
  return engine;
}

const suiteName = `sharq server with Kafka's Java tools${skipReason === null ? '' : ` (${skipReason})`}`;

describe.skipIf(skipReason !== null)(suiteName, () => {
  let server: SharqServer & { address: { host: string; port: number } };
  let remove: () => Promise<void>;
  let bootstrap: string;
  let brokers: string[];
  const serverLog: string[] = [];
  const log = (level: string) => (fields: Record<string, unknown>, msg: string) => {
    serverLog.push(`${level} ${msg} ${JSON.stringify(fields)}`);
  };
  const run = randomUUID().slice(0, 8);

  beforeAll(async () => {
    if (!hasJars) {
      // First use on this machine: kafka.sh collects the jars (needs Maven) before any tool runs.
      const r = spawnSync('bash', [path.join(root, 'scripts', 'kafka.sh'), 'install'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 300_000,
      });
      if (r.status !== 0) throw new Error(`scripts/kafka.sh install failed:\n${r.stderr}`);
    }
    const t = await tempDir('sharq-server-kafka-tools-');
    remove = t.remove;
    server = await startServer({
      port: 0,
      engine: { dataDir: path.join(t.dir, 'data') },
      logger: { info: log('info'), warn: log('warn') },
    });
    bootstrap = `127.0.0.1:${server.address.port}`;
    brokers = [bootstrap];
  });

  afterAll(async () => {
    await server?.close();
    await remove?.();
    // Anything the server had to complain about is shown, the listening line aside.
    const warnings = serverLog.filter((l) => l.startsWith('warn'));
    if (warnings.length > 0) console.log(`sharq server warnings:\n${warnings.join('\n')}`);
  });

  it('ConsoleProducer then ConsoleShareConsumer round-trips records', async () => {
    const topic = `tools-rt-${run}`;
    const group = `tools-rt-${run}`;
    const values = Array.from({ length: 20 }, (_, i) => `value-${run}-${i}`);

    const created = await runKafkaTool(KafkaTools.topics, [
      '--bootstrap-server',
      bootstrap,
      '--create',
      '--topic',
      topic,
      '--partitions',
      '1',
      '--replication-factor',
      '1',
    ]);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created topic ${topic}.`);

    const produced = await produceWithTool(bootstrap, topic, values);
    expect(produced.code, produced.stderr).toBe(0);

    // A new share group starts at the log end; Kafka's configs tool moves this one to the start.
    const configured = await shareGroupFromEarliest(bootstrap, group);
    expect(configured.code, configured.stdout + configured.stderr).toBe(0);

    const consumed = await shareConsumeWithTool(bootstrap, topic, group, values.length);
    expect(consumed.code, consumed.stderr).toBe(0);
    const lines = consumed.stdout.split('\n').filter((l) => l.startsWith(`value-${run}-`));
    expect(lines).toEqual(values);
    expect(consumed.stderr).toContain(`Processed a total of ${values.length} messages`);

    // The records are the engine's own: sharq sees them on its side of the server.
    const offsets = await server.engine.admin.describeGroup(group);
    expect(offsets.partitions.find((p) => p.topic === topic)?.startOffset).toBe(values.length);
  });

  it("ShareGroupCommand --describe --members lists sharq's members", async () => {
    const topic = `tools-members-${run}`;
    const group = `tools-members-${run}`;
    const members = new Map<string, string>();
    const engines: KafkaEngine[] = [];
    const workers: Worker<unknown>[] = [];
    const admin = new KafkaEngine({ brokers, clientId: `sharq-tools-${run}-admin` });
    const queue = new Queue(topic, { engine: admin, partitions: 2 });
    try {
      await admin.start();
      await queue.ensureTopic();
      for (let w = 1; w <= 2; w++) {
        const engine = recordingEngine(brokers, `sharq-tools-${run}-w${w}`, group, members);
        engines.push(engine);
        const worker = new Worker(topic, async () => undefined, {
          engine,
          group,
          concurrency: 4,
          pollMaxWaitMs: 500,
        });
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      expect(members.size).toBe(2);

      let rows: MemberRow[] = [];
      let out = '';
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const r = await runKafkaTool(KafkaTools.shareGroups, [
          '--bootstrap-server',
          bootstrap,
          '--describe',
          '--members',
          '--group',
          group,
        ]);
        out = r.stdout + r.stderr;
        expect(r.code, out).toBe(0);
        rows = parseMembers(r.stdout, group);
        // Members show up first with no partitions, then with their assignment.
        if (rows.length === members.size && rows.every((m) => m.assignment !== '')) break;
        await sleep(300);
      }
      console.log(`kafka-share-groups --describe --members --group ${group}\n${out}`);
      expect(rows.map((r) => r.memberId).sort(), out).toEqual([...members.keys()].sort());
      for (const row of rows) {
        expect(row.clientId, out).toBe(members.get(row.memberId));
        expect(row.host, out).toBe('/127.0.0.1');
      }
      // Between them the members hold both partitions (sharq assigns every partition of a
      // topic to every member of its group: records, not partitions, are what members share).
      const held = new Set(rows.flatMap((r) => partitionsOf(r.assignment)));
      expect([...held].sort(), out).toEqual([`${topic}:0`, `${topic}:1`]);
      for (const row of rows) expect(partitionsOf(row.assignment), out).not.toEqual([]);

      const state = await runKafkaTool(KafkaTools.shareGroups, [
        '--bootstrap-server',
        bootstrap,
        '--describe',
        '--state',
        '--group',
        group,
      ]);
      expect(state.stdout, state.stderr).toMatch(
        new RegExp(`${group}\\s+\\S+\\s+\\(1\\)\\s+Stable\\s+2`),
      );
    } finally {
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled(engines.map((e) => e.close()));
      await queue.close();
      await admin.close();
    }
  });

  it('ShareGroupCommand --delete deletes an empty share group, refuses one with members and an unknown one', async () => {
    const topic = `tools-delete-${run}`;
    const group = `tools-delete-${run}`;
    const deleteGroup = async (g: string) => {
      const r = await runKafkaTool(KafkaTools.shareGroups, [
        '--bootstrap-server',
        bootstrap,
        '--delete',
        '--group',
        g,
      ]);
      return { code: r.code, out: r.stdout + r.stderr };
    };
    await server.engine.admin.createTopic(topic, { partitions: 1 });
    await server.engine.produce(topic, [{ value: Buffer.from('x') }]);
    await server.engine.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
    const client = new KafkaEngine({ brokers, clientId: `sharq-tools-${run}-delete` });
    try {
      await client.start();
      const consumer = client.createShareConsumer({ groupId: group, topics: [topic] });
      const got = await consumer.poll({ maxRecords: 1, maxWaitMs: 5000 });
      expect(got.map((r) => r.value?.toString())).toEqual(['x']);
      await consumer.acknowledge([{ record: got[0]!, type: AckType.Accept }]);

      // A member: refused (the tool checks the group's state first), and nothing deleted.
      const busy = await deleteGroup(group);
      console.log(`kafka-share-groups --delete with a member\n${busy.out}`);
      expect(busy.out).toMatch(/GroupNotEmptyException/);
      expect(await server.engine.admin.listGroups()).toContain(group);
      // Sent on the wire anyway (sharq's Kafka engine sends DeleteGroups v2): NON_EMPTY_GROUP.
      const refused = await client.admin.deleteGroup(group).catch((e: unknown) => e);
      expect(SharqError.is(refused, 'SHARQ_ERR_GROUP_NOT_EMPTY'), String(refused)).toBe(true);

      await consumer.close();
      const done = await deleteGroup(group);
      console.log(`kafka-share-groups --delete\n${done.out}`);
      expect(done.code, done.out).toBe(0);
      expect(done.out).toContain('successful');
      expect(await server.engine.admin.listGroups()).not.toContain(group);
      const listed = await runKafkaTool(KafkaTools.shareGroups, [
        '--bootstrap-server',
        bootstrap,
        '--list',
      ]);
      expect(listed.stdout.split('\n')).not.toContain(group);

      const unknown = await deleteGroup(`tools-nope-${run}`);
      console.log(`kafka-share-groups --delete of an unknown group\n${unknown.out}`);
      expect(unknown.out).toMatch(/GroupIdNotFoundException/);
    } finally {
      await client.close();
    }
  });

  it("Kafka's Java share consumer and sharq workers in one group consume every record once", async () => {
    const JOBS = 600;
    const BATCH = 50;
    const topic = `tools-mixed-${run}`;
    const group = `tools-mixed-${run}`;
    const javaClientId = `java-console-${run}`;
    const ids = Array.from({ length: JOBS }, (_, i) => `job-${run}-${String(i).padStart(4, '0')}`);
    const members = new Map<string, string>();
    const engines: KafkaEngine[] = [];
    const workers: Worker<{ id: string }>[] = [];
    const workerErrors: Error[] = [];
    /** Every delivery: id and who got it (0 = Java, 1.. = sharq worker). */
    const seen: { id: string; by: number; delivery: number }[] = [];
    const admin = new KafkaEngine({ brokers, clientId: `sharq-mixed-${run}-admin` });
    const queue = new Queue<{ id: string }>(topic, { engine: admin, partitions: 1 });
    let java: ChildProcess | undefined;
    let javaStderr = '';
    try {
      await admin.start();
      await queue.ensureTopic();
      await server.engine.admin.configureGroup(group, { autoOffsetReset: 'earliest' });

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
        'print.delivery=true',
        // A safety net only: the test stops it long before.
        '--timeout-ms',
        '90000',
      ]);
      let partial = '';
      java.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = /^Delivery:(\d+)\t([^\t]+)\t/.exec(line);
          if (m !== null) seen.push({ id: m[2]!, by: 0, delivery: Number(m[1]) });
        }
      });
      java.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        javaStderr += chunk;
      });
      java.stdin?.end();

      for (let w = 1; w <= 2; w++) {
        const engine = recordingEngine(brokers, `sharq-mixed-${run}-w${w}`, group, members);
        engines.push(engine);
        const worker = new Worker<{ id: string }>(
          topic,
          async (job) => {
            seen.push({ id: job.id, by: w, delivery: job.deliveryCount });
            await sleep(1);
          },
          { engine, group, concurrency: 50, pollMaxWaitMs: 500 },
        );
        worker.on('error', (err) => workerErrors.push(err));
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));

      // All three are members before any record lands, so that each has a fetch waiting.
      const expected = [javaClientId, ...members.values()].sort();
      let out = '';
      const joinBy = Date.now() + 20_000;
      while (Date.now() < joinBy && java.exitCode === null) {
        const r = await runKafkaTool(KafkaTools.shareGroups, [
          '--bootstrap-server',
          bootstrap,
          '--describe',
          '--members',
          '--group',
          group,
        ]);
        out = r.stdout + r.stderr;
        const assigned = parseMembers(r.stdout, group).filter((m) => m.assignment === `${topic}:0`);
        if (
          assigned
            .map((m) => m.clientId)
            .sort()
            .join() === expected.join()
        )
          break;
        await sleep(300);
      }
      expect(java.exitCode, `the Java consumer exited early:\n${javaStderr}`).toBeNull();
      console.log(`kafka-share-groups --describe --members --group ${group}\n${out}`);
      expect(
        parseMembers(out, group)
          .map((m) => m.clientId)
          .sort(),
        out,
      ).toEqual(expected);

      for (let i = 0; i < JOBS; i += BATCH) {
        await queue.addBulk(
          ids
            .slice(i, i + BATCH)
            .map((id) => ({ name: 'mixed', data: { id }, opts: { jobId: id, key: id } })),
        );
        await sleep(20);
      }
      const union = () => new Set(seen.map((d) => d.id));
      const doneBy = Date.now() + 30_000;
      while (union().size < JOBS && Date.now() < doneBy && java.exitCode === null) await sleep(100);

      // Workers first (they accept what they hold), then the Java consumer, whose close
      // commits the implicit acknowledgement of its last poll.
      await Promise.all(workers.map((w) => w.close()));
      java.kill('SIGTERM');
      if (!(await exited(java, 15_000))) java.kill('SIGKILL');
      await exited(java, 5_000);

      const got = union();
      const missing = ids.filter((id) => !got.has(id));
      const counts = new Map<string, number>();
      for (const d of seen) counts.set(d.id, (counts.get(d.id) ?? 0) + 1);
      const twice = [...counts].filter(([, n]) => n > 1);
      const javaCount = seen.filter((d) => d.by === 0).length;
      console.log(
        `mixed group ${group}: ${JOBS} jobs, Java ${javaCount}, sharq ` +
          `${[1, 2].map((w) => seen.filter((d) => d.by === w).length).join('/')}, ` +
          `missing ${missing.length}, seen twice ${twice.length}`,
      );
      expect(missing, `missing (first 10): ${missing.slice(0, 10).join(', ')}`).toEqual([]);
      expect(twice, 'records consumed more than once').toEqual([]);
      expect(javaCount, 'the Java consumer got no record').toBeGreaterThan(0);
      expect(seen.length - javaCount, 'the sharq workers got no record').toBeGreaterThan(0);
      expect(workerErrors.map((e) => e.message)).toEqual([]);

      // Nothing is left in flight: the group's start offset is past every record.
      const described = await server.engine.admin.describeGroup(group);
      expect(described.partitions.find((p) => p.topic === topic)?.startOffset).toBe(JOBS);
    } finally {
      if (java !== undefined && java.exitCode === null && java.signalCode === null) {
        java.kill('SIGKILL');
        await exited(java, 5_000);
      }
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled(engines.map((e) => e.close()));
      await queue.close();
      await admin.close();
    }
  });
});
