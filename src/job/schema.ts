import type { z } from 'zod';
import { SharqError } from '../errors/sharq-error.js';

/**
 * Parses job data with an optional zod schema. A mismatch is SHARQ_ERR_INVALID_PAYLOAD whose
 * message lists each failing path and rule.
 */
export function parseJobData(
  schema: z.ZodType | undefined,
  data: unknown,
  what: string,
  details: Record<string, unknown>,
): unknown {
  if (schema === undefined) return data;
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const text = r.error.issues
    .map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`)
    .join('; ');
  throw new SharqError('SHARQ_ERR_INVALID_PAYLOAD', `${what}: ${text}`, {
    details: { ...details, issues: r.error.issues },
  });
}
