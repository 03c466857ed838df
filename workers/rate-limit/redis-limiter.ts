/**
 * The fleet-wide limiter: one counter per key and window on Redis, through rate-limiter-flexible's
 * `RateLimiterRedis` (an atomic Lua INCRBY + PTTL per call) on ioredis.
 *
 * Windows. rate-limiter-flexible counts in whole seconds (its `duration`; a fraction is floored,
 * and under one second the key would never expire), and its window starts at a key's first
 * consume, so a late `reward` can land on the next window's fresh key and leave it below zero,
 * i.e. hand out extra tokens. So sharq keeps the window in the key instead: the counter of the
 * window starting at `w = floor(now / durationMs) * durationMs` is `sharq:rl:<key>:<w>`. Any
 * `durationMs` works, a give-back can only reach the window it was taken in, and the library's
 * `duration` is just the key's lifetime (the window rounded up to seconds, plus one second, so a
 * key outlives its window and expires on its own). Windows follow each process's clock: keep
 * hosts NTP-synced. Skew moves a process's window edges; it does not enlarge a window's budget.
 * As with any fixed window, a burst at an edge can start up to 2·max jobs within one durationMs.
 *
 * take(want) across processes. One INCRBY of `want`, then keep the part that fit: INCRBYs on a key
 * are serialised by Redis, so when one returns `after`, the counter held `after - want` just
 * before it, and `min(want, max - (after - want))` tokens were free for it. The parts that fit
 * therefore never add up past `max`, whatever other processes do; the rest is given back at once
 * (a `reward`). One round trip when it fits, two when it partly does. Taking one token at a time
 * would cost `want` round trips; retrying with fewer would inflate the counter once per try.
 * The cost: until an overshoot is given back, a concurrent taker may see the window full and
 * wait for the next one although a few tokens were about to come back (fewer jobs, never more).
 *
 * Failure. Every Redis call is bounded by `timeoutMs` (a real-time timer, apart from the window
 * clock) and a client that is reconnecting fails at once instead of queueing commands for later:
 * `take` and `giveBack` reject with `SHARQ_ERR_RATE_LIMITER` (retryable), the poll loop waits and
 * tries again, the process neither crashes nor hangs. A call that timed out may still land on
 * Redis later; it then holds tokens for the rest of its window (fewer jobs, never more).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { SharqError, toError } from '../../src/errors/sharq-error.js';
import { type Clock, systemClock } from '../../src/util/clock.js';
import type { RateGrant, RateLimitConfig, RateLimiter } from './limiter.js';
import { clampWait, tokenCount } from './local-limiter.js';

export interface RedisRateLimiterConfig {
  max: number;
  durationMs: number;
  key: string;
  redis: NonNullable<RateLimitConfig['redis']>;
  timeoutMs: number;
  clock: Clock;
}

/** Key namespace: rate-limiter-flexible joins it to the key with a colon. */
const KEY_PREFIX = 'sharq:rl';

export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis' as const;
  private readonly max: number;
  private readonly durationMs: number;
  private readonly key: string;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly client: Redis;
  /** True when sharq created the client, so it closes it. */
  private readonly owned: boolean;
  private readonly limiter: RateLimiterRedis;
  /** Window start of the newest take, and the tokens still held in it (what giveBack may return). */
  private heldWindow = Number.NEGATIVE_INFINITY;
  private held = 0;
  /** The last Redis error seen: the cause when a later call fails fast or times out. */
  private lastError: Error | undefined;
  private closing: Promise<void> | undefined;

  constructor(config: RedisRateLimiterConfig) {
    this.max = config.max;
    this.durationMs = config.durationMs;
    this.key = config.key;
    this.timeoutMs = config.timeoutMs;
    this.clock = config.clock;
    const redis = config.redis;
    if (isClient(redis)) {
      this.client = redis;
      this.owned = false;
    } else {
      this.client = ownedClient(redis, config.timeoutMs);
      this.owned = true;
      // Without a listener ioredis prints every failed reconnect; the error is reported by the
      // calls that fail, with this as their cause.
      this.client.on('error', (err: Error) => {
        this.lastError = err;
      });
    }
    this.limiter = new RateLimiterRedis({
      storeClient: this.client,
      keyPrefix: KEY_PREFIX,
      points: config.max,
      duration: Math.ceil(config.durationMs / 1000) + 1,
    });
  }

  async take(want: number): Promise<RateGrant> {
    this.assertOpen();
    const n = tokenCount(want, 'want');
    if (n === 0) return { granted: 0, retryInMs: 0 };
    const now = this.clock.now();
    const window = Math.floor(now / this.durationMs) * this.durationMs;
    const key = `${this.key}:${window}`;
    let after: number;
    try {
      after = (await this.call('take', () => this.limiter.consume(key, n))).consumedPoints;
    } catch (err) {
      // Over the limit is an answer: rate-limiter-flexible rejects with its result object.
      if (!(err instanceof RateLimiterRes)) throw err;
      after = err.consumedPoints;
    }
    const granted = Math.max(0, Math.min(n, this.max - (after - n)));
    if (granted < n) {
      // The overshoot is returned at once; if that fails it only holds tokens until the window
      // ends (fewer jobs, never more), so the grant stands.
      await this.call('take', () => this.limiter.reward(key, n - granted)).catch(() => undefined);
    }
    this.hold(window, granted);
    if (granted === n) return { granted, retryInMs: 0 };
    return { granted, retryInMs: clampWait(window + this.durationMs - now, this.durationMs) };
  }

  async giveBack(n: number): Promise<void> {
    this.assertOpen();
    const wanted = tokenCount(n, 'n');
    const window = Math.floor(this.clock.now() / this.durationMs) * this.durationMs;
    // Tokens of an ended window are gone whatever we do: nothing to return.
    if (window !== this.heldWindow || this.held === 0 || wanted === 0) return;
    const back = Math.min(wanted, this.held);
    this.held -= back;
    await this.call('giveBack', () => this.limiter.reward(`${this.key}:${window}`, back));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (!this.owned) return;
    if (this.client.status === 'ready') {
      await withTimeout(this.client.quit(), this.timeoutMs).catch(() => undefined);
    }
    // Also stops a reconnect loop and its timer when Redis was never reached.
    this.client.disconnect();
  }

  /** Records a grant against its window; a take that finished after a newer one is not tracked. */
  private hold(window: number, granted: number): void {
    if (window > this.heldWindow) {
      this.heldWindow = window;
      this.held = granted;
    } else if (window === this.heldWindow) {
      this.held += granted;
    }
  }

  /** Runs one Redis operation within the time bound, failing fast while the client is down. */
  private async call<T>(op: Operation, run: () => Promise<T>): Promise<T> {
    const status = this.client.status;
    if (status === 'reconnecting' || status === 'close' || status === 'end') {
      throw this.failure(op, `the Redis connection is ${status}`, this.lastError);
    }
    try {
      const result = await withTimeout(run(), this.timeoutMs);
      this.lastError = undefined;
      return result;
    } catch (err) {
      if (err instanceof RateLimiterRes) throw err;
      if (err === TIMED_OUT) {
        throw this.failure(op, `Redis did not answer within ${this.timeoutMs} ms`, this.lastError);
      }
      this.lastError = toError(err);
      throw this.failure(op, 'Redis failed', err);
    }
  }

  private failure(op: Operation, why: string, cause: unknown): SharqError {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return new SharqError(
      'SHARQ_ERR_RATE_LIMITER',
      `Rate limiter "${this.key}" could not ${op === 'take' ? 'take tokens' : 'give tokens back'}: ${why}${detail}`,
      { cause, details: { key: this.key, operation: op, redisStatus: this.client.status } },
    );
  }

  private assertOpen(): void {
    if (this.closing !== undefined) {
      throw new SharqError('SHARQ_ERR_CLOSED', `The rate limiter "${this.key}" is closed`);
    }
  }
}

type Operation = 'take' | 'giveBack';
type ConnectionOptions = Exclude<RedisRateLimiterConfig['redis'], Redis | string>;

/** A caller's ioredis client (the schema checked its shape), not options to build one from. */
function isClient(redis: RedisRateLimiterConfig['redis']): redis is Redis {
  return typeof redis === 'object' && typeof (redis as { status?: unknown }).status === 'string';
}

/**
 * A client sharq owns: connects on first use (no socket before), bounds connects and commands by
 * `timeoutMs`, and flushes queued commands after one failed reconnect rather than holding them.
 */
function ownedClient(redis: string | ConnectionOptions, timeoutMs: number): Redis {
  const bounds: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  if (typeof redis === 'string') return new Redis(redis, bounds);
  const { host, port, db, password, keyPrefix } = redis;
  return new Redis({
    ...bounds,
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(db === undefined ? {} : { db }),
    ...(password === undefined ? {} : { password }),
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
  });
}

const TIMED_OUT = Symbol('timed out');

/** Settles as `promise` does, or rejects with TIMED_OUT after `ms`; a late rejection is absorbed. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = systemClock.setTimer(() => reject(TIMED_OUT), ms);
    promise.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err);
      },
    );
  });
}
