/**
 * `sharq worker <module>`: one process of a worker fleet. It imports a worker module, runs its
 * handler as one member of the queue's share group, says when it is ready and shuts down
 * gracefully, so a process manager (systemd, Kubernetes, a test) can start, scale and stop it.
 *
 *   stdout  one JSON line `{"event":"ready",...}` once joined and polling, `{"event":"stopped"}`
 *           at the end; with an IPC channel also the message `{ type: 'sharq:ready' }`
 *   stderr  JSON lines for worker events an operator acts on (failed, dead-lettered, lock-lost,
 *           error, notice)
 *   exit    0 after a graceful stop (SIGTERM or SIGINT: stop acquiring, let running jobs finish
 *           within `--shutdown-timeout-ms`, abort and RELEASE the rest, leave the group);
 *           130 on a second signal, at once (running jobs' locks then expire and they run again
 *           elsewhere); 1 on a setup error that retrying cannot mend, with its coded message.
 *
 * Retryable setup failures (a broker still starting) are logged and retried by the Worker until
 * it is ready or stopped.
 */
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { z } from 'zod';
import type { WorkerDefinition } from '../../workers/define-worker.js';
import { registerWorkerMetrics } from '../../workers/metrics.js';
import { SandboxOptions } from '../../workers/sandbox/pool.js';
import {
  type Handler,
  type Processor,
  Worker,
  type WorkerOptionsInput,
} from '../../workers/worker.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { EmbeddedEngineOptions, KafkaEngineOptions } from '../options/engine-options.js';
import { parseOptions, topicName } from '../options/parse.js';
import { WorkerOptions } from '../options/queue-options.js';
import { systemClock } from '../util/clock.js';
import { serveMetrics } from './metrics-endpoint.js';

export { defineWorker, type WorkerDefinition } from '../../workers/define-worker.js';

const WorkerDefinitionSchema = z
  .object({
    queue: topicName.describe('Queue the worker takes jobs from.'),
    handler: z
      .custom<Handler<unknown, unknown>>(
        (v) => typeof v === 'function',
        'a function (job, signal) => result',
      )
      .optional()
      .describe('Runs one job.'),
    processor: SandboxOptions.optional().describe(
      'A sandboxed processor instead of `handler`: a file path (relative to the module) or `{ file, kind, ... }`.',
    ),
    options: z
      .custom<WorkerOptionsInput>(
        (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
        'a Worker options object',
      )
      .optional()
      .describe('Worker options, checked by the Worker.'),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.handler === undefined && d.processor === undefined)
      ctx.addIssue({ code: 'custom', path: ['handler'], message: 'give `handler` or `processor`' });
    if (d.handler !== undefined && d.processor !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['processor'],
        message: 'give `handler` or `processor`, not both',
      });
  });

/** A flag's number, coerced from its text and checked by the Worker option it sets. */
const numberFlag = <S extends z.ZodNumber>(option: S) => z.coerce.number().pipe(option);
/** Defaults the flags fall back to, read from the schemas that own them. */
const DEFAULTS = {
  dataDir: EmbeddedEngineOptions.shape.dataDir.def.defaultValue,
  clientId: KafkaEngineOptions.shape.clientId.def.defaultValue,
  concurrency: WorkerOptions.shape.concurrency.def.defaultValue,
  shutdownTimeoutMs: WorkerOptions.shape.shutdownTimeoutMs.def.defaultValue,
};

export const WorkerCommandOptions = z
  .object({
    engine: z
      .enum(['embedded', 'kafka'])
      .optional()
      .describe(
        `Engine to run on. Default: kafka when brokers are given, embedded when a data dir is, else the module's \`engine\` option, else embedded in ${DEFAULTS.dataDir}.`,
      ),
    brokers: z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter((b) => b !== ''),
      )
      .pipe(KafkaEngineOptions.shape.brokers)
      .optional()
      .meta({
        description: 'Kafka bootstrap brokers, comma-separated; selects the kafka engine.',
        placeholder: 'HOST:PORT,...',
      }),
    'data-dir': z.string().min(1).optional().meta({
      description:
        'Data directory of the embedded engine (one process owns it at a time). Default: ./.sharq.',
      placeholder: 'DIR',
    }),
    concurrency: numberFlag(WorkerOptions.shape.concurrency.unwrap())
      .optional()
      .describe(
        `Jobs run at once, overriding the module's option. Default: the module's option, else ${DEFAULTS.concurrency}.`,
      ),
    'client-id': z
      .string()
      .min(1)
      .optional()
      .meta({
        description: `Kafka client id of this process. Default: ${DEFAULTS.clientId}.`,
        placeholder: 'ID',
      }),
    'sasl-mechanism': z
      .string()
      .transform((s) => s.toLowerCase())
      .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512']))
      .optional()
      .meta({
        description:
          'SASL mechanism of the kafka engine (plain, scram-sha-256, scram-sha-512); needs the username and password too.',
        placeholder: 'MECHANISM',
      }),
    'sasl-username': z.string().min(1).optional().meta({
      description: 'SASL username of the kafka engine.',
      placeholder: 'USER',
    }),
    'sasl-password': z.string().min(1).optional().meta({
      description:
        'SASL password of the kafka engine. Prefer the environment variable: a flag shows in `ps`.',
      placeholder: 'PASSWORD',
    }),
    'shutdown-timeout-ms': numberFlag(WorkerOptions.shape.shutdownTimeoutMs.unwrap())
      .optional()
      .describe(
        `How long a stop waits for running jobs before aborting and releasing them. Default: the module's option, else ${DEFAULTS.shutdownTimeoutMs}.`,
      ),
    'metrics-port': numberFlag(z.number().int().min(0).max(65_535)).optional().meta({
      description:
        "Serve this worker's Prometheus metrics at http://127.0.0.1:PORT/metrics (0 picks a port). Default: off.",
      placeholder: 'PORT',
    }),
    'ready-file': z.string().min(1).optional().meta({
      description: 'File to write the ready line to once the worker is polling.',
      placeholder: 'PATH',
    }),
  })
  .strict();
export type WorkerCommandConfig = z.output<typeof WorkerCommandOptions>;
type Flag = keyof WorkerCommandConfig;

const SURFACE = 'sharq worker';
/** Grace for the process to end by itself after a stop before it is ended: a handler's stray timer must not keep it alive. */
const EXIT_GRACE_MS = 1000;

const envName = (flag: string): string => `SHARQ_${flag.toUpperCase().replaceAll('-', '_')}`;

export const WORKER_HELP = renderHelp();

/** Runs the worker process; resolves with the exit code once it has stopped. */
export async function runWorkerCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { config, modulePath, fromEnv } = parseCommandLine(argv, env);
  let stopSignal: NodeJS.Signals | undefined;
  let onStop: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => {
    onStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopSignal !== undefined) {
      logLine({ event: 'killed', signal });
      process.exit(130);
    }
    stopSignal = signal;
    logLine({ event: 'stopping', signal });
    onStop?.();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const definition = await loadWorkerModule(modulePath);
    if (stopSignal !== undefined) return stop();
    const worker = new Worker(
      definition.queue,
      workerProcessor(definition, modulePath),
      workerOptions(definition, config, fromEnv),
    );
    logEvents(worker);
    if (config['metrics-port'] !== undefined) {
      const registry = new Registry();
      registerWorkerMetrics(worker, registry);
      const m = await serveMetrics(registry, config['metrics-port']);
      logLine({ event: 'metrics', url: `http://127.0.0.1:${m.port}/metrics` });
      void stopped.then(() => m.close());
    }
    // Its failure, if any, surfaces from the `close()` awaited below.
    void stopped.then(() => worker.close()).catch(() => undefined);
    try {
      await worker.waitUntilReady();
    } catch (err) {
      await worker.close();
      if (stopSignal !== undefined) return stop();
      throw err;
    }
    if (stopSignal === undefined) await announceReady(worker, config['ready-file']);
    await stopped;
    await worker.close();
    return stop();
  } finally {
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  }
}

function stop(): number {
  process.stdout.write(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}

export function parseCommandLine(
  argv: string[],
  env: NodeJS.ProcessEnv,
): { config: WorkerCommandConfig; modulePath: string; fromEnv: ReadonlySet<Flag> } {
  const flags = Object.keys(WorkerCommandOptions.shape) as Flag[];
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(flags.map((k) => [k, { type: 'string' as const }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw invalid('(arguments)', `${toError(err).message}; see sharq worker --help`);
  }
  const fromEnv = new Set<Flag>();
  const input: Record<string, unknown> = {};
  for (const flag of flags) {
    const given = parsed.values[flag];
    const inEnv = env[envName(flag)];
    if (given !== undefined) input[flag] = given;
    else if (inEnv !== undefined && inEnv !== '') {
      input[flag] = inEnv;
      fromEnv.add(flag);
    }
  }
  const config = parseOptions(SURFACE, WorkerCommandOptions, input);
  const [modulePath, ...extra] = parsed.positionals;
  if (modulePath === undefined)
    throw invalid('module', 'give the path of a worker module: sharq worker <module>');
  if (extra.length > 0)
    throw invalid('module', `one module per process; also got ${extra.join(' ')}`);
  return { config, modulePath, fromEnv };
}

/** Imports a worker module and checks its definition. */
export async function loadWorkerModule(modulePath: string): Promise<WorkerDefinition> {
  const file = path.resolve(modulePath);
  if (!existsSync(file)) throw invalid('module', `no file at ${file}`, { path: file });
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw invalid(
      'module',
      `could not import ${file}: ${toError(err).message}`,
      { path: file },
      err,
    );
  }
  const definition = exports.default ?? exports.worker;
  if (definition === undefined)
    throw invalid('module', `${file} has no default export and no export named "worker"`, {
      path: file,
    });
  const result = WorkerDefinitionSchema.safeParse(definition);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      option: issue.path.length > 0 ? issue.path.join('.') : '(definition)',
      rule: issue.message,
    }));
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `Invalid worker module ${file}: ${problems.map((p) => `${p.option}: ${p.rule}`).join('; ')}`,
      { details: { surface: SURFACE, path: file, problems } },
    );
  }
  return result.data as WorkerDefinition;
}

function workerProcessor(
  definition: WorkerDefinition,
  modulePath: string,
): Processor<unknown, unknown> {
  if (definition.handler !== undefined) return definition.handler;
  const sandbox = SandboxOptions.parse(definition.processor);
  // A processor path is relative to the module that names it, not to the current directory.
  const file = sandbox.file.startsWith('file:')
    ? sandbox.file
    : path.resolve(path.dirname(path.resolve(modulePath)), sandbox.file);
  return { ...sandbox, file };
}

function workerOptions(
  definition: WorkerDefinition,
  config: WorkerCommandConfig,
  fromEnv: ReadonlySet<Flag>,
): WorkerOptionsInput {
  const options: WorkerOptionsInput = { ...definition.options, autorun: true };
  const engine = engineOption(config, definition.options?.engine, fromEnv);
  if (engine !== undefined) options.engine = engine;
  if (config.concurrency !== undefined) options.concurrency = config.concurrency;
  if (config['shutdown-timeout-ms'] !== undefined)
    options.shutdownTimeoutMs = config['shutdown-timeout-ms'];
  return options;
}

type EngineOption = NonNullable<WorkerOptionsInput['engine']>;

/**
 * The engine the flags (or environment) select, merged over the module's options of the same
 * engine (so its `fsync`, `ssl` or `sasl` stay); with no engine flag, the module's own choice.
 */
export function engineOption(
  config: WorkerCommandConfig,
  fromModule: EngineOption | undefined,
  fromEnv: ReadonlySet<Flag>,
): EngineOption | undefined {
  const brokers = config.brokers;
  const dataDir = config['data-dir'];
  const clientId = config['client-id'];
  const type =
    config.engine ??
    (brokers !== undefined ? 'kafka' : dataDir !== undefined ? 'embedded' : undefined);
  const moduleKafka = optionsOf(fromModule, 'kafka');
  const misplaced = (flag: Flag, engine: string): SharqError =>
    invalid(
      flag,
      `applies to the ${engine} engine only${type !== undefined ? `, and ${type} is selected` : ''}${fromEnv.has(flag) ? ` (it comes from ${envName(flag)})` : ''}`,
    );
  const saslFlags = (['sasl-mechanism', 'sasl-username', 'sasl-password'] as const).filter(
    (f) => config[f] !== undefined,
  );
  if (type === undefined) {
    if (clientId === undefined && saslFlags.length === 0) return fromModule;
    if (moduleKafka === undefined) throw misplaced(saslFlags[0] ?? 'client-id', 'kafka');
    return {
      ...moduleKafka,
      ...(clientId !== undefined ? { clientId } : {}),
      ...(saslFlags.length > 0 ? { sasl: saslOption(config) } : {}),
    };
  }
  if (type === 'kafka') {
    if (dataDir !== undefined) throw misplaced('data-dir', 'embedded');
    const list = brokers ?? moduleKafka?.brokers;
    if (list === undefined)
      throw invalid('brokers', `the kafka engine needs --brokers or ${envName('brokers')}`);
    return {
      ...moduleKafka,
      type: 'kafka',
      brokers: list,
      ...(clientId !== undefined ? { clientId } : {}),
      ...(saslFlags.length > 0 ? { sasl: saslOption(config) } : {}),
    };
  }
  if (saslFlags[0] !== undefined) throw misplaced(saslFlags[0], 'kafka');
  if (brokers !== undefined) throw misplaced('brokers', 'kafka');
  if (clientId !== undefined) throw misplaced('client-id', 'kafka');
  return {
    ...optionsOf(fromModule, 'embedded'),
    type: 'embedded',
    ...(dataDir !== undefined ? { dataDir } : {}),
  };
}

/** SASL from the three flags (or their variables): all three or an error naming the missing. */
function saslOption(config: WorkerCommandConfig): {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
} {
  const mechanism = config['sasl-mechanism'];
  const username = config['sasl-username'];
  const password = config['sasl-password'];
  if (mechanism === undefined || username === undefined || password === undefined) {
    const missing = (['sasl-mechanism', 'sasl-username', 'sasl-password'] as const).filter(
      (f) => config[f] === undefined,
    );
    throw invalid(
      missing[0]!,
      `SASL needs ${missing.map((f) => `--${f} (or ${envName(f)})`).join(' and ')} as well`,
    );
  }
  return { mechanism, username, password };
}

/** The module's engine options when they are a plain options object of that engine type. */
function optionsOf(
  option: EngineOption | undefined,
  type: 'embedded' | 'kafka',
): (Record<string, unknown> & { brokers?: string[] }) | undefined {
  if (typeof option !== 'object' || option === null) return undefined;
  if ((option as { type?: unknown }).type !== type) return undefined;
  return option as Record<string, unknown> & { brokers?: string[] };
}

async function announceReady(worker: Worker, readyFile: string | undefined): Promise<void> {
  const line = JSON.stringify({
    event: 'ready',
    queue: worker.queue,
    group: worker.group,
    engine: worker.engine.kind,
    pid: process.pid,
  });
  if (readyFile !== undefined) {
    // Written whole, then renamed: a watcher never reads half a file.
    const target = path.resolve(readyFile);
    const partial = `${target}.${process.pid}.tmp`;
    await writeFile(partial, `${line}\n`);
    await rename(partial, target);
  }
  process.stdout.write(`${line}\n`);
  if (process.send !== undefined && process.connected)
    process.send({ type: 'sharq:ready' }, undefined, {}, () => undefined);
}

/** The stderr lines `sharq worker` writes for the events an operator acts on (exported for its test). */
export function logEvents(worker: Worker): void {
  const queue = worker.queue;
  worker.on('failed', (job, error, outcome) =>
    logLine({
      event: 'failed',
      queue,
      jobId: job?.id,
      name: job?.name,
      attempt: job?.attempt,
      deliveryCount: job?.deliveryCount,
      outcome,
      error: errorFields(error),
    }),
  );
  worker.on('dead-lettered', ({ record, reason, error, job }) =>
    logLine({
      event: 'dead-lettered',
      queue,
      jobId: job?.id,
      name: job?.name,
      partition: record.partition,
      offset: record.offset,
      reason,
      error: errorFields(error),
    }),
  );
  worker.on('lock-lost', (job, error) =>
    logLine({ event: 'lock-lost', queue, jobId: job.id, error: errorFields(error) }),
  );
  worker.on('notice', (message) => logLine({ event: 'notice', queue, message }));
  worker.on('error', (error) => logLine({ event: 'error', queue, error: errorFields(error) }));
}

function logLine(fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: systemClock.now(), ...fields })}\n`);
}

/** An error as a log field; a handler's own `code` (a string, as the DLQ header keeps it) too. */
function errorFields(error: Error): Record<string, unknown> {
  if (SharqError.is(error)) return error.toJSON();
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function invalid(
  option: string,
  rule: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): SharqError {
  return new SharqError(
    'SHARQ_ERR_INVALID_OPTION',
    `Invalid ${SURFACE} options: ${option}: ${rule}`,
    {
      cause,
      details: { surface: SURFACE, problems: [{ option, rule }], ...details },
    },
  );
}

/** The usage text, from the schema's descriptions and ranges. */
function renderHelp(): string {
  const rows: [string, string][] = [];
  for (const [flag, schema] of Object.entries(WorkerCommandOptions.shape)) {
    const meta = z.globalRegistry.get(schema);
    const { placeholder, range } = describeValue(schema);
    const shown = typeof meta?.placeholder === 'string' ? meta.placeholder : placeholder;
    const notes = [range, `env ${envName(flag)}`].filter((n) => n !== undefined).join('; ');
    rows.push([`--${flag} ${shown}`, `${schema.description ?? ''} (${notes})`]);
  }
  rows.push(['-h, --help', 'show this text']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const body = rows.map(([left, right]) => `  ${left.padEnd(width)}${wrap(right, width + 2)}`);
  return `sharq worker <module> — run a worker module as one process of a fleet

<module> is a file whose default export (or export named "worker") is
  defineWorker({ queue, handler: async (job, signal) => ..., options })
with defineWorker from 'sharq', options as for new Worker().

Options (each also read from the environment variable named; a flag wins):
${body.join('\n')}

Prints {"event":"ready",...} once polling (and sends { type: "sharq:ready" } over IPC);
SIGTERM or SIGINT stops it gracefully (exit 0), a second signal at once (exit 130).`;
}

function describeValue(schema: z.ZodType): { placeholder: string; range?: string } {
  let inner: z.core.$ZodType = schema;
  for (;;) {
    if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner.unwrap();
    else if (inner instanceof z.ZodPipe) inner = inner.out;
    else break;
  }
  if (inner instanceof z.ZodEnum) return { placeholder: inner.options.join('|') };
  if (inner instanceof z.ZodNumber) {
    const { minValue: lo, maxValue: hi } = inner;
    const bounded = hi !== null && hi < Number.MAX_SAFE_INTEGER;
    const range =
      lo !== null && bounded
        ? `${lo}–${hi}`
        : lo !== null
          ? `≥ ${lo}`
          : bounded
            ? `≤ ${hi}`
            : undefined;
    return range === undefined ? { placeholder: 'N' } : { placeholder: 'N', range };
  }
  return { placeholder: 'VALUE' };
}

function wrap(text: string, indent: number, width = 100): string {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}
