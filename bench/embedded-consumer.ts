/**
 * The embedded engine's acquire/acknowledge path alone, without the Worker: a pre-filled topic
 * drained through `engine.createShareConsumer`, ACCEPTing every record. Two loops per poll size:
 *
 *   - serial:    poll, await acknowledge, poll again: one full round trip per poll;
 *   - pipelined: acknowledge without waiting and poll at once (what the Worker does: its acks of
 *                one turn go out just before its next poll), awaiting the acks at the end.
 *
 * `--max-records 1` is what a Worker at concurrency 1 asks for on every poll. Figures are jobs/s
 * from the first poll to the last acknowledgement resolving, default engine options unless
 * `--ack-fsync` says otherwise. Machines here are noisy: compare within a run.
 *
 *   node dist/bench/embedded-consumer.js
 *   node dist/bench/embedded-consumer.js --jobs 50000 --max-records 1,32,256 --ack-fsync always
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Acknowledgement, AckType, EmbeddedEngine, type ProduceRecord } from '../src/index.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    'max-records': { type: 'string', default: '1,32' },
    'ack-fsync': { type: 'string', default: 'interval' },
    rounds: { type: 'string', default: '2' },
  },
});
const jobs = Number(values.jobs);
const sizes = values['max-records'].split(',').map(Number);
const ackFsync = values['ack-fsync'] === 'always' ? 'always' : 'interval';
const rounds = Number(values.rounds);

type Mode = 'serial' | 'pipelined';

async function drain(maxRecords: number, mode: Mode): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-consumer-'));
  const engine = new EmbeddedEngine({ dataDir: dir, ackFsync });
  try {
    await engine.admin.createTopic('jobs');
    await engine.admin.configureGroup('g', { autoOffsetReset: 'earliest' });
    const value = Buffer.from('{"n":0}');
    for (let n = 0; n < jobs; n += 1000) {
      const batch: ProduceRecord[] = [];
      for (let i = 0; i < Math.min(1000, jobs - n); i++) {
        batch.push({ value, headers: { 'sharq.id': String(n + i) } });
      }
      await engine.produce('jobs', batch);
    }
    const consumer = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    const pending: Promise<unknown>[] = [];
    let done = 0;
    const t0 = performance.now();
    while (done < jobs) {
      const records = await consumer.poll({ maxRecords, maxWaitMs: 1000 });
      if (records.length === 0) throw new Error(`poll came back empty after ${done} records`);
      const acks: Acknowledgement[] = records.map((record) => ({ record, type: AckType.Accept }));
      done += records.length;
      const acked = consumer.acknowledge(acks).then((r) => {
        if (r.failed.length > 0) throw r.failed[0]!.error;
      });
      if (mode === 'serial') await acked;
      else pending.push(acked);
    }
    await Promise.all(pending);
    const secs = (performance.now() - t0) / 1000;
    await consumer.close();
    return jobs / secs;
  } finally {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(
  `share consumer bench: ${jobs.toLocaleString('en-US')} jobs, ackFsync ${ackFsync}, node ${process.version}, ${os.cpus().length} cpus`,
);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const best = new Map<string, number>();
for (let round = 0; round < rounds; round++) {
  for (const size of sizes) {
    for (const mode of ['serial', 'pipelined'] as const) {
      const k = `${size} ${mode}`;
      best.set(k, Math.max(best.get(k) ?? 0, await drain(size, mode)));
    }
  }
}
console.log(`${'maxRecords'.padEnd(12)}${'serial'.padStart(12)}${'pipelined'.padStart(12)}`);
for (const size of sizes) {
  console.log(
    `${String(size).padEnd(12)}${fmt(best.get(`${size} serial`)!).padStart(12)}${fmt(best.get(`${size} pipelined`)!).padStart(12)}`,
  );
}
console.log(`jobs/s, best of ${rounds} rounds`);
