/**
 * Per-queue rate limits, taken by the worker's poll loop before it acquires records: a poll asks
 * for at most what the limiter grants, so a limited job stays in the queue, waits and spends no
 * delivery attempt. The same limiter caps retries per queue (the retry budget).
 *
 *   no `redis`  → LocalRateLimiter: a sliding window in this process (each process has its own)
 *   `redis`     → RedisRateLimiter: one fixed-window counter per key on Redis, shared by a fleet
 *
 * A poll's cycle: `take(n)` → acquire at most `granted` records → `giveBack(granted - acquired)`.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseOptions } from '../../src/options/parse.js';
import { type Clock, systemClock } from '../../src/util/clock.js';
import { LocalRateLimiter } from './local-limiter.js';
import { RedisRateLimiter } from './redis-limiter.js';

export interface RateGrant {
  /** Tokens taken, 0 ≤ granted ≤ want. */
  granted: number;
  /** When granted < want: ms until the next token is due, 0 < retryInMs ≤ durationMs. Else 0. */
  retryInMs: number;
}

export interface RateLimiter {
  readonly kind: 'local' | 'redis';
  /**
   * Takes up to `want` tokens now. Being limited is an answer (`granted < want`), never an error.
   * The Redis limiter rejects with `SHARQ_ERR_RATE_LIMITER` when Redis cannot answer in time, and
   * both reject with `SHARQ_ERR_CLOSED` after `close()`.
   */
  take(want: number): Promise<RateGrant>;
  /**
   * Returns tokens taken but not used (a poll acquired fewer records than granted), newest first:
   * call it right after the `take` whose tokens went unused. Tokens of a window that has ended are
   * dropped, they could not be used any more. More than is held is capped at what is held.
   */
  giveBack(n: number): Promise<void>;
  /** Idempotent. Closes the Redis client if sharq created it; a caller's client stays open. */
  close(): Promise<void>;
}

/** An ioredis client, recognised by shape so that two copies of ioredis both pass. */
const redisInstance = z.custom<Redis>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { status?: unknown }).status === 'string' &&
    typeof (v as { defineCommand?: unknown }).defineCommand === 'function' &&
    typeof (v as { multi?: unknown }).multi === 'function',
  'an ioredis Redis instance',
);

const redisConnection = z
  .object({
    host: z.string().min(1).optional().describe('Redis host. Default: `127.0.0.1`.'),
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe('Redis port, 1–65535. Default: 6379.'),
    db: z.number().int().min(0).optional().describe('Database index, ≥ 0. Default: 0.'),
    password: z.string().optional().describe('Redis password (AUTH). Default: none.'),
    keyPrefix: z
      .string()
      .optional()
      .describe(
        'Prefix of every key this client touches, before `sharq:rl:` (ioredis `keyPrefix`). Default: none.',
      ),
  })
  .strict();

const redisField = z
  .union([
    redisInstance,
    z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
    redisConnection,
  ])
  .optional()
  .describe(
    'Redis that shares the limit across every process. An ioredis `Redis` instance (the caller owns it and closes it), a `redis://` / `rediss://` URL or `{ host, port, db, password, keyPrefix }` (sharq creates the client and closes it). Default: none, the limit is per process.',
  );

/** One schema shape for both surfaces; `what` names what `max` counts in the descriptions. */
function limiterSchema(what: string) {
  return z
    .object({
      max: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .describe(`Most ${what} per window, 1–1,000,000. Required.`),
      durationMs: z
        .number()
        .int()
        .min(1)
        .max(24 * 3600 * 1000)
        .describe('Window length in ms, 1 ms–24 h. Required. Need not be whole seconds.'),
      redis: redisField,
      key: z
        .string()
        .min(1)
        .max(512)
        .optional()
        .describe(
          'Limiter key: workers with one key share one limit. Stored on Redis as `sharq:rl:<key>:<window start>`. Default: the queue name.',
        ),
      timeoutMs: z
        .number()
        .int()
        .min(10)
        .max(60_000)
        .default(2000)
        .describe(
          'Redis only: the longest a `take` or `giveBack` waits for Redis before it rejects with `SHARQ_ERR_RATE_LIMITER`; also the connect timeout of a client sharq creates. 10 ms–60 s. Default: 2000.',
        ),
    })
    .strict();
}

/** Per-queue job rate limit: at most `max` jobs start per `durationMs`. */
export const RateLimitOptions = limiterSchema('jobs started');
/** Per-queue retry budget: at most `max` retries per `durationMs`; retries beyond it wait. */
export const RetryBudgetOptions = limiterSchema('retries');

export type RateLimitOptionsInput = z.input<typeof RateLimitOptions>;
export type RateLimitConfig = z.output<typeof RateLimitOptions>;

export interface RateLimiterContext {
  /** The key when the options name none: the queue name. */
  key: string;
  /** Defaults to the system clock. */
  clock?: Clock;
  /** Told once when the limit is per process (no Redis), for the worker to log or emit. */
  onNotice?: (message: string) => void;
}

export const PER_PROCESS_NOTICE =
  'rate limit is per process: no Redis configured, so each worker process allows max per duration on its own';

/** Builds the limiter the options describe. Opens no socket: a Redis client connects on first use. */
export function createRateLimiter(
  options: RateLimitOptionsInput,
  context: RateLimiterContext,
): RateLimiter {
  const config = parseOptions('rate limit', RateLimitOptions, options);
  const key = config.key ?? context.key;
  const clock = context.clock ?? systemClock;
  if (config.redis === undefined) {
    context.onNotice?.(PER_PROCESS_NOTICE);
    return new LocalRateLimiter({ max: config.max, durationMs: config.durationMs, clock });
  }
  return new RedisRateLimiter({
    max: config.max,
    durationMs: config.durationMs,
    key,
    redis: config.redis,
    timeoutMs: config.timeoutMs,
    clock,
  });
}
