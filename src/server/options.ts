import { z } from 'zod';
import { SaslServerOptions } from './sasl/sasl-options.js';

/** `sharq server`: the embedded engine behind a listener that speaks Kafka's protocol. */
export const ServerOptions = z
  .object({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe(
        'Address to listen on. Default: 127.0.0.1 (this machine only). Another address needs `allowRemote: true`, and warns unless SASL is on.',
      ),
    port: z
      .number()
      .int()
      .min(0)
      .max(65_535)
      .default(9092)
      .describe("TCP port (0 picks a free one). Default: 9092, Kafka's own."),
    advertisedHost: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Host clients are told to connect to (Metadata, FindCoordinator), as Kafka's advertised.listeners. Default: `host`, or 127.0.0.1 when `host` is a wildcard (0.0.0.0, ::).",
      ),
    allowRemote: z
      .boolean()
      .default(false)
      .describe('Allow a `host` other than a loopback address. Default: false.'),
    maxRequestBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(100 * 1024 * 1024)
      .describe(
        "Largest request frame; a larger one closes its connection (Kafka's socket.request.max.bytes). Default: 100 MiB.",
      ),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe('Connections at once; one past it is closed at accept. Default: 1000.'),
    idleTimeoutMs: z
      .number()
      .int()
      .min(1000)
      .max(24 * 3_600_000)
      .default(600_000)
      .describe(
        "A connection with no request in flight and nothing sent for this long is closed (Kafka's connections.max.idle.ms). Default: 10 minutes.",
      ),
    maxPendingResponseBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(1024 * 1024 * 1024)
      .default(64 * 1024 * 1024)
      .describe(
        'Response bytes a client may leave unread before it is disconnected as a slow reader. Default: 64 MiB.',
      ),
    sasl: SaslServerOptions.optional().describe(
      'SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512): clients must log in before any other request. Default: off (anyone who can connect may do anything). See [sharq server](server.md#sasl-authentication).',
    ),
  })
  .strict();
export type ServerOptionsInput = z.input<typeof ServerOptions>;
export type ServerConfig = z.output<typeof ServerOptions>;
