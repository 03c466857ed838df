import net from 'node:net';
import { SharqError } from '../errors/sharq-error.js';
import { type ApiRoute, ServerConnection, type ServerLogger } from './connection.js';
import type { ServerConfig } from './options.js';
import type { SaslAuthenticator } from './sasl/session.js';

/** Loopback addresses: the only ones `sharq server` listens on unless told otherwise. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The TCP side of `sharq server`: accepts connections up to `maxConnections`, hands each to a
 * `ServerConnection`, and on `close()` stops accepting, lets the requests in flight finish
 * (bounded by `drainMs`), then closes every connection.
 */
export class KafkaProtocolListener {
  private readonly server: net.Server;
  private readonly connections = new Set<ServerConnection>();
  private readonly routes: ReadonlyMap<number, ApiRoute>;
  private nextId = 1;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: ServerConfig,
    routes: readonly ApiRoute[],
    private readonly log: ServerLogger,
    /** With SASL on, each connection authenticates before anything else. */
    private readonly sasl?: SaslAuthenticator,
  ) {
    this.routes = new Map(routes.map((r) => [r.apiKey, r]));
    if (!isLoopback(config.host) && !config.allowRemote) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_OPTION',
        `sharq server listens on loopback addresses only unless allowRemote is set (host ${config.host})`,
        { details: { option: 'host', host: config.host } },
      );
    }
    this.server = net.createServer((socket) => this.accept(socket));
  }

  /** Starts listening; resolves with the bound address. A taken port is SHARQ_ERR_ADDRESS_IN_USE. */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        const inUse = err.code === 'EADDRINUSE';
        reject(
          new SharqError(
            inUse ? 'SHARQ_ERR_ADDRESS_IN_USE' : 'SHARQ_ERR_IO',
            inUse
              ? `Port ${this.config.port} on ${this.config.host} is already in use (another sharq server or a Kafka broker?); pick another with --port`
              : `Cannot listen on ${this.config.host}:${this.config.port}: ${err.message}`,
            { cause: err, details: { host: this.config.host, port: this.config.port } },
          ),
        );
      };
      const onListening = () => {
        this.server.off('error', onError);
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(this.config.port, this.config.host);
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  close(drainMs = 5000): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const inFlight = Promise.allSettled([...this.connections].map((c) => c.drained()));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        inFlight,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, drainMs);
        }),
      ]);
      clearTimeout(timer);
      for (const c of [...this.connections]) c.close();
      await stopped;
    })();
    return this.closing;
  }

  private accept(socket: net.Socket): void {
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.config.maxConnections) {
      this.log.warn(
        {
          remote: `${socket.remoteAddress}:${socket.remotePort}`,
          maxConnections: this.config.maxConnections,
        },
        'refusing a client connection: connection limit reached',
      );
      socket.destroy();
      return;
    }
    const connection = new ServerConnection(
      this.nextId++,
      socket,
      this.routes,
      this.config,
      this.log,
      (c) => this.connections.delete(c),
      this.sasl?.session(),
    );
    this.connections.add(connection);
  }
}
