// A fleet of worker processes on a queue with fewer partitions than workers: Kafka share groups
// let every member of the group fetch from the one partition, so every process gets work, and
// the broker's acquisition locks keep any job from going to two of them.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import type { ChildConfig } from '../fixtures/kafka-worker-child.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { type FixtureChild, startFixture } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp-dir.js';

const childScript = path.resolve(import.meta.dirname, '../fixtures/kafka-worker-child.ts');

const TOTAL = 3000;
const CHILDREN = 4;
const CONCURRENCY = 8;

interface Child extends FixtureChild {
  file: string;
}

function startChild(config: ChildConfig): Child {
  return { ...startFixture(childScript, config), file: config.done };
}

/** `<pid> <jobId>` lines of a journal. */
function journal(file: string): { pid: string; id: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid = '', id = ''] = line.split(' ');
      return { pid, id };
    });
}

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: () => string) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describeKafka('Kafka worker fleet past the partition count', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it(`${CHILDREN} worker processes share a 1-partition queue: all work, every job once`, async () => {
    const brokers = kafkaBrokers()!;
    const suffix = randomUUID().slice(0, 8);
    const name = `fleet-${suffix}`;
    const group = `sharq.fleet-${suffix}`;
    const { dir, remove } = await tempDir('sharq-fleet-');
    cleanups.push(remove);

    const queue = new Queue<{ n: number }>(name, {
      engine: { type: 'kafka', brokers, clientId: `sharq-test-fleet-${suffix}` },
      partitions: 1,
    });
    cleanups.push(() => queue.close());
    cleanups.push(async () => {
      await queue.engine.admin.deleteTopic(name);
      await queue.engine.admin.deleteTopic(queue.deadLetterTopic);
    });
    await queue.ensureTopic();
    expect((await queue.engine.admin.describeTopic(name)).partitions).toBe(1);

    const t0 = Date.now();
    const ids = Array.from({ length: TOTAL }, (_, n) => `job-${n}`);
    for (let n = 0; n < TOTAL; n += 500) {
      await queue.addBulk(
        ids.slice(n, n + 500).map((jobId, i) => ({
          name: 'job',
          data: { n: n + i },
          opts: { jobId },
        })),
      );
    }
    const tAdded = Date.now();

    // Every child is set up (group configured, consumer created) before any polls, so that no
    // process drains the backlog while the others are still starting.
    const children = Array.from({ length: CHILDREN }, (_, i) =>
      startChild({
        brokers,
        queue: name,
        group,
        concurrency: CONCURRENCY,
        lockDurationMs: 15_000,
        handlerMs: 2,
        done: path.join(dir, `done.${i}.log`),
      }),
    );
    cleanups.push(async () => {
      for (const c of children) if (c.p.exitCode === null) c.p.kill('SIGKILL');
    });
    await until(
      () => children.every((c) => c.output().includes('READY')),
      60_000,
      () => `the children to be ready; stderr: ${children.map((c) => c.errors()).join('\n')}`,
    );
    const tReady = Date.now();
    for (const c of children) c.p.stdin!.write('go\n');

    const seen = () => {
      const s = new Set<string>();
      for (const c of children) for (const { id } of journal(c.file)) s.add(id);
      return s;
    };
    let lag = Number.NaN;
    await until(
      async () => {
        if (seen().size < TOTAL) return false;
        const d = await queue.engine.admin.describeGroup(group);
        lag = d.partitions.find((p) => p.topic === name)?.lag ?? Number.NaN;
        return lag === 0;
      },
      45_000,
      () =>
        `all ${TOTAL} jobs done and lag 0 (seen ${seen().size}, lag ${lag}); stderr: ` +
        children.map((c) => c.errors().slice(-2000)).join('\n'),
    );
    const tDone = Date.now();

    for (const c of children) c.p.kill('SIGTERM');
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.errors()).join('\n')).toEqual(codes.map(() => 0));
    for (const c of children) expect(c.output()).toContain('CLOSED');

    const perChild = children.map((c) => journal(c.file));
    const all = perChild.flat();
    const counts = new Map<string, number>();
    for (const { id } of all) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    const lost = ids.filter((id) => !counts.has(id));
    const known = new Set(ids);
    const unknown = [...counts.keys()].filter((id) => !known.has(id));

    console.log(
      `fleet: added ${TOTAL} in ${tAdded - t0} ms, children ready after ${tReady - tAdded} ms, ` +
        `drained in ${tDone - tReady} ms; jobs per process: ${perChild.map((l) => l.length).join(', ')}`,
    );
    const stderr = children.map((c) => c.errors().trim()).filter(Boolean);
    if (stderr.length > 0) console.log(`children's stderr:\n${stderr.join('\n')}`);
    // Every process received work, and each wrote only its own pid.
    for (const [i, lines] of perChild.entries()) {
      expect(lines.length, `child ${i} processed nothing`).toBeGreaterThan(0);
      expect(new Set(lines.map((l) => l.pid))).toEqual(new Set([String(children[i]!.p.pid)]));
    }
    expect(lost).toEqual([]);
    expect(unknown).toEqual([]);
    // No crash and locks far longer than a job: no job may run twice.
    expect(twice).toEqual([]);
    expect(all.length).toBe(TOTAL);
  }, 110_000);
});
