/**
 * The load side of bench/admin-api.ts, in a second process: for each scenario, `--requests`
 * requests with at most `--concurrency` in flight over loopback keep-alive connections; prints
 * one JSON line per scenario `{ scenario, n, errors, p50, p99, max, rps }` (ms).
 *
 *   node dist/bench/admin-api-client.js --url http://127.0.0.1:PORT --token T --queue Q
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    queue: { type: 'string' },
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
  },
});
const base = values.url!;
const headers = { authorization: `Bearer ${values.token}` };
const total = Math.min(100_000, Number(values.requests));
const concurrency = Math.min(64, Number(values.concurrency));
const q = encodeURIComponent(values.queue!);

async function get(path: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, { headers });
  const body = await res.json();
  if (!res.ok) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Cursors of the first pages, so "deep page" requests land all over the DLQ. */
async function cursors(n: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < n; i++) {
    const page = (await get(
      `/api/queues/${q}/dlq?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    )) as { nextCursor: string | null };
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
    out.push(cursor);
  }
  return out;
}

async function scenario(name: string, path: (i: number) => string): Promise<void> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        try {
          await get(path(i));
          times.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0) * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({ scenario: name, n: times.length, errors, p50: at(0.5), p99: at(0.99), max: at(1), rps: Math.round((times.length / elapsed) * 1000) })}\n`,
  );
}

const deep = await cursors(190);
await scenario('queue detail', () => `/api/queues/${q}`);
await scenario('DLQ list, first page (50)', () => `/api/queues/${q}/dlq?limit=50`);
await scenario(
  'DLQ list, page deep in (50)',
  (i) => `/api/queues/${q}/dlq?limit=50&cursor=${deep[i % deep.length]}`,
);
await scenario(
  'DLQ list, filter by error code (50)',
  () => `/api/queues/${q}/dlq?limit=50&errorCode=E_RARE`,
);
await scenario('DLQ record detail', (i) => `/api/queues/${q}/dlq/0:${(i * 7919) % 100_000}`);
