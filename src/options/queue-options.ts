import { z } from 'zod';
import { ElasticConcurrencyOptions } from '../../workers/pool/elastic-concurrency.js';
import { RateLimitOptions, RetryBudgetOptions } from '../../workers/rate-limit/limiter.js';
import type { TimerClock } from '../util/clock.js';
import { concurrencySlots } from './concurrency.js';
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

/** Longest delay or backoff sharq schedules: one year. */
export const MAX_DELAY_MS = 365 * 24 * 3_600_000;

const attemptsField = z
  .number()
  .int()
  .min(1)
  .max(1000)
  .describe(
    'Attempts a job may make in all, 1 = no retry (1–1000). An attempt is a delivery: a worker that dies holding a job spends one.',
  );

export const BackoffOptions = z
  .union([
    z.number().int().min(0).max(MAX_DELAY_MS),
    z
      .object({
        type: z
          .string()
          .min(1)
          .max(64)
          .describe(
            "`fixed` (every retry waits `delay`), `exponential` (retry n waits `delay * 2^(n-1)`, as BullMQ) or the name of a strategy registered in the worker's `backoffStrategies`.",
          ),
        delay: z
          .number()
          .int()
          .min(0)
          .max(MAX_DELAY_MS)
          .default(1000)
          .describe('Base delay in ms (0 – one year). Default: 1000.'),
        jitter: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            'Share of each delay that is random (0–1): 0.5 waits between half and all of it. Default: 0.',
          ),
      })
      .strict(),
  ])
  .describe(
    'Wait before a retry: a number of ms (fixed) or `{ type, delay, jitter }`. Default: none (retry at once).',
  );

const timeoutField = z
  .number()
  .int()
  .min(1)
  .max(MAX_DELAY_MS)
  .describe(
    "Time limit of one attempt in ms: the handler's AbortSignal fires with SHARQ_ERR_JOB_TIMEOUT and the attempt fails. Default: none.",
  );

/** How jobs run unless a job says otherwise: set on a queue (written into each job) or a worker (for jobs that carry none). */
export const RunDefaults = z
  .object({
    attempts: attemptsField.optional(),
    backoff: BackoffOptions.optional(),
    timeout: timeoutField.optional(),
  })
  .strict();

const deliveryLimitField = z
  .number()
  .int()
  .min(2)
  .max(10)
  .describe(
    "The share group's delivery-count limit (`share.delivery.count.limit`, 2–10 as on Kafka): deliveries of one record before the engine archives it to the DLQ without a verdict, the backstop for jobs that crash their worker. Jobs may have more `attempts`: sharq moves them to a fresh record. Default: the group setting (5).",
  );

const lockDurationField = z
  .number()
  .int()
  .min(1000)
  .max(3_600_000)
  .describe(
    "The share group's acquisition lock (`share.record.lock.duration.ms`). Running jobs renew it by themselves. Default: the group setting (30 s).",
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
    defaultJobOptions: RunDefaults.optional().describe(
      '`attempts`, `backoff` and `timeout` written into every job added without its own.',
    ),
    deliveryLimit: deliveryLimitField.optional(),
    lockDurationMs: lockDurationField.optional(),
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
    attempts: attemptsField.optional(),
    backoff: BackoffOptions.optional(),
    timeout: timeoutField.optional(),
    delay: z
      .number()
      .int()
      .min(0)
      .max(MAX_DELAY_MS)
      .optional()
      .describe('Run no earlier than this many ms from now (0 – one year). Default: at once.'),
    runAt: z
      .union([z.date(), z.number().int().min(0)], {
        error: 'a valid Date or epoch milliseconds (an integer >= 0)',
      })
      .optional()
      .describe('Run no earlier than this time (a Date or epoch ms). Not with `delay`.'),
  })
  .strict()
  .refine((o) => o.delay === undefined || o.runAt === undefined, {
    message: 'give `delay` or `runAt`, not both',
    path: ['runAt'],
  });

export const WorkerOptions = z
  .object({
    engine: engineField,
    group: z
      .string()
      .min(1)
      .max(249)
      .optional()
      .describe('Share group of the worker fleet. Default: `sharq.<queue>`.'),
    concurrency: concurrencySlots
      .default(1)
      .describe(
        'Jobs run at once by this worker (1–10000). Default: 1. Fixed unless `elastic` is set.',
      ),
    elastic: ElasticConcurrencyOptions.optional().describe(
      'Concurrency that adapts between `min` and `max` to throughput and latency (AIMD); replaces `concurrency`. Default: fixed concurrency.',
    ),
    deliveryLimit: deliveryLimitField.optional(),
    lockDurationMs: lockDurationField.optional(),
    overrideGroupConfig: z
      .boolean()
      .default(false)
      .describe(
        "Let this worker's `deliveryLimit` and `lockDurationMs` replace the group's for the whole fleet. Without it a disagreement fails setup with SHARQ_ERR_GROUP_CONFIG_MISMATCH.",
      ),
    attempts: attemptsField
      .default(5)
      .describe('Attempts of a job that carries none (its queue sets none). Default: 5.'),
    backoff: BackoffOptions.optional().describe(
      'Backoff of a job that carries none. Default: none (retry at once).',
    ),
    timeout: timeoutField.optional().describe('Time limit of a job that carries none, ms.'),
    backoffStrategies: z
      .record(
        z.string().min(1).max(64),
        z.custom<(attemptsMade: number, error: Error, job: unknown) => number>(
          (v) => typeof v === 'function',
          'a function (attemptsMade, error, job) => delay in ms',
        ),
      )
      .optional()
      .describe(
        'Custom backoff strategies by name, for jobs with `backoff: { type: "<name>" }`: `(attemptsMade, error, job) => ms`.',
      ),
    holdMaxMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(5000)
      .describe(
        'Retries due within this many ms (and within half the lock) wait on the worker, their lock renewed, then are RELEASEd; longer ones go to a delay tier (0 – 60 s). Default: 5000.',
      ),
    limiter: RateLimitOptions.optional().describe(
      'At most `max` jobs start per `durationMs` on this queue: per process, or fleet-wide with `redis`. A limited job stays in the queue and spends no attempt. Default: no limit.',
    ),
    retryBudget: RetryBudgetOptions.optional().describe(
      'At most `max` retries per `durationMs` on this queue (fleet-wide with `redis`): retries past it wait for the budget, so a failing dependency is not hammered. Default: no budget.',
    ),
    forwarder: z
      .boolean()
      .default(true)
      .describe(
        "Run the queue's delay-tier forwarder in this worker, which brings delayed jobs and retries back when due. Default: true.",
      ),
    clock: z
      .custom<TimerClock>(
        (v) =>
          typeof v === 'object' &&
          v !== null &&
          typeof (v as TimerClock).now === 'function' &&
          typeof (v as TimerClock).setTimer === 'function',
        'a clock { now(), setTimer(fn, ms) }',
      )
      .optional()
      .describe('Time source for tests. Default: the system clock.'),
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
