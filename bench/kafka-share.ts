/**
 * Share-group consumption on a real Kafka broker: sharq against Kafka's own Java client.
 *
 * Two identical topics are filled with the same N small sharq jobs in the same producer batches.
 * Then, in one run, each contender drains all N through a fresh share group:
 *   - sharq consumer: engine.createShareConsumer, poll(maxRecords) and ACCEPT each batch (the
 *     acks ride on the next ShareFetch, as the Java client's implicit acknowledgement does);
 *   - sharq Worker: a no-op handler at high concurrency (every job ACCEPTed durably);
 *   - Java: org.apache.kafka.tools.ShareConsumerPerformance (KafkaShareConsumer, implicit acks)
 *     on the other topic, with normal JIT flags (scripts/kafka.sh tool defaults to C1 only).
 * Every figure counts from creating the consumer (joining the group included) to the last
 * record; the Java tool's own figure leaves out its final commitSync and its JVM start. Rounds
 * alternate the order, since machines here are noisy: compare ratios, not absolutes.
 *
 *   npm run bench:kafka                               # 100,000 records, 2 rounds
 *   npm run bench:kafka -- --records 200000 --partitions 2 --rounds 3
 *   KAFKA_BROKERS=host:9092 npm run bench:kafka
 *
 * Keep --concurrency below the broker's group.share.partition.max.record.locks (2000 by
 * default): at 2000 a Worker holds every lock of the partition when it polls, its next fetch
 * waits out the 250 ms fetch cap before its acks can go, and throughput drops about sixfold.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AckType, type ProduceRecord } from '../src/engine/types.js';
import { encodeJob } from '../src/job/envelope.js';
import { KafkaEngine } from '../src/kafka/kafka-engine.js';
import { Worker } from '../workers/worker.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    partitions: { type: 'string', default: '1' },
    'produce-batch': { type: 'string', default: '1000' },
    'max-records': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '60000' },
    only: { type: 'string' },
  },
});
const N = Number(values.records);
const partitions = Number(values.partitions);
const produceBatch = Number(values['produce-batch']);
const maxRecords = Number(values['max-records']);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const timeoutMs = Number(values['timeout-ms']);
/** Comma-separated subset of consumer,worker,java (for profiling one of them). */
const only = new Set((values.only ?? 'consumer,worker,java').split(','));
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
/** Normal JIT and GC for the Java side unless the caller says otherwise. */
const javaOpts = process.env.KAFKA_TOOL_OPTS ?? '-Xms512m -Xmx1g -XX:+UseG1GC';

function repoRoot(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scripts', 'kafka.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('scripts/kafka.sh not found above the bench');
  }
}
const kafkaSh = path.join(repoRoot(), 'scripts', 'kafka.sh');

interface Measurement {
  /** records/s over the timed span. */
  rate: number;
  ms: number;
  records: number;
  /** Deliveries with a delivery count above 1 (lock expiries). */
  redelivered: number;
  note?: string;
}

const run = randomUUID().slice(0, 8);
const sharqTopic = `bench-sharq-${run}`;
const javaTopic = `bench-java-${run}`;

/** The same N jobs, in the same batches, to both topics. */
async function fill(engine: KafkaEngine): Promise<number> {
  const t0 = performance.now();
  for (let n = 0; n < N; n += produceBatch) {
    const batch: ProduceRecord[] = [];
    for (let i = n; i < Math.min(N, n + produceBatch); i++) {
      const { record } = encodeJob({ name: 'bench', data: { n: i } });
      record.partition = i % partitions;
      batch.push(record);
    }
    await Promise.all([engine.produce(sharqTopic, batch), engine.produce(javaTopic, batch)]);
  }
  return (2 * N) / ((performance.now() - t0) / 1000);
}

function deadline(what: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not done after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  promise.catch(() => undefined);
  return { promise, cancel: () => clearTimeout(timer) };
}

/** sharq's share consumer: poll up to maxRecords, ACCEPT the batch without waiting, poll again. */
async function sharqConsumer(admin: KafkaEngine, round: number): Promise<Measurement> {
  const group = `bench-sharq-consumer-${run}-${round}`;
  await admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const engine = new KafkaEngine({ brokers, clientId: `sharq-bench-consumer-${run}` });
  const seen = Array.from({ length: partitions }, () => new Uint8Array(N + 1));
  let got = 0;
  let redelivered = 0;
  let failed = 0;
  const limit = deadline('sharq consumer');
  try {
    const t0 = performance.now();
    const consumer = engine.createShareConsumer({ groupId: group, topics: [sharqTopic] });
    const acks: Promise<void>[] = [];
    const drain = (async () => {
      while (got < N) {
        const records = await consumer.poll({ maxRecords, maxWaitMs: 1000 });
        for (const r of records) {
          if (r.deliveryCount > 1) redelivered++;
          const bits = seen[r.partition]!;
          if (bits[r.offset] === 0) {
            bits[r.offset] = 1;
            got++;
          }
        }
        if (records.length > 0)
          acks.push(
            consumer
              .acknowledge(records.map((record) => ({ record, type: AckType.Accept })))
              .then((res) => {
                failed += res.failed.length;
              }),
          );
      }
      await Promise.all(acks);
    })();
    drain.catch(() => undefined); // after a timeout it fails on the closed consumer
    await Promise.race([drain, limit.promise]);
    const ms = performance.now() - t0;
    await consumer.close();
    const m: Measurement = { rate: N / (ms / 1000), ms, records: got, redelivered };
    if (failed > 0) m.note = `${failed} acks refused`;
    return m;
  } finally {
    limit.cancel();
    await engine.close();
  }
}

/** A sharq Worker with a no-op handler: counts jobs completed (ACCEPTed durably). */
async function sharqWorker(round: number): Promise<Measurement> {
  const group = `bench-sharq-worker-${run}-${round}`;
  const engine = new KafkaEngine({ brokers, clientId: `sharq-bench-worker-${run}` });
  let completed = 0;
  let redelivered = 0;
  let errors = 0;
  const limit = deadline('sharq Worker');
  const worker = new Worker(sharqTopic, () => undefined, {
    engine,
    group,
    concurrency,
    autorun: false,
  });
  try {
    await worker.waitUntilReady(); // topics and group configs; joining the group is timed
    let finished!: () => void;
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    worker.on('completed', (job) => {
      if (job.deliveryCount > 1) redelivered++;
      if (++completed === N) finished();
    });
    worker.on('error', () => {
      errors++;
    });
    const t0 = performance.now();
    void worker.run();
    await Promise.race([all, limit.promise]);
    const ms = performance.now() - t0;
    const m: Measurement = { rate: N / (ms / 1000), ms, records: completed, redelivered };
    if (errors > 0) m.note = `${errors} worker errors`;
    return m;
  } finally {
    limit.cancel();
    await worker.close();
    await engine.close();
  }
}

/** Kafka's ShareConsumerPerformance on the Java topic; its own figure, plus the process wall time. */
async function javaPerf(admin: KafkaEngine, round: number): Promise<Measurement> {
  const group = `bench-java-${run}-${round}`;
  await admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const args = [
    kafkaSh,
    'tool',
    'org.apache.kafka.tools.ShareConsumerPerformance',
    '--bootstrap-server',
    brokers.join(','),
    '--topic',
    javaTopic,
    '--group',
    group,
    '--num-records',
    String(N),
    '--timeout',
    String(timeoutMs),
  ];
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn('bash', args, {
      env: { ...process.env, KAFKA_TOOL_OPTS: javaOpts },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 30_000);
    child.once('error', reject);
    child.once('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: out, stderr: err });
    });
  });
  const wallMs = performance.now() - t0;
  // start.time, end.time, data.consumed.in.MB, MB.sec, nMsg.sec, data.consumed.in.nMsg, fetch.time.ms
  const row = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((c) => c.trim()))
    .find((cols) => cols.length === 7 && /^\d+$/.test(cols[5]!) && /^\d+$/.test(cols[6]!));
  if (code !== 0 || row === undefined) {
    throw new Error(`ShareConsumerPerformance failed (exit ${code}):\n${stdout}\n${stderr}`);
  }
  const records = Number(row[5]);
  const ms = Number(row[6]);
  const m: Measurement = { rate: records / (ms / 1000), ms, records, redelivered: 0 };
  m.note = `process wall ${Math.round(wallMs)} ms (JVM start included): ${Math.round(records / (wallMs / 1000)).toLocaleString('en-US')}/s`;
  if (/WARNING/.test(stdout))
    m.note += `; ${stdout.split('\n').find((l) => l.includes('WARNING'))}`;
  return m;
}

type Contender = 'consumer' | 'worker' | 'java';
const labels: Record<Contender, string> = {
  consumer: `sharq share consumer (poll ${maxRecords}, ACCEPT)`,
  worker: `sharq Worker (no-op, concurrency ${concurrency})`,
  java: 'Java ShareConsumerPerformance',
};

async function main(): Promise<void> {
  const admin = new KafkaEngine({ brokers, clientId: `sharq-bench-admin-${run}` });
  await admin.start();
  const results: Record<Contender, Measurement[]> = { consumer: [], worker: [], java: [] };
  const topics = [sharqTopic, javaTopic, `dlq.${sharqTopic}`];
  try {
    console.log(
      `sharq Kafka share-group bench: ${N.toLocaleString('en-US')} records, ${partitions} partition(s), ` +
        `brokers ${brokers.join(',')}, node ${process.version}, ${os.cpus().length} cpus, ` +
        `Java opts "${javaOpts}"`,
    );
    await admin.admin.createTopic(sharqTopic, { partitions });
    await admin.admin.createTopic(javaTopic, { partitions });
    const produced = await fill(admin);
    console.log(
      `filled ${sharqTopic} and ${javaTopic}: ${Math.round(produced).toLocaleString('en-US')} records/s produced (batches of ${produceBatch})`,
    );
    const order: Contender[] = (['consumer', 'worker', 'java'] as const).filter((c) => only.has(c));
    for (let round = 0; round < rounds; round++) {
      const thisRound = round % 2 === 0 ? order : [...order].reverse();
      for (const c of thisRound) {
        const m =
          c === 'consumer'
            ? await sharqConsumer(admin, round)
            : c === 'worker'
              ? await sharqWorker(round)
              : await javaPerf(admin, round);
        results[c].push(m);
        console.log(
          `  round ${round + 1} ${labels[c].padEnd(46)} ${fmt(m.rate)} records/s ` +
            `(${m.records} in ${Math.round(m.ms)} ms${m.redelivered > 0 ? `, ${m.redelivered} redelivered` : ''})` +
            (m.note === undefined ? '' : ` ${m.note}`),
        );
      }
    }
  } finally {
    for (const t of topics) await admin.admin.deleteTopic(t).catch(() => undefined);
    await admin.close();
  }

  const best = (c: Contender) => Math.max(...results[c].map((m) => m.rate));
  const java = results.java.length > 0 ? best('java') : Number.NaN;
  console.log('');
  console.log(
    `${'contender'.padEnd(48)}${'best rec/s'.padStart(12)}  ${'all rounds'.padEnd(30)}${'vs Java'.padStart(8)}`,
  );
  for (const c of ['consumer', 'worker', 'java'] as const) {
    if (results[c].length === 0) continue;
    const b = best(c);
    console.log(
      `${labels[c].padEnd(48)}${fmt(b).padStart(12)}  ${results[c]
        .map((m) => fmt(m.rate).trim())
        .join(' / ')
        .padEnd(30)}${(Number.isNaN(java) ? '-' : (b / java).toFixed(2)).padStart(8)}`,
    );
  }
  console.log(
    `best of ${rounds} round(s), order alternating; each from consumer creation (group join included) to the last record`,
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US').padStart(10);
}

await main();
