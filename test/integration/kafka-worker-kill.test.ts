// A worker process SIGKILLed while it holds jobs: its jobs come back when their locks expire and
// complete on the other worker process; none is lost.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Queue } from '../../src/queue/queue.js';
import type { ChildConfig } from '../fixtures/kafka-worker-child.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from '../helpers/temp-dir.js';

const childScript = path.resolve(import.meta.dirname, '../fixtures/kafka-worker-child.ts');
const TOTAL = 60;
const LOCK_MS = 2000;

function start(config: ChildConfig): {
  p: ChildProcess;
  out: () => string;
  exited: Promise<unknown>;
} {
  const p = spawn(process.execPath, ['--import', 'tsx', childScript, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  p.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  p.stdin!.on('error', () => undefined);
  return { p, out: () => out, exited: new Promise((r) => p.on('exit', r)) };
}

function rows(file: string): string[][] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '));
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeKafka('Kafka worker process killed', () => {
  it('SIGKILL of a worker process: its jobs come back after the lock expires and complete elsewhere', async () => {
    const brokers = kafkaBrokers()!;
    const name = `kill-${randomUUID().slice(0, 8)}`;
    const { dir, remove } = await tempDir('sharq-kill-');
    const queue = new Queue<{ n: number }>(name, {
      engine: { type: 'kafka', brokers, clientId: `sharq-test-kill-${name}` },
      partitions: 1,
      lockDurationMs: LOCK_MS,
    });
    const children: ReturnType<typeof start>[] = [];
    try {
      await queue.addBulk(Array.from({ length: TOTAL }, (_, n) => ({ name: 'job', data: { n } })));
      const config = (id: string): ChildConfig => ({
        brokers,
        queue: name,
        group: `sharq.${name}`,
        concurrency: 4,
        lockDurationMs: LOCK_MS,
        handlerMs: 150,
        done: path.join(dir, 'done.log'),
        started: path.join(dir, `started-${id}.log`),
        autostart: true,
      });
      const victim = start(config('victim'));
      const survivor = start(config('survivor'));
      children.push(victim, survivor);
      await until(
        () => victim.out().includes('READY') && survivor.out().includes('READY'),
        60_000,
        'both ready',
      );
      const victimStarted = path.join(dir, 'started-victim.log');
      await until(() => rows(victimStarted).length >= 8, 60_000, 'the victim to hold jobs');
      victim.p.kill('SIGKILL');
      await victim.exited;
      const victimPid = String(victim.p.pid);
      const doneBy = new Map<string, string>();
      for (const [pid, id] of rows(path.join(dir, 'done.log'))) if (id) doneBy.set(id, pid!);
      // Jobs the victim started and never finished: in flight when it died.
      const inFlight = rows(victimStarted)
        .map(([, id]) => id!)
        .filter((id) => doneBy.get(id) !== victimPid);
      expect(inFlight.length).toBeGreaterThan(0);

      await until(
        () => new Set(rows(path.join(dir, 'done.log')).map((r) => r[1])).size === TOTAL,
        60_000,
        'every job done',
      );
      const survivorStarts = rows(path.join(dir, 'started-survivor.log'));
      for (const id of inFlight) {
        // Delivered again to the survivor, after the victim's lock ran out.
        const again = survivorStarts.find(([, sid]) => sid === id);
        expect(again, `job ${id}`).toBeDefined();
        expect(Number(again![2])).toBeGreaterThanOrEqual(2);
      }
    } finally {
      for (const c of children) if (c.p.exitCode === null) c.p.kill('SIGKILL');
      await queue.close();
      await remove();
    }
  });
});
