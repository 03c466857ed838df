import { ERROR_CODES, type ErrorCode } from './codes.js';

export interface SharqErrorOptions {
  cause?: unknown;
  /** Extra fields shown in logs and JSON (file, offset, option path, ...). */
  details?: Record<string, unknown>;
  /** Overrides the registry's default for this one error. */
  retryable?: boolean;
}

/**
 * The one error class sharq throws. `code` is a closed union from the registry in `codes.ts`;
 * fields are enumerable so `JSON.stringify` and pino show them.
 */
export class SharqError extends Error {
  declare readonly code: ErrorCode;
  declare readonly retryable: boolean;
  declare readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: SharqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperties(this, {
      name: { value: 'SharqError', enumerable: false, writable: true, configurable: true },
      code: { value: code, enumerable: true },
      retryable: { value: options.retryable ?? ERROR_CODES[code].retryable, enumerable: true },
      details: { value: Object.freeze({ ...options.details }), enumerable: true },
    });
  }

  /** True when `err` is a SharqError, optionally with the given code. Works across realms. */
  static is(err: unknown, code?: ErrorCode): err is SharqError {
    if (err instanceof SharqError) return code === undefined || err.code === code;
    if (typeof err !== 'object' || err === null) return false;
    const c = (err as { code?: unknown }).code;
    // By shape, for errors from another realm (a worker thread, a second copy of sharq): a
    // registered code and an error name (SharqError or a subclass such as UnrecoverableError).
    return (
      typeof (err as { name?: unknown }).name === 'string' &&
      typeof c === 'string' &&
      c in ERROR_CODES &&
      (code === undefined || c === code)
    );
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      details: this.details,
    };
  }
}

/** Wraps an unknown thrown value as an Error without losing it. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : safeStringify(value), { cause: value });
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
