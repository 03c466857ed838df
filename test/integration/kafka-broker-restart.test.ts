// A broker restart under a running worker: the worker's connections break, its share session
// and group membership are lost, and it must reconnect, rejoin and finish the queue on its own.
// The test runs a broker of its own (scripts/kafka.sh with KAFKA_STATE_DIR and free ports), never
// the shared test broker.
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { Queue } from '../../src/queue/queue.js';
import { Worker } from '../../workers/worker.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts', 'kafka.sh');

const TOTAL = 2000;

/** Why this machine cannot run a broker of its own (scripts/kafka.sh prereqs), or null. */
function prereqsMissing(): string | null {
  const r = spawnSync('bash', [script, 'prereqs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) return null;
  const why = (r.stdout?.trim() || r.error?.message || 'scripts/kafka.sh prereqs failed').split(
    '\n',
  )[0];
  return `needs a broker of its own: ${why}`;
}

/** Runs scripts/kafka.sh for the test's own broker; rejects with its output on failure. */
function kafkaSh(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [script, ...args],
      { cwd: root, env: { ...process.env, ...env }, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (err, _stdout, stderr) => {
        if (err)
          reject(new Error(`scripts/kafka.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stderr);
      },
    );
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port nobody listens on right now (the kernel's pick). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: () => string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const missing = prereqsMissing();
const title = 'Kafka broker restart under a running worker';
if (missing !== null && process.env.CI) {
  describe(title, () => {
    it('runs in CI', () => {
      throw new Error(`${missing}; CI must run this test`);
    });
  });
}

describe.skipIf(missing !== null)(missing === null ? title : `${title} (${missing})`, () => {
  let stateDir = '';
  let removeState: (() => Promise<void>) | undefined;
  let env: NodeJS.ProcessEnv = {};
  let brokers: string[] = [];
  let port = 0;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const t = await tempDir('sharq-kafka-restart-');
    stateDir = t.dir;
    removeState = t.remove;
    port = await freePort();
    let controllerPort = await freePort();
    while (controllerPort === port) controllerPort = await freePort();
    env = {
      KAFKA_STATE_DIR: stateDir,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
      KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    };
    brokers = [`127.0.0.1:${port}`];
    await kafkaSh(['start'], env);
  }, 240_000);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    // Stop only our own broker (its state dir), then delete everything it wrote.
    if (stateDir !== '') await kafkaSh(['stop'], env, 120_000).catch(() => undefined);
    await removeState?.();
  }, 180_000);

  it('the worker reconnects and finishes: no job lost, only unconfirmed ones run twice', async () => {
    const suffix = randomUUID().slice(0, 8);
    const name = `restart-${suffix}`;
    const engine = { type: 'kafka' as const, brokers, clientId: `sharq-test-restart-${suffix}` };
    const queue = new Queue<{ n: number }>(name, { engine, partitions: 2 });
    cleanups.push(() => queue.close());
    const t0 = Date.now();
    const ids = Array.from({ length: TOTAL }, (_, n) => `job-${n}`);
    for (let n = 0; n < TOTAL; n += 500) {
      await queue.addBulk(
        ids
          .slice(n, n + 500)
          .map((jobId, i) => ({ name: 'job', data: { n: n + i }, opts: { jobId } })),
      );
    }

    // Journals: every handler completion in order, and every confirmed ACCEPT.
    const done: string[] = [];
    const doneAt: number[] = [];
    const acked = new Set<string>();
    const errors: string[] = [];
    const lockLost: string[] = [];
    const worker = new Worker<{ n: number }>(
      name,
      async (job) => {
        await new Promise((r) => setTimeout(r, 20));
        done.push(job.id);
        doneAt.push(Date.now());
      },
      { engine, concurrency: 8, lockDurationMs: 15_000, pollMaxWaitMs: 500 },
    );
    cleanups.push(() => worker.close());
    // The share consumer's background failures (fetch, heartbeat, ack flush) go to the engine.
    const engineErrors: string[] = [];
    (worker.engine as KafkaEngine).onError((err) =>
      engineErrors.push(`${Date.now() - t0} ms: ${err.message}`),
    );
    worker.on('completed', (job) => acked.add(job.id));
    worker.on('error', (err) => errors.push(`${Date.now() - t0} ms: ${err.message}`));
    worker.on('lock-lost', (job) => lockLost.push(job.id));

    await until(
      () => done.length >= TOTAL * 0.3,
      60_000,
      () => `30% done (${done.length})`,
    );
    const tStop = Date.now();
    await kafkaSh(['stop'], env, 120_000);
    const tStopped = Date.now();
    expect(await portOpen(port), 'the broker port is closed after the stop').toBe(false);
    // What the broker confirmed before it went away is durable: none of it may run again.
    const confirmedBeforeStop = new Set(acked);
    await new Promise((r) => setTimeout(r, 3000));
    // Jobs acquired from the first incarnation of the broker (nothing is acquired while it is down).
    const doneBeforeStart = done.length;
    const tStart = Date.now();
    await kafkaSh(['start'], env);
    const tStarted = Date.now();

    let lag = Number.NaN;
    await until(
      async () => {
        if (new Set(done).size < TOTAL) return false;
        const d = await worker.engine.admin.describeGroup(worker.group);
        lag = d.partitions.filter((p) => p.topic === name).reduce((sum, p) => sum + p.lag, 0);
        return lag === 0;
      },
      90_000,
      () =>
        `all jobs done and lag 0 after the restart (done ${new Set(done).size}/${TOTAL}, ` +
        `lag ${lag}); worker errors: ${errors.slice(-10).join(' | ')}`,
    );
    const tDone = Date.now();
    await worker.close();

    const counts = new Map<string, number>();
    for (const id of done) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const lost = ids.filter((id) => !counts.has(id));
    const some = (list: string[]) =>
      list.length <= 6 ? list : [...list.slice(0, 3), '...', ...list.slice(-2)];
    console.log(
      `broker restart: stopped at ${tStop - t0} ms with ${doneBeforeStart} done ` +
        `(${confirmedBeforeStop.size} confirmed); stop ${tStopped - tStop} ms, down ` +
        `${tStart - tStopped} ms, start ${tStarted - tStart} ms; first job ` +
        `${(doneAt[doneBeforeStart] ?? Number.NaN) - tStarted} ms and last ` +
        `${tDone - tStarted} ms after the start; ${twice.length} ran twice, ` +
        `${lockLost.length} locks lost\n` +
        `worker errors (${errors.length}):\n  ${some(errors).join('\n  ')}\n` +
        `share consumer errors (${engineErrors.length}):\n  ${some(engineErrors).join('\n  ')}`,
    );
    // The fault hit mid-run, and the same worker carried on after it.
    expect(doneBeforeStart).toBeLessThan(TOTAL);
    expect(done.length).toBeGreaterThan(doneBeforeStart);
    expect(lost).toEqual([]);
    // Run twice: only jobs whose ACCEPT the broker had not confirmed when it stopped.
    expect(twice.filter((id) => confirmedBeforeStop.has(id))).toEqual([]);
    // And only jobs that were in flight then: done before the restart, at most once after it.
    const doneBefore = new Set(done.slice(0, doneBeforeStart));
    expect(twice.filter((id) => !doneBefore.has(id))).toEqual([]);
    expect(twice.filter((id) => counts.get(id)! > 2)).toEqual([]);
  }, 240_000);
});
