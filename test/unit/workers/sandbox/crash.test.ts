import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import {
  job,
  KINDS,
  never,
  noHooks,
  rejection,
  sandboxOf,
  TIMEOUT,
  useSharedPool,
  type Where,
} from './use-pools.js';

describe.each(KINDS)('a sandbox that dies (%s)', { timeout: TIMEOUT }, (kind) => {
  // One pool through every crash below: each must leave it able to run the next job.
  const pool = useSharedPool({ kind, size: 2, maxOldGenerationSizeMb: 32 });

  /** The sandbox a crash report names. */
  function dead(err: Error): number {
    const details = (err as SharqError).details;
    const id = details[kind === 'process' ? 'pid' : 'threadId'];
    expect(id).toEqual(expect.any(Number));
    return id as number;
  }

  /** Runs two jobs at once: every sandbox of the pool, after the crash. */
  async function sandboxesNow(): Promise<number[]> {
    const both = (await Promise.all([
      pool().run(job('where'), never, noHooks),
      pool().run(job('where'), never, noHooks),
    ])) as Where[];
    return both.map((w) => sandboxOf(w, kind));
  }

  it('process.exit fails only its own run; a new sandbox takes the dead one’s place', async () => {
    const neighbour = pool().run(job('sleep', { ms: 300 }), never, noHooks);
    const err = await rejection(pool().run(job('exit'), never, noHooks));
    expect(SharqError.is(err, 'SHARQ_ERR_SANDBOX_CRASHED')).toBe(true);
    expect(err).toMatchObject({ retryable: true, details: { kind, exitCode: 3, signal: null } });
    expect(err.message).toContain('exited with code 3');
    const survivor = sandboxOf(((await neighbour) as { where: Where }).where, kind);

    const now = await sandboxesNow();
    expect(now).toContain(survivor);
    expect(now).not.toContain(dead(err));
    expect(new Set(now).size).toBe(2);
  });

  it('an uncaught asynchronous exception fails its run with that error', async () => {
    const err = await rejection(pool().run(job('uncaught'), never, noHooks));
    expect(SharqError.is(err, 'SHARQ_ERR_SANDBOX_CRASHED')).toBe(true);
    expect((err as SharqError).details).toMatchObject({
      error: { name: 'RangeError', message: 'thrown from a timer' },
    });
    expect(err.cause).toBeInstanceOf(RangeError);
    expect(await sandboxesNow()).not.toContain(dead(err));
  });

  it('running out of memory crashes only its sandbox', async () => {
    const err = await rejection(pool().run(job('oom'), never, noHooks));
    expect(SharqError.is(err, 'SHARQ_ERR_SANDBOX_CRASHED')).toBe(true);
    expect((err as SharqError).details).toMatchObject({ kind, reason: 'out of memory' });
    expect(err.message).toContain('ran out of memory');
    expect(await sandboxesNow()).not.toContain(dead(err));
  });
});
