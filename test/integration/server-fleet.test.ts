// A web app's view of `sharq server`: one server process, a producer (this test) and three
// `sharq worker` processes on one queue. The server is SIGKILLed mid-run and restarted on the
// same port and data directory: every job whose add() resolved is processed (duplicates only of
// jobs in flight at the kill).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import { envWithoutSharq, freePort } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'src/cli/main.ts');
const module = path.join(root, 'test/fixtures/worker-modules/slow-jobs.ts');
const TOTAL = 240;

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

function run(
  args: string[],
  env: Record<string, string> = {},
): { p: ChildProcess; out: () => string } {
  const inherited = envWithoutSharq();
  const p = spawn(process.execPath, ['--import', 'tsx', main, ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout?.on('data', (d) => (out += d));
  p.stderr?.on('data', (d) => (out += d));
  children.push(p);
  return { p, out: () => out };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

it('a producer and three worker processes on sharq server: a SIGKILLed and restarted server loses no job', async () => {
  const { dir, remove } = await tempDir('sharq-server-fleet-');
  cleanups.push(remove);
  const port = await freePort();
  const data = path.join(dir, 'data');
  const startServer = async () => {
    const s = run(['server', '--port', String(port), '--data-dir', data]);
    await until(() => s.out().includes('"listening"'), 30_000, 'the server');
    return s;
  };
  let server = await startServer();
  const brokers = `127.0.0.1:${port}`;
  const queue = `fleet-${Date.now()}`;
  const queueHandle = new Queue<{ n: number }>(queue, {
    engine: { type: 'kafka', brokers: [brokers], clientId: 'server-fleet-producer' },
    partitions: 2,
  });
  cleanups.push(() => queueHandle.close());
  await queueHandle.ensureTopic();
  const workers = [1, 2, 3].map(() =>
    run(['worker', module, '--brokers', brokers], {
      FIXTURE_QUEUE: queue,
      FIXTURE_DIR: dir,
      FIXTURE_DELAY_MS: '10',
    }),
  );
  await until(
    () => workers.every((w) => w.out().includes('"ready"')),
    90_000,
    'three ready workers',
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${workers.map((w) => w.out().slice(-800)).join('\n---\n')}`);
  });

  const added = new Set<string>();
  let n = 0;
  const addSome = async (count: number) => {
    for (let i = 0; i < count; i++) {
      // An add that fails (the server is down) is tried again: only resolved ones count.
      for (;;) {
        try {
          const job = await queueHandle.add('job', { n });
          added.add(job.id);
          n++;
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  };
  await addSome(TOTAL / 2);
  // Delayed jobs the workers' forwarders hold in a delay tier when the server dies: its locks
  // go with it and the records are delivered again, so the forwarder that held one before must
  // not move it too (each ran twice).
  const delayed = await queueHandle.addBulk(
    Array.from({ length: 10 }, (_, i) => ({
      name: 'later',
      data: { n: -1 - i },
      opts: { delay: 6000 },
    })),
  );
  await until(() => lines(path.join(dir, 'done.log')).length > 20, 30_000, 'work under way');
  // Time for the forwarders (polling every 50 ms) to take the tier records; another process's
  // holds cannot be observed from here, and the kill must come well before their release (5 s).
  await new Promise((r) => setTimeout(r, 1500));
  server.p.kill('SIGKILL');
  await new Promise((r) => server.p.once('exit', r));
  server = await startServer();
  await addSome(TOTAL / 2);
  await until(
    () => {
      const done = new Set(lines(path.join(dir, 'done.log')));
      return [...added, ...delayed.map((j) => j.id)].every((id) => done.has(id));
    },
    90_000,
    'every added job done',
  );
  const done = lines(path.join(dir, 'done.log'));
  expect(added.size).toBe(TOTAL);
  // Delayed jobs were not running at the kill: each ran once.
  for (const j of delayed)
    expect(
      done.filter((id) => id === j.id),
      j.id,
    ).toHaveLength(1);
  expect(new Set(done).size).toBeGreaterThanOrEqual(TOTAL);
  // Every process took part.
  expect(new Set(lines(path.join(dir, 'started.log'))).size).toBeGreaterThanOrEqual(TOTAL);
  for (const w of workers) w.p.kill('SIGTERM');
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.p.exitCode === null ? w.p.once('exit', r) : r(null)))),
  );
  server.p.kill('SIGTERM');
  await new Promise((r) => server.p.once('exit', r));
}, 180_000);
