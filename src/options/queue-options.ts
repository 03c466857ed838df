import { z } from 'zod';
import { topicName } from './parse.js';

/**
 * What selects an engine: an options object (embedded by default, Kafka when `type: "kafka"`)
 * or an `Engine` instance the caller manages. Instances are checked by shape only here.
 */
const engineField = z
  .union([
    z.object({ type: z.enum(['embedded', 'kafka']) }).passthrough(),
    z.custom<object>(
      (v) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as { produce?: unknown }).produce === 'function' &&
        typeof (v as { createShareConsumer?: unknown }).createShareConsumer === 'function',
      'an engine options object ({ type: "embedded" | "kafka", ... }) or an Engine instance',
    ),
  ])
  .optional()
  .describe(
    'Engine options or an Engine instance. Default: the embedded engine in `./.sharq`, shared by every queue and worker of the process that use the same options.',
  );

export const QueueOptions = z
  .object({
    engine: engineField,
    partitions: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .optional()
      .describe(
        'Partitions of the queue topic when sharq creates it. Default: the engine default.',
      ),
    schema: z
      .custom<z.ZodType>((v) => v instanceof z.ZodType, 'a zod schema')
      .optional()
      .describe('Zod schema of job data: checked on add, and parsed by workers at the boundary.'),
    deadLetterTopic: topicName
      .optional()
      .describe('Dead-letter topic of the queue. Default: `dlq.<queue>`.'),
  })
  .strict();

export const JobOptions = z
  .object({
    jobId: z.string().min(1).max(256).optional().describe('Job id. Default: a random UUID.'),
    key: z
      .string()
      .max(4096)
      .optional()
      .describe('Record key: jobs with one key go to one partition. Default: none (spread).'),
    headers: z
      .record(
        z
          .string()
          .min(1)
          .max(256)
          .refine((k) => !k.startsWith('sharq.') && !k.startsWith('__dlq.'), {
            message: 'header names starting with "sharq." or "__dlq." are reserved',
          }),
        z.string().max(64 * 1024),
      )
      .optional()
      .describe('Extra record headers, carried to workers and to the DLQ.'),
    partition: z.number().int().min(0).optional().describe('Explicit partition.'),
  })
  .strict();

export const WorkerOptions = z
  .object({
    engine: engineField,
    group: z
      .string()
      .min(1)
      .max(249)
      .optional()
      .describe('Share group of the worker fleet. Default: `sharq.<queue>`.'),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1)
      .describe('Jobs run at once by this worker.'),
    maxAttempts: z
      .number()
      .int()
      .min(2)
      .max(10)
      .optional()
      .describe(
        'Deliveries before a failing job goes to the DLQ (the group `deliveryCountLimit`, 2–10 as on Kafka). Default: the group setting (5).',
      ),
    lockDurationMs: z
      .number()
      .int()
      .min(1000)
      .max(3_600_000)
      .optional()
      .describe(
        'Acquisition lock of a job. Running jobs renew it by themselves. Default: the group setting (30 s).',
      ),
    deadLetterTopic: topicName.optional().describe('Dead-letter topic. Default: `dlq.<queue>`.'),
    autorun: z.boolean().default(true).describe('Start polling at construction.'),
    shutdownTimeoutMs: z
      .number()
      .int()
      .min(0)
      .default(30_000)
      .describe('How long `close()` waits for running jobs before aborting them.'),
    pollMaxWaitMs: z
      .number()
      .int()
      .min(10)
      .max(60_000)
      .default(1000)
      .describe('Longest wait of one poll when the queue is empty.'),
    schema: z
      .custom<z.ZodType>((v) => v instanceof z.ZodType, 'a zod schema')
      .optional()
      .describe('Zod schema the worker parses job data with; a mismatch sends the job to the DLQ.'),
  })
  .strict();
