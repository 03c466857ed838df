/**
 * The stderr lines of `sharq worker`: what an operator greps for must be on them, as in the
 * DLQ record (the handler's error code, the job's id and name).
 */
import { afterEach, expect, it } from 'vitest';
import { logEvents } from '../../../src/cli/worker-command.js';
import { Queue } from '../../../src/queue/queue.js';
import { Worker } from '../../../workers/worker.js';
import { until } from '../../helpers/until.js';
import { embedded, queueName } from '../admin/fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('failed and dead-lettered lines carry the job id and name and the error code a handler set', async () => {
  const { engine, close } = await embedded();
  cleanups.push(close);
  const name = queueName();
  const queue = new Queue(name, { engine });
  cleanups.push(() => queue.close());
  const job = await queue.add('send', { to: 'x' }, { attempts: 1 });
  const lines: Record<string, unknown>[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string) => {
    for (const l of String(chunk).split('\n')) if (l.startsWith('{')) lines.push(JSON.parse(l));
    return true;
  }) as typeof process.stderr.write;
  cleanups.push(async () => {
    process.stderr.write = write;
  });
  const worker = new Worker(
    name,
    async () => {
      throw Object.assign(new Error('smtp refused'), { code: 'E_SMTP' });
    },
    { engine, pollMaxWaitMs: 50 },
  );
  cleanups.push(() => worker.close());
  logEvents(worker);
  await until(() => lines.some((l) => l.event === 'dead-lettered'), 'the dead-lettered line');
  const error = { name: 'Error', message: 'smtp refused', code: 'E_SMTP' };
  expect(lines.find((l) => l.event === 'failed')).toMatchObject({
    jobId: job.id,
    name: 'send',
    outcome: 'dead-letter',
    error,
  });
  expect(lines.find((l) => l.event === 'dead-lettered')).toMatchObject({
    queue: name,
    jobId: job.id,
    name: 'send',
    reason: 'attempts-exhausted',
    error,
  });
});
