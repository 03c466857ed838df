import { describe, expect, it } from 'vitest';
import {
  RateLimitError,
  RetryJobError,
  UnrecoverableError,
} from '../../../../src/errors/control.js';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { plainError, rebuildError, serializeError } from '../../../../workers/sandbox/protocol.js';

/** What the other side of a sandbox gets: serialized, structured-cloned, rebuilt. */
const across = (err: unknown): Error => rebuildError(structuredClone(serializeError(err)));

describe('sandbox error transport', () => {
  it("keeps sharq's classes, codes, flags and fields", () => {
    const unrecoverable = across(new UnrecoverableError('bad customer'));
    expect(unrecoverable).toBeInstanceOf(UnrecoverableError);
    expect(unrecoverable).toMatchObject({ code: 'SHARQ_ERR_UNRECOVERABLE', retryable: false });

    const retry = across(new RetryJobError({ delayMs: 1500, message: 'later' }));
    expect(retry).toBeInstanceOf(RetryJobError);
    expect(retry).toMatchObject({ delayMs: 1500, message: 'later' });

    expect(across(new RateLimitError())).toMatchObject({ delayMs: undefined });
    expect(across(new RateLimitError({ delayMs: 5 }))).toBeInstanceOf(RateLimitError);

    const io = across(
      new SharqError('SHARQ_ERR_IO', 'disk full', { details: { file: 'a' }, retryable: false }),
    );
    expect(SharqError.is(io, 'SHARQ_ERR_IO')).toBe(true);
    expect(io).toMatchObject({ retryable: false, details: { file: 'a' } });
  });

  it('keeps the name of a subclass of a sharq error', () => {
    class CardDeclined extends UnrecoverableError {
      constructor() {
        super('card declined');
        this.name = 'CardDeclined';
      }
    }
    const err = across(new CardDeclined());
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect(err.name).toBe('CardDeclined');
  });

  it('treats an unknown code as a plain field, not a sharq error', () => {
    const source = Object.assign(new Error('nope'), { code: 'SHARQ_ERR_MADE_UP', retryable: true });
    const err = across(source);
    expect(err).not.toBeInstanceOf(SharqError);
    expect(err).toMatchObject({ code: 'SHARQ_ERR_MADE_UP', retryable: true });
  });

  it("rebuilds JavaScript's error classes, causes and stacks", () => {
    const source = new RangeError('out of range', { cause: new TypeError('inner') });
    const err = across(source);
    expect(err).toBeInstanceOf(RangeError);
    expect(err.cause).toBeInstanceOf(TypeError);
    expect(err.stack).toBe(source.stack);
  });

  it('never turns a name into a constructor it was not meant to be', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'Object']) {
      const err = across(Object.assign(new Error('x'), { name }));
      expect(err).toBeInstanceOf(Error);
      expect(err).toMatchObject({ name, message: 'x' });
    }
  });

  it('keeps an AbortError a DOMException', () => {
    const controller = new AbortController();
    controller.abort();
    const err = across(controller.signal.reason);
    expect(err).toBeInstanceOf(DOMException);
    expect(err.name).toBe('AbortError');
  });

  it('cuts a cyclic or deep cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    let depth = 0;
    for (let e: unknown = across(a); e instanceof Error; e = e.cause) depth++;
    expect(depth).toBeLessThanOrEqual(5);
  });

  it('carries thrown non-errors as text', () => {
    expect(across('plain text')).toMatchObject({ name: 'Error', message: 'plain text' });
    expect(across({ why: 'object' })).toMatchObject({ message: '{"why":"object"}' });
    expect(across(undefined)).toBeInstanceOf(Error);
  });

  it('plainError drops what may fail to clone', () => {
    const err = new SharqError('SHARQ_ERR_IO', 'x', { details: { fn: () => 1 }, cause: 1 });
    const plain = plainError(serializeError(err));
    expect(() => structuredClone(plain)).not.toThrow();
    expect(plain).toMatchObject({ code: 'SHARQ_ERR_IO', message: 'x' });
  });
});
