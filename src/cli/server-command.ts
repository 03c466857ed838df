/**
 * `sharq server`: the embedded engine behind a Kafka-protocol listener, so a web app, worker
 * processes, the CLI and Kafka's own tools on this machine share its queues.
 *
 *   stdout  one JSON line `{"event":"listening","host","port","dataDir"}` once it accepts
 *           connections, and `{"event":"stopped"}` after a clean stop
 *   stderr  JSON log lines (misbehaving clients, warnings)
 *   exit    0 after SIGTERM / SIGINT (requests in flight finished, data flushed, directory
 *           lock released); 1 when it cannot start (port taken, directory locked or damaged);
 *           2 for bad flags; a second signal exits 130 at once
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SharqError, toError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import { ServerOptions } from '../server/options.js';
import { brokerRoutes } from '../server/routes/index.js';
import { SharqServer } from '../server/server.js';

const ServerCommandOptions = z
  .object({
    host: ServerOptions.shape.host,
    port: z.coerce.number().pipe(ServerOptions.shape.port.unwrap()).default(9092),
    'data-dir': z
      .string()
      .min(1)
      .default('./.sharq')
      .describe('Embedded engine data directory. Default: ./.sharq.'),
    'advertised-host': ServerOptions.shape.advertisedHost,
    'allow-remote': z.boolean().default(false).describe('Allow a non-loopback --host.'),
    'max-connections': z.coerce
      .number()
      .pipe(ServerOptions.shape.maxConnections.unwrap())
      .optional(),
  })
  .strict();

export const SERVER_HELP = `sharq server — the embedded engine as a local broker that speaks the Kafka protocol

Usage: sharq server [--port 9092] [--host 127.0.0.1] [--data-dir ./.sharq]

Options:
${Object.entries(ServerCommandOptions.shape)
  .map(([k, v]) => `  --${k.padEnd(16)} ${v.description ?? ''}`)
  .join('\n')}

Clients connect as to Kafka: engine { type: 'kafka', brokers: ['127.0.0.1:9092'] }, or
SHARQ_BROKERS=127.0.0.1:9092 for 'sharq worker'. Stop with SIGTERM or Ctrl-C.`;

export async function runServerCommand(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'allow-remote': { type: 'boolean' },
        'advertised-host': { type: 'string' },
        'max-connections': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`sharq server: ${toError(err).message}\n\n${SERVER_HELP}\n`);
    return 2;
  }
  let flags: z.output<typeof ServerCommandOptions>;
  try {
    flags = parseOptions('sharq server', ServerCommandOptions, values);
  } catch (err) {
    process.stderr.write(`sharq server: ${toError(err).message}\n`);
    return 2;
  }
  const server = new SharqServer(
    {
      host: flags.host,
      port: flags.port,
      allowRemote: flags['allow-remote'],
      ...(flags['advertised-host'] === undefined
        ? {}
        : { advertisedHost: flags['advertised-host'] }),
      ...(flags['max-connections'] === undefined
        ? {}
        : { maxConnections: flags['max-connections'] }),
      engine: { dataDir: flags['data-dir'] },
    },
    brokerRoutes,
  );
  let signals = 0;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = () => {
      signals++;
      if (signals > 1) process.exit(130);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  try {
    const address = await server.start();
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', host: address.host, port: address.port, dataDir: server.engine.dataDir })}\n`,
    );
  } catch (err) {
    const error = toError(err);
    process.stderr.write(
      `sharq server: ${error.message}${SharqError.is(error) ? ` [${error.code}]` : ''}\n`,
    );
    await server.close().catch(() => undefined);
    return 1;
  }
  await stopped;
  await server.close();
  process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}
