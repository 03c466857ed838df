import { createServer } from 'node:net';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { registerWorkerMetrics } from '../../workers/metrics.js';
import { Worker } from '../../workers/worker.js';
import { EmbeddedEngine } from '../embedded/embedded-engine.js';
import { UnrecoverableError } from '../errors/control.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import { Queue } from '../queue/queue.js';
import {
  type AdminServer,
  DEFAULT_HTTP_PORT,
  startAdminServer,
} from '../server/admin/http-server.js';

const DevOptions = z
  .object({
    jobs: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe('Run this many jobs, then exit.'),
    concurrency: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(64)
      .describe('Jobs run at once.'),
    workers: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe('Workers sharing the queue.'),
    partitions: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe('Partitions of the demo queue.'),
    'data-dir': z.string().min(1).default('./.sharq').describe('Embedded engine data directory.'),
    'fail-rate': z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Share of deliveries that fail and retry.'),
    'poison-rate': z.coerce
      .number()
      .min(0)
      .max(1)
      .default(0.005)
      .describe('Share of jobs that always fail (DLQ).'),
    rate: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(500)
      .describe('Jobs added per second without --jobs.'),
    'http-port': z
      .union(
        [
          // "none" as for `sharq server --http-port`.
          z.enum(['off', 'none']).transform(() => 'off' as const),
          z.coerce.number().int().min(0).max(65_535),
        ],
        { error: 'a port (0–65535; 0 picks a free one), or "off" for no admin API' },
      )
      .default(DEFAULT_HTTP_PORT)
      .describe('Port of the admin API and dashboard on 127.0.0.1 (0: any free one; off: none).'),
  })
  .strict();

type DemoData = { n: number; poison: boolean };

export const DEV_HELP = `sharq dev — run a demo workload on the embedded engine

  --jobs N          add N jobs, process them, print a summary and exit 0
                    (without it: add jobs continuously until Ctrl-C)
  --concurrency N   jobs run at once per worker (64)
  --workers N       workers sharing the queue (2)
  --partitions N    partitions of the demo queue (2)
  --data-dir DIR    data directory (./.sharq)
  --fail-rate X     share of deliveries that fail once and retry (0.1)
  --poison-rate X   share of jobs that fail every attempt and land in the DLQ (0.005)
  --rate N          jobs added per second without --jobs (500)
  --http-port N     the admin API and dashboard on 127.0.0.1:N (6380; a free port when N
                    is taken; 0: any free port; off or none: no admin API)

Poison jobs fail until they have been dead-lettered once (a dependency that is fixed by
then): redrive them from the dashboard and watch them complete.`;

/** Runs the demo; resolves with the process exit code. */
export async function runDev(
  argv: string[],
  out: NodeJS.WriteStream = process.stdout,
): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.keys(DevOptions.shape).map((k) => [k, { type: 'string' as const }]),
      ),
      strict: true,
    }));
  } catch (err) {
    // parseArgs throws a TypeError (unknown flag, stray argument): a usage error, not a crash.
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `Invalid sharq dev options: ${toError(err).message}; see sharq dev --help`,
      {
        details: {
          surface: 'sharq dev',
          problems: [{ option: '(arguments)', rule: toError(err).message }],
        },
      },
    );
  }
  const opts = parseOptions('sharq dev', DevOptions, values);
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const queueName = `demo-${stamp}-${process.pid}`;
  const engine = new EmbeddedEngine({ dataDir: opts['data-dir'] });
  await engine.start();
  const queue = new Queue<DemoData>(queueName, { engine, partitions: opts.partitions });
  await queue.ensureTopic();

  const counts = { added: 0, processed: 0, retried: 0, deadLettered: 0 };
  const registry = new Registry();
  const deadLetteredIds = new Set<string>();
  const started = Date.now();
  const failRate = opts['fail-rate'];
  const workers = Array.from({ length: opts.workers }, () => {
    const w = new Worker<DemoData>(
      queueName,
      async (job) => {
        // A poison job fails until it has been dead-lettered once (its dependency is fixed by
        // then): redriven from the DLQ, it completes.
        if (job.data.poison && !deadLetteredIds.has(job.id)) {
          if (job.data.n % 2 === 0) throw new UnrecoverableError(`job ${job.data.n} is malformed`);
          throw new Error(`job ${job.data.n} keeps failing`);
        }
        if (job.deliveryCount === 1 && Math.random() < failRate)
          throw new Error('transient failure');
        return job.data.n;
      },
      {
        engine,
        concurrency: opts.concurrency,
        attempts: 3,
        backoff: { type: 'exponential', delay: 200, jitter: 0.5 },
        lockDurationMs: 15_000,
      },
    );
    w.on('completed', () => counts.processed++);
    w.on('failed', (_job, _err, outcome) => {
      if (outcome === 'retry') counts.retried++;
    });
    w.on('dead-lettered', (info) => {
      counts.deadLettered++;
      if (info.job !== undefined) deadLetteredIds.add(info.job.id);
    });
    w.on('error', (err) => out.write(`\nworker error: ${err.message}\n`));
    registerWorkerMetrics(w, registry);
    return w;
  });
  let http: AdminServer | null = null;
  try {
    if (opts['http-port'] !== 'off')
      http = await startDashboard(engine, registry, opts['http-port']);
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    await engine.close();
    throw err;
  }
  if (http !== null)
    out.write(
      `sharq dev: dashboard at ${http.url}/dashboard/ (admin API ${http.url}/api, queue ${queueName})\n`,
    );

  const tty = out.isTTY === true;
  const line = (): string => {
    const secs = (Date.now() - started) / 1000;
    const done = counts.processed + counts.deadLettered;
    return `added ${counts.added} · processed ${counts.processed} · retried ${counts.retried} · dead-lettered ${counts.deadLettered} · ${Math.round(done / Math.max(secs, 0.001))} jobs/s`;
  };
  const progress = setInterval(
    () => out.write(tty ? `\r${line()}   ` : `${line()}\n`),
    tty ? 200 : 1000,
  );
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const poisonRate = opts['poison-rate'];
  const makeJob = (n: number) => ({
    name: 'demo',
    data: { n, poison: Math.random() < poisonRate },
  });
  try {
    if (opts.jobs !== undefined) {
      for (let n = 0; n < opts.jobs && !stop; ) {
        const batch = Array.from({ length: Math.min(500, opts.jobs - n) }, () => makeJob(n++));
        await queue.addBulk(batch);
        counts.added += batch.length;
      }
      while (!stop && counts.processed + counts.deadLettered < counts.added) await sleep(20);
    } else {
      const tick = 100;
      const perTick = Math.max(1, Math.round((opts.rate * tick) / 1000));
      while (!stop) {
        const batch = Array.from({ length: perTick }, () => makeJob(counts.added++));
        await queue.addBulk(batch);
        await sleep(tick);
      }
    }
  } finally {
    clearInterval(progress);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await http?.close();
    await Promise.all(workers.map((w) => w.close()));
    await queue.close();
    await engine.close();
  }
  if (tty) out.write('\n');
  const secs = (Date.now() - started) / 1000;
  out.write(
    `sharq dev: ${counts.added} jobs in ${secs.toFixed(2)} s — processed ${counts.processed}, retried ${counts.retried}, dead-lettered ${counts.deadLettered} (queue ${queueName}, DLQ dlq.${queueName}, data ${engine.dataDir}), ${Math.round((counts.processed + counts.deadLettered) / Math.max(secs, 0.001))} jobs/s\n`,
  );
  return 0;
}

/** The admin API and dashboard on loopback (no tokens: loopback only), on `port` or a free one. */
async function startDashboard(
  engine: EmbeddedEngine,
  registry: Registry,
  port: number,
): Promise<AdminServer> {
  // Probed first rather than retried: a failed start has already put its gauges in `registry`.
  const free = port === 0 || (await portFree('127.0.0.1', port));
  return startAdminServer({
    engine,
    registry,
    host: '127.0.0.1',
    port: free ? port : 0,
    logger: quiet,
  });
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

// Audit lines would interleave with the progress line; warnings still go to stderr.
const quiet = {
  info: () => undefined,
  warn: (fields: Record<string, unknown>, msg: string) =>
    process.stderr.write(`\n${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
};

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
