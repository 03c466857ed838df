import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SandboxJob } from '../../../../workers/sandbox/pool.js';
import {
  createSandboxPool,
  type SandboxHooks,
  type SandboxPool,
  type SandboxPoolOptionsInput,
} from '../../../../workers/sandbox/pool.js';

export const KINDS = ['thread', 'process'] as const;
/** A sandbox starts in a fraction of a second; a loaded machine may take longer. */
export const TIMEOUT = 15_000;
export const PROCESSORS = path.resolve(import.meta.dirname, '../../../fixtures/processors');
export const BEHAVIOURS = path.join(PROCESSORS, 'behaviours.mjs');

/** Pools of one test, closed after it (a test that leaves a sandbox running fails the next). */
export function usePools(): (options: Partial<SandboxPoolOptionsInput>) => SandboxPool {
  const open: SandboxPool[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((p) => p.close()));
  });
  return (options) => {
    const pool = createSandboxPool({ file: BEHAVIOURS, size: 1, ...options });
    open.push(pool);
    return pool;
  };
}

/**
 * One pool for a whole describe block, for tests that need no fresh sandbox: starting one costs
 * far more than the jobs these tests run.
 */
export function useSharedPool(options: Partial<SandboxPoolOptionsInput>): () => SandboxPool {
  let pool: SandboxPool | undefined;
  beforeAll(() => {
    pool = createSandboxPool({ file: BEHAVIOURS, size: 1, ...options });
  });
  afterAll(() => pool?.close());
  return () => pool!;
}

let seq = 0;
/** A job whose `name` picks the fixture's behaviour. */
export function job(name: string, data: unknown = {}): SandboxJob {
  return {
    id: `job-${++seq}`,
    name,
    data,
    queue: 'sandboxed',
    attempt: 1,
    attempts: 3,
    deliveryCount: 1,
    headers: { tenant: 't1' },
    timestamp: 1_700_000_000_000,
  };
}

export type { SandboxHooks };
export const noHooks: SandboxHooks = { progress() {}, log() {} };
export const never: AbortSignal = new AbortController().signal;

export interface Where {
  pid: number;
  threadId: number;
}

/** Where a sandbox runs: a process id, or a thread id within this process. */
export function sandboxOf(where: Where, kind: 'thread' | 'process'): number {
  return kind === 'process' ? where.pid : where.threadId;
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
