/**
 * The messages between a sandbox pool (parent) and one sandbox (a worker thread or a child
 * process running `child-entry.ts`). Both sides import this one definition. Messages travel by
 * structured clone: `postMessage` for threads, `fork(..., { serialization: 'advanced' })` for
 * processes, so results, progress values and job data cross the same way in both kinds.
 *
 *   sandbox starts: imports the processor file (named in workerData / argv)
 *     sandbox → parent   loaded | load-failed
 *   per job, one at a time per sandbox:
 *     parent  → sandbox  run { id, job }
 *     sandbox → parent   progress { id, value } | log { id, line }   (any number)
 *     parent  → sandbox  abort { id, reason }                         (when the job's signal aborts)
 *     sandbox → parent   done { id, ok, value | error }
 *   any time: sandbox → parent  fatal { error }   (uncaught exception; the sandbox exits next)
 *
 * Every message carries `tag`, so a processor that talks on the same channel itself
 * (`process.send`, `parentPort.postMessage`) cannot be mistaken for the protocol.
 */
import { ERROR_CODES, type ErrorCode } from '../../src/errors/codes.js';
import { RateLimitError, RetryJobError, UnrecoverableError } from '../../src/errors/control.js';
import { SharqError, type SharqErrorOptions, toError } from '../../src/errors/sharq-error.js';

export const SANDBOX_TAG = 'sharq.sandbox';

/** What a sandboxed processor receives about its job (plus `progress` and `log`). */
export interface SandboxJob {
  id: string;
  name: string;
  data: unknown;
  queue: string;
  /** This attempt's number, 1 on the first. */
  attempt: number;
  /** Attempts after which a failure goes to the DLQ. */
  attempts: number;
  deliveryCount: number;
  headers: Record<string, string>;
  /** When the job was added (epoch ms). */
  timestamp: number;
}

/** An error as it crosses the boundary: what the other side needs to rebuild it. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string | number;
  retryable?: boolean;
  details?: Record<string, unknown>;
  delayMs?: number;
  /** Other own enumerable fields with primitive values (`errno`, `statusCode`, ...). */
  props?: Record<string, string | number | boolean | null>;
  cause?: SerializedError;
  /** A DOMException (an `AbortError` reason): rebuilt as one. */
  dom?: true;
}

type Tagged<T> = T & { tag: typeof SANDBOX_TAG };

export type ParentMessage = Tagged<
  | { type: 'run'; id: number; job: SandboxJob }
  | { type: 'abort'; id: number; reason: SerializedError }
>;

export type ChildMessage = Tagged<
  | { type: 'loaded' }
  | { type: 'load-failed'; problem: string; error?: SerializedError }
  | { type: 'progress'; id: number; value: unknown }
  | { type: 'log'; id: number; line: string }
  | { type: 'done'; id: number; ok: true; value: unknown }
  | { type: 'done'; id: number; ok: false; error: SerializedError }
  | { type: 'fatal'; error: SerializedError }
>;

export function isProtocolMessage<M extends ParentMessage | ChildMessage>(
  value: unknown,
): value is M {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { tag?: unknown }).tag === SANDBOX_TAG &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/** Causes are followed this deep; a longer chain is cut (and a cyclic one ends). */
const MAX_CAUSE_DEPTH = 4;
/** Fields carried on their own; any other primitive field travels in `props`. */
const OWN_FIELDS = new Set([
  'name',
  'message',
  'stack',
  'code',
  'retryable',
  'details',
  'delayMs',
  'cause',
]);

export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error)) {
    // A thrown string or object: keep its text, there is no stack or class to carry.
    const err = toError(value);
    return { name: err.name, message: err.message };
  }
  const out: SerializedError = { name: String(value.name), message: String(value.message) };
  if (typeof value.stack === 'string') out.stack = value.stack;
  if (value instanceof DOMException) {
    out.dom = true;
    return out;
  }
  const fields = value as unknown as Record<string, unknown>;
  const { code, retryable, details, delayMs } = fields;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  if (typeof retryable === 'boolean') out.retryable = retryable;
  if (typeof delayMs === 'number') out.delayMs = delayMs;
  if (typeof details === 'object' && details !== null && !Array.isArray(details)) {
    out.details = { ...(details as Record<string, unknown>) };
  }
  for (const [key, v] of Object.entries(fields)) {
    if (OWN_FIELDS.has(key)) continue;
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) {
      out.props ??= {};
      out.props[key] = v as string | number | boolean | null;
    }
  }
  if (value.cause !== undefined && depth < MAX_CAUSE_DEPTH) {
    out.cause = serializeError(value.cause, depth + 1);
  }
  return out;
}

/** Drops what may fail to clone (details, cause), for a second try at sending an error. */
export function plainError(error: SerializedError): SerializedError {
  const { details: _d, cause: _c, ...rest } = error;
  return rest;
}

/**
 * Rebuilds a serialized error on this side. An error with a registry code (what `SharqError.is`
 * goes by, whatever the class name) comes back as a SharqError, and the handler control errors as
 * their own classes, so `instanceof UnrecoverableError` holds as it would in-process; the name is
 * kept (a subclass's too). The stack is the sandbox's: where the error was thrown.
 */
export function rebuildError(error: SerializedError): Error {
  const cause = error.cause === undefined ? undefined : rebuildError(error.cause);
  const rebuilt = construct(error, cause);
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}

function construct(error: SerializedError, cause: Error | undefined): Error {
  const { name, message } = error;
  if (error.dom) return new DOMException(message, name);
  if (isErrorCode(error.code)) {
    const built = constructSharq(error, error.code, cause);
    built.name = name;
    return Object.assign(built, error.props);
  }
  const Builtin = BUILTIN_ERRORS.get(name) ?? Error;
  const plain = new Builtin(message, cause === undefined ? undefined : { cause });
  plain.name = name;
  const { code, retryable, details, delayMs } = error;
  const fields = Object.entries({ ...error.props, code, retryable, details, delayMs });
  Object.assign(plain, Object.fromEntries(fields.filter(([, value]) => value !== undefined)));
  return plain;
}

function constructSharq(
  error: SerializedError,
  code: ErrorCode,
  cause: Error | undefined,
): SharqError {
  const { message, delayMs } = error;
  const validDelay = typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0;
  switch (code) {
    case 'SHARQ_ERR_UNRECOVERABLE':
      return new UnrecoverableError(message, { cause });
    case 'SHARQ_ERR_RETRY_JOB':
      if (validDelay) return new RetryJobError({ delayMs, message, cause });
      break;
    case 'SHARQ_ERR_RATE_LIMITED':
      return new RateLimitError(validDelay ? { delayMs, message } : { message });
  }
  const options: SharqErrorOptions = { cause };
  if (error.retryable !== undefined) options.retryable = error.retryable;
  if (error.details !== undefined) options.details = error.details;
  return new SharqError(code, message, options);
}

/** JavaScript's own error classes come back as themselves: `instanceof TypeError` holds. */
const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor> = new Map(
  [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError].map((C) => [
    C.name,
    C,
  ]),
);

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
