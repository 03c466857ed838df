import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import {
  job,
  KINDS,
  never,
  noHooks,
  rejection,
  type SandboxHooks,
  sandboxOf,
  TIMEOUT,
  useSharedPool,
  type Where,
} from './use-pools.js';

/** Hooks that abort `controller` with `reason` once the processor reports it started. */
function abortOnStart(controller: AbortController, reason?: unknown): SandboxHooks {
  return {
    progress: (value) => {
      if (value === 'started') controller.abort(reason);
    },
    log() {},
  };
}

describe.each(KINDS)('aborting a sandboxed job (%s)', { timeout: TIMEOUT }, (kind) => {
  const pool = useSharedPool({ kind, size: 1, abortGraceMs: 100 });
  it("reaches the processor's signal with the reason rebuilt", async () => {
    const p = pool();
    const controller = new AbortController();
    const reason = new SharqError('SHARQ_ERR_JOB_TIMEOUT', 'too slow', {
      details: { timeoutMs: 10 },
    });
    const seen = await p.run(
      job('wait-abort'),
      controller.signal,
      abortOnStart(controller, reason),
    );
    expect(seen).toEqual({
      aborted: true,
      name: 'SharqError',
      message: 'too slow',
      code: 'SHARQ_ERR_JOB_TIMEOUT',
    });

    const plain = new AbortController();
    const seenPlain = await p.run(job('wait-abort'), plain.signal, abortOnStart(plain));
    expect(seenPlain).toMatchObject({ aborted: true, name: 'AbortError' });
  });

  it('kills a processor that ignores its signal after abortGraceMs, and replaces it', async () => {
    const p = pool();
    const first = sandboxOf((await p.run(job('where'), never, noHooks)) as Where, kind);
    const controller = new AbortController();
    const reason = new Error('shutting down');
    const err = await rejection(
      p.run(job('ignore-abort'), controller.signal, abortOnStart(controller, reason)),
    );
    expect(err).toBe(reason);
    const next = sandboxOf((await p.run(job('where'), never, noHooks)) as Where, kind);
    expect(next).not.toBe(first);
  });

  it('rejects a run still in line at once, and one whose signal already aborted', async () => {
    const p = pool();
    const running = p.run(job('sleep', { ms: 200 }), never, noHooks);
    const controller = new AbortController();
    const queued = rejection(p.run(job('where'), controller.signal, noHooks));
    const reason = new Error('not wanted');
    controller.abort(reason);
    expect(await queued).toBe(reason);
    await expect(running).resolves.toMatchObject({ where: expect.any(Object) });

    expect(await rejection(p.run(job('where'), controller.signal, noHooks))).toBe(reason);
  });
});
