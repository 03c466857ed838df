import { z } from 'zod';

/** Options of the embedded engine: one process, one data directory, a durable local log. */
export const EmbeddedEngineOptions = z
  .object({
    type: z.literal('embedded').describe('Selects the embedded engine (the default).'),
    dataDir: z
      .string()
      .min(1)
      .default('./.sharq')
      .describe('Directory holding the log and share-group state. One process owns it at a time.'),
    fsync: z
      .enum(['always', 'interval', 'never'])
      .default('always')
      .describe(
        '`always`: an add resolves only once the job is on disk (group commit keeps throughput high). `interval`: resolves after the write, fsync every `fsyncIntervalMs`. `never`: leave it to the OS.',
      ),
    fsyncIntervalMs: z
      .number()
      .int()
      .min(1)
      .max(60_000)
      .default(100)
      .describe('Fsync period for `fsync: "interval"`.'),
    ackFsync: z
      .enum(['always', 'interval'])
      .default('interval')
      .describe(
        'How share-group state changes (deliveries and their counts, ACCEPT, RELEASE, REJECT, lock expiry) reach the disk when `fsync` is `always`. `interval`: each change is written to the OS before it takes effect, so a killed process loses none, and fsynced within `ackFsyncIntervalMs`; a power loss can forget that last stretch (those jobs run again). `always`: each waits for its own fsync. With `fsync` `interval` or `never` the state follows `fsync`. Jobs and dead-letter copies always follow `fsync`.',
      ),
    ackFsyncIntervalMs: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(50)
      .describe(
        'For `ackFsync: "interval"`: the longest a share-group state change waits for its fsync.',
      ),
    segmentBytes: z
      .number()
      .int()
      .min(4096)
      .max(2 ** 31)
      .default(64 * 1024 * 1024)
      .describe('Size at which a partition rolls to a new segment file.'),
    maxRecordBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest record (key, value and headers) the engine accepts.'),
    defaultPartitions: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(1)
      .describe('Partitions of a topic created without an explicit count.'),
    maxInFlightPerPartition: z
      .number()
      .int()
      .min(100)
      .max(10_000)
      .default(2000)
      .describe(
        'Bound on in-flight records per share partition (Kafka: `group.share.partition.max.record.locks`).',
      ),
    retentionMs: z
      .number()
      .int()
      .min(0)
      .default(7 * 24 * 3600 * 1000)
      .describe(
        'Closed log segments older than this whose records every share group has finished are deleted.',
      ),
  })
  .strict();

const Sasl = z.discriminatedUnion('mechanism', [
  z.object({ mechanism: z.literal('plain'), username: z.string(), password: z.string() }).strict(),
  z
    .object({
      mechanism: z.enum(['scram-sha-256', 'scram-sha-512']),
      username: z.string(),
      password: z.string(),
    })
    .strict(),
]);

/** Options of the Kafka engine: a real Apache Kafka 4.2+ cluster with share groups. */
export const KafkaEngineOptions = z
  .object({
    type: z.literal('kafka').describe('Selects the Kafka engine.'),
    brokers: z
      .array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'each broker is "host:port"'))
      .min(1)
      .describe('Bootstrap brokers, `host:port`.'),
    clientId: z.string().min(1).default('sharq').describe('Kafka client id.'),
    ssl: z
      .union([
        z.boolean(),
        z.object({ ca: z.string().optional(), rejectUnauthorized: z.boolean().optional() }),
      ])
      .optional()
      .describe('TLS: `true` or Node TLS options.'),
    sasl: Sasl.optional().describe('SASL authentication: PLAIN or SCRAM-SHA-256/512.'),
    connectionTimeoutMs: z
      .number()
      .int()
      .min(100)
      .default(10_000)
      .describe('Socket connect timeout.'),
    requestTimeoutMs: z.number().int().min(100).default(30_000).describe('Request timeout.'),
  })
  .strict();

export const EngineOptions = z.discriminatedUnion('type', [
  EmbeddedEngineOptions,
  KafkaEngineOptions,
]);
export type EngineOptions = z.input<typeof EngineOptions>;
export type EmbeddedEngineConfig = z.output<typeof EmbeddedEngineOptions>;
export type KafkaEngineConfig = z.output<typeof KafkaEngineOptions>;
