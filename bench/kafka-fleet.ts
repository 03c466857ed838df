/**
 * Scaling past the partition count: `jobs` jobs of `jobMs` each on a ONE-partition topic,
 * drained by 1, 2, 4, ... worker PROCESSES (bench/kafka-fleet-child.ts, a Worker with its
 * defaults at `concurrency` each). A share group hands the one partition to every member, so
 * the fleet should scale until the broker or the machine runs out.
 *
 * Per fleet size, on a fresh queue: fork the processes, wait until each has set up and the
 * group lists them all as members, let the broker hand them the partition (it takes about a
 * second after a join), then produce the jobs and time from the first produce to the last
 * completion (an ACCEPT the broker confirmed). Every job is counted once; a job completed twice
 * (its lock ran out) shows as redelivered.
 */
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { ProduceRecord } from '../src/engine/types.js';
import { encodeJob } from '../src/job/envelope.js';
import { KafkaEngine } from '../src/kafka/kafka-engine.js';
import { defaultDeadLetterTopic, delayTierTopics, queueGroup } from '../src/queue/names.js';
import type { ChildMessage, ParentMessage } from './kafka-fleet-child.js';

export interface FleetOptions {
  brokers: string[];
  run: string;
  jobs: number;
  jobMs: number;
  concurrency: number;
  timeoutMs: number;
  /** Directory for each child's --cpu-prof output, if profiling. */
  cpuProfDir: string | undefined;
  /** Called as the timed span starts (the first produce) and ends (the last completion). */
  span?: { start(): void; end(): void };
}

export interface FleetMeasurement {
  processes: number;
  /** Jobs per second from the first produce to the last completion. */
  rate: number;
  ms: number;
  completed: number;
  duplicates: number;
  redelivered: number;
  errors: number;
  /** Completed jobs per process, to see how evenly the partition was shared. */
  perProcess: number[];
}

const childFile = path.join(
  import.meta.dirname,
  `kafka-fleet-child${path.extname(import.meta.filename)}`,
);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function fleetRun(o: FleetOptions, processes: number): Promise<FleetMeasurement> {
  const queue = `bench-fleet-${o.run}-${processes}`;
  const topics = [queue, defaultDeadLetterTopic(queue), ...delayTierTopics(queue)];
  // An engine per fleet: kafkajs keeps refreshing metadata of every topic it produced to, and
  // fails once one of them is deleted, as the previous fleet's queue is.
  const admin = new KafkaEngine({ brokers: o.brokers, clientId: `sharq-bench-fleet-${o.run}` });
  await admin.admin.createTopic(queue, { partitions: 1 });
  const children: ChildProcess[] = [];
  const seen = new Uint8Array(o.jobs);
  const perProcess = new Array<number>(processes).fill(0);
  let completed = 0;
  let duplicates = 0;
  let redelivered = 0;
  let errors = 0;
  let lastAt = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  try {
    const readies: Promise<void>[] = [];
    for (let i = 0; i < processes; i++) {
      const child = fork(
        childFile,
        [
          '--brokers',
          o.brokers.join(','),
          '--queue',
          queue,
          '--concurrency',
          String(o.concurrency),
          '--job-ms',
          String(o.jobMs),
          '--client-id',
          `sharq-bench-fleet-${i}`,
        ],
        {
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          execArgv:
            o.cpuProfDir === undefined
              ? []
              : [
                  '--cpu-prof',
                  '--cpu-prof-dir',
                  o.cpuProfDir,
                  '--cpu-prof-name',
                  `fleet-${processes}p-${i}.cpuprofile`,
                ],
        },
      );
      children.push(child);
      readies.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (m: ChildMessage) => {
            if (m.type === 'ready') resolve();
            else if (m.type === 'error') errors++;
            else if (m.type === 'done') {
              lastAt = Math.max(lastAt, m.at);
              redelivered += m.redelivered;
              for (const n of m.n) {
                perProcess[i]!++;
                if (seen[n] === 1) {
                  duplicates++;
                  continue;
                }
                seen[n] = 1;
                if (++completed === o.jobs) allDone();
              }
            }
          });
          child.once('exit', (code) => reject(new Error(`fleet process ${i} exited (${code})`)));
        }),
      );
    }
    await Promise.all(readies);
    for (const c of children) c.send({ type: 'go' } satisfies ParentMessage);
    // Every process polls once it is a member; the broker hands out the partition a moment after.
    const group = queueGroup(queue);
    const deadline = Date.now() + o.timeoutMs;
    while ((await admin.admin.describeGroup(group)).members.length < processes) {
      if (Date.now() > deadline) throw new Error(`fleet of ${processes}: members never all joined`);
      await sleep(100);
    }
    await sleep(1500);

    // Wall-clock time: completion times come from the children (ms resolution is plenty here).
    o.span?.start();
    const t0 = Date.now();
    for (let n = 0; n < o.jobs; n += 1000) {
      const batch: ProduceRecord[] = [];
      for (let i = n; i < Math.min(o.jobs, n + 1000); i++)
        batch.push(encodeJob({ name: 'fleet', data: { n: i } }).record);
      await admin.produce(queue, batch);
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      finished,
      new Promise<void>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `fleet of ${processes}: ${completed}/${o.jobs} done after ${o.timeoutMs} ms`,
              ),
            ),
          o.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    o.span?.end();
    const ms = lastAt - t0;
    return {
      processes,
      rate: o.jobs / (ms / 1000),
      ms,
      completed,
      duplicates,
      redelivered,
      errors,
      perProcess,
    };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || !c.connected) {
              resolve();
              return;
            }
            const kill = setTimeout(() => c.kill('SIGKILL'), 30_000);
            c.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            c.send({ type: 'stop' } satisfies ParentMessage);
          }),
      ),
    );
    // Only the topics that exist: kafkajs retries the deletion of a missing one for seconds.
    const made = new Set((await admin.admin.listTopics().catch(() => [])).map((t) => t.name));
    for (const t of topics)
      if (made.has(t)) await admin.admin.deleteTopic(t).catch(() => undefined);
    await admin.close();
  }
}
