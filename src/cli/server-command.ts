/**
 * `sharq server`: the embedded engine behind a Kafka-protocol listener, so a web app, worker
 * processes, the CLI and Kafka's own tools on this machine share its queues.
 *
 *   stdout  one JSON line `{"event":"listening","host","port","dataDir","sasl"}` once it accepts
 *           connections, and `{"event":"stopped"}` after a clean stop
 *   stderr  JSON log lines (misbehaving clients, warnings)
 *   exit    0 after SIGTERM / SIGINT (requests in flight finished, data flushed, directory
 *           lock released); 1 when it cannot start (port taken, directory locked or damaged);
 *           2 for bad flags; a second signal exits 130 at once
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SharqAdmin } from '../admin/admin.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { EmbeddedEngineOptions } from '../options/engine-options.js';
import { parseOptions } from '../options/parse.js';
import { type AdminServer, startAdminServer } from '../server/admin/http-server.js';
import { ServerOptions } from '../server/options.js';
import { brokerRoutes } from '../server/routes/index.js';
import { SASL_MECHANISMS, SaslUsers } from '../server/sasl/sasl-options.js';
import { SharqServer, type SharqServerOptions, stderrLogger } from '../server/server.js';
import { HTTP_FLAGS_HELP, type HttpFlagValues, splitHttpFlags, tokensFrom } from './http-flags.js';

const USERS_ENV = 'SHARQ_SERVER_SASL_USERS';
const MECHANISMS_ENV = 'SHARQ_SERVER_SASL_MECHANISMS';

const ServerCommandOptions = z
  .object({
    host: ServerOptions.shape.host.describe(
      'Address to listen on. Default: 127.0.0.1 (this machine only). Another address needs --allow-remote, and warns unless SASL is on.',
    ),
    port: z.coerce
      .number()
      .pipe(ServerOptions.shape.port.unwrap())
      .default(9092)
      .describe(ServerOptions.shape.port.description ?? ''),
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
      .optional()
      .describe(ServerOptions.shape.maxConnections.description ?? ''),
    fsync: EmbeddedEngineOptions.shape.fsync
      .unwrap()
      .optional()
      .describe(
        'When a produce is answered: `always` (the default) once its records are fsynced; `interval` once written, fsynced every 100 ms (what a power loss can cost: the last stretch); `never`: left to the OS.',
      ),
    'max-record-bytes': z.coerce
      .number()
      .pipe(EmbeddedEngineOptions.shape.maxRecordBytes.unwrap())
      .optional()
      .describe(
        "Largest record (key, value and headers) a produce may carry, as Kafka's max.message.bytes; a larger one is refused (MESSAGE_TOO_LARGE; clients see SHARQ_ERR_RECORD_TOO_LARGE). Default: 1048576 (1 MiB).",
      ),
    'sasl-users': z
      .string()
      .min(1)
      .optional()
      .describe(
        `JSON file of SASL users, [{"username","password"}, ...] (or pre-hashed); turns SASL on. Also ${USERS_ENV} (the JSON itself).`,
      ),
    'sasl-mechanisms': z
      .string()
      .transform((s) => s.split(',').map((m) => m.trim().toUpperCase()))
      .pipe(z.array(z.enum(SASL_MECHANISMS)).min(1))
      .optional()
      .describe(
        `Comma-separated, of ${SASL_MECHANISMS.join(', ')}. Default: SCRAM-SHA-256,SCRAM-SHA-512. Also ${MECHANISMS_ENV}.`,
      ),
  })
  .strict();

export const SERVER_HELP = `sharq server — the embedded engine as a local broker that speaks the Kafka protocol

Usage: sharq server [--port 9092] [--host 127.0.0.1] [--data-dir ./.sharq] [--sasl-users users.json]

Options:
${Object.entries(ServerCommandOptions.shape)
  .map(([k, v]) => `  --${k.padEnd(16)} ${v.description ?? ''}`)
  .join('\n')}
${HTTP_FLAGS_HELP}

Clients connect as to Kafka: engine { type: 'kafka', brokers: ['127.0.0.1:9092'] }, or
SHARQ_BROKERS=127.0.0.1:9092 for every Queue and Worker without an engine option and for
'sharq worker'. The admin API (docs/admin-api.md) listens on
--http-port; without tokens it stays on loopback and every caller is admin. Stop with SIGTERM or Ctrl-C.`;

/**
 * The server's options from its flags and environment; throws SHARQ_ERR_INVALID_OPTION (or a
 * parseArgs error) for bad ones. Passwords never appear in the message: zod's rules name the
 * option, not the value.
 */
export function serverOptionsFromCommandLine(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  warn: (message: string) => void = () => undefined,
): SharqServerOptions {
  const values: Record<string, unknown> = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'allow-remote': { type: 'boolean' },
      'advertised-host': { type: 'string' },
      'max-connections': { type: 'string' },
      'sasl-users': { type: 'string' },
      'sasl-mechanisms': { type: 'string' },
      fsync: { type: 'string' },
      'max-record-bytes': { type: 'string' },
    },
    strict: true,
  }).values;
  if (values['sasl-mechanisms'] === undefined && env[MECHANISMS_ENV])
    values['sasl-mechanisms'] = env[MECHANISMS_ENV];
  const flags = parseOptions('sharq server', ServerCommandOptions, values);
  const users = saslUsers(flags['sasl-users'], env[USERS_ENV], warn);
  if (users === undefined && flags['sasl-mechanisms'] !== undefined) {
    throw invalidFlag('sasl-mechanisms', `SASL needs users: give --sasl-users or ${USERS_ENV}`);
  }
  return {
    host: flags.host,
    port: flags.port,
    allowRemote: flags['allow-remote'],
    ...(flags['advertised-host'] === undefined ? {} : { advertisedHost: flags['advertised-host'] }),
    ...(flags['max-connections'] === undefined ? {} : { maxConnections: flags['max-connections'] }),
    ...(users === undefined
      ? {}
      : {
          sasl: {
            users,
            ...(flags['sasl-mechanisms'] === undefined
              ? {}
              : { mechanisms: flags['sasl-mechanisms'] }),
          },
        }),
    engine: {
      dataDir: flags['data-dir'],
      ...(flags.fsync === undefined ? {} : { fsync: flags.fsync }),
      ...(flags['max-record-bytes'] === undefined
        ? {}
        : { maxRecordBytes: flags['max-record-bytes'] }),
    },
  };
}

/** The users of `--sasl-users FILE`, else of SHARQ_SERVER_SASL_USERS, checked; undefined: SASL off. */
function saslUsers(
  file: string | undefined,
  inline: string | undefined,
  warn: (message: string) => void,
): z.output<typeof SaslUsers> | undefined {
  let text: string;
  let source: string;
  if (file !== undefined) {
    source = file;
    try {
      text = readFileSync(file, 'utf8');
      // Passwords in a file others may read: say so (as ssh does), but start.
      if ((statSync(file).mode & 0o077) !== 0 && text.includes('"password"'))
        warn(`${file} holds passwords and is readable by other users; chmod 600 it`);
    } catch (err) {
      throw invalidFlag('sasl-users', `cannot read ${file}: ${toError(err).message}`);
    }
  } else if (inline !== undefined && inline.trim() !== '') {
    source = USERS_ENV;
    text = inline;
  } else {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may hold a password.
    throw invalidFlag('sasl-users', `${source} is not valid JSON`);
  }
  return [...parseOptions(`sharq server ${source}`, SaslUsers, json)];
}

function invalidFlag(flag: string, message: string): SharqError {
  return new SharqError(
    'SHARQ_ERR_INVALID_OPTION',
    `Invalid sharq server options: --${flag}: ${message}`,
    {
      details: { surface: 'sharq server', problems: [{ option: flag, rule: message }] },
    },
  );
}

export async function runServerCommand(argv: string[]): Promise<number> {
  let options: SharqServerOptions;
  let httpFlags: HttpFlagValues;
  let portGiven = false;
  try {
    const split = splitHttpFlags(argv);
    httpFlags = split.http;
    portGiven = split.portGiven;
    options = serverOptionsFromCommandLine(split.rest, process.env, (message) =>
      process.stderr.write(`${JSON.stringify({ level: 'warn', msg: message })}\n`),
    );
  } catch (err) {
    const error = toError(err);
    const usage = SharqError.is(error) ? ` [${error.code}]` : `\n\n${SERVER_HELP}`;
    process.stderr.write(`sharq server: ${error.message}${usage}\n`);
    return 2;
  }
  const server = new SharqServer(options, brokerRoutes);
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
  let http: AdminServer | undefined;
  try {
    const address = await server.start();
    const port = httpFlags['http-port'];
    if (port !== 'none') {
      // The admin API over the same embedded engine, in this process.
      try {
        http = await startAdminServer({
          admin: new SharqAdmin({ engine: server.engine }),
          host: httpFlags['http-host'],
          port,
          adminTokens: tokensFrom(httpFlags['admin-token'], process.env.SHARQ_ADMIN_TOKEN),
          readTokens: tokensFrom(httpFlags['read-token'], process.env.SHARQ_READ_TOKEN),
          logger: stderrLogger,
        });
      } catch (err) {
        // The default port taken (another sharq server): the broker runs, without the API.
        if (portGiven || !SharqError.is(err, 'SHARQ_ERR_ADDRESS_IN_USE')) throw err;
        stderrLogger.warn(
          { port },
          `admin API not started: port ${port} is taken (give --http-port to choose one)`,
        );
      }
    }
    process.stdout.write(
      `${JSON.stringify({ event: 'listening', host: address.host, port: address.port, dataDir: server.engine.dataDir, sasl: server.sasl ?? null, ...(http === undefined ? {} : { http: http.url }) })}\n`,
    );
  } catch (err) {
    const error = toError(err);
    process.stderr.write(
      `sharq server: ${error.message}${SharqError.is(error) ? ` [${error.code}]` : ''}\n`,
    );
    await http?.close().catch(() => undefined);
    await server.close().catch(() => undefined);
    return 1;
  }
  await stopped;
  await http?.close();
  await server.close();
  process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}
