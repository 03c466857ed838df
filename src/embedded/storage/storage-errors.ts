import { SharqError } from '../../errors/sharq-error.js';

/**
 * Constructors for the errors the storage layer raises, so every site names the file (and the
 * byte position for corruption) the same way and operators can find the bad spot.
 */

/**
 * System errors that a retry of the same call cannot mend: the path is not what it must be (a
 * file where a directory belongs, or the reverse), or the process may not write there. They
 * stay until an operator changes something, so a Worker must fail `waitUntilReady()` with them
 * rather than retry forever. Everything else (ENOSPC, EMFILE, EIO, EAGAIN, ...) may pass.
 */
const PERMANENT_ERRNO = new Set([
  'ENOTDIR',
  'EISDIR',
  'EEXIST',
  'EACCES',
  'EPERM',
  'EROFS',
  'ELOOP',
  'ENAMETOOLONG',
]);

/**
 * A file-system call failed; `cause` keeps the system error (errno, syscall, path). Retryable
 * unless its errno is one of PERMANENT_ERRNO.
 */
export function ioError(op: string, file: string, cause: unknown, hint?: string): SharqError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const errno = errnoCode(cause);
  return new SharqError(
    'SHARQ_ERR_IO',
    `${op} failed for ${file}: ${reason}${hint === undefined ? '' : ` (${hint})`}`,
    {
      cause,
      details: { file, op, ...(errno === undefined ? {} : { errno }) },
      retryable: errno === undefined || !PERMANENT_ERRNO.has(errno),
    },
  );
}

/** Data on disk is not what sharq wrote. Never retryable: the file needs an operator. */
export function corruptError(
  file: string,
  position: number,
  reason: string,
  extra: Record<string, unknown> = {},
): SharqError {
  return new SharqError(
    'SHARQ_ERR_LOG_CORRUPT',
    `Corrupt data in ${file} at byte ${position}: ${reason}`,
    { details: { file, position, reason, ...extra } },
  );
}

export function closedError(what: string): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', `${what} is closed`);
}

export function invalidArgument(
  message: string,
  details: Record<string, unknown> = {},
): SharqError {
  return new SharqError('SHARQ_ERR_INVALID_ARGUMENT', message, { details });
}

/** Node system errors carry `code` (ENOENT, EEXIST, ...); everything else yields undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
