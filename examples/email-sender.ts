/**
 * An email sender with retries, exponential backoff with jitter, and a dead-letter queue.
 *
 * The SMTP server is a fake with the three answers a real one gives:
 *   250          sent
 *   421 (4xx)    try again later (greylisting, a busy server): a plain throw, so sharq retries
 *                after the job's backoff; two addresses pass on their third attempt, one never
 *   550 (5xx)    bad address: retrying cannot help, so the handler throws UnrecoverableError
 *                and the job goes to the dead-letter topic at once
 * At the end it reads the dead-letter topic back and prints why each job is there, from the
 * record's headers. Runs on the embedded engine in a temp directory and exits by itself:
 *
 *   node --import tsx examples/email-sender.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DLQ_HEADER, Queue, UnrecoverableError, Worker } from 'sharq';

type Email = { to: string; subject: string };

class SmtpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

/** A fake SMTP server: greylists some addresses, is unreachable for one, and checks syntax. */
function fakeSmtp() {
  const greylisted = new Set(['grace@example.com', 'alan@example.org']);
  const unreachable = new Set(['ken@mail.example.net']);
  const attempts = new Map<string, number[]>();
  const started = Date.now();
  let queued = 0;
  return {
    /** When each attempt to an address reached the server, in ms since it started. */
    attempts,
    async send(email: Email): Promise<string> {
      const seen = attempts.get(email.to) ?? [];
      seen.push(Date.now() - started);
      attempts.set(email.to, seen);
      await sleep(5);
      if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email.to))
        throw new SmtpError(550, `550 5.1.3 bad recipient address syntax: ${email.to}`);
      if (unreachable.has(email.to))
        throw new SmtpError(421, '421 4.4.2 mail.example.net: connection timed out, try again');
      if (greylisted.has(email.to) && seen.length <= 2)
        throw new SmtpError(421, '421 4.7.0 greylisted, try again later');
      return `250 2.0.0 OK: queued as ${(0x4f00 + ++queued).toString(16).toUpperCase()}`;
    },
  };
}

const smtp = fakeSmtp();
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sharq-email-'));
const engine = { type: 'embedded', dataDir } as const;

// The retry policy travels with each job: 4 attempts, waiting ~100, ~200, ~400 ms between them;
// jitter 0.25 makes a quarter of each wait random (75–100, 150–200, 300–400 ms), so jobs that
// failed together do not all come back at the same moment.
const queue = new Queue<Email>('emails', {
  engine,
  defaultJobOptions: { attempts: 4, backoff: { type: 'exponential', delay: 100, jitter: 0.25 } },
});

const worker = new Worker<Email, string>(
  'emails',
  async (job) => {
    try {
      return await smtp.send(job.data);
    } catch (err) {
      // 5xx is permanent: no retry. Anything else fails this attempt and is retried.
      if (err instanceof SmtpError && err.status >= 500)
        throw new UnrecoverableError(err.message, { cause: err });
      throw err;
    }
  },
  { engine, concurrency: 4 },
);

const emails: Email[] = [
  { to: 'ada@example.com', subject: 'Welcome' },
  { to: 'grace@example.com', subject: 'Welcome' },
  { to: 'nobody.example.com', subject: 'Welcome' },
  { to: 'alan@example.org', subject: 'Welcome' },
  { to: 'ken@mail.example.net', subject: 'Welcome' },
  { to: 'linus@example.com', subject: 'Welcome' },
];

const settled = new Promise<void>((resolve) => {
  let left = emails.length;
  const one = () => --left === 0 && resolve();
  worker.on('completed', (job, reply) => {
    console.log(`sent      ${job.data.to} on attempt ${job.attempt}: ${reply}`);
    one();
  });
  worker.on('retrying', (job, error, { delayMs }) => {
    console.log(
      `retrying  ${job.data.to} in ${delayMs} ms (attempt ${job.attempt} of ${job.attempts} failed: ${error.message})`,
    );
  });
  worker.on('dead-lettered', ({ record, reason }) => {
    const { to } = JSON.parse(String(record.value)) as Email;
    console.log(`dead      ${to}: ${reason}`);
    one();
  });
});

await queue.addBulk(emails.map((data) => ({ name: 'welcome', data })));
await settled;

console.log('\nattempts as the SMTP server saw them (ms since it started):');
for (const [to, times] of smtp.attempts) {
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  console.log(
    `  ${to.padEnd(22)} ${times.length} × at ${times.join(', ')}${gaps.length > 0 ? `  (gaps ${gaps.join(', ')})` : ''}`,
  );
}

// The dead-letter topic is an ordinary topic: read it from its first offset on each partition.
console.log(`\ndead-letter topic ${queue.deadLetterTopic}:`);
for (const p of await worker.engine.admin.offsets(queue.deadLetterTopic)) {
  const records = await worker.engine.read(
    queue.deadLetterTopic,
    p.partition,
    p.logStartOffset,
    p.logEndOffset - p.logStartOffset,
  );
  for (const r of records) {
    const { to } = JSON.parse(String(r.value)) as Email;
    const h = r.headers;
    console.log(
      `  ${to.padEnd(22)} reason=${h[DLQ_HEADER.reason]} attempts=${h[DLQ_HEADER.attempts]} error=${h[DLQ_HEADER.errorName]}: ${h[DLQ_HEADER.message]}`,
    );
  }
}

await Promise.all([worker.close(), queue.close()]);
await rm(dataDir, { recursive: true, force: true });
