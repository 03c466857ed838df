/**
 * The app's worker module: run it with `sharq worker examples/server-app/worker.ts` (with
 * SHARQ_BROKERS naming the same `sharq server`), as many processes as you like; the server's
 * share group hands each job to one of them at a time.
 *
 * "Sending" takes 10-30 ms. Each sent email is appended to RESULTS_FILE (when set) as
 * `<job id> <pid> <delivery count> <to>`, so a run can be checked: every job once, and which
 * process sent it. The handler is idempotent in spirit: a job that runs twice (a worker killed
 * mid-send) shows as two lines with delivery counts 1 and 2.
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { defineWorker } from 'sharq';
import { EMAIL_QUEUE, Email } from './email.js';

const results = process.env.RESULTS_FILE;

export default defineWorker<Email, { sentAt: number }>({
  queue: EMAIL_QUEUE,
  options: { concurrency: 4, schema: Email },
  // The signal fires at the shutdown deadline: the send stops, the attempt fails and the job
  // goes back to the queue for another process.
  handler: async (job, signal) => {
    await sleep(10 + Math.random() * 20, undefined, { signal });
    if (results !== undefined)
      appendFileSync(results, `${job.id} ${process.pid} ${job.deliveryCount} ${job.data.to}\n`);
    else console.log(`sent "${job.data.subject}" to ${job.data.to} (job ${job.id})`);
    return { sentAt: Date.now() };
  },
});
