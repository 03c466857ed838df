import { SharqError } from '../../errors/sharq-error.js';

/**
 * Constructors for the errors the storage layer raises, so every site names the file (and the
 * byte position for corruption) the same way and operators can find the bad spot.
 */

/** A file-system call failed; `cause` keeps the system error (errno, syscall, path). */
export function ioError(op: string, file: string, cause: unknown): SharqError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SharqError('SHARQ_ERR_IO', `${op} failed for ${file}: ${reason}`, {
    cause,
    details: { file, op },
  });
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
