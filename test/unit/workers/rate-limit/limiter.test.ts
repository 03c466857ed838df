import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import {
  createRateLimiter,
  PER_PROCESS_NOTICE,
  RateLimitOptions,
  RetryBudgetOptions,
} from '../../../../workers/rate-limit/limiter.js';

const clock = { now: () => 5_000 };

describe('createRateLimiter', () => {
  it('builds a per-process limiter without Redis, and says so once', async () => {
    const notices: string[] = [];
    const rl = createRateLimiter(
      { max: 2, durationMs: 1000 },
      { key: 'q', clock, onNotice: (m) => notices.push(m) },
    );
    expect(rl.kind).toBe('local');
    expect(notices).toEqual([PER_PROCESS_NOTICE]);
    expect(PER_PROCESS_NOTICE).toBe(
      'rate limit is per process: no Redis configured, so each worker process allows max per duration on its own',
    );
    expect(await rl.take(3)).toEqual({ granted: 2, retryInMs: 1000 });
    await rl.close();
    expect(notices).toHaveLength(1);
  });

  it('builds a Redis limiter without a notice, opening no socket until first use', async () => {
    const notices: string[] = [];
    const rl = createRateLimiter(
      { max: 2, durationMs: 1000, redis: 'redis://127.0.0.1:1' },
      { key: 'q', clock, onNotice: (m) => notices.push(m) },
    );
    expect(rl.kind).toBe('redis');
    expect(notices).toEqual([]);
    expect(process.getActiveResourcesInfo()).not.toContain('TCPSocketWrap');
    await rl.close();
  });

  it.each([
    [{ max: 0, durationMs: 1000 }, 'max'],
    [{ max: 1.5, durationMs: 1000 }, 'max'],
    [{ max: 1, durationMs: 0 }, 'durationMs'],
    [{ max: 1, durationMs: 2.5 }, 'durationMs'],
    [{ max: 1, durationMs: 1000, redis: 'localhost:6379' }, 'redis'],
    [{ max: 1, durationMs: 1000, redis: { host: 'h', tls: true } }, 'redis'],
    [{ max: 1, durationMs: 1000, key: '' }, 'key'],
    [{ max: 1, durationMs: 1000, perProcess: true }, '(options)'],
  ])('refuses %j naming %s', (options, option) => {
    let caught: unknown;
    try {
      createRateLimiter(options as z.input<typeof RateLimitOptions>, { key: 'q', clock });
    } catch (err) {
      caught = err;
    }
    if (!SharqError.is(caught, 'SHARQ_ERR_INVALID_OPTION')) expect.unreachable(String(caught));
    const problems = caught.details.problems as { option: string }[];
    expect(problems.map((p) => p.option)).toContain(option);
  });

  it('describes every option of both schemas, defaults included', () => {
    for (const schema of [RateLimitOptions, RetryBudgetOptions]) {
      for (const [name, field] of Object.entries(schema.shape)) {
        expect(field.description, name).toMatch(/Default|Required/);
      }
    }
    expect(RetryBudgetOptions.shape.max.description).toMatch(/retries/);
    expect(RetryBudgetOptions.parse({ max: 3, durationMs: 60_000 })).toEqual(
      RateLimitOptions.parse({ max: 3, durationMs: 60_000 }),
    );
  });
});
