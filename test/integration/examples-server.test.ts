// examples/server-app run as its README says: a `sharq server` process, the HTTP app and two
// `sharq worker` processes, all separate processes on random ports and a fresh queue. Jobs
// POSTed over HTTP are each sent once (the workers' results file), both workers take part, and
// SIGTERM stops every process cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { envWithoutSharq, freePort } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'src/cli/main.ts');
const app = path.join(root, 'examples/server-app/app.ts');
const workerModule = path.join(root, 'examples/server-app/worker.ts');
const JOBS = 40;

interface Proc {
  p: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
  /** The first stdout JSON line with this event, once printed. */
  event: (name: string) => Record<string, unknown> | undefined;
}

const procs: Proc[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const { p } of procs.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

/** Starts `node --import tsx <args>` from the repository, with only the given SHARQ_* set. */
function start(args: string[], env: Record<string, string>): Proc {
  const inherited = envWithoutSharq();
  const p = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: root,
    env: { ...inherited, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let all = '';
  p.stdout?.on('data', (d) => {
    stdout += d;
    all += d;
  });
  p.stderr?.on('data', (d) => {
    all += d;
  });
  const exited = new Promise<number | null>((resolve) => p.once('exit', (code) => resolve(code)));
  const proc: Proc = {
    p,
    out: () => all,
    exited,
    event: (name) => {
      for (const line of stdout.split('\n')) {
        if (!line.startsWith('{')) continue;
        const m = JSON.parse(line) as Record<string, unknown>;
        if (m.event === name) return m;
      }
      return undefined;
    },
  };
  procs.push(proc);
  return proc;
}

async function until(cond: () => boolean, ms: number, what: string, procs: Proc[] = []) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}\n${procs.map((p) => p.out().slice(-1500)).join('\n---\n')}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('POSTed jobs are each sent once by two `sharq worker` processes on `sharq server`; SIGTERM stops all cleanly', async () => {
  const { dir, remove } = await tempDir('sharq-example-server-');
  cleanups.push(remove);
  const serverPort = await freePort();
  const brokers = `127.0.0.1:${serverPort}`;
  const results = path.join(dir, 'results.log');
  const env = {
    SHARQ_BROKERS: brokers,
    EMAIL_QUEUE: `emails-${randomUUID().slice(0, 8)}`,
    RESULTS_FILE: results,
  };

  const server = start(
    [cli, 'server', '--port', String(serverPort), '--data-dir', path.join(dir, 'data')],
    {},
  );
  await until(() => server.event('listening') !== undefined, 30_000, 'the server', [server]);
  const web = start([app], { ...env, PORT: '0' });
  const workers = [1, 2].map(() => start([cli, 'worker', workerModule], env));
  const everyone = [server, web, ...workers];
  await until(
    () =>
      web.event('listening') !== undefined && workers.every((w) => w.event('ready') !== undefined),
    90_000,
    'the app and two ready workers',
    everyone,
  );
  const base = `http://127.0.0.1:${web.event('listening')!.port as number}`;

  expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok');
  // A body that does not fit the schema is refused and never reaches the queue.
  const bad = await fetch(`${base}/emails`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: 'not an address', subject: 'x' }),
  });
  expect(bad.status).toBe(422);
  expect(((await bad.json()) as { code: string }).code).toBe('SHARQ_ERR_INVALID_PAYLOAD');

  // JOBS posts, eight at a time, as browsers and other services would.
  const accepted = new Map<string, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < JOBS) {
        const n = next++;
        const to = `user${n}@example.com`;
        const res = await fetch(`${base}/emails`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ to, subject: `Welcome ${n}` }),
        });
        expect(res.status, await res.clone().text()).toBe(202);
        const body = (await res.json()) as { id: string; queue: string };
        expect(body.queue).toBe(env.EMAIL_QUEUE);
        accepted.set(body.id, to);
      }
    }),
  );
  expect(accepted.size).toBe(JOBS);

  const lines = () =>
    existsSync(results)
      ? readFileSync(results, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [id = '', pid = '', deliveries = '', to = ''] = l.split(' ');
            return { id, pid: Number(pid), deliveries: Number(deliveries), to };
          })
      : [];
  await until(
    () => new Set(lines().map((l) => l.id)).size >= JOBS,
    60_000,
    `${JOBS} jobs sent`,
    everyone,
  );
  const sent = lines();
  // Exactly once: one line per accepted job, on its first delivery, to the address it was for.
  expect(sent).toHaveLength(JOBS);
  expect(new Set(sent.map((l) => l.id))).toEqual(new Set(accepted.keys()));
  for (const l of sent) {
    expect(l.to).toBe(accepted.get(l.id));
    expect(l.deliveries).toBe(1);
  }
  // Both worker processes sent some of them.
  const pids = new Set(sent.map((l) => l.pid));
  expect(pids).toEqual(new Set(workers.map((w) => w.p.pid)));

  // SIGTERM, as a process manager stops them: app and workers first, then the server.
  for (const p of [web, ...workers]) p.p.kill('SIGTERM');
  const codes = await Promise.all([web, ...workers].map((p) => p.exited));
  expect(codes, [web, ...workers].map((p) => p.out().slice(-800)).join('\n---\n')).toEqual([
    0, 0, 0,
  ]);
  expect(web.event('stopped')).toBeDefined();
  for (const w of workers) expect(w.event('stopped')).toBeDefined();
  server.p.kill('SIGTERM');
  expect(await server.exited, server.out().slice(-800)).toBe(0);
  expect(server.event('stopped')).toBeDefined();
}, 180_000);
