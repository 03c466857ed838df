/**
 * The in-process limiter: a sliding window log. A token taken at time t is held over
 * `[t, t + durationMs)`, so no span of `durationMs` ever holds more than `max` tokens, with no
 * burst at a window boundary as a fixed window has.
 *
 * Storage: one entry per take, `(time, count)`, oldest first, in two parallel arrays read from
 * `head`. Memory follows the number of takes in one window (at most `max`, usually far fewer
 * since a poll takes a batch). Expired entries are dropped from the head; `giveBack` shrinks the
 * newest ones. The arrays are compacted once their dead prefix is most of them.
 *
 * Time comes from the injected clock. A clock that steps back (NTP on the system clock) would
 * leave entries "in the future" that hold their tokens for longer than a window; they are moved
 * to the present instead, which holds them for one more window at most.
 */
import { SharqError } from '../../src/errors/sharq-error.js';
import type { Clock } from '../../src/util/clock.js';
import type { RateGrant, RateLimiter } from './limiter.js';

export interface LocalRateLimiterConfig {
  max: number;
  durationMs: number;
  clock: Clock;
}

/** Compact once this many dead slots lead the arrays (and they are over half of them). */
const COMPACT_AFTER = 1024;

export class LocalRateLimiter implements RateLimiter {
  readonly kind = 'local' as const;
  private readonly max: number;
  private readonly durationMs: number;
  private readonly clock: Clock;
  private readonly times: number[] = [];
  private readonly counts: number[] = [];
  private head = 0;
  /** Tokens held by the live entries. */
  private held = 0;
  private closed = false;

  constructor({ max, durationMs, clock }: LocalRateLimiterConfig) {
    this.max = max;
    this.durationMs = durationMs;
    this.clock = clock;
  }

  async take(want: number): Promise<RateGrant> {
    this.assertOpen();
    const n = tokenCount(want, 'want');
    const now = this.clock.now();
    this.expire(now);
    const granted = Math.min(n, this.max - this.held);
    if (granted > 0) this.push(now, granted);
    if (granted === n) return { granted, retryInMs: 0 };
    // Full: the next token frees when the oldest entry leaves the window.
    const oldest = this.times[this.head]!;
    return { granted, retryInMs: clampWait(oldest + this.durationMs - now, this.durationMs) };
  }

  async giveBack(n: number): Promise<void> {
    this.assertOpen();
    const wanted = tokenCount(n, 'n');
    this.expire(this.clock.now());
    let left = Math.min(wanted, this.held);
    while (left > 0) {
      const last = this.counts.length - 1;
      const count = this.counts[last]!;
      const back = Math.min(count, left);
      left -= back;
      this.held -= back;
      if (back === count) {
        this.counts.pop();
        this.times.pop();
      } else {
        this.counts[last] = count - back;
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private push(now: number, count: number): void {
    const last = this.times.length - 1;
    if (last >= this.head && this.times[last] === now) this.counts[last]! += count;
    else {
      this.times.push(now);
      this.counts.push(count);
    }
    this.held += count;
  }

  private expire(now: number): void {
    const end = this.times.length;
    if (end > this.head && this.times[end - 1]! > now) {
      for (let i = this.head; i < end; i++) {
        if (this.times[i]! > now) this.times[i] = now;
      }
    }
    while (this.head < end && this.times[this.head]! + this.durationMs <= now) {
      this.held -= this.counts[this.head]!;
      this.head++;
    }
    if (this.head === end) {
      this.times.length = 0;
      this.counts.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= end) {
      this.times.splice(0, this.head);
      this.counts.splice(0, this.head);
      this.head = 0;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SharqError('SHARQ_ERR_CLOSED', 'The rate limiter is closed');
  }
}

/** A token count argument: an integer ≥ 0. */
export function tokenCount(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `${name} must be an integer ≥ 0, got ${String(n)}`,
      { details: { argument: name } },
    );
  }
  return n;
}

/** A wait when limited: at least 1 ms (a 0 would spin the caller), at most one window. */
export function clampWait(ms: number, durationMs: number): number {
  return Math.min(durationMs, Math.max(1, Math.ceil(ms)));
}
