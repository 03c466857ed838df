import { describe, expect, it } from 'vitest';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { SandboxOptions } from '../../../../workers/sandbox/pool.js';
import { tempDir } from '../../../helpers/temp-dir.js';
import {
  job,
  KINDS,
  never,
  noHooks,
  rejection,
  sandboxOf,
  TIMEOUT,
  usePools,
  useSharedPool,
  type Where,
} from './use-pools.js';

const pool = usePools();
type Slept = { started: number; ended: number; where: Where };

describe.each(KINDS)('sandbox pool (%s)', { timeout: TIMEOUT }, (kind) => {
  const shared = useSharedPool({ kind, size: 2 });

  it('runs up to `size` jobs at once, each in its own sandbox', async () => {
    const t = await tempDir();
    try {
      const meet = { dir: t.dir, parties: 2 };
      const [a, b] = (await Promise.all([
        shared().run(job('rendezvous', meet), never, noHooks),
        shared().run(job('rendezvous', meet), never, noHooks),
      ])) as [Where, Where];
      expect(sandboxOf(a, kind)).not.toBe(sandboxOf(b, kind));
    } finally {
      await t.remove();
    }
  });

  it('queues jobs past `size` and runs them on the sandboxes it has', async () => {
    const p = shared();
    const [a, b, c] = (await Promise.all(
      [1, 2, 3].map(() => p.run(job('sleep', { ms: 100 }), never, noHooks)),
    )) as [Slept, Slept, Slept];
    expect(c.started).toBeGreaterThanOrEqual(Math.min(a.ended, b.ended));
    expect([sandboxOf(a.where, kind), sandboxOf(b.where, kind)]).toContain(
      sandboxOf(c.where, kind),
    );
  });

  it('close() ends every sandbox, fails running and queued runs, and is idempotent', async () => {
    const p = pool({ kind, size: 1 });
    const where = (await p.run(
      job('probe', { channel: `probe-${kind}` }),
      never,
      noHooks,
    )) as Where;
    const alive = await pings(`probe-${kind}`);
    if (kind === 'thread') expect(alive).toEqual([`alive ${where.threadId}`]);
    else expect(isRunning(where.pid)).toBe(true);

    const running = rejection(p.run(job('sleep', { ms: 10_000 }), never, noHooks));
    const queued = rejection(p.run(job('sleep', { ms: 10_000 }), never, noHooks));
    await Promise.all([p.close(), p.close()]);
    expect(SharqError.is(await running, 'SHARQ_ERR_CLOSED')).toBe(true);
    expect(SharqError.is(await queued, 'SHARQ_ERR_CLOSED')).toBe(true);
    const after = await rejection(p.run(job('where'), never, noHooks));
    expect(SharqError.is(after, 'SHARQ_ERR_CLOSED')).toBe(true);

    if (kind === 'thread') expect(await pings(`probe-${kind}`)).toEqual([]);
    else expect(isRunning(where.pid)).toBe(false);
  });
});
describe('SandboxOptions', () => {
  it('takes a file path with the defaults, or the file with its settings', () => {
    expect(SandboxOptions.parse('./jobs/resize.js')).toEqual({
      file: './jobs/resize.js',
      kind: 'thread',
      abortGraceMs: 5000,
    });
    expect(
      SandboxOptions.parse({ file: 'p.js', kind: 'process', maxOldGenerationSizeMb: 64 }),
    ).toEqual({ file: 'p.js', kind: 'process', maxOldGenerationSizeMb: 64, abortGraceMs: 5000 });
  });

  it('refuses out-of-range and unknown settings', () => {
    for (const bad of [
      '',
      { file: 'p.js', kind: 'fiber' },
      { file: 'p.js', maxOldGenerationSizeMb: 4 },
      { file: 'p.js', abortGraceMs: -1 },
      { file: 'p.js', concurrency: 2 },
    ]) {
      expect(SandboxOptions.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('describes every field with its default or range', () => {
    const shape = SandboxOptions.options[1].shape;
    for (const [name, field] of Object.entries(shape)) {
      expect(field.description, name).toMatch(/Default|Required/);
    }
    expect(shape.maxOldGenerationSizeMb.description).toContain('16–1048576');
    expect(shape.abortGraceMs.description).toContain('0–3600000');
  });
});

/** Pings the probe's BroadcastChannel and collects the answers for a moment. */
async function pings(name: string): Promise<string[]> {
  const channel = new BroadcastChannel(name);
  const answers: string[] = [];
  channel.onmessage = (event) => answers.push(String((event as MessageEvent).data));
  channel.postMessage('ping');
  await new Promise((resolve) => setTimeout(resolve, 150));
  channel.close();
  return answers;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
