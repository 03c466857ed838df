/**
 * Admin API latency with a 100,000-record DLQ: fills the DLQ of a queue on the embedded engine
 * (as workers write it), serves the admin API on a loopback port, and loads it from a second
 * process (bench/admin-api-client.ts) with bounded concurrency. Prints p50 / p99 per route.
 *
 *   npm run bench:admin [-- --records 100000 --requests 400 --concurrency 8]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SharqAdmin } from '../src/admin/admin.js';
import { deadLetterRecord } from '../src/dlq/dead-letter.js';
import { EmbeddedEngine } from '../src/embedded/embedded-engine.js';
import { encodeJob } from '../src/job/envelope.js';
import { Queue } from '../src/queue/queue.js';
import { startAdminServer } from '../src/server/admin/http-server.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
  },
});
const records = Math.min(1_000_000, Number(values.records));
const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-bench-admin-'));
const engine = new EmbeddedEngine({ dataDir: dir, fsync: 'never' });
try {
  await engine.start();
  const name = 'bench-admin';
  const q = new Queue(name, { engine });
  await q.ensureTopic();
  await q.addBulk(Array.from({ length: 1000 }, (_, i) => ({ name: 'job', data: { i } })));
  const t0 = performance.now();
  const start = Date.now() - records;
  for (let i = 0; i < records; i += 1000) {
    const batch = Array.from({ length: Math.min(1000, records - i) }, (_, k) => {
      const n = i + k;
      const { record } = encodeJob({
        name: n % 10 === 0 ? 'report' : 'email',
        data: { n, to: `user${n}@example.com` },
        jobId: `job-${n}`,
        key: `k${n % 100}`,
      });
      const error = Object.assign(new Error(`failed ${n}`), {
        code: n % 100 === 0 ? 'E_RARE' : 'E_SMTP',
      });
      return deadLetterRecord(
        {
          source: {
            topic: name,
            partition: 0,
            offset: n,
            timestamp: start + n,
            key: record.key ?? null,
            value: record.value,
            headers: record.headers ?? {},
          },
          group: `sharq.${name}`,
          deliveryCount: 3,
          reason: 'attempts-exhausted',
          error,
          message: error.message,
          now: start + n,
        },
        1,
      );
    });
    await engine.produce(q.deadLetterTopic, batch);
  }
  process.stderr.write(
    `filled ${records} DLQ records in ${Math.round(performance.now() - t0)} ms\n`,
  );
  const token = 'bench-token-0123456789abcdef';
  const server = await startAdminServer({
    admin: new SharqAdmin({ engine }),
    port: 0,
    adminTokens: [token],
    rateLimit: false,
    logger: { info: () => undefined, warn: () => undefined },
  });
  const client = path.join(import.meta.dirname, 'admin-api-client.js');
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      process.execPath,
      [
        client,
        '--url',
        server.url,
        '--token',
        token,
        '--queue',
        name,
        '--requests',
        values.requests!,
        '--concurrency',
        values.concurrency!,
      ],
      { timeout: 600_000, maxBuffer: 1 << 20 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
  await server.close();
  const rows = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number | string>);
  process.stdout.write(
    `admin API, ${records} DLQ records, ${values.requests} requests per route, ${values.concurrency} in flight, second process over loopback\n\n`,
  );
  process.stdout.write(
    `${'route'.padEnd(38)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'max ms'.padStart(9)}${'req/s'.padStart(8)}${'errors'.padStart(8)}\n`,
  );
  for (const r of rows)
    process.stdout.write(
      `${String(r.scenario).padEnd(38)}${String(r.p50).padStart(9)}${String(r.p99).padStart(9)}${String(r.max).padStart(9)}${String(r.rps).padStart(8)}${String(r.errors).padStart(8)}\n`,
    );
} finally {
  await engine.close();
  await rm(dir, { recursive: true, force: true });
}
