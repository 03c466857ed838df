/**
 * `sharq worker <module>` as a fleet runs it: a real child process of the CLI on the embedded
 * engine in a temp dir. The data dir is open in one process at a time, so the test adds the jobs
 * before the child starts and reads the group state after it exited. One test runs it on the
 * integration broker with --brokers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import type { SharePartitionStats } from '../../src/engine/types.js';
import { Queue } from '../../src/queue/queue.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'src/cli/main.ts');
const modules = path.join(root, 'test/fixtures/worker-modules');
const slowJobs = path.join(modules, 'slow-jobs.ts');

interface Child {
  p: ChildProcess;
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  messages: unknown[];
}

const children: Child[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.p.exitCode === null) c.p.kill('SIGKILL');
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

/** Starts `sharq worker ...args` with only the SHARQ_* variables given here. */
function sharqWorker(args: string[], env: Record<string, string> = {}): Child {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('SHARQ_')),
  );
  const p = spawn(process.execPath, ['--import', 'tsx', main, 'worker', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  p.stdout?.on('data', (d) => (out += d));
  p.stderr?.on('data', (d) => (err += d));
  const messages: unknown[] = [];
  p.on('message', (m) => messages.push(m));
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  const child = { p, exited, stdout: () => out, stderr: () => err, messages };
  children.push(child);
  return child;
}

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** A temp dir with `jobs` jobs added to `queue` in its embedded engine (closed again). */
async function seeded(queue: string, jobs: number): Promise<{ dir: string; data: string }> {
  const { dir, remove } = await tempDir('sharq-worker-cmd-');
  cleanups.push(remove);
  const data = path.join(dir, 'data');
  const engine = new EmbeddedEngine({ dataDir: data });
  await engine.start();
  const q = new Queue<{ n: number }>(queue, { engine, partitions: 2 });
  await q.addBulk(Array.from({ length: jobs }, (_, n) => ({ name: 'slow', data: { n } })));
  await q.close();
  await engine.close();
  return { dir, data };
}

/** The group's partitions, read once the child has exited and released the data dir. */
async function groupState(data: string, queue: string) {
  const engine = new EmbeddedEngine({ dataDir: data });
  await engine.start();
  try {
    const { partitions } = await engine.admin.describeGroup(`sharq.${queue}`);
    const sum = (f: (p: SharePartitionStats) => number) => partitions.reduce((n, p) => n + f(p), 0);
    return {
      acquired: sum((p) => p.acquired ?? 0),
      available: sum((p) => p.available ?? 0),
      archived: sum((p) => p.archived ?? 0),
      // Every record below the start offset is terminal; nothing here fails, so none is archived.
      completed: sum((p) => p.startOffset + (p.acknowledged ?? 0)),
    };
  } finally {
    await engine.close();
  }
}

describe('sharq worker <module>', () => {
  it('announces readiness, runs the handler, and on SIGTERM lets running jobs finish', async () => {
    const queue = 'cli-drain';
    const total = 30;
    const { dir, data } = await seeded(queue, total);
    const readyFile = path.join(dir, 'ready.json');
    const child = sharqWorker(
      [slowJobs, '--data-dir', data, '--ready-file', readyFile, '--shutdown-timeout-ms', '10000'],
      {
        SHARQ_CONCURRENCY: '3',
        FIXTURE_QUEUE: queue,
        FIXTURE_DIR: dir,
        FIXTURE_DELAY_MS: '150',
      },
    );
    await until(() => jsonLines(child.stdout()).length > 0, 'the ready line');
    const [ready] = jsonLines(child.stdout());
    expect(ready).toMatchObject({ event: 'ready', queue, pid: child.p.pid, engine: 'embedded' });
    expect(JSON.parse(readFileSync(readyFile, 'utf8'))).toEqual(ready);
    await until(() => child.messages.length > 0, 'the IPC ready message');
    expect(child.messages).toEqual([{ type: 'sharq:ready' }]);

    const done = path.join(dir, 'done.log');
    const running = () => lines(path.join(dir, 'started.log')).length - lines(done).length;
    // SHARQ_CONCURRENCY overrode the module's 2.
    await until(() => running() >= 3, 'three jobs at once');
    await until(() => lines(done).length >= 6, 'some jobs done');
    const signalled = Date.now();
    child.p.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(jsonLines(child.stdout()).at(-1)).toEqual({ event: 'stopped' });
    expect(jsonLines(child.stderr()).map((l) => l.event)).toContain('stopping');

    // Jobs running at the signal finished; the rest wait, none is left locked.
    const started = lines(path.join(dir, 'started.log'));
    const finished = lines(done);
    expect(new Set(finished).size).toBe(finished.length);
    expect(new Set(finished)).toEqual(new Set(started));
    expect(finished.length).toBeLessThan(total);
    const state = await groupState(data, queue);
    expect(state).toEqual({
      acquired: 0,
      archived: 0,
      completed: finished.length,
      available: total - finished.length,
    });
  });

  it('runs a module whose processor is sandboxed: a crashed sandbox fails one attempt, the retry completes', async () => {
    const queue = 'cli-sandboxed';
    const { dir, data } = await seeded(queue, 2);
    const child = sharqWorker([path.join(modules, 'sandboxed.mjs'), '--data-dir', data], {
      FIXTURE_QUEUE: queue,
      FIXTURE_DIR: dir,
    });
    await until(() => jsonLines(child.stdout()).length > 0, 'the ready line');
    const crashed = () =>
      jsonLines(child.stderr()).filter(
        (l) => l.event === 'failed' && JSON.stringify(l).includes('SHARQ_ERR_SANDBOX_CRASHED'),
      ).length;
    await until(() => lines(path.join(dir, 'done.log')).length === 2, 'both retries done');
    expect(crashed()).toBe(2);
    child.p.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toBe(0);
    expect(await groupState(data, queue)).toEqual({
      acquired: 0,
      archived: 0,
      available: 0,
      completed: 2,
    });
  });

  it('aborts and releases jobs still running at the shutdown deadline', async () => {
    const queue = 'cli-deadline';
    const total = 10;
    const { dir, data } = await seeded(queue, total);
    const child = sharqWorker(
      [slowJobs, '--data-dir', data, '--concurrency', '4', '--shutdown-timeout-ms', '200'],
      { FIXTURE_QUEUE: queue, FIXTURE_DIR: dir, FIXTURE_DELAY_MS: '600000' },
    );
    await until(() => lines(path.join(dir, 'started.log')).length >= 4, 'four jobs running');
    child.p.kill('SIGTERM');
    // Jobs that would run ten minutes: only the abort at the deadline lets it exit.
    expect(await child.exited, child.stderr()).toBe(0);
    expect(jsonLines(child.stdout()).at(-1)).toEqual({ event: 'stopped' });
    expect(lines(path.join(dir, 'done.log'))).toEqual([]);
    expect(await groupState(data, queue)).toEqual({
      acquired: 0,
      archived: 0,
      completed: 0,
      available: total,
    });
  });

  it('exits at once with 130 on a second signal', async () => {
    const queue = 'cli-second-signal';
    const { dir, data } = await seeded(queue, 2);
    const child = sharqWorker([slowJobs, '--data-dir', data], {
      FIXTURE_QUEUE: queue,
      FIXTURE_DIR: dir,
      FIXTURE_DELAY_MS: '600000',
    });
    await until(() => lines(path.join(dir, 'started.log')).length >= 1, 'a job running');
    child.p.kill('SIGTERM');
    await until(
      () => jsonLines(child.stderr()).some((l) => l.event === 'stopping'),
      'the stopping line',
    );
    child.p.kill('SIGINT');
    expect(await child.exited).toBe(130);
  });

  it('exits 1 with a coded message for a module that is missing, fails to import or is malformed', async () => {
    const missing = sharqWorker([path.join(modules, 'no-such-module.mjs')]);
    const throwing = sharqWorker([path.join(modules, 'throws-on-import.mjs')]);
    const malformed = sharqWorker([path.join(modules, 'bad-shape.mjs')]);
    const none = sharqWorker([]);
    expect(await missing.exited).toBe(1);
    expect(missing.stderr()).toMatch(
      /module: no file at .*no-such-module\.mjs.*SHARQ_ERR_INVALID_OPTION/,
    );
    expect(await throwing.exited).toBe(1);
    expect(throwing.stderr()).toMatch(
      /module: could not import .*boom at import.*SHARQ_ERR_INVALID_OPTION/,
    );
    expect(await malformed.exited).toBe(1);
    expect(malformed.stderr()).toMatch(/queue: .*handler: a function.*SHARQ_ERR_INVALID_OPTION/);
    expect(await none.exited).toBe(1);
    expect(none.stderr()).toMatch(/module: give the path.*SHARQ_ERR_INVALID_OPTION/);
  });

  it('exits 1 naming the flag for bad flags and engine selections', async () => {
    const named = path.join(modules, 'named-export.mjs');
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[named, '--concurrency', '0'], {}, /concurrency: .*>=1/],
      [[named], { SHARQ_CONCURRENCY: 'many' }, /concurrency: /],
      [[named, '--brokers', 'no-port'], {}, /brokers\.0: each broker is "host:port"/],
      [
        [named, '--engine', 'embedded'],
        { SHARQ_BROKERS: 'localhost:9092' },
        /brokers: applies to the kafka engine only.*SHARQ_BROKERS/,
      ],
      [[named, '--engine', 'kafka'], {}, /brokers: the kafka engine needs --brokers/],
      [[named, '--no-such-flag'], {}, /Unknown option '--no-such-flag'/],
    ];
    const runs = cases.map(([args, env]) => sharqWorker(args, env));
    for (const [i, run] of runs.entries()) {
      expect(await run.exited, run.stderr()).toBe(1);
      expect(run.stderr()).toMatch(cases[i]![2]);
      expect(run.stderr()).toMatch(/SHARQ_ERR_INVALID_OPTION/);
    }
  });

  it('exits 1 with the coded error when setup fails for good (the data dir is owned elsewhere)', async () => {
    const { dir, remove } = await tempDir('sharq-worker-cmd-');
    cleanups.push(remove);
    const engine = new EmbeddedEngine({ dataDir: dir });
    await engine.start();
    cleanups.unshift(() => engine.close());
    const child = sharqWorker([path.join(modules, 'named-export.mjs'), '--data-dir', dir]);
    expect(await child.exited).toBe(1);
    expect(child.stderr()).toMatch(/SHARQ_ERR_DATA_DIR_LOCKED/);
    expect(jsonLines(child.stdout()).map((l) => l.event)).not.toContain('ready');
  });

  it('stays up and retries while its broker cannot be reached, and stops on SIGTERM', async () => {
    // A port nothing listens on: every connection is refused.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const child = sharqWorker([path.join(modules, 'named-export.mjs')], {
      SHARQ_BROKERS: `127.0.0.1:${port}`,
    });
    const refusals = () =>
      jsonLines(child.stderr()).filter(
        (l) =>
          l.event === 'error' &&
          (l.error as { code?: string } | undefined)?.code === 'SHARQ_ERR_CONNECTION',
      ).length;
    // A setup attempt fails once kafkajs gives up connecting (about 10 s), and is retried.
    await until(() => refusals() >= 1, 'a refused setup attempt', 30_000);
    // Before, the process ended here with exit code 0: nothing held its event loop open while
    // the worker waited to try again.
    await new Promise((r) => setTimeout(r, 3000));
    expect(child.p.exitCode).toBeNull();
    expect(jsonLines(child.stdout()).map((l) => l.event)).not.toContain('ready');
    child.p.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    expect(jsonLines(child.stdout()).at(-1)).toEqual({ event: 'stopped' });
  }, 60_000);

  it('prints usage from the option schema with --help and exits 0', async () => {
    const child = sharqWorker(['--help']);
    expect(await child.exited).toBe(0);
    const help = child.stdout();
    expect(help).toMatch(/^sharq worker <module>/);
    expect(help).toMatch(/--concurrency N\s+Jobs run at once/);
    expect(help).toContain('1–10000');
    expect(help).toContain('SHARQ_BROKERS');
    expect(help).toContain('--engine embedded|kafka');
  });
});

describeKafka('sharq worker <module> on Kafka', () => {
  it('selects the kafka engine from --brokers, runs every job and stops on SIGTERM', async () => {
    const brokers = kafkaBrokers()!;
    const suffix = randomUUID().slice(0, 8);
    const name = `cli-kafka-${suffix}`;
    const total = 20;
    const { dir, remove } = await tempDir('sharq-worker-cmd-');
    cleanups.push(remove);
    const queue = new Queue<{ n: number }>(name, {
      engine: { type: 'kafka', brokers, clientId: `sharq-test-cli-${suffix}` },
      partitions: 2,
    });
    cleanups.push(async () => {
      await queue.engine.admin.deleteTopic(name).catch(() => undefined);
      await queue.engine.admin.deleteTopic(queue.deadLetterTopic).catch(() => undefined);
      await queue.close();
    });
    await queue.addBulk(Array.from({ length: total }, (_, n) => ({ name: 'slow', data: { n } })));

    const child = sharqWorker(
      [slowJobs, '--brokers', brokers.join(','), '--client-id', `sharq-test-cli-child-${suffix}`],
      { SHARQ_CONCURRENCY: '4', FIXTURE_QUEUE: name, FIXTURE_DIR: dir, FIXTURE_DELAY_MS: '20' },
    );
    await until(() => jsonLines(child.stdout()).length > 0, 'the ready line', 60_000);
    expect(jsonLines(child.stdout())[0]).toMatchObject({ event: 'ready', engine: 'kafka' });
    const done = path.join(dir, 'done.log');
    await until(() => new Set(lines(done)).size === total, 'every job done', 60_000);
    child.p.kill('SIGTERM');
    expect(await child.exited, child.stderr()).toBe(0);
    expect(jsonLines(child.stdout()).at(-1)).toEqual({ event: 'stopped' });
    const group = await queue.engine.admin.describeGroup(`sharq.${name}`);
    expect(group.partitions.filter((p) => p.topic === name).map((p) => p.lag)).toEqual([0, 0]);
  });
});
