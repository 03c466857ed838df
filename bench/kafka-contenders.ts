/**
 * The contenders of bench/kafka-share.ts: each drains the N records of its own topic through a
 * fresh share group and returns records/s from creating its consumer (the group join included)
 * to its last record.
 */
import { spawn } from 'node:child_process';
import { KafkaClient } from '@kafkats/client';
import { AckType } from '../src/engine/types.js';
import { KafkaEngine } from '../src/kafka/kafka-engine.js';
import { Worker } from '../workers/worker.js';
import { kafkaSh } from './kafka-broker.js';

export interface BenchContext {
  brokers: string[];
  run: string;
  records: number;
  partitions: number;
  maxRecords: number;
  concurrency: number;
  timeoutMs: number;
  javaOpts: string;
  admin: KafkaEngine;
}

export interface Measurement {
  /** records/s over the timed span. */
  rate: number;
  ms: number;
  records: number;
  /** Deliveries with a delivery count above 1 (lock expiries). */
  redelivered: number;
  /** ms from the start to the first record (the group join, mostly); unknown for Java. */
  firstMs?: number;
  note?: string;
}

/** records/s after the first record: the client's own pace, without the join. */
export function afterJoin(m: Measurement): number {
  return m.firstMs === undefined || m.ms <= m.firstMs
    ? Number.NaN
    : (m.records - 1) / ((m.ms - m.firstMs) / 1000);
}

function deadline(what: string, timeoutMs: number): { promise: Promise<never>; cancel(): void } {
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
export async function sharqConsumer(
  c: BenchContext,
  topic: string,
  round: number,
): Promise<Measurement> {
  const N = c.records;
  const group = `bench-sharq-consumer-${c.run}-${round}`;
  await c.admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const engine = new KafkaEngine({ brokers: c.brokers, clientId: `sharq-bench-consumer-${c.run}` });
  const seen = Array.from({ length: c.partitions }, () => new Uint8Array(N + 1));
  let got = 0;
  let redelivered = 0;
  let failed = 0;
  let firstAt = 0;
  const limit = deadline('sharq consumer', c.timeoutMs);
  try {
    const t0 = performance.now();
    const consumer = engine.createShareConsumer({ groupId: group, topics: [topic] });
    const acks: Promise<void>[] = [];
    const drain = (async () => {
      while (got < N) {
        const records = await consumer.poll({ maxRecords: c.maxRecords, maxWaitMs: 1000 });
        if (records.length > 0 && firstAt === 0) firstAt = performance.now();
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
    const m: Measurement = {
      rate: N / (ms / 1000),
      ms,
      records: got,
      redelivered,
      firstMs: firstAt - t0,
    };
    if (failed > 0) m.note = `${failed} acks refused`;
    return m;
  } finally {
    limit.cancel();
    await engine.close();
  }
}

/** A sharq Worker with its defaults and a no-op handler: counts jobs completed (ACCEPTed durably). */
export async function sharqWorker(
  c: BenchContext,
  topic: string,
  round: number,
): Promise<Measurement> {
  const N = c.records;
  const group = `bench-sharq-worker-${c.run}-${round}`;
  const engine = new KafkaEngine({ brokers: c.brokers, clientId: `sharq-bench-worker-${c.run}` });
  let completed = 0;
  let redelivered = 0;
  let errors = 0;
  let firstAt = 0;
  const limit = deadline('sharq Worker', c.timeoutMs);
  const worker = new Worker(topic, () => undefined, {
    engine,
    group,
    concurrency: c.concurrency,
    autorun: false,
  });
  try {
    await worker.waitUntilReady(); // topics and group configs; joining the group is timed
    let finished!: () => void;
    const all = new Promise<void>((resolve) => {
      finished = resolve;
    });
    worker.on('completed', (job) => {
      if (completed === 0) firstAt = performance.now();
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
    const m: Measurement = {
      rate: N / (ms / 1000),
      ms,
      records: completed,
      redelivered,
      firstMs: firstAt - t0,
    };
    if (errors > 0) m.note = `${errors} worker errors`;
    return m;
  } finally {
    limit.cancel();
    await worker.close();
    await engine.close();
  }
}

/**
 * @kafkats/client's share consumer, the Node.js peer: runEach at the Worker's concurrency with a
 * handler that acks (message.ack() resolves once its ShareAcknowledge is answered, which is when
 * it counts), maxRecords as the sharq consumer polls, its default batch_optimized acquire mode.
 */
export async function kafkats(c: BenchContext, topic: string, round: number): Promise<Measurement> {
  const N = c.records;
  const group = `bench-kafkats-${c.run}-${round}`;
  await c.admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const client = new KafkaClient({
    brokers: c.brokers,
    clientId: `kafkats-bench-${c.run}`,
    logLevel: 'silent',
  });
  let acked = 0;
  let redelivered = 0;
  let errors = 0;
  let firstAt = 0;
  const limit = deadline('@kafkats/client', c.timeoutMs);
  let finished!: () => void;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  await client.connect(); // as the Worker's setup, left out; joining the group is timed
  const t0 = performance.now();
  const consumer = client.shareConsumer({
    groupId: group,
    maxRecords: c.maxRecords,
    acquireMode: 'batch_optimized',
  });
  consumer.on('error', () => {
    errors++;
  });
  try {
    const running = consumer.runEach(
      topic,
      async (message) => {
        if ((message.deliveryCount ?? 1) > 1) redelivered++;
        await message.ack();
        if (acked === 0) firstAt = performance.now();
        if (++acked === N) finished();
      },
      { concurrency: c.concurrency },
    );
    const stoppedEarly = running.then(() => {
      throw new Error(`@kafkats/client runEach returned after ${acked} of ${N} records`);
    });
    stoppedEarly.catch(() => undefined);
    await Promise.race([all, limit.promise, stoppedEarly]);
    const ms = performance.now() - t0;
    const m: Measurement = {
      rate: N / (ms / 1000),
      ms,
      records: acked,
      redelivered,
      firstMs: firstAt - t0,
    };
    if (errors > 0) m.note = `${errors} consumer errors`;
    return m;
  } finally {
    limit.cancel();
    await consumer.stop();
    await client.disconnect();
  }
}

/** Kafka's ShareConsumerPerformance; its own figure, plus the process wall time. */
export async function javaPerf(
  c: BenchContext,
  topic: string,
  round: number,
): Promise<Measurement> {
  const group = `bench-java-${c.run}-${round}`;
  await c.admin.admin.configureGroup(group, { autoOffsetReset: 'earliest' });
  const args = [
    kafkaSh,
    'tool',
    'org.apache.kafka.tools.ShareConsumerPerformance',
    '--bootstrap-server',
    c.brokers.join(','),
    '--topic',
    topic,
    '--group',
    group,
    '--num-records',
    String(c.records),
    '--timeout',
    String(c.timeoutMs),
  ];
  const t0 = performance.now();
  const { code, stdout, stderr } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const child = spawn('bash', args, {
      env: { ...process.env, KAFKA_TOOL_OPTS: c.javaOpts },
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
    const timer = setTimeout(() => child.kill('SIGKILL'), c.timeoutMs + 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: out, stderr: err });
    });
  });
  const wallMs = performance.now() - t0;
  // start.time, end.time, data.consumed.in.MB, MB.sec, nMsg.sec, data.consumed.in.nMsg, fetch.time.ms
  const row = stdout
    .trim()
    .split('\n')
    .map((l) => l.split(',').map((col) => col.trim()))
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
