/**
 * `sharq admin`: the admin API on its own, against a Kafka cluster (--brokers, SHARQ_BROKERS)
 * or an embedded data directory (--data-dir; one process owns a directory, so not one a running
 * `sharq server` holds: that server serves the API itself).
 *
 *   stdout  `{"event":"listening","http":"http://127.0.0.1:6380","engine":"kafka"}`, then
 *           `{"event":"stopped"}` after SIGTERM / SIGINT
 *   stderr  JSON log lines: one audit line per mutation, warnings
 *   exit    0 after a signal; 1 when it cannot start; 2 for bad flags
 */
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { SharqAdmin } from '../admin/admin.js';
import { createEngine, kafkaEngineOptions } from '../engine/resolve-engine.js';
import type { Engine } from '../engine/types.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import {
  type AdminServer,
  DEFAULT_HTTP_PORT,
  startAdminServer,
} from '../server/admin/http-server.js';
import { stderrLogger } from '../server/server.js';
import { HTTP_PARSE_OPTIONS, HttpFlags, tokensFrom } from './http-flags.js';

const AdminCommandOptions = z
  .object({
    brokers: z
      .string()
      .min(1)
      .optional()
      .describe('Kafka bootstrap brokers, comma-separated (or SHARQ_BROKERS).'),
    'data-dir': z
      .string()
      .min(1)
      .optional()
      .describe('An embedded data directory instead of Kafka.'),
    ...HttpFlags,
    // This command is the admin API: "none" or "off" would leave it nothing to do.
    'http-port': HttpFlags['http-port'].describe(
      `Admin API port (0 picks a free one). Default: ${DEFAULT_HTTP_PORT}.`,
    ),
  })
  .strict();

export const ADMIN_SERVER_HELP = `sharq admin — the admin API (HTTP) against a Kafka cluster or an embedded data directory

Usage: sharq admin --brokers host:9092 [--http-port 6380] [--http-host 127.0.0.1]

Options:
${Object.entries(AdminCommandOptions.shape)
  .map(([k, v]) => `  --${k.padEnd(16)} ${v.description ?? ''}`)
  .join('\n')}

Routes and auth: docs/admin-api.md. Stop with SIGTERM or Ctrl-C.`;

export async function runAdminServerCommand(argv: string[]): Promise<number> {
  let flags: z.output<typeof AdminCommandOptions>;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        brokers: { type: 'string' },
        'data-dir': { type: 'string' },
        ...HTTP_PARSE_OPTIONS,
      },
      strict: true,
    });
    flags = parseOptions('sharq admin', AdminCommandOptions, values);
  } catch (err) {
    process.stderr.write(`sharq admin: ${toError(err).message}\n\n${ADMIN_SERVER_HELP}\n`);
    return 2;
  }
  const port = flags['http-port'];
  if (port === 'none') {
    process.stderr.write(
      `sharq admin: --http-port none|off: sharq admin serves the admin API, so it needs a port (0 picks a free one) [SHARQ_ERR_INVALID_OPTION]\n`,
    );
    return 2;
  }
  const brokers = flags.brokers ?? process.env.SHARQ_BROKERS;
  if (brokers === undefined && flags['data-dir'] === undefined) {
    process.stderr.write(`sharq admin: give --brokers (or SHARQ_BROKERS) or --data-dir\n`);
    return 2;
  }
  const engine: Engine =
    flags['data-dir'] !== undefined
      ? createEngine({ type: 'embedded', dataDir: flags['data-dir'] })
      : createEngine(kafkaEngineOptions(brokers!, process.env));
  let http: AdminServer | undefined;
  const stopped = new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  try {
    await engine.start();
    http = await startAdminServer({
      admin: new SharqAdmin({ engine }),
      registry: new Registry(),
      host: flags['http-host'],
      port,
      adminTokens: tokensFrom(flags['admin-token'], process.env.SHARQ_ADMIN_TOKEN),
      readTokens: tokensFrom(flags['read-token'], process.env.SHARQ_READ_TOKEN),
      logger: stderrLogger,
    });
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', http: http.url, engine: engine.kind })}\n`,
    );
  } catch (err) {
    const e = toError(err);
    process.stderr.write(`sharq admin: ${e.message}${SharqError.is(e) ? ` [${e.code}]` : ''}\n`);
    await http?.close().catch(() => undefined);
    await engine.close().catch(() => undefined);
    return 1;
  }
  await stopped;
  await http.close();
  await engine.close();
  process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}
