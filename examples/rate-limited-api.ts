/**
 * Calling a rate-limited API: a worker limiter keeps the calls under the API's limit, and
 * RateLimitError covers the 429s that still come back.
 *
 * The API is a local HTTP server that allows LIMIT calls per second per API key, counted in
 * fixed one-second windows, and answers 429 past that with `x-ratelimit-reset` (the epoch second
 * its window resets, as GitHub's API does). The worker's `limiter` starts at most LIMIT jobs per
 * second, so on its own it never meets a 429. But the key is shared with another client (a
 * reports service; the server counts `--other` calls of it at the top of every second), so the
 * API still refuses some calls: the handler throws RateLimitError with the time to the reset, and the job
 * waits that long and runs again without spending an attempt. Runs on the embedded engine in a
 * temp directory and exits by itself:
 *
 *   node --import tsx examples/rate-limited-api.ts                   # limit per process
 *   node --import tsx examples/rate-limited-api.ts --other 0         # nobody else: no 429
 *   node --import tsx examples/rate-limited-api.ts --redis redis://127.0.0.1:6379
 *
 * With `--redis` the limit is shared by every worker process of the queue (fleet-wide), as one
 * line of options: `limiter: { max, durationMs, redis: 'redis://...' }`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Queue, RateLimitError, Worker } from 'sharq';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '10' },
    other: { type: 'string', default: '2' },
    redis: { type: 'string' },
  },
});
const JOBS = Number(args.jobs);
const OTHER = Number(args.other);
/** Calls per second the API allows for one key. */
const LIMIT = 5;
const API_KEY = `key-${randomUUID().slice(0, 8)}`;

// --- The API -------------------------------------------------------------------------------
/** Calls of the worker per one-second window (epoch second), and how many were refused. */
const seen = new Map<number, { calls: number; refused: number }>();
const server = createServer((req, res) => {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  const w = seen.get(second) ?? { calls: 0, refused: 0 };
  seen.set(second, w);
  w.calls++;
  // The other client's calls count against the key too: OTHER of them at the top of each second.
  const used = OTHER + w.calls;
  const headers = {
    'x-ratelimit-limit': String(LIMIT),
    'x-ratelimit-remaining': String(Math.max(0, LIMIT - used)),
    'x-ratelimit-reset': String(second + 1),
  };
  if (used > LIMIT) {
    w.refused++;
    res.writeHead(429, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify({ thumbnail: `${req.url}.webp` }));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- The worker --------------------------------------------------------------------------------
type Photo = { id: number };
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sharq-ratelimit-'));
const engine = { type: 'embedded', dataDir } as const;
const queue = new Queue<Photo>('thumbnails', { engine });
const worker = new Worker<Photo, unknown>(
  'thumbnails',
  async (job) => {
    const res = await fetch(`${api}/photos/${job.data.id}/thumbnail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    if (res.status === 429) {
      // Wait until the API's window resets; a RateLimitError spends no attempt.
      const reset = Number(res.headers.get('x-ratelimit-reset')) * 1000;
      throw new RateLimitError({
        delayMs: Math.max(0, reset - Date.now()),
        message: 'the API answered 429',
      });
    }
    if (!res.ok) throw new Error(`the API answered ${res.status}`);
    return res.json();
  },
  {
    engine,
    concurrency: LIMIT,
    // attempts: 1, so a job that spent an attempt on a 429 would end in the dead-letter topic.
    attempts: 1,
    // The limiter's tokens are taken when a poll starts, so a long poll of an idle queue would
    // start their window early; short polls keep it where the jobs start.
    pollMaxWaitMs: 50,
    // At most LIMIT jobs start per second in this process; with `redis`, across the fleet: every
    // worker with this `key` (the API key, as the API limits per key) shares one limit.
    limiter: {
      max: LIMIT,
      durationMs: 1000,
      key: `api:${API_KEY}`,
      ...(args.redis === undefined ? {} : { redis: args.redis }),
    },
  },
);

worker.on('notice', (message) => console.log(`notice: ${message}`));
const waited = new Set<number>();
/** The attempt each job completed on. */
const completedOn: number[] = [];
const done = new Promise<void>((resolve, reject) => {
  worker.on('completed', (job) => {
    console.log(
      `photo ${job.data.id}: thumbnail made on attempt ${job.attempt} of ${job.attempts}`,
    );
    completedOn.push(job.attempt);
    if (completedOn.length === JOBS) resolve();
  });
  worker.on('retrying', (job, error, { delayMs }) => {
    if (!(error instanceof RateLimitError)) return;
    waited.add(job.data.id);
    console.log(`photo ${job.data.id}: 429, waits ${delayMs} ms for the reset (no attempt spent)`);
  });
  worker.on('dead-lettered', ({ error }) => reject(error));
});
await worker.waitUntilReady();

console.log(
  `API limit ${LIMIT} calls/s per key, ${OTHER} of them spent by another client each second; ` +
    `worker limiter ${LIMIT} per 1000 ms ${args.redis === undefined ? 'in this process' : `on ${args.redis}`}`,
);
// The API counts a call in the second it arrives; the limiter counts a job from when its poll
// took the token, up to `pollMaxWaitMs` before the job starts. Adding the jobs 100 ms into a
// second keeps the two on the same seconds, so the table below adds up exactly; in production,
// leave the API a margin instead (a `max` a little under its limit).
await sleep((1100 - (Date.now() % 1000)) % 1000);
await queue.addBulk(Array.from({ length: JOBS }, (_, id) => ({ name: 'thumbnail', data: { id } })));
await done;

console.log('\nsecond  calls  429s');
const first = Math.min(...seen.keys());
for (const [second, w] of seen)
  console.log(
    `${String(second - first + 1).padStart(6)}  ${String(w.calls).padStart(5)}  ${String(w.refused).padStart(4)}`,
  );
const rows = [...seen.values()];
console.log(
  `\nmost calls in one second: ${Math.max(...rows.map((w) => w.calls))} (limit ${LIMIT})`,
);
console.log(`429s served: ${rows.reduce((n, w) => n + w.refused, 0)}`);
console.log(
  `jobs: ${completedOn.length} completed, on attempt ${[...new Set(completedOn)].join(', ')}; ` +
    `${waited.size} of them waited out a 429 first`,
);

await Promise.all([worker.close(), queue.close()]);
server.closeAllConnections();
server.close();
await rm(dataDir, { recursive: true, force: true });
