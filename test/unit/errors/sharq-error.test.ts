import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/errors/codes.js';
import { SharqError, toError, UnrecoverableError } from '../../../src/errors/sharq-error.js';

describe('SharqError', () => {
  it('carries code, retryable, details and cause, and shows them in JSON', () => {
    const cause = new Error('disk');
    const err = new SharqError('SHARQ_ERR_IO', 'write failed', {
      cause,
      details: { file: 'a.log' },
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SharqError');
    expect(err.code).toBe('SHARQ_ERR_IO');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      code: 'SHARQ_ERR_IO',
      retryable: true,
      details: { file: 'a.log' },
      message: 'write failed',
      name: 'SharqError',
    });
    expect(Object.keys(err)).toEqual(expect.arrayContaining(['code', 'retryable', 'details']));
  });

  it('is() matches by class or by shape, optionally by code', () => {
    const err = new SharqError('SHARQ_ERR_CLOSED', 'closed');
    expect(SharqError.is(err)).toBe(true);
    expect(SharqError.is(err, 'SHARQ_ERR_CLOSED')).toBe(true);
    expect(SharqError.is(err, 'SHARQ_ERR_IO')).toBe(false);
    expect(
      SharqError.is({ name: 'SharqError', code: 'SHARQ_ERR_IO', message: 'x' }, 'SHARQ_ERR_IO'),
    ).toBe(true);
    expect(SharqError.is({ name: 'SharqError', code: 'NOPE' })).toBe(false);
    expect(SharqError.is(new Error('x'))).toBe(false);
    expect(SharqError.is(null)).toBe(false);
  });

  it('wraps thrown non-errors without losing them', () => {
    expect(toError('boom').message).toBe('boom');
    expect(toError({ a: 1 }).message).toBe('{"a":1}');
    const e = new UnrecoverableError('bad input');
    expect(toError(e)).toBe(e);
    expect(e.name).toBe('UnrecoverableError');
  });

  it('documents every code in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const missing = Object.keys(ERROR_CODES).filter((code) => !doc.includes(`## ${code}`));
    expect(missing).toEqual([]);
  });
});
