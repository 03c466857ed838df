/**
 * `sharq/server`: run the embedded engine as a local Kafka-protocol broker from code.
 *
 *   import { startServer } from 'sharq/server';
 *   const server = await startServer({ port: 9092, engine: { dataDir: './.sharq' } });
 *   // ... later
 *   await server.close();
 *
 * and the admin API, on its own port or mounted in a Fastify app of yours:
 *
 *   import { adminApi, startAdminServer } from 'sharq/server';
 *   await app.register(adminApi, { prefix: '/sharq', engine, adminTokens: [token] });
 */
import { brokerRoutes } from './routes/index.js';
import { SharqServer, type SharqServerOptions } from './server.js';

export { SharqAdmin, type SharqAdminOptions } from '../admin/admin.js';
export * as adminSchemas from '../admin/api-schemas.js';
export type { AdminOptionsInput } from '../admin/options.js';
export {
  type AdminServer,
  type AdminServerOptions,
  DEFAULT_HTTP_PORT,
  startAdminServer,
} from './admin/http-server.js';
export type { AdminApiOptionsInput } from './admin/options.js';
export { type AdminApiPluginOptions, adminApi } from './admin/plugin.js';
export type { ServerLogger } from './connection.js';
export type { ServerOptionsInput } from './options.js';
export { hashSaslPassword } from './sasl/credential-store.js';
export type { SaslUserInput } from './sasl/sasl-options.js';
export { SharqServer, type SharqServerOptions } from './server.js';

/** A server answering every API sharq serves, started; resolves once it listens. */
export async function startServer(
  options: SharqServerOptions = {},
): Promise<SharqServer & { address: { host: string; port: number } }> {
  const server = new SharqServer(options, brokerRoutes);
  const address = await server.start();
  return Object.assign(server, { address });
}
