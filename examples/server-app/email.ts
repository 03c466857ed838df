/**
 * What the app and its workers agree on: the queue and the shape of a job. The app's Queue and
 * the worker both take the schema, so a bad request is refused at the door (SHARQ_ERR_INVALID_PAYLOAD)
 * and a worker never runs a job that does not fit.
 */
import { z } from 'zod';

export const Email = z.object({
  to: z.email(),
  subject: z.string().min(1).max(200),
  body: z.string().max(10_000).default(''),
});
export type Email = z.output<typeof Email>;

/** The queue, from EMAIL_QUEUE (tests give each run its own). */
export const EMAIL_QUEUE = process.env.EMAIL_QUEUE ?? 'emails';
