import { z } from 'zod';
import { SharqError } from '../errors/sharq-error.js';

/**
 * Parses user options against their schema once, at construction, and freezes the result.
 * A failure names the surface, each offending option by its path and the rule it broke.
 */
export function parseOptions<S extends z.ZodType>(
  surface: string,
  schema: S,
  input: unknown,
): Readonly<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(options)';
      return { option: path, rule: ruleOf(issue, input) };
    });
    const text = problems.map((p) => `${p.option}: ${p.rule}`).join('; ');
    throw new SharqError('SHARQ_ERR_INVALID_OPTION', `Invalid ${surface} options: ${text}`, {
      details: { surface, problems },
    });
  }
  return Object.freeze(result.data);
}

/** Names of queues and topics: what Kafka accepts in a topic name, minus the leading dot. */
export const topicName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/,
    'use letters, digits, ".", "_" and "-"; not a leading "."',
  );

/**
 * An issue's message, made to say what zod's does not:
 * - a coerced number that got text (a flag, an environment variable): zod says it received
 *   NaN, which names neither the rule nor the value;
 * - a record key that broke its rule: zod says "Invalid key in record", not why;
 * - a value that matched no branch of a union: zod says "Invalid input"; this names what each
 *   branch wanted.
 */
function ruleOf(issue: z.core.$ZodIssue, input: unknown): string {
  // The key is the issue's path already.
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  // A union with a message of its own (`{ error }`) keeps it.
  if (
    issue.code === 'invalid_union' &&
    issue.errors.length > 0 &&
    issue.message === 'Invalid input'
  ) {
    const wants = issue.errors.map((branch) => {
      const first = branch[0];
      if (first === undefined) return 'invalid';
      const at = first.path.length > 0 ? `${first.path.join('.')}: ` : '';
      return `${at}${first.message}`;
    });
    return [...new Set(wants)].join('; or ');
  }
  if (issue.code !== 'invalid_type' || issue.expected !== 'number') return issue.message;
  let raw: unknown = input;
  for (const key of issue.path) {
    raw =
      raw !== null && typeof raw === 'object'
        ? (raw as Record<PropertyKey, unknown>)[key]
        : undefined;
  }
  if (typeof raw === 'number' || raw === undefined) return issue.message;
  return `expected a number, got ${shown(raw)}`;
}

/** A value for a message: JSON, at most 60 characters; never throws (a BigInt, a cycle). */
function shown(v: unknown): string {
  let text: string;
  try {
    text = typeof v === 'bigint' ? `${v}n` : (JSON.stringify(v) ?? String(v));
  } catch {
    text = Object.prototype.toString.call(v);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
