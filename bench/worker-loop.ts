/**
 * The Worker runtime's own cost per job, without a broker: a Worker on an embedded engine whose
 * share consumer for the queue is replaced by one that hands out ready-made records (as the
 * Kafka reader makes them: null-prototype headers, a value view) and answers every ack at once.
 * What is left is the job loop: poll loop, delivery, decode, the handler call, ACCEPT through the
 * ack batcher, the `completed` event. A before/after of a hot-path change runs this file of both
 * builds side by side, alternating:
 *
 *   npm run bench:loop -- --jobs 300000 --rounds 3
 *
 * Figures are µs per job on this machine (noisy: alternate builds, compare in one run).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EmbeddedEngine } from '../src/embedded/embedded-engine.js';
import type { AcquiredRecord, ShareConsumer } from '../src/engine/types.js';
import { Worker } from '../src/index.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '1000' },
  },
});
const N = Number(values.jobs);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = Number(values.concurrency);
const QUEUE = 'bench-worker-loop';
const value = Buffer.from(JSON.stringify({ to: 'ada@example.com', n: 1 }));

async function round(): Promise<number> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sharq-bench-loop-'));
  const engine = new EmbeddedEngine({ dataDir });
  await engine.start();
  let offset = 0;
  let served = 0;
  const record = (): AcquiredRecord => {
    const headers: Record<string, string> = Object.create(null);
    headers['sharq.id'] = `id-${offset}`;
    headers['sharq.name'] = 'send';
    headers['sharq.v'] = '1';
    return {
      topic: QUEUE,
      partition: 0,
      offset: offset++,
      timestamp: 1,
      key: null,
      value,
      headers,
      deliveryCount: 1,
      lockDeadline: Date.now() + 30_000,
    };
  };
  const real = engine.createShareConsumer.bind(engine);
  // The delay-tier forwarder keeps the engine's own consumers; the queue's is the fake one.
  engine.createShareConsumer = (o): ShareConsumer =>
    o.topics[0] !== QUEUE
      ? real(o)
      : {
          memberId: 'bench',
          async poll({ maxRecords }) {
            await new Promise((r) => setImmediate(r));
            const n = Math.min(maxRecords, 1000, N - served);
            served += n;
            return Array.from({ length: n }, record);
          },
          async acknowledge() {
            return { failed: [] };
          },
          async close() {},
        };
  const worker = new Worker(QUEUE, () => undefined, {
    engine,
    concurrency: CONCURRENCY,
    autorun: false,
  });
  await worker.waitUntilReady();
  let done = 0;
  const all = new Promise<void>((resolve) =>
    worker.on('completed', () => {
      if (++done === N) resolve();
    }),
  );
  const t0 = performance.now();
  void worker.run();
  await all;
  const ms = performance.now() - t0;
  await worker.close();
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
  return (ms * 1000) / N;
}

console.log(
  `Worker runtime without a broker: ${N.toLocaleString('en-US')} no-op jobs, concurrency ${CONCURRENCY}, node ${process.version}, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const results: number[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const us = await round();
  results.push(us);
  console.log(
    `  round ${r}: ${us.toFixed(2)} us/job (${Math.round(1e6 / us).toLocaleString('en-US')} jobs/s)`,
  );
}
console.log(`best ${Math.min(...results).toFixed(2)} us/job`);
