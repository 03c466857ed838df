import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { SharqError } from '../errors/sharq-error.js';

/**
 * `GET /metrics` of a registry on a loopback port (what `sharq worker --metrics-port` serves):
 * Prometheus scrapes each worker process; put a sidecar or an agent in front to reach it from
 * elsewhere. Anything else answers 404.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new SharqError(
          'SHARQ_ERR_ADDRESS_IN_USE',
          `Metrics port ${port} on ${host}: ${err.message}`,
          { cause: err, details: { host, port } },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  server.unref();
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr !== null ? addr.port : port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
