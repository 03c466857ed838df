/**
 * Share-group consumption on a real Kafka broker: sharq against Kafka's own Java client and
 * against @kafkats/client, the Node.js share consumer; then a fleet of worker processes on one
 * partition.
 *
 * Part 1. Identical topics, one per contender, are filled with the same N small sharq jobs in
 * the same producer batches. In each round every contender drains its topic through a fresh
 * share group:
 *   - sharq consumer: engine.createShareConsumer, poll(maxRecords) and ACCEPT each batch (the
 *     acks ride on the next ShareFetch, as the Java client's implicit acknowledgement does);
 *   - sharq Worker: its defaults, a no-op handler at `--concurrency` (every job ACCEPTed
 *     durably, counted on `completed`);
 *   - @kafkats/client: shareConsumer({ maxRecords }).runEach at the same concurrency, a no-op
 *     handler awaiting message.ack();
 *   - Java: org.apache.kafka.tools.ShareConsumerPerformance (KafkaShareConsumer, implicit acks),
 *     with normal JIT flags (scripts/kafka.sh tool defaults to C1 only).
 * Every figure counts from creating the consumer (joining the group included: about a second
 * on a 4.4 broker, the same for all) to the last record; the Java tool's own figure leaves out
 * its final commitSync and its JVM start. Rounds alternate the order, since machines here are
 * noisy: compare ratios, not absolutes.
 *
 * Part 2 (bench/kafka-fleet.ts). `--fleet-jobs` jobs of `--job-ms` on a 1-partition topic,
 * drained by 1, 2, 4 and 8 worker processes of `--fleet-concurrency` each: jobs/s and scaling.
 *
 *   npm run bench:kafka                              # 100,000 records, 2 rounds; fleet 1,2,4,8
 *   npm run bench:kafka -- --records 200000 --partitions 2 --rounds 3 --fleet 1,2,4,8,16
 *   npm run bench:kafka -- --only worker,kafkats --no-fleet --cpu-prof /tmp/prof
 *   KAFKA_BROKERS=host:9092 npm run bench:kafka
 *
 * Without KAFKA_BROKERS and with nothing on 127.0.0.1:9092 it starts a broker with
 * scripts/kafka.sh (Java 17+ and Maven needed the first time) and stops it at the end unless
 * `--keep-broker`.
 *
 * Keep --concurrency below the broker's group.share.partition.max.record.locks (2000 by
 * default): a Worker holding every lock of a partition cannot get more until it acks.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProduceRecord } from '../src/engine/types.js';
import { encodeJob } from '../src/job/envelope.js';
import { KafkaEngine } from '../src/kafka/kafka-engine.js';
import { defaultDeadLetterTopic, delayTierTopics } from '../src/queue/names.js';
import { fmt, ratio } from './format.js';
import { benchBroker } from './kafka-broker.js';
import {
  afterJoin,
  type BenchContext,
  javaPerf,
  kafkats,
  type Measurement,
  sharqConsumer,
  sharqWorker,
} from './kafka-contenders.js';
import { type FleetMeasurement, fleetRun } from './kafka-fleet.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    partitions: { type: 'string', default: '1' },
    'produce-batch': { type: 'string', default: '1000' },
    'max-records': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'timeout-ms': { type: 'string', default: '60000' },
    /** Comma-separated subset of consumer,worker,kafkats,java. */
    only: { type: 'string', default: 'consumer,worker,kafkats,java' },
    fleet: { type: 'string', default: '1,2,4,8' },
    'no-fleet': { type: 'boolean', default: false },
    'fleet-jobs': { type: 'string', default: '20000' },
    'fleet-concurrency': { type: 'string', default: '16' },
    'job-ms': { type: 'string', default: '10' },
    /** Write a CPU profile of each in-process contender run (and each fleet process) here. */
    'cpu-prof': { type: 'string' },
    'keep-broker': { type: 'boolean', default: false },
  },
});
const N = Number(values.records);
const partitions = Number(values.partitions);
const produceBatch = Number(values['produce-batch']);
const maxRecords = Number(values['max-records']);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const timeoutMs = Number(values['timeout-ms']);
const fleetSizes = values['no-fleet'] ? [] : values.fleet.split(',').filter(Boolean).map(Number);
const fleetJobs = Number(values['fleet-jobs']);
const fleetConcurrency = Number(values['fleet-concurrency']);
const jobMs = Number(values['job-ms']);
const cpuProfDir = values['cpu-prof'] === undefined ? undefined : path.resolve(values['cpu-prof']);
/** Normal JIT and GC for the Java side unless the caller says otherwise. */
const javaOpts = process.env.KAFKA_TOOL_OPTS ?? '-Xms512m -Xmx1g -XX:+UseG1GC';

const contenders = ['consumer', 'worker', 'kafkats', 'java'] as const;
type Contender = (typeof contenders)[number];
const only = new Set(values.only.split(','));
const chosen = contenders.filter((c) => only.has(c));
const labels: Record<Contender, string> = {
  consumer: `sharq share consumer (poll ${maxRecords}, ACCEPT)`,
  worker: `sharq Worker (no-op, concurrency ${concurrency})`,
  kafkats: `@kafkats/client runEach (concurrency ${concurrency})`,
  java: 'Java ShareConsumerPerformance',
};
const measure = { consumer: sharqConsumer, worker: sharqWorker, kafkats, java: javaPerf };

const run = randomUUID().slice(0, 8);
const topicOf = (c: Contender) => `bench-${c}-${run}`;

/** The same N jobs, in the same batches, to every contender's topic. */
async function fill(engine: KafkaEngine): Promise<number> {
  const t0 = performance.now();
  for (let n = 0; n < N; n += produceBatch) {
    const batch: ProduceRecord[] = [];
    for (let i = n; i < Math.min(N, n + produceBatch); i++) {
      const { record } = encodeJob({ name: 'bench', data: { n: i } });
      record.partition = i % partitions;
      batch.push(record);
    }
    await Promise.all(chosen.map((c) => engine.produce(topicOf(c), batch)));
  }
  return (chosen.length * N) / ((performance.now() - t0) / 1000);
}

/** Runs `fn` under the V8 profiler when --cpu-prof is given (the fill and setup stay out). */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (cpuProfDir === undefined) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(path.join(cpuProfDir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function contendersPart(ctx: BenchContext): Promise<Record<Contender, Measurement[]>> {
  const results: Record<Contender, Measurement[]> = {
    consumer: [],
    worker: [],
    kafkats: [],
    java: [],
  };
  if (chosen.length === 0) return results;
  const admin = ctx.admin;
  for (const c of chosen) await admin.admin.createTopic(topicOf(c), { partitions });
  const produced = await fill(admin);
  console.log(
    `filled ${chosen.length} topics (bench-<contender>-${run}) with ${N.toLocaleString('en-US')} records each: ` +
      `${Math.round(produced).toLocaleString('en-US')} records/s produced (batches of ${produceBatch})`,
  );
  for (let round = 0; round < rounds; round++) {
    const thisRound = round % 2 === 0 ? chosen : [...chosen].reverse();
    for (const c of thisRound) {
      const m =
        c === 'java'
          ? await measure[c](ctx, topicOf(c), round)
          : await profiled(`${c}-round${round + 1}`, () => measure[c](ctx, topicOf(c), round));
      results[c].push(m);
      const first = m.firstMs === undefined ? '' : `, first after ${Math.round(m.firstMs)} ms`;
      console.log(
        `  round ${round + 1} ${labels[c].padEnd(48)} ${fmt(m.rate)} records/s ` +
          `(${m.records} in ${Math.round(m.ms)} ms${first}${m.redelivered > 0 ? `, ${m.redelivered} redelivered` : ''})` +
          (m.note === undefined ? '' : ` ${m.note}`),
      );
    }
  }
  return results;
}

function printContenders(results: Record<Contender, Measurement[]>): void {
  if (chosen.length === 0) return;
  const best = (c: Contender) =>
    results[c].length === 0 ? Number.NaN : Math.max(...results[c].map((m) => m.rate));
  const java = best('java');
  const peer = best('kafkats');
  console.log('');
  const bestAfterJoin = (c: Contender) => Math.max(...results[c].map(afterJoin));
  console.log(
    `${'contender'.padEnd(50)}${'best rec/s'.padStart(12)}  ${'all rounds'.padEnd(26)}` +
      `${'vs Java'.padStart(8)}${'vs @kafkats'.padStart(12)}${'after join'.padStart(12)}`,
  );
  for (const c of chosen) {
    const b = best(c);
    const steady = bestAfterJoin(c);
    console.log(
      `${labels[c].padEnd(50)}${fmt(b).padStart(12)}  ${results[c]
        .map((m) => fmt(m.rate).trim())
        .join(' / ')
        .padEnd(26)}${ratio(b, java).padStart(8)}${ratio(b, peer).padStart(12)}` +
        `${(Number.isNaN(steady) ? '-' : fmt(steady).trim()).padStart(12)}`,
    );
  }
  const worker = best('worker');
  console.log(
    `Worker / Java ${ratio(worker, java)}, Worker / @kafkats at concurrency ${concurrency} ${ratio(worker, peer)} ` +
      `(best of ${rounds} round(s), order alternating; each from consumer creation, group join included, to the last record)`,
  );
  console.log(
    "after join: records/s from a contender's first record to its last (the broker hands out the partition about a second after a join, the same for every contender; unknown for the Java tool)",
  );
}

async function fleetPart(ctx: BenchContext): Promise<FleetMeasurement[]> {
  if (fleetSizes.length === 0) return [];
  console.log('');
  console.log(
    `fleet: ${fleetJobs.toLocaleString('en-US')} jobs of ${jobMs} ms on a 1-partition topic, ` +
      `worker processes of concurrency ${fleetConcurrency} (from the first produce to the last completion)`,
  );
  const out: FleetMeasurement[] = [];
  for (const processes of fleetSizes) {
    const m = await fleetRun(
      {
        brokers: ctx.brokers,
        run,
        jobs: fleetJobs,
        jobMs,
        concurrency: fleetConcurrency,
        timeoutMs,
        cpuProfDir,
      },
      processes,
    );
    out.push(m);
    const extra = [
      m.duplicates > 0 ? `${m.duplicates} completed twice` : '',
      m.redelivered > 0 ? `${m.redelivered} redelivered` : '',
      m.errors > 0 ? `${m.errors} worker errors` : '',
    ].filter(Boolean);
    console.log(
      `  ${String(processes).padStart(2)} process(es) ${fmt(m.rate)} jobs/s (${m.completed} in ${Math.round(m.ms)} ms; ` +
        `per process ${m.perProcess.join('/')})${extra.length > 0 ? ` ${extra.join(', ')}` : ''}`,
    );
  }
  const one = out.find((m) => m.processes === 1)?.rate ?? out[0]!.rate;
  console.log('');
  console.log(
    `${'processes'.padEnd(10)}${'jobs/s'.padStart(10)}${'vs 1 process'.padStart(14)}` +
      `${'ceiling jobs/s'.padStart(16)}${'of ceiling'.padStart(12)}`,
  );
  for (const m of out) {
    const ceiling = (m.processes * fleetConcurrency * 1000) / jobMs;
    console.log(
      `${String(m.processes).padEnd(10)}${fmt(m.rate)}${ratio(m.rate, one).padStart(14)}` +
        `${fmt(ceiling).padStart(16)}${`${Math.round((100 * m.rate) / ceiling)} %`.padStart(12)}`,
    );
  }
  console.log(
    `ceiling: processes × concurrency ${fleetConcurrency} / ${jobMs} ms, if no time went to fetching and acknowledging`,
  );
  return out;
}

async function main(): Promise<void> {
  const broker = await benchBroker({ keep: values['keep-broker'] });
  const brokers = broker.brokers;
  if (cpuProfDir !== undefined) mkdirSync(cpuProfDir, { recursive: true });
  const admin = new KafkaEngine({ brokers, clientId: `sharq-bench-admin-${run}` });
  const ctx: BenchContext = {
    brokers,
    run,
    records: N,
    partitions,
    maxRecords,
    concurrency,
    timeoutMs,
    javaOpts,
    admin,
  };
  try {
    await admin.start();
    console.log(
      `sharq Kafka share-group bench: ${N.toLocaleString('en-US')} records, ${partitions} partition(s), ` +
        `brokers ${brokers.join(',')} (${broker.origin}), node ${process.version}, ${os.cpus().length} cpus, ` +
        `load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}, Java opts "${javaOpts}"`,
    );
    try {
      printContenders(await contendersPart(ctx));
    } finally {
      for (const c of chosen) {
        const t = topicOf(c);
        for (const name of [t, defaultDeadLetterTopic(t), ...delayTierTopics(t)])
          await admin.admin.deleteTopic(name).catch(() => undefined);
      }
    }
    await fleetPart(ctx);
    if (cpuProfDir !== undefined) console.log(`CPU profiles in ${cpuProfDir}`);
  } finally {
    await admin.close();
    await broker.release();
  }
}

await main();
