import type { z } from 'zod';
import type { ErrorCode } from '../../errors/codes.js';
import { SharqError, toError } from '../../errors/sharq-error.js';

/** The HTTP status of each code the admin API answers with; 500 for the rest. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  SHARQ_ERR_INVALID_ARGUMENT: 400,
  SHARQ_ERR_INVALID_OPTION: 400,
  SHARQ_ERR_INVALID_PAYLOAD: 400,
  SHARQ_ERR_UNAUTHORIZED: 401,
  SHARQ_ERR_FORBIDDEN: 403,
  SHARQ_ERR_NOT_FOUND: 404,
  SHARQ_ERR_UNKNOWN_TOPIC: 404,
  SHARQ_ERR_GROUP_ACTIVE: 409,
  SHARQ_ERR_REDRIVE_LIMIT: 409,
  SHARQ_ERR_GROUP_CONFIG_MISMATCH: 409,
  SHARQ_ERR_PAYLOAD_TOO_LARGE: 413,
  SHARQ_ERR_TOO_MANY_REQUESTS: 429,
  SHARQ_ERR_CONNECTION: 503,
  SHARQ_ERR_TIMEOUT: 503,
  SHARQ_ERR_REDRIVE_CLAIM_EXPIRED: 503,
  SHARQ_ERR_CLOSED: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: Record<string, unknown> };
}

/** A zod failure as a 400: the first issue's path is the offending field. */
export function invalidInput(where: 'params' | 'query' | 'body', error: z.ZodError): SharqError {
  const issue = error.issues[0];
  const field = issue === undefined || issue.path.length === 0 ? where : issue.path.join('.');
  return new SharqError(
    'SHARQ_ERR_INVALID_ARGUMENT',
    `Invalid ${where}: ${field}: ${issue?.message ?? 'invalid'}`,
    { details: { field, location: where } },
  );
}

/** Maps any thrown value to a status and a body that never carries a stack or a secret. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  const fastify = fastifyError(err);
  if (fastify !== undefined) return fastify;
  const e = toError(err);
  if (SharqError.is(e)) {
    const d = e.details as Record<string, unknown>;
    const problems = d.problems as { option?: string }[] | undefined;
    const field =
      typeof d.field === 'string'
        ? d.field
        : typeof problems?.[0]?.option === 'string'
          ? problems[0].option
          : undefined;
    const status = STATUS[e.code] ?? 500;
    const body: ErrorBody = { error: { code: e.code, message: e.message } };
    if (field !== undefined) body.error.field = field;
    if (status < 500) body.error.details = { ...d };
    return { status, body };
  }
  return {
    status: 500,
    body: { error: { code: 'SHARQ_ERR_INTERNAL', message: 'Internal error; see the server log' } },
  };
}

/** Fastify's own errors (bad JSON, body too large, wrong content type) as coded answers. */
function fastifyError(err: unknown): { status: number; body: ErrorBody } | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  const message = toError(err).message;
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return {
      status: 413,
      body: { error: { code: 'SHARQ_ERR_PAYLOAD_TOO_LARGE', message, field: 'body' } },
    };
  const status = (err as { statusCode?: number }).statusCode ?? 400;
  return {
    status: status >= 500 ? 500 : 400,
    body: { error: { code: 'SHARQ_ERR_INVALID_ARGUMENT', message, field: 'body' } },
  };
}
