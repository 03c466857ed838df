import Fastify, { type FastifyInstance } from 'fastify';
import { SharqError } from '../../errors/sharq-error.js';
import { isLoopback } from '../listener.js';
import { type AdminApiPluginOptions, adminApi } from './plugin.js';

export interface AdminServerOptions extends AdminApiPluginOptions {
  /** Default 127.0.0.1. Another address needs tokens. */
  host?: string;
  /** Default 6380; 0 picks a free one. */
  port?: number;
}

export interface AdminServer {
  app: FastifyInstance;
  address: { host: string; port: number };
  /** Base URL, e.g. http://127.0.0.1:6380. */
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_HTTP_PORT = 6380;

/**
 * The admin API on its own HTTP port (what `sharq server --http-port` and `sharq admin` run).
 * Without tokens it serves loopback only; on another host it refuses to start without them.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const { host = '127.0.0.1', port = DEFAULT_HTTP_PORT, ...api } = options;
  const hasTokens = (api.adminTokens?.length ?? 0) + (api.readTokens?.length ?? 0) > 0;
  if (!hasTokens && !isLoopback(host)) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `The admin API on ${host} (beyond this machine) needs tokens: set adminTokens / SHARQ_ADMIN_TOKEN`,
      { details: { option: 'adminTokens', host } },
    );
  }
  const app = Fastify({
    logger: false,
    bodyLimit: api.bodyLimitBytes ?? 1024 * 1024,
    // Requests carry no more than a filter: a slow client is dropped rather than waited on.
    requestTimeout: 120_000,
    connectionTimeout: 130_000,
    forceCloseConnections: true,
    // Past Fastify's default (100 characters) a path parameter got the router's own 414 body;
    // a queue name up to Kafka's 249 (and a DLQ record id) is checked by the routes instead.
    routerOptions: { maxParamLength: 1024 },
  });
  if (!hasTokens) {
    api.logger?.warn(
      { host },
      'admin API without tokens: loopback only, every caller is admin (set SHARQ_ADMIN_TOKEN)',
    );
  }
  await app.register(adminApi, {
    ...api,
    allowUnauthenticated: api.allowUnauthenticated ?? !hasTokens,
  });
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close();
    if ((err as { code?: unknown }).code === 'EADDRINUSE') {
      throw new SharqError(
        'SHARQ_ERR_ADDRESS_IN_USE',
        `Admin API port ${port} on ${host} is taken`,
        {
          cause: err,
          details: { host, port },
        },
      );
    }
    throw err;
  }
  const addr = app.server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    app,
    address: { host, port: bound },
    url: `http://${shown}:${bound}`,
    close: () => app.close(),
  };
}
