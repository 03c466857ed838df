import { createHash } from 'node:crypto';
import path from 'node:path';
import { EmbeddedEngine } from '../embedded/embedded-engine.js';
import { SharqError } from '../errors/sharq-error.js';
import { KafkaEngine } from '../kafka/kafka-engine.js';
import { EngineOptions } from '../options/engine-options.js';
import { parseOptions } from '../options/parse.js';
import type { Engine } from './types.js';

export interface EngineLease {
  readonly engine: Engine;
  /** Gives the lease back; the last lease of a shared engine closes it. */
  release(): Promise<void>;
}

interface Shared {
  engine: Engine;
  leases: number;
}

/**
 * Queues and workers of one process that name the same engine options share one engine: the
 * embedded engine's directory can only be opened once per process, and one Kafka connection
 * pool per cluster is what a user wants. An Engine instance passed in is used as is and never
 * closed by sharq.
 */
const shared = new Map<string, Shared>();

/**
 * The engine of a Queue or Worker without an `engine` option: Kafka at `SHARQ_BROKERS` when it is
 * set (a comma-separated list: `sharq server` in development, a cluster in production, the same
 * application code), with SASL from `SHARQ_SASL_MECHANISM` (plain, scram-sha-256,
 * scram-sha-512), `SHARQ_SASL_USERNAME` and `SHARQ_SASL_PASSWORD` when they are set; else the
 * embedded engine in `./.sharq`.
 */
export function defaultEngineOptions(env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const brokers = env.SHARQ_BROKERS;
  if (brokers === undefined || splitBrokers(brokers).length === 0) {
    return { type: 'embedded' } as EngineOptions;
  }
  return kafkaEngineOptions(brokers, env);
}

/**
 * The Kafka engine at `brokers` (comma-separated `host:port`), with SASL from `SHARQ_SASL_*` as
 * for a Queue or Worker: what `SHARQ_BROKERS` and the CLI's `--brokers` mean.
 */
export function kafkaEngineOptions(
  brokers: string,
  env: NodeJS.ProcessEnv = process.env,
): EngineOptions {
  const sasl = saslFromEnv(env);
  return {
    type: 'kafka',
    brokers: splitBrokers(brokers),
    ...(sasl === undefined ? {} : { sasl }),
  } as EngineOptions;
}

function splitBrokers(list: string): string[] {
  return list
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/**
 * SASL options from `SHARQ_SASL_MECHANISM`, `SHARQ_SASL_USERNAME`, `SHARQ_SASL_PASSWORD`: all
 * three or none (undefined). The engine's schema checks the mechanism.
 */
export function saslFromEnv(env: NodeJS.ProcessEnv): unknown {
  const names = ['SHARQ_SASL_MECHANISM', 'SHARQ_SASL_USERNAME', 'SHARQ_SASL_PASSWORD'] as const;
  const given = names.filter((n) => env[n] !== undefined && env[n] !== '');
  if (given.length === 0) return undefined;
  if (given.length < names.length) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `SASL from the environment needs ${names.join(', ')}; ${names.filter((n) => !given.includes(n)).join(', ')} not set`,
      { details: { surface: 'environment', missing: names.filter((n) => !given.includes(n)) } },
    );
  }
  return {
    mechanism: env.SHARQ_SASL_MECHANISM?.toLowerCase(),
    username: env.SHARQ_SASL_USERNAME,
    password: env.SHARQ_SASL_PASSWORD,
  };
}

export function leaseEngine(option: unknown): EngineLease {
  if (isEngine(option)) return { engine: option, release: async () => undefined };
  const config = parseOptions('engine', EngineOptions, option ?? defaultEngineOptions());
  const key =
    config.type === 'embedded'
      ? `embedded:${path.resolve(config.dataDir)}`
      : `kafka:${config.clientId}:${[...config.brokers].sort().join(',')}:${securityKey(config)}`;
  let entry = shared.get(key);
  if (entry === undefined) {
    entry = { engine: createEngine(config), leases: 0 };
    shared.set(key, entry);
  } else if (config.type === 'embedded' && !sameOptions(entry.engine, config)) {
    throw new SharqError(
      'SHARQ_ERR_ENGINE_CONFIG',
      `The embedded engine in ${path.resolve(config.dataDir)} is already open in this process with other options; pass the same options or one Engine instance`,
      { details: { dataDir: config.dataDir } },
    );
  }
  const held = entry;
  held.leases++;
  let released = false;
  return {
    engine: held.engine,
    release: async () => {
      if (released) return;
      released = true;
      held.leases--;
      if (held.leases === 0) {
        shared.delete(key);
        await held.engine.close();
      }
    },
  };
}

/** Creates an engine from options; the caller owns it and closes it. */
export function createEngine(option: EngineOptions): Engine {
  const config = parseOptions('engine', EngineOptions, option);
  if (config.type === 'embedded') return new EmbeddedEngine(config);
  return new KafkaEngine(config);
}

/** Options that must not be shared across: another user or TLS setting is another engine. */
function securityKey(config: { ssl?: unknown; sasl?: unknown }): string {
  if (config.ssl === undefined && config.sasl === undefined) return '';
  // Hashed: the key must not hold the password itself.
  return createHash('sha256')
    .update(JSON.stringify([config.ssl ?? null, config.sasl ?? null]))
    .digest('hex')
    .slice(0, 16);
}

function isEngine(v: unknown): v is Engine {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Engine).produce === 'function' &&
    typeof (v as Engine).createShareConsumer === 'function'
  );
}

function sameOptions(engine: Engine, config: object): boolean {
  if (!(engine instanceof EmbeddedEngine)) return false;
  return JSON.stringify(engine.config) === JSON.stringify(config);
}
