import { randomUUID } from 'node:crypto';
import { EmbeddedEngine, type EmbeddedEngineInternals } from '../embedded/embedded-engine.js';
import type { EmbeddedEngineConfig } from '../options/engine-options.js';
import { parseOptions } from '../options/parse.js';
import { systemClock } from '../util/clock.js';
import { ProducerRegistry } from './broker/producers.js';
import type { ApiRoute, ServerLogger } from './connection.js';
import { isLoopback, KafkaProtocolListener } from './listener.js';
import { type ServerConfig, ServerOptions, type ServerOptionsInput } from './options.js';
import { CredentialStore } from './sasl/credential-store.js';
import type { SaslServerConfig } from './sasl/sasl-options.js';
import { SaslAuthenticator } from './sasl/session.js';
import { ShareCoordinator } from './share/share-coordinator.js';
import { TopicIds } from './topic-ids.js';

export interface SharqServerOptions extends ServerOptionsInput {
  /** The embedded engine's options (`dataDir`, `fsync`, ...). Default: `./.sharq`. */
  engine?: Partial<Omit<EmbeddedEngineConfig, 'type'>>;
  logger?: ServerLogger;
}

/** What the routes of a server get: the engine and the broker's own state. */
export interface ServerParts {
  engine: EmbeddedEngine;
  topicIds: TopicIds;
  producers: ProducerRegistry;
  coordinator: ShareCoordinator;
  node: { nodeId: number; host: string; port: number };
  clusterId: string;
  log: ServerLogger;
}

/** Builds the routes a server answers; `sharq server` uses every API sharq defines. */
export type RouteFactory = (parts: ServerParts) => ApiRoute[];

const NODE_ID = 1;

/** JSON lines on stderr, pino-shaped. */
export const stderrLogger: ServerLogger = {
  info: (fields, msg) =>
    process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...fields })}\n`),
  warn: (fields, msg) =>
    process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
};

/**
 * `sharq server`: one process owns the data directory (the embedded engine as it is) and
 * answers Kafka's protocol, so many processes on one machine, and Kafka's own clients and
 * tools, share its queues. Reach it with the Kafka engine: `{ type: 'kafka', brokers: [...] }`.
 */
export class SharqServer {
  readonly engine: EmbeddedEngine;
  private readonly config: Omit<ServerConfig, 'sasl'>;
  /** Until `start()` hashes them: the configured users (then dropped, passwords with them). */
  private saslConfig: SaslServerConfig | undefined;
  private readonly saslMechanisms: readonly string[] | undefined;
  private readonly log: ServerLogger;
  private listener: KafkaProtocolListener | undefined;
  private coordinator: ShareCoordinator | undefined;
  private starting: Promise<{ host: string; port: number }> | undefined;
  private closing: Promise<void> | undefined;

  /** `internals` is not public: the embedded engine's test hooks (its file system). */
  constructor(
    options: SharqServerOptions,
    private readonly routes: RouteFactory,
    internals: EmbeddedEngineInternals = {},
  ) {
    const { engine, logger, ...server } = options;
    const { sasl, ...config } = parseOptions('sharq server', ServerOptions, server);
    this.config = config;
    this.saslConfig = sasl;
    this.saslMechanisms = sasl?.mechanisms;
    this.log = logger ?? stderrLogger;
    this.engine = new EmbeddedEngine(engine ?? {}, undefined, internals);
  }

  /** Opens the data directory, then listens; resolves with the bound address. */
  start(): Promise<{ host: string; port: number }> {
    this.starting ??= (async () => {
      const sasl = await this.authenticator();
      await this.engine.start();
      const wildcard = this.config.host === '0.0.0.0' || this.config.host === '::';
      const advertised = this.config.advertisedHost ?? (wildcard ? '127.0.0.1' : this.config.host);
      const node = { nodeId: NODE_ID, host: advertised, port: this.config.port };
      const topicIds = new TopicIds();
      topicIds.learn((await this.engine.admin.listTopics()).map((t) => t.name));
      const coordinator = new ShareCoordinator({
        engine: this.engine,
        topicIds,
        clock: systemClock,
        node,
      });
      this.coordinator = coordinator;
      const parts: ServerParts = {
        engine: this.engine,
        topicIds,
        producers: new ProducerRegistry(Date.now()),
        coordinator,
        node,
        clusterId: `sharq-${randomUUID().slice(0, 8)}`,
        log: this.log,
      };
      const listener = new KafkaProtocolListener(this.config, this.routes(parts), this.log, sasl);
      this.listener = listener;
      try {
        const address = await listener.listen();
        // Port 0 picks one: Metadata and FindCoordinator must name the real one.
        node.port = address.port;
        if (!isLoopback(this.config.host) && sasl === undefined)
          this.log.warn(
            { host: this.config.host },
            'sharq server listens beyond this machine without authentication',
          );
        if (!isLoopback(this.config.host) && sasl?.mechanisms.includes('PLAIN'))
          this.log.warn(
            { host: this.config.host },
            'SASL PLAIN is on beyond this machine: without TLS its passwords cross the network in clear',
          );
        this.log.info(
          {
            host: address.host,
            port: address.port,
            dataDir: this.engine.dataDir,
            sasl: sasl === undefined ? 'off' : sasl.mechanisms.join(','),
          },
          'sharq server listening',
        );
        return address;
      } catch (err) {
        await this.engine.close();
        throw err;
      }
    })();
    return this.starting;
  }

  /** The SASL mechanisms clients must use, or undefined when SASL is off. */
  get sasl(): readonly string[] | undefined {
    return this.saslMechanisms;
  }

  /** Hashes the configured passwords into SCRAM credentials and forgets the passwords. */
  private async authenticator(): Promise<SaslAuthenticator | undefined> {
    const config = this.saslConfig;
    if (config === undefined) return undefined;
    this.saslConfig = undefined;
    const store = await CredentialStore.build(config);
    const { mechanisms, failedAuthenticationDelayMs } = config;
    return new SaslAuthenticator({ mechanisms, failedAuthenticationDelayMs }, store);
  }

  /**
   * Stops accepting, lets requests in flight finish (up to `drainMs`), removes every share
   * member (their records go back to their groups), then flushes and closes the engine, which
   * releases the directory lock. Idempotent.
   */
  close(drainMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.listener?.close(drainMs);
      await this.coordinator?.close();
      await this.engine.close();
    })();
    return this.closing;
  }
}
