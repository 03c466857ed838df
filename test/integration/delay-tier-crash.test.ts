// A process killed while a job moves to or from a delay tier: the job is neither lost nor run
// before it is due, on the embedded engine and on Kafka.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import type { Engine } from '../../src/engine/types.js';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { Worker } from '../../workers/worker.js';
import type { TierCrashConfig } from '../fixtures/tier-crash-child.js';
import { kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from '../helpers/temp-dir.js';

const child = path.resolve(import.meta.dirname, '../fixtures/tier-crash-child.ts');
const BACKOFF_MS = 2500;
const LOCK_MS = 2000;

function runChild(config: TierCrashConfig): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, JSON.stringify(config)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('exit', (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Target = 'embedded' | 'kafka';
const targets: Target[] = kafkaBrokers() === null ? ['embedded'] : ['embedded', 'kafka'];

describe.each(targets)('delay tier crash (%s)', (target) => {
  it.each(['to-tier', 'from-tier'] as const)(
    'SIGKILL %s: the job runs again, never before it is due',
    async (phase) => {
      const { dir, remove } = await tempDir('sharq-tier-crash-');
      const queue = `tc-${randomUUID().slice(0, 8)}`;
      const marker = path.join(dir, 'marker.json');
      const engineOption =
        target === 'embedded' ? { dataDir: path.join(dir, 'data') } : { brokers: kafkaBrokers()! };
      const signal = await runChild({
        engine: engineOption,
        queue,
        phase,
        backoffMs: BACKOFF_MS,
        lockDurationMs: LOCK_MS,
        marker,
      });
      expect(signal).toBe('SIGKILL');
      expect(existsSync(marker)).toBe(true);
      const { dueAt } = JSON.parse(readFileSync(marker, 'utf8')) as { dueAt: number };
      expect(dueAt).toBeGreaterThan(0);

      const engine: Engine =
        target === 'embedded'
          ? new EmbeddedEngine({ dataDir: path.join(dir, 'data') })
          : new KafkaEngine({ brokers: kafkaBrokers()!, clientId: `tier-crash-check-${queue}` });
      const runs: { attempt: number; at: number; deliveryCount: number; offset: number }[] = [];
      const worker = new Worker<string>(
        queue,
        (job) => {
          runs.push({
            attempt: job.attempt,
            at: Date.now(),
            deliveryCount: job.deliveryCount,
            offset: job.offset,
          });
        },
        { engine, holdMaxMs: 0, pollMaxWaitMs: 100 },
      );
      try {
        await until(() => runs.length > 0, 30_000);
        // Let a duplicate (the copy written just before the kill) surface too, if there is one.
        await new Promise((r) => setTimeout(r, LOCK_MS + 500));
        for (const run of runs) expect(run.at).toBeGreaterThanOrEqual(dueAt);
        // At least once, and at most twice: the crash window may leave two copies.
        expect(runs.length).toBeGreaterThanOrEqual(1);
        // Which copies ran, for a failure here: each run's queue offset and delivery count.
        expect(runs.length, JSON.stringify(runs)).toBeLessThanOrEqual(2);
        expect(runs.every((r) => r.attempt >= 2)).toBe(true);
      } finally {
        await worker.close();
        await engine.close();
        await remove();
      }
    },
  );
});
