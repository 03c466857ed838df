/**
 * One process of the Kafka fleet bench (bench/kafka-fleet.ts forks it): a sharq Worker with its
 * defaults on the fleet's queue, each job sleeping `--job-ms` (0: a no-op handler that returns
 * at once, not a zero timer). Talks to its parent over IPC:
 *
 *   child → parent  { type: 'ready' }             set up (topics, group settings), not polling yet
 *   parent → child  { type: 'go' }                start polling
 *   child → parent  { type: 'done', n, at }       jobs completed (ACCEPT durable) since the last
 *                                                 report, and when the last of them did (Date.now())
 *   parent → child  { type: 'stop' }              close the worker, then exit
 *   child → parent  { type: 'error', message }    a worker error (counted, not fatal)
 */
import { parseArgs } from 'node:util';
import { KafkaEngine } from '../src/kafka/kafka-engine.js';
import { Worker } from '../workers/worker.js';

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'done'; n: number[]; redelivered: number; at: number }
  | { type: 'error'; message: string }
  | { type: 'closed' };
export type ParentMessage = { type: 'go' } | { type: 'stop' };

const { values } = parseArgs({
  options: {
    brokers: { type: 'string' },
    queue: { type: 'string' },
    concurrency: { type: 'string', default: '16' },
    'job-ms': { type: 'string', default: '10' },
    'client-id': { type: 'string', default: 'sharq-bench-fleet' },
  },
});
if (values.brokers === undefined || values.queue === undefined || process.send === undefined)
  throw new Error(
    'kafka-fleet-child is started by bench/kafka-fleet.ts (fork, with --brokers and --queue)',
  );
const send = (m: ChildMessage) => process.send?.(m);
const jobMs = Number(values['job-ms']);

const engine = new KafkaEngine({
  brokers: values.brokers.split(','),
  clientId: values['client-id'],
});
const handler =
  jobMs === 0 ? () => undefined : () => new Promise<void>((resolve) => setTimeout(resolve, jobMs));
const worker = new Worker<{ n: number }>(values.queue, handler, {
  engine,
  concurrency: Number(values.concurrency),
  autorun: false,
});
let done: number[] = [];
let redelivered = 0;
let lastAt = 0;
worker.on('completed', (job) => {
  done.push(job.data.n);
  lastAt = Date.now();
  if (job.deliveryCount > 1) redelivered++;
});
worker.on('error', (err) => send({ type: 'error', message: err.message }));
const report = () => {
  if (done.length === 0) return;
  send({ type: 'done', n: done, redelivered, at: lastAt });
  done = [];
  redelivered = 0;
};
const reporter = setInterval(report, 25);

process.on('message', (m: ParentMessage) => {
  if (m.type === 'go') void worker.run();
  if (m.type === 'stop') {
    void (async () => {
      await worker.close();
      await engine.close();
      clearInterval(reporter);
      report();
      send({ type: 'closed' });
      process.disconnect();
    })();
  }
});

await worker.waitUntilReady();
send({ type: 'ready' });
