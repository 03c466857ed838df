import { randomUUID } from 'node:crypto';
import { SharqAdmin, type SharqAdminOptions } from '../../../src/admin/admin.js';
import { type DeadLetterReason, deadLetterRecord } from '../../../src/dlq/dead-letter.js';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import type { Engine } from '../../../src/engine/types.js';
import { encodeJob } from '../../../src/job/envelope.js';
import { Queue } from '../../../src/queue/queue.js';
import type { TimerClock } from '../../../src/util/clock.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** An embedded engine in a temp dir; `close` removes it. */
export async function embedded(): Promise<{ engine: EmbeddedEngine; close: () => Promise<void> }> {
  const t = await tempDir('sharq-admin-');
  const engine = new EmbeddedEngine({ dataDir: t.dir });
  await engine.start();
  return {
    engine,
    close: async () => {
      await engine.close();
      await t.remove();
    },
  };
}

export function queueName(): string {
  return `q-${randomUUID().slice(0, 8)}`;
}

export interface DeadJob {
  name?: string;
  jobId?: string;
  reason?: DeadLetterReason;
  error?: Error;
  at?: number;
  partition?: number;
  headers?: Record<string, string>;
  data?: unknown;
}

/** A queue with its DLQ, and dead-lettered jobs written as a worker writes them. */
export async function queueWithDlq(
  engine: Engine,
  name: string,
  jobs: DeadJob[],
  options: { partitions?: number } = {},
): Promise<Queue> {
  const q = new Queue(name, { engine, ...options });
  await q.ensureTopic();
  const dlq = await engine.admin.describeTopic(q.deadLetterTopic);
  const records = jobs.map((j, i) => {
    const { record } = encodeJob({
      name: j.name ?? 'email',
      data: j.data ?? { n: i },
      jobId: j.jobId ?? `job-${i}`,
      key: `key-${i}`,
      headers: { tenant: 'acme', ...j.headers },
      run: { attempts: 3, attemptsMade: 2 },
    });
    const dead = deadLetterRecord(
      {
        source: {
          topic: name,
          partition: j.partition ?? 0,
          offset: i,
          timestamp: 0,
          key: record.key ?? null,
          value: record.value,
          headers: record.headers ?? {},
        },
        group: `sharq.${name}`,
        deliveryCount: 1,
        reason: j.reason ?? 'attempts-exhausted',
        error: j.error ?? Object.assign(new TypeError('boom'), { code: 'E_BOOM' }),
        message: 'boom',
        now: j.at ?? 1_000_000 + i * 1000,
      },
      dlq.partitions,
    );
    return dead;
  });
  // One produce per record keeps timestamps in order with offsets per partition.
  for (const r of records) await engine.produce(q.deadLetterTopic, [r]);
  return q;
}

/** A clock that runs timers at once, moving time on by their delay: waits cost no real time. */
export function steppingClock(start = 1_700_000_000_000): TimerClock & { slept: number } {
  const c = {
    t: start,
    slept: 0,
    now: () => c.t,
    setTimer(fn: () => void, ms: number) {
      c.t += Math.max(0, ms);
      c.slept += Math.max(0, ms);
      queueMicrotask(fn);
      return () => undefined;
    },
  };
  return c;
}

export function admin(engine: Engine, options: Omit<SharqAdminOptions, 'engine'> = {}): SharqAdmin {
  return new SharqAdmin({ engine, ...options });
}
