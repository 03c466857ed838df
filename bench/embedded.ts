/**
 * sharq's embedded engine against BullMQ 6 on the local Redis, in one process run.
 *
 * Workloads, each timed on its own fresh queue (a new temp data directory for sharq, a new
 * random queue name for BullMQ, obliterated afterwards):
 *   - enqueue with addBulk in batches (`--batch`), and with add() from 256 concurrent callers;
 *   - process N pre-enqueued no-op jobs with one worker at each `--concurrency`, timed from
 *     creating the worker to its N-th `completed` event.
 * sharq runs with its defaults (`fsync: "always"`: an add resolves once the job is on disk;
 * acknowledgements fsynced within `ackFsyncIntervalMs`) through its public API. The fsync=never
 * column is sharq without waiting for the disk at all: what the code alone costs.
 * Peers alternate within each round and the order flips every round, since other jobs share
 * this machine; the table shows the best round of each. Compare ratios, not absolutes.
 *
 *   npm run bench
 *   npm run bench -- --jobs 50000 --concurrency 1,32,256,1024 --rounds 3 --no-baseline
 *   REDIS_URL=redis://host:6379 npm run bench
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { EmbeddedEngine, Queue, Worker } from '../src/index.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,32,256' },
    batch: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
    'no-baseline': { type: 'boolean', default: false },
  },
});
const jobs = Number(values.jobs);
const concurrencies = values.concurrency.split(',').map(Number);
const batch = Number(values.batch);
const rounds = Number(values.rounds);
const baseline = !values['no-baseline'];
const redisUrl = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const connection = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };
/** add() callers in flight at once for the single-add workload. */
const ADDERS = 256;
const SINGLE_ADDS = Math.min(jobs, 10_000);
/** A stalled run fails the bench instead of hanging it. */
const RUN_TIMEOUT_MS = 300_000;

type Data = { n: number };
type Workload = { kind: 'bulk' } | { kind: 'single' } | { kind: 'process'; concurrency: number };
type Fsync = 'always' | 'never';

const bulkJobs = (from: number): { name: string; data: Data }[] =>
  Array.from({ length: Math.min(batch, jobs - from) }, (_, i) => ({
    name: 'noop',
    data: { n: from + i },
  }));

function countTo(n: number): { count: () => void; done: Promise<void> } {
  let seen = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const timer = setTimeout(
    () => fail(new Error(`only ${seen} of ${n} jobs completed in ${RUN_TIMEOUT_MS} ms`)),
    RUN_TIMEOUT_MS,
  );
  return {
    count: () => {
      if (++seen === n) {
        clearTimeout(timer);
        finish();
      }
    },
    done,
  };
}

async function timed(fn: () => Promise<void>, count: number): Promise<number> {
  const t0 = performance.now();
  await fn();
  return count / ((performance.now() - t0) / 1000);
}

/** One sharq workload on a fresh embedded engine; jobs/s. */
async function sharq(w: Workload, fsync: Fsync = 'always'): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-'));
  const engine = new EmbeddedEngine({ dataDir: dir, fsync });
  const queue = new Queue<Data>('bench', { engine });
  try {
    await queue.ensureTopic();
    if (w.kind === 'bulk') {
      return await timed(async () => {
        for (let n = 0; n < jobs; n += batch) await queue.addBulk(bulkJobs(n));
      }, jobs);
    }
    if (w.kind === 'single') {
      let next = 0;
      return await timed(async () => {
        await Promise.all(
          Array.from({ length: ADDERS }, async () => {
            while (next < SINGLE_ADDS) await queue.add('noop', { n: next++ });
          }),
        );
      }, SINGLE_ADDS);
    }
    for (let n = 0; n < jobs; n += batch) await queue.addBulk(bulkJobs(n));
    const { count, done } = countTo(jobs);
    let worker: Worker<Data> | undefined;
    const rate = await timed(async () => {
      worker = new Worker<Data>('bench', () => undefined, {
        engine,
        concurrency: w.concurrency,
      });
      worker.on('completed', count);
      await done;
    }, jobs);
    await worker?.close();
    return rate;
  } finally {
    await queue.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same workload on BullMQ with a fresh random queue name; jobs/s. */
async function bullmq(w: Workload): Promise<number> {
  const name = `sharq-bench-${randomUUID()}`;
  const queue = new BullQueue<Data>(name, {
    connection,
    // Completed jobs are dropped, as production BullMQ setups do; keeping them costs BullMQ more.
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  try {
    await queue.waitUntilReady();
    if (w.kind === 'bulk') {
      return await timed(async () => {
        for (let n = 0; n < jobs; n += batch) await queue.addBulk(bulkJobs(n));
      }, jobs);
    }
    if (w.kind === 'single') {
      let next = 0;
      return await timed(async () => {
        await Promise.all(
          Array.from({ length: ADDERS }, async () => {
            while (next < SINGLE_ADDS) await queue.add('noop', { n: next++ });
          }),
        );
      }, SINGLE_ADDS);
    }
    for (let n = 0; n < jobs; n += batch) await queue.addBulk(bulkJobs(n));
    const { count, done } = countTo(jobs);
    let worker: BullWorker<Data> | undefined;
    const rate = await timed(async () => {
      worker = new BullWorker<Data>(name, async () => undefined, {
        connection,
        concurrency: w.concurrency,
      });
      worker.on('completed', count);
      await done;
    }, jobs);
    await worker?.close();
    return rate;
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

const workloads: { label: string; w: Workload }[] = [
  { label: `enqueue, addBulk (${batch}/call)`, w: { kind: 'bulk' } },
  { label: `enqueue, add() x ${ADDERS} callers`, w: { kind: 'single' } },
  ...concurrencies.map((c) => ({
    label: `process no-op, concurrency ${c}`,
    w: { kind: 'process', concurrency: c } as Workload,
  })),
];

const bullVersion = (createRequire(import.meta.url)('bullmq/package.json') as { version: string })
  .version;
console.log(
  `sharq embedded vs BullMQ ${bullVersion} (Redis ${connection.host}:${connection.port}): ${jobs.toLocaleString('en-US')} jobs per run (${SINGLE_ADDS.toLocaleString('en-US')} for add()), ${rounds} rounds, node ${process.version}, ${os.cpus().length} cpus, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const best = new Map<string, { sharq: number; bullmq: number; never?: number }>();
for (let round = 0; round < rounds; round++) {
  for (const { label, w } of workloads) {
    const order = round % 2 === 0 ? (['sharq', 'bullmq'] as const) : (['bullmq', 'sharq'] as const);
    const row = best.get(label) ?? { sharq: 0, bullmq: 0 };
    for (const peer of order) {
      const rate = peer === 'sharq' ? await sharq(w) : await bullmq(w);
      row[peer] = Math.max(row[peer], rate);
    }
    if (baseline) row.never = Math.max(row.never ?? 0, await sharq(w, 'never'));
    best.set(label, row);
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const fmt = (n: number | undefined) =>
  n === undefined ? '-' : Math.round(n).toLocaleString('en-US');
const header = [
  'workload (jobs/s)'.padEnd(34),
  'sharq'.padStart(10),
  'BullMQ'.padStart(10),
  'sharq/BullMQ'.padStart(14),
  ...(baseline ? ['sharq fsync=never'.padStart(19)] : []),
];
console.log(header.join(''));
for (const { label } of workloads) {
  const r = best.get(label)!;
  console.log(
    [
      label.padEnd(34),
      fmt(r.sharq).padStart(10),
      fmt(r.bullmq).padStart(10),
      `${(r.sharq / r.bullmq).toFixed(2)}x`.padStart(14),
      ...(baseline ? [fmt(r.never).padStart(19)] : []),
    ].join(''),
  );
}
console.log(
  `best of ${rounds} rounds each, peers alternating; sharq with its defaults (add() resolves once on disk), BullMQ with removeOnComplete`,
);
