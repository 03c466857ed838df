// Admin operations and the admin API on sharq server, reached through the Kafka engine as any
// process on the machine reaches it; and the CLI as a process against the server's admin port.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharqAdmin } from '../../src/admin/admin.js';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { type AdminServer, startAdminServer } from '../../src/server/admin/http-server.js';
import { brokerRoutes } from '../../src/server/routes/index.js';
import { SharqServer } from '../../src/server/server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { queueName, queueWithDlq } from '../unit/admin/fixtures.js';
import { adminSuite } from './admin-suite.js';

let server: SharqServer;
let http: AdminServer;
let brokers: string[];
let remove: () => Promise<void>;
const quiet = { info: () => undefined, warn: () => undefined };
const TOKEN = 'cli-admin-token-0123456789';
const READ = 'cli-read-token-0123456789';

beforeAll(async () => {
  const t = await tempDir('sharq-admin-server-');
  remove = t.remove;
  server = new SharqServer({ port: 0, engine: { dataDir: t.dir }, logger: quiet }, brokerRoutes);
  const { port } = await server.start();
  brokers = [`127.0.0.1:${port}`];
  // As `sharq server --http-port` runs it: the admin API over the server's own engine.
  http = await startAdminServer({
    admin: new SharqAdmin({ engine: server.engine }),
    port: 0,
    adminTokens: [TOKEN],
    readTokens: [READ],
    logger: quiet,
  });
});
afterAll(async () => {
  await http.close();
  await server.close();
  await remove();
});

describe('sharq server', () => {
  adminSuite(
    'sharq server',
    async () => {
      const engine = new KafkaEngine({
        brokers,
        clientId: `sharq-admin-${randomUUID().slice(0, 8)}`,
      });
      await engine.start();
      return engine;
    },
    { shared: false },
  );
});

const root = path.resolve(import.meta.dirname, '../..');
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          SHARQ_ADMIN_URL: http.url,
          SHARQ_ADMIN_TOKEN: TOKEN,
          SHARQ_BROKERS: '',
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
          stdout,
          stderr,
        }),
    );
  });
}

describe('the CLI against the admin API of sharq server', () => {
  it('lists, shows, redrives (once), discards, enqueues, with tables, --json and exit codes', async () => {
    const name = queueName();
    await queueWithDlq(server.engine, name, [{ reason: 'unrecoverable' }, {}, {}]);
    const queues = await cli(['queues']);
    expect(queues.code).toBe(0);
    expect(queues.stdout).toMatch(/^QUEUE +PARTS/m);
    expect(queues.stdout).toMatch(new RegExp(`^${name} +1 +0 +0`, 'm'));
    const json = JSON.parse((await cli(['queue', name, '--json'])).stdout);
    expect(json).toMatchObject({ name, counts: { deadLettered: 3 } });
    const ls = await cli(['dlq', 'ls', name, '--reason', 'unrecoverable']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.split('\n').filter((l) => l.startsWith('0:'))).toHaveLength(1);
    const show = await cli(['dlq', 'show', name, '0:0']);
    expect(show.stdout).toContain('reason unrecoverable');
    expect((await cli(['dlq', 'show', name, '0:99'])).code).toBe(3);
    expect((await cli(['dlq', 'redrive', name])).code).toBe(2);
    const dry = await cli(['dlq', 'redrive', name, '--all', '--dry-run', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, redriven: 3 });
    const unconfirmed = await cli(['dlq', 'redrive', name, '--all']);
    expect(unconfirmed.code).toBe(2);
    // The count and what to do, without the whole command list: the syntax was right.
    expect(unconfirmed.stderr).toBe(
      `sharq dlq: redrive would act on 3 record(s) of ${name}: pass --yes to do it (or --dry-run to see) [SHARQ_ERR_INVALID_OPTION]\n`,
    );
    const red = await cli(['dlq', 'redrive', name, '0:1', '--yes', '--json']);
    expect(red.code).toBe(0);
    expect(JSON.parse(red.stdout)).toMatchObject({ redriven: 1 });
    const again = await cli(['dlq', 'redrive', name, '0:1', '--yes', '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ redriven: 0, skipped: 1 });
    const [o] = await server.engine.admin.offsets(name);
    expect(o!.logEndOffset).toBe(1);
    // --limit bounds a discard (or redrive) and says where to go on.
    const one = await cli(['dlq', 'discard', name, '--all', '--yes', '--limit', '1']);
    expect(one.stdout).toMatch(
      /^discarded 1, skipped 0, missing 0 .*\n\(stopped at --limit 1; more: --cursor \S+\)$/m,
    );
    const dis = await cli(['dlq', 'discard', name, '--all', '--yes']);
    expect(dis.stdout).toContain('discarded 1');
    const enq = await cli(['enqueue', name, 'hello', '--data', '{"x":1}', '--job-id', 'e1']);
    expect(enq.stdout).toContain('added e1');
    expect((await cli(['enqueue', name, 'hello', '--data', '{bad'])).code).toBe(2);
    expect((await cli(['queue', 'no-such-queue'])).code).toBe(3);
    expect((await cli(['queue', name, 'pause'], { SHARQ_ADMIN_TOKEN: READ })).code).toBe(5);
    expect((await cli(['queues'], { SHARQ_ADMIN_TOKEN: 'wrong-token-0123456789' })).code).toBe(5);
    const reset = await cli(['offsets', 'reset', name, '--to', 'latest', '--dry-run']);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toMatch(/^0 +- +2$/m);
    // Usage mistakes exit 2 with a code: a missing flag, a stray argument, a bad flag value.
    for (const args of [
      ['offsets', 'reset', name],
      ['queues', 'extra'],
      ['queue', name, 'pause', 'now'],
      ['enqueue', name, 'x', '--delay', '-5'],
      // A flag of another command, two targets, a URL that is none.
      ['dlq', 'redrive', name, '--all', '--yes', '--delay', '5'],
      ['queues', '--limit', '3'],
      ['queues', '--url', 'http://127.0.0.1:1', '--brokers', '127.0.0.1:1'],
      ['queues', '--url', 'notaurl'],
      ['queues', '--data-dir', path.join(root, 'no-such-data-dir')],
    ]) {
      const bad = await cli(args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toContain('[SHARQ_ERR_INVALID_OPTION]');
    }
    expect(existsSync(path.join(root, 'no-such-data-dir'))).toBe(false);
  });

  it('discards more ids than go in one request (500): all of them', async () => {
    const name = queueName();
    await queueWithDlq(
      server.engine,
      name,
      Array.from({ length: 501 }, () => ({})),
    );
    const ids = Array.from({ length: 501 }, (_, i) => `0:${i}`);
    const res = await cli(['dlq', 'discard', name, ...ids, '--yes', '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ discarded: 501, matched: 501 });
    const limited = await cli(['dlq', 'discard', name, '0:1', '--yes', '--limit', '1']);
    expect(limited.code).toBe(2);
    expect(limited.stderr).toContain('--limit goes with a discard by filter or --all');
  });

  it('acts straight on the cluster with --brokers', async () => {
    const name = queueName();
    await queueWithDlq(server.engine, name, [{}]);
    const res = await cli(['dlq', 'ls', name, '--brokers', brokers.join(','), '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).records).toHaveLength(1);
  });
});
