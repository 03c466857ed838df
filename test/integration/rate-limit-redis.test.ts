// The Redis limiter against the real Redis at 127.0.0.1:6379. Each test uses its own ioredis
// key prefix and deletes its keys afterwards; windows are driven by a hand-stepped clock.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharqError } from '../../src/errors/sharq-error.js';
import {
  createRateLimiter,
  type RateLimiter,
  type RateLimitOptionsInput,
} from '../../workers/rate-limit/limiter.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
const LIMITER = new URL('../../workers/rate-limit/limiter.ts', import.meta.url).href;

class FakeClock {
  // A window edge of every duration used here, so a test starts at the start of a window.
  constructor(public t = 1_800_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

let prefix: string;
let admin: Redis;
let clock: FakeClock;
const open: RateLimiter[] = [];

beforeEach(() => {
  prefix = `sharq-test:${randomUUID()}:`;
  admin = new Redis(REDIS);
  clock = new FakeClock();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((rl) => rl.close()));
  const keys = await admin.keys(`${prefix}*`);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
});

function limiter(options: Partial<RateLimitOptionsInput> = {}, key = 'q'): RateLimiter {
  const rl = createRateLimiter(
    { max: 10, durationMs: 1000, redis: { ...REDIS, keyPrefix: prefix }, ...options },
    { key, clock },
  );
  open.push(rl);
  return rl;
}

describe('RedisRateLimiter', () => {
  it('never grants more than max per window across two limiters on one key', async () => {
    const a = limiter();
    const b = limiter();
    const wants = Array.from({ length: 40 }, (_, i) => 1 + (i % 4));
    const grants = await Promise.all(wants.map((w, i) => (i % 2 ? a : b).take(w)));
    expect(grants.reduce((s, g) => s + g.granted, 0)).toBe(10);
    for (const [i, g] of grants.entries()) {
      expect(g.granted).toBeLessThanOrEqual(wants[i]!);
      if (g.granted < wants[i]!) {
        expect(g.retryInMs).toBeGreaterThan(0);
        expect(g.retryInMs).toBeLessThanOrEqual(1000);
      }
    }
    // The overshoots were given back: the counter holds exactly what was granted.
    expect(await admin.get(`${prefix}sharq:rl:q:${clock.t}`)).toBe('10');

    clock.advance(999);
    expect(await a.take(1)).toEqual({ granted: 0, retryInMs: 1 });
    clock.advance(1);
    const next = await Promise.all([a.take(8), b.take(8)]);
    expect(next[0]!.granted + next[1]!.granted).toBe(10);
  });

  it('takes back what giveBack returns, for every limiter on the key', async () => {
    const a = limiter();
    const b = limiter();
    expect((await a.take(10)).granted).toBe(10);
    expect((await b.take(1)).granted).toBe(0);
    await a.giveBack(4);
    expect(await b.take(6)).toEqual({ granted: 4, retryInMs: 1000 });
    await a.giveBack(100); // capped at the 6 a still holds
    expect((await b.take(20)).granted).toBe(6);
  });

  it('drops a give-back whose window has ended', async () => {
    const a = limiter();
    expect((await a.take(10)).granted).toBe(10);
    clock.advance(1000);
    await a.giveBack(10);
    expect((await a.take(20)).granted).toBe(10);
  });

  it('keeps windows that are not whole seconds, and its keys expire', async () => {
    const a = limiter({ max: 3, durationMs: 250 });
    expect(await a.take(5)).toEqual({ granted: 3, retryInMs: 250 });
    clock.advance(100);
    expect(await a.take(1)).toEqual({ granted: 0, retryInMs: 150 });
    clock.advance(150);
    expect((await a.take(5)).granted).toBe(3);
    const keys = await admin.keys(`${prefix}*`);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(2000);
    }
  });

  it('keeps keys apart, and uses a caller-owned client without closing it', async () => {
    const client = new Redis({ ...REDIS, keyPrefix: prefix });
    try {
      const a = limiter({ max: 2, redis: client }, 'one');
      const b = limiter({ max: 2, redis: client }, 'two');
      expect((await a.take(5)).granted).toBe(2);
      expect((await b.take(5)).granted).toBe(2);
      await a.close();
      await expect(a.take(1)).rejects.toSatisfy((e) => SharqError.is(e, 'SHARQ_ERR_CLOSED'));
      expect(await client.ping()).toBe('PONG');
      expect((await b.take(1)).granted).toBe(0);
    } finally {
      await client.quit();
    }
  });

  it('rejects with SHARQ_ERR_RATE_LIMITER within its bound when Redis is down', async () => {
    const rl = createRateLimiter(
      { max: 10, durationMs: 1000, redis: { host: '127.0.0.1', port: 1 }, timeoutMs: 300 },
      { key: 'q', clock },
    );
    open.push(rl);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const err = await rl.take(1).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!SharqError.is(err, 'SHARQ_ERR_RATE_LIMITER')) expect.unreachable(String(err));
      expect(err.retryable).toBe(true);
      expect(err.details).toMatchObject({ key: 'q', operation: 'take' });
      // Generous against a slow machine; without a bound ioredis would queue it for minutes.
      expect(performance.now() - started).toBeLessThan(2000);
    }
  });

  it('leaves nothing open after close: a process whose Redis is down exits by itself', async () => {
    // ioredis keeps reconnecting (a timer, then a socket) until its client is closed, which would
    // keep this child alive; its exit shows close() stopped all of it.
    const script = `
      import { createRateLimiter } from ${JSON.stringify(LIMITER)};
      const rl = createRateLimiter(
        { max: 1, durationMs: 1000, redis: 'redis://127.0.0.1:1', timeoutMs: 300 },
        { key: 'q' },
      );
      const code = await rl.take(1).then(() => 'granted', (e) => e.code);
      await new Promise((resolve) => setTimeout(resolve, 300)); // mid reconnect loop
      await rl.close();
      console.log(code);
    `;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(killer);
    expect({ code, signal, out: out.trim() }).toEqual({
      code: 0,
      signal: null,
      out: 'SHARQ_ERR_RATE_LIMITER',
    });
  });

  it('is bounded by timeoutMs when Redis accepts the connection but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const rl = createRateLimiter(
        { max: 10, durationMs: 1000, redis: `redis://127.0.0.1:${port}`, timeoutMs: 200 },
        { key: 'q', clock },
      );
      const started = performance.now();
      await expect(rl.take(1)).rejects.toSatisfy((e) => SharqError.is(e, 'SHARQ_ERR_RATE_LIMITER'));
      expect(performance.now() - started).toBeLessThan(2000);
      await rl.close();
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('bounds a caller-owned client that is down, whatever its own retry settings', async () => {
    const client = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true });
    client.on('error', () => undefined);
    try {
      const rl = limiter({ redis: client, timeoutMs: 200 });
      for (let i = 0; i < 2; i++) {
        const started = performance.now();
        await expect(rl.take(1)).rejects.toSatisfy((e) =>
          SharqError.is(e, 'SHARQ_ERR_RATE_LIMITER'),
        );
        expect(performance.now() - started).toBeLessThan(2000);
      }
    } finally {
      client.disconnect();
    }
  });
});
