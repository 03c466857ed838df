import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RateLimitError,
  RetryJobError,
  UnrecoverableError,
} from '../../../../src/errors/control.js';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { tempDir } from '../../../helpers/temp-dir.js';
import {
  job,
  KINDS,
  never,
  noHooks,
  PROCESSORS,
  rejection,
  sandboxOf,
  TIMEOUT,
  usePools,
  useSharedPool,
  type Where,
} from './use-pools.js';

const pool = usePools();
/** sharq's error classes, imported by the fixture inside the sandbox from the sources. */
const CONTROL = pathToFileURL(
  path.resolve(import.meta.dirname, '../../../../src/errors/control.ts'),
).href;
const SHARQ_ERROR = pathToFileURL(
  path.resolve(import.meta.dirname, '../../../../src/errors/sharq-error.ts'),
).href;

describe.each(KINDS)('a sandboxed processor (%s)', { timeout: TIMEOUT }, (kind) => {
  const shared = useSharedPool({ kind, size: 1 });

  it('runs a job and returns its result by structured clone', async () => {
    const j = job('echo', { n: 1, nested: [1, 'two'] });
    const result = (await shared().run(j, never, noHooks)) as {
      job: Record<string, unknown>;
      methods: string[];
      where: Where;
      at: Date;
      tags: Map<string, number>;
    };
    expect(result.job).toEqual(j);
    expect(result.methods).toEqual(['function', 'function']);
    expect(result.at).toEqual(new Date(0));
    expect(result.tags).toEqual(new Map([['a', 1]]));
    if (kind === 'process') expect(result.where.pid).not.toBe(process.pid);
    else expect(result.where.pid).toBe(process.pid);
  });

  it('rebuilds a thrown error with its class, name, message, code, fields and stack', async () => {
    const p = shared();
    const err = await rejection(p.run(job('throw'), never, noHooks));
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ name: 'TypeError', message: 'bad input', code: 'E_BAD_INPUT' });
    expect((err as unknown as { statusCode: number }).statusCode).toBe(422);
    expect(err.stack).toContain('behaviours.mjs');

    const thrown = await rejection(p.run(job('throw-string'), never, noHooks));
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.message).toBe('just a string');
  });

  it("brings sharq's control errors back as their own classes", async () => {
    const p = shared();
    const throwing = (module: string, className: string, args: unknown[]) =>
      rejection(p.run(job('throw-class', { module, className, args }), never, noHooks));

    const unrecoverable = await throwing(CONTROL, 'UnrecoverableError', ['no such customer']);
    expect(unrecoverable).toBeInstanceOf(UnrecoverableError);
    expect(unrecoverable).toMatchObject({
      name: 'UnrecoverableError',
      code: 'SHARQ_ERR_UNRECOVERABLE',
      message: 'no such customer',
      retryable: false,
    });

    const retry = await throwing(CONTROL, 'RetryJobError', [{ delayMs: 250 }]);
    expect(retry).toBeInstanceOf(RetryJobError);
    expect(retry).toMatchObject({ code: 'SHARQ_ERR_RETRY_JOB', delayMs: 250 });

    const limited = await throwing(CONTROL, 'RateLimitError', [{ delayMs: 100 }]);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited).toMatchObject({ code: 'SHARQ_ERR_RATE_LIMITED', delayMs: 100 });

    const io = await throwing(SHARQ_ERROR, 'SharqError', [
      'SHARQ_ERR_IO',
      'disk full',
      { details: { file: '/data/x' } },
    ]);
    expect(SharqError.is(io, 'SHARQ_ERR_IO')).toBe(true);
    expect(io).toBeInstanceOf(SharqError);
    expect(io).toMatchObject({ retryable: true, details: { file: '/data/x' } });
  });

  it('recognises a control error by its code, not its prototype', async () => {
    const err = await rejection(shared().run(job('throw-lookalike'), never, noHooks));
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(err.message).toBe('card declined');
  });

  it('fails a run whose result cannot be cloned, and the sandbox goes on', async () => {
    const p = shared(); // one sandbox: the same one before and after
    const err = await rejection(p.run(job('return-function'), never, noHooks));
    expect(SharqError.is(err, 'SHARQ_ERR_SANDBOX_UNCLONEABLE')).toBe(true);
    const before = sandboxOf((await p.run(job('where'), never, noHooks)) as Where, kind);
    await rejection(p.run(job('return-function'), never, noHooks));
    expect(sandboxOf((await p.run(job('where'), never, noHooks)) as Where, kind)).toBe(before);
  });

  it('delivers progress and log lines in order, and survives a throwing listener', async () => {
    const seen: unknown[] = [];
    const hooks = {
      progress: (value: unknown) => seen.push(['progress', value]),
      log: (line: string) => seen.push(['log', line]),
    };
    const p = shared();
    expect(await p.run(job('progress'), never, hooks)).toBe('ok');
    expect(seen).toEqual([
      ['progress', 10],
      ['log', 'half way'],
      ['progress', { done: 2, of: 2 }],
    ]);
    const throwing = {
      progress: () => {
        throw new Error('listener bug');
      },
      log: () => {
        throw new Error('listener bug');
      },
    };
    expect(await p.run(job('progress'), never, throwing)).toBe('ok');
  });

  it('calls a CommonJS `process` export', async () => {
    const file = path.join(PROCESSORS, 'named-process.cjs');
    const j = job('any');
    expect(await pool({ kind, file }).run(j, never, noHooks)).toBe(`cjs ${j.id}`);
  });

  it('fails runs of a missing file with a coded error naming it', async () => {
    const file = path.join(PROCESSORS, 'no-such-processor.mjs');
    const p = pool({ kind, file });
    const err = await rejection(p.run(job('any'), never, noHooks));
    expect(SharqError.is(err, 'SHARQ_ERR_INVALID_OPTION')).toBe(true);
    expect(err.message).toContain(file);
    expect(err.message).toContain('does not exist');
    expect((err as SharqError).details).toMatchObject({ option: 'processor', file });
    expect(await rejection(p.run(job('any'), never, noHooks))).toBe(err);
  });

  describe('a file with no function export', () => {
    let restore: (() => Promise<void>) | undefined;
    afterEach(async () => {
      delete process.env.SHARQ_TEST_LOAD_LOG;
      await restore?.();
    });

    it('fails every run with one coded error and is loaded only once', async () => {
      const t = await tempDir();
      restore = t.remove;
      const log = path.join(t.dir, 'loads.log');
      appendFileSync(log, '');
      process.env.SHARQ_TEST_LOAD_LOG = log;
      const p = pool({ kind, file: path.join(PROCESSORS, 'no-function.mjs') });
      const first = await Promise.all(
        [1, 2, 3].map(() => rejection(p.run(job('any'), never, noHooks))),
      );
      const later = await rejection(p.run(job('any'), never, noHooks));
      for (const err of [...first, later]) {
        expect(SharqError.is(err, 'SHARQ_ERR_INVALID_OPTION')).toBe(true);
        expect(err.message).toContain('no-function.mjs');
        expect(err.message).toContain('exports no processor function');
      }
      expect(readFileSync(log, 'utf8')).toBe('loaded\n');
    });
  });
});
