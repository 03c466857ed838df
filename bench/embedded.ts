/**
 * Embedded engine throughput: enqueue and no-op processing with the safe fsync default, and in
 * the same run the same workload with `fsync: "never"` as the baseline (what the code costs
 * without waiting for the disk). Machines here are noisy; compare the ratio, not the absolute.
 *
 *   npm run bench                       # 100,000 jobs
 *   npm run bench -- --jobs 200000 --concurrency 512
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedEngine } from '../src/embedded/embedded-engine.js';
import { Queue } from '../src/queue/queue.js';
import { Worker } from '../workers/worker.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '256' },
    batch: { type: 'string', default: '1000' },
  },
});
const jobs = Number(values.jobs);
const concurrency = Number(values.concurrency);
const batch = Number(values.batch);

type Fsync = 'always' | 'never';

interface Result {
  bulk: number;
  single: number;
  processed: number;
}

async function withEngine<T>(fsync: Fsync, fn: (engine: EmbeddedEngine) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-'));
  const engine = new EmbeddedEngine({ dataDir: dir, fsync });
  await engine.start();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** addBulk in batches: jobs/s. */
async function enqueueBulk(engine: EmbeddedEngine): Promise<number> {
  const q = new Queue<{ n: number }>('bench-bulk', { engine });
  await q.ensureTopic();
  const t0 = performance.now();
  for (let n = 0; n < jobs; n += batch) {
    await q.addBulk(
      Array.from({ length: Math.min(batch, jobs - n) }, (_, i) => ({
        name: 'noop',
        data: { n: n + i },
      })),
    );
  }
  const secs = (performance.now() - t0) / 1000;
  await q.close();
  return jobs / secs;
}

/** add() one job at a time from `concurrency` concurrent producers: group commit at work. */
async function enqueueSingle(engine: EmbeddedEngine): Promise<number> {
  const q = new Queue<{ n: number }>('bench-single', { engine });
  await q.ensureTopic();
  const count = Math.min(jobs, 50_000);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await q.add('noop', { n: next++ });
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await q.close();
  return count / secs;
}

/** A pre-filled queue drained by one worker running no-op jobs: jobs/s. */
async function process(engine: EmbeddedEngine): Promise<number> {
  const q = new Queue<{ n: number }>('bench-process', { engine });
  await q.ensureTopic();
  for (let n = 0; n < jobs; n += batch) {
    await q.addBulk(
      Array.from({ length: Math.min(batch, jobs - n) }, (_, i) => ({
        name: 'noop',
        data: { n: n + i },
      })),
    );
  }
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => {
    finished = r;
  });
  const t0 = performance.now();
  const w = new Worker<{ n: number }>('bench-process', () => undefined, { engine, concurrency });
  w.on('completed', () => {
    if (++done === jobs) finished();
  });
  await all;
  const secs = (performance.now() - t0) / 1000;
  await w.close();
  await q.close();
  return jobs / secs;
}

async function run(fsync: Fsync): Promise<Result> {
  return {
    bulk: await withEngine(fsync, enqueueBulk),
    single: await withEngine(fsync, enqueueSingle),
    processed: await withEngine(fsync, process),
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(10);
console.log(
  `sharq embedded bench: ${jobs.toLocaleString('en-US')} jobs, addBulk batch ${batch}, concurrency ${concurrency}, node ${globalThis.process.version}, ${os.cpus().length} cpus`,
);
// Alternate the two policies twice so drift on a noisy machine hits both alike.
const safe: Result[] = [];
const base: Result[] = [];
for (let round = 0; round < 2; round++) {
  safe.push(await run('always'));
  base.push(await run('never'));
}
const best = (rs: Result[], k: keyof Result) => Math.max(...rs.map((r) => r[k]));
const rows: [string, keyof Result][] = [
  ['enqueue, addBulk (jobs/s)', 'bulk'],
  ['enqueue, add() x concurrency (jobs/s)', 'single'],
  ['process no-op jobs (jobs/s)', 'processed'],
];
console.log(
  `${'workload'.padEnd(40)}${'fsync=always'.padStart(14)}${'fsync=never'.padStart(14)}${'ratio'.padStart(8)}`,
);
for (const [label, k] of rows) {
  const a = best(safe, k);
  const b = best(base, k);
  console.log(
    `${label.padEnd(40)}${fmt(a).padStart(14)}${fmt(b).padStart(14)}${(a / b).toFixed(2).padStart(8)}`,
  );
}
console.log(
  'best of 2 rounds each; fsync=always is the default (add resolves once the job is on disk)',
);
