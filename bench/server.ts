/**
 * `sharq server` against the real Kafka broker and the in-process embedded engine, in one run on
 * one machine. The target: through the server at least as fast as through Kafka.
 *
 * Contenders:
 *   - server:     a `sharq server` process (the built CLI, its defaults: fsync "always", so a
 *                 produce is answered once on disk) on a fresh data directory, reached with the
 *                 Kafka engine, as a web app and `sharq worker` processes reach it;
 *   - Kafka:      the local Kafka broker (bench/kafka-broker.ts: KAFKA_BROKERS, or the one on
 *                 127.0.0.1:9092, started with scripts/kafka.sh when none runs), the same client
 *                 code; a produce is answered once in the page cache (acks=all on one broker);
 *   - Kafka fsync: the same broker, the queue's topic created with `flush.messages=1`, so Kafka
 *                 fsyncs the log after every append before it answers: the durability of the
 *                 server's default, for the enqueue workloads (a job's processing also writes
 *                 Kafka's share-group state, which that topic config does not reach);
 *   - in-process: the embedded engine in this process with its defaults (fsync "always").
 *
 * Workloads, each on a fresh queue:
 *   - enqueue with Queue.addBulk in batches of `--batch`, and with Queue.add from `--adders`
 *     concurrent callers (each add resolves once its job is durable);
 *   - process `--jobs` no-op jobs with 1 and 4 worker processes (`--fleet`) of `--concurrency`
 *     each on a 1-partition queue: bench/kafka-fleet.ts forks bench/kafka-fleet-child.ts for the
 *     server and Kafka; in-process, as many Workers in this process on one engine. Timed from
 *     the first produce (the workers joined and polling) to the last completion.
 * With `--baseline-server <dist/src/cli/main.js of another build>` a second server process of
 * that build runs as one more contender ("baseline"), for an optimisation's before and after in
 * one run; its column shows new/baseline. `--baseline-args "--fsync interval"` gives the
 * baseline server flags (alone, of this build): the default's durability against Kafka's.
 * Contenders alternate within a round and the order flips every round, since other work shares
 * this machine; the table shows the best round of each. Compare ratios, not absolutes.
 *
 *   npm run bench:server
 *   npm run bench:server -- --jobs 50000 --rounds 3 --fleet 1,2,4
 *   npm run bench:server -- --only server,kafka --server-cpu-prof /tmp/prof   # profile the server
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ProduceRecord } from '../src/engine/types.js';
import { createEngine, EmbeddedEngine, type Engine, Queue, Worker } from '../src/index.js';
import { encodeJob } from '../src/job/envelope.js';
import type { KafkaEngine } from '../src/kafka/kafka-engine.js';
import type { EngineOptions } from '../src/options/engine-options.js';
import { defaultDeadLetterTopic, delayTierTopics } from '../src/queue/names.js';
import { fmt, ratio } from './format.js';
import { benchBroker } from './kafka-broker.js';
import { fleetRun } from './kafka-fleet.js';
import { processCpuMs } from './proc-cpu.js';
import { type ServerProcess, startServerProcess } from './server-process.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    'enqueue-jobs': { type: 'string', default: '20000' },
    batch: { type: 'string', default: '1000' },
    adders: { type: 'string', default: '64' },
    adds: { type: 'string', default: '5000' },
    fleet: { type: 'string', default: '1,4' },
    concurrency: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    /** Comma-separated subset of server,kafka,kafkafsync,inprocess. */
    only: { type: 'string', default: 'server,kafka,kafkafsync,inprocess' },
    /** Comma-separated subset of bulk,add,process. */
    workloads: { type: 'string', default: 'bulk,add,process' },
    'timeout-ms': { type: 'string', default: '120000' },
    /** Another build's CLI (…/dist/src/cli/main.js): its server runs as contender "baseline". */
    'baseline-server': { type: 'string' },
    /** Flags for the baseline server (say `--fsync interval`); with them alone, baseline is this build. */
    'baseline-args': { type: 'string' },
    /** Write a CPU profile of the sharq server process here (written when it stops). */
    'server-cpu-prof': { type: 'string' },
    'keep-broker': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const enqueueJobs = Number(values['enqueue-jobs']);
const batch = Number(values.batch);
const adders = Number(values.adders);
const adds = Number(values.adds);
const fleetSizes = values.fleet.split(',').filter(Boolean).map(Number);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const timeoutMs = Number(values['timeout-ms']);
const serverCpuProf =
  values['server-cpu-prof'] === undefined ? undefined : path.resolve(values['server-cpu-prof']);

const contenders = ['server', 'baseline', 'kafka', 'kafkafsync', 'inprocess'] as const;
type Contender = (typeof contenders)[number];
type OverTheWire = Exclude<Contender, 'inprocess'>;
const baselineArgs = values['baseline-args']?.split(/\s+/).filter((a) => a.length > 0) ?? [];
const baselineMain =
  values['baseline-server'] !== undefined ? path.resolve(values['baseline-server']) : undefined;
/** A baseline server: another build's, or this build's with other flags. */
const withBaseline = baselineMain !== undefined || baselineArgs.length > 0;
const chosen = contenders.filter((c) =>
  c === 'baseline' ? withBaseline : values.only.split(',').includes(c),
);
const header: Record<Contender, string> = {
  server: 'server',
  baseline: 'baseline',
  kafka: 'Kafka',
  kafkafsync: 'Kafka fsync',
  inprocess: 'in-process',
};
/** Kafka's topic config for an fsync after every append (log.flush.interval.messages per topic). */
const FSYNC_EACH_APPEND = { 'flush.messages': '1' };

type Workload =
  | { kind: 'bulk'; label: string }
  | { kind: 'add'; label: string }
  | { kind: 'process'; label: string; processes: number };
const wanted = new Set(values.workloads.split(','));
const workloads: Workload[] = [
  ...(wanted.has('bulk')
    ? [{ kind: 'bulk', label: `enqueue, addBulk (${batch}/call)` } as const]
    : []),
  ...(wanted.has('add')
    ? [{ kind: 'add', label: `enqueue, add() x ${adders} callers` } as const]
    : []),
  ...(wanted.has('process')
    ? fleetSizes.map(
        (processes) =>
          ({
            kind: 'process',
            label: `process no-op, ${processes} worker process${processes === 1 ? '' : 'es'}`,
            processes,
          }) as const,
      )
    : []),
];

const run = randomUUID().slice(0, 8);
let queues = 0;
const freshQueue = (c: Contender) => `bench-server-${c}-${run}-${++queues}`;

type Data = { n: number };
const bulkJobs = (from: number, total: number) =>
  Array.from({ length: Math.min(batch, total - from) }, (_, i) => ({
    name: 'noop',
    data: { n: from + i },
  }));

/** Start and end of a timed span, for the broker's CPU time over it. */
type Span = { start(): void; end(): void };

async function timed(fn: () => Promise<void>, count: number, span?: Span): Promise<number> {
  span?.start();
  const t0 = performance.now();
  await fn();
  const secs = (performance.now() - t0) / 1000;
  span?.end();
  return count / secs;
}

/** The two enqueue workloads through one queue; jobs/s. */
async function enqueue(queue: Queue<Data>, kind: 'bulk' | 'add', span?: Span): Promise<number> {
  await queue.ensureTopic();
  if (kind === 'bulk') {
    return timed(
      async () => {
        for (let n = 0; n < enqueueJobs; n += batch) await queue.addBulk(bulkJobs(n, enqueueJobs));
      },
      enqueueJobs,
      span,
    );
  }
  let next = 0;
  return timed(
    async () => {
      await Promise.all(
        Array.from({ length: adders }, async () => {
          while (next < adds) await queue.add('noop', { n: next++ });
        }),
      );
    },
    adds,
    span,
  );
}

/**
 * Deletes the topics a queue made on a Kafka-protocol broker (the server or Kafka); only those
 * that exist, since kafkajs retries the deletion of a missing topic for seconds.
 */
async function dropTopics(queue: Queue<Data>): Promise<void> {
  const mine = new Set([
    queue.name,
    defaultDeadLetterTopic(queue.name),
    ...delayTierTopics(queue.name),
  ]);
  for (const t of await queue.engine.admin.listTopics())
    if (mine.has(t.name)) await queue.engine.admin.deleteTopic(t.name).catch(() => undefined);
}

/**
 * `processes` Workers in this process on one embedded engine, each at `concurrency`, on a
 * 1-partition queue: ready first, then the jobs produced in batches of 1000 as the fleet bench
 * does; jobs/s from the first produce to the last completion.
 */
async function inProcessFleet(engine: Engine, processes: number): Promise<number> {
  const queue = freshQueue('inprocess');
  await engine.admin.createTopic(queue, { partitions: 1 });
  let completed = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => {
    finished = resolve;
  });
  const workers = Array.from({ length: processes }, () => {
    const w = new Worker<Data>(queue, () => undefined, { engine, concurrency, autorun: false });
    w.on('completed', () => {
      if (++completed === jobs) finished();
    });
    return w;
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    for (const w of workers) void w.run();
    const t0 = performance.now();
    for (let n = 0; n < jobs; n += 1000) {
      const records: ProduceRecord[] = [];
      for (let i = n; i < Math.min(jobs, n + 1000); i++)
        records.push(encodeJob({ name: 'fleet', data: { n: i } }).record);
      await engine.produce(queue, records);
    }
    await Promise.race([
      all,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`in-process: ${completed}/${jobs} done after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return jobs / ((performance.now() - t0) / 1000);
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((w) => w.close()));
  }
}

interface Brokers {
  brokers: string[];
  /** The broker's process, for its CPU time; undefined when unknown (a remote Kafka). */
  pid: number | undefined;
}

interface Result {
  rate: number;
  /** The broker process's CPU ms per 1000 jobs over the timed span (server and Kafka). */
  cpuPer1k: number | undefined;
}

async function measure(
  c: Contender,
  w: Workload,
  brokersOf: Record<OverTheWire, Brokers>,
): Promise<Result> {
  if (c === 'inprocess') return { rate: await inProcess(w), cpuPer1k: undefined };
  const { brokers, pid } = brokersOf[c];
  let cpu0: number | undefined;
  let cpu: number | undefined;
  const span: Span = {
    start: () => {
      cpu0 = processCpuMs(pid);
    },
    end: () => {
      const cpu1 = processCpuMs(pid);
      cpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    },
  };
  const count = w.kind === 'process' ? jobs : w.kind === 'bulk' ? enqueueJobs : adds;
  const rate = await overKafkaProtocol(c, w, brokers, span);
  return { rate, cpuPer1k: cpu === undefined ? undefined : (cpu * 1000) / count };
}

/** A workload on a fresh embedded engine in this process; jobs/s. */
async function inProcess(w: Workload): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-inprocess-'));
  const engine = new EmbeddedEngine({ dataDir: dir });
  try {
    if (w.kind === 'process') return await inProcessFleet(engine, w.processes);
    const queue = new Queue<Data>(freshQueue('inprocess'), { engine });
    try {
      return await enqueue(queue, w.kind);
    } finally {
      await queue.close();
    }
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A workload through the server or Kafka (the Kafka engine); jobs/s. */
async function overKafkaProtocol(
  c: OverTheWire,
  w: Workload,
  brokers: string[],
  span: Span,
): Promise<number> {
  if (w.kind === 'process') {
    const m = await fleetRun(
      {
        brokers,
        run: `${run}-${c}-${++queues}`,
        jobs,
        jobMs: 0,
        concurrency,
        timeoutMs,
        cpuProfDir: undefined,
        span,
      },
      w.processes,
    );
    if (m.duplicates > 0 || m.errors > 0)
      console.warn(`  ${c} ${w.label}: ${m.duplicates} completed twice, ${m.errors} errors`);
    return m.rate;
  }
  const options: EngineOptions = { type: 'kafka', brokers, clientId: `sharq-bench-${c}` };
  const engine = createEngine(options) as KafkaEngine;
  const name = freshQueue(c);
  if (c === 'kafkafsync') {
    await engine.ready();
    await engine.kafkajs.createTopic(name, 1, FSYNC_EACH_APPEND);
  }
  const queue = new Queue<Data>(name, { engine, partitions: 1 });
  try {
    return await enqueue(queue, w.kind, span);
  } finally {
    await dropTopics(queue);
    await queue.close();
    await engine.close();
  }
}

async function main(): Promise<void> {
  if (serverCpuProf !== undefined) mkdirSync(serverCpuProf, { recursive: true });
  const broker =
    chosen.includes('kafka') || chosen.includes('kafkafsync')
      ? await benchBroker({ keep: values['keep-broker'] })
      : undefined;
  let server: ServerProcess | undefined;
  let baseline: ServerProcess | undefined;
  try {
    if (chosen.includes('server'))
      server = await startServerProcess({
        cpuProfDir: serverCpuProf,
        profileName: `server-${run}.cpuprofile`,
      });
    if (withBaseline)
      baseline = await startServerProcess({ main: baselineMain, args: baselineArgs });
    const brokersOf = {
      server: { brokers: server?.brokers ?? [], pid: server?.pid },
      baseline: { brokers: baseline?.brokers ?? [], pid: baseline?.pid },
      kafka: { brokers: broker?.brokers ?? [], pid: broker?.pid },
      kafkafsync: { brokers: broker?.brokers ?? [], pid: broker?.pid },
    };
    console.log(
      `sharq server vs Kafka vs in-process: ${jobs.toLocaleString('en-US')} no-op jobs per processing run ` +
        `(worker processes of concurrency ${concurrency}, 1 partition), ${enqueueJobs.toLocaleString('en-US')} per addBulk run, ` +
        `${adds.toLocaleString('en-US')} per add() run; ${rounds} rounds; ` +
        `server ${server?.brokers.join(',') ?? '-'} (pid ${server?.pid ?? '-'}), ` +
        `Kafka ${broker?.brokers.join(',') ?? '-'} (${broker?.origin ?? '-'}, pid ${broker?.pid ?? '-'}); ` +
        `node ${process.version}, ${os.cpus().length} cpus, load ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    const results = new Map<string, Record<Contender, Result[]>>();
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? chosen : [...chosen].reverse();
      for (const w of workloads) {
        const row = results.get(w.label) ?? {
          server: [],
          baseline: [],
          kafka: [],
          kafkafsync: [],
          inprocess: [],
        };
        for (const c of order) {
          if (c === 'kafkafsync' && w.kind === 'process') continue;
          const r = await measure(c, w, brokersOf);
          row[c].push(r);
          const cpu =
            r.cpuPer1k === undefined
              ? ''
              : `, broker CPU ${r.cpuPer1k.toFixed(1)} ms per 1000 jobs`;
          console.log(
            `  round ${round + 1} ${w.label.padEnd(36)} ${header[c].padEnd(11)} ${fmt(r.rate)} jobs/s${cpu}`,
          );
        }
        results.set(w.label, row);
      }
    }
    const best = (rs: Result[]) =>
      rs.length === 0 ? Number.NaN : Math.max(...rs.map((r) => r.rate));
    const leastCpu = (rs: Result[]) => {
      const cpus = rs.flatMap((r) => (r.cpuPer1k === undefined ? [] : [r.cpuPer1k]));
      return cpus.length === 0 ? Number.NaN : Math.min(...cpus);
    };
    const cpuCell = (n: number) => (Number.isNaN(n) ? '-' : n.toFixed(1));
    console.log('');
    console.log(
      [
        'workload (jobs/s, best round)'.padEnd(38),
        ...chosen.map((c) => header[c].padStart(13)),
        'server/Kafka'.padStart(14),
        ...(chosen.includes('kafkafsync') ? ['server/Kafka fsync'.padStart(20)] : []),
        'server/in-process'.padStart(19),
        ...(baseline === undefined ? [] : ['server/baseline'.padStart(17)]),
        'CPU ms/1k jobs: server'.padStart(24),
        ...(baseline === undefined ? [] : ['baseline'.padStart(10)]),
        'Kafka'.padStart(7),
      ].join(''),
    );
    for (const w of workloads) {
      const row = results.get(w.label)!;
      console.log(
        [
          w.label.padEnd(38),
          ...chosen.map((c) => fmt(best(row[c])).padStart(13)),
          ratio(best(row.server), best(row.kafka)).padStart(14),
          ...(chosen.includes('kafkafsync')
            ? [ratio(best(row.server), best(row.kafkafsync)).padStart(20)]
            : []),
          ratio(best(row.server), best(row.inprocess)).padStart(19),
          ...(baseline === undefined
            ? []
            : [ratio(best(row.server), best(row.baseline)).padStart(17)]),
          cpuCell(leastCpu(row.server)).padStart(24),
          ...(baseline === undefined ? [] : [cpuCell(leastCpu(row.baseline)).padStart(10)]),
          cpuCell(leastCpu(row.kafka)).padStart(7),
        ].join(''),
      );
    }
    console.log(
      `best of ${rounds} rounds, contenders alternating; every add resolves once durable (server and in-process: fsync "always"; Kafka: acks=all, page cache; Kafka fsync: ` +
        'the same with flush.messages=1 on the topic, an fsync per append, enqueue only). ' +
        'CPU ms/1k jobs: user+system CPU of the broker process (the sharq server, the Kafka JVM) over the timed span, per 1000 jobs, least of the rounds',
    );
  } finally {
    await server?.stop();
    await baseline?.stop();
    await broker?.release();
    if (serverCpuProf !== undefined) console.log(`server CPU profile in ${serverCpuProf}`);
  }
}

await main();
