import type { ProduceRecord, StoredRecord } from '../engine/types.js';

/**
 * Dead-letter records. The `__dlq.errors.*` names are the ones a Kafka 4.4 broker writes for a
 * share group with a dead-letter topic (KIP-1191), so records written by sharq and by the broker
 * read the same. sharq adds the error's class, code and a truncated stack under `sharq.error.*`.
 * Numbers are decimal text, as the broker writes them.
 */
export const DLQ_HEADER = {
  topic: '__dlq.errors.topic',
  partition: '__dlq.errors.partition',
  offset: '__dlq.errors.offset',
  group: '__dlq.errors.group',
  deliveryCount: '__dlq.errors.delivery.count',
  message: '__dlq.errors.message',
  errorName: 'sharq.error.name',
  errorCode: 'sharq.error.code',
  errorStack: 'sharq.error.stack',
  failedAt: 'sharq.error.at',
  reason: 'sharq.error.reason',
  /** Attempts the job made in all, across retries through delay tiers. */
  attempts: 'sharq.error.attempts',
} as const;

/** Why a job was dead-lettered. */
export type DeadLetterReason =
  /** The handler threw on the last allowed delivery. */
  | 'attempts-exhausted'
  /** The handler threw `UnrecoverableError`. */
  | 'unrecoverable'
  /** The record could not be decoded or failed the queue schema. */
  | 'invalid-payload'
  /** The engine archived the record at its delivery limit without a handler verdict (a worker died holding it). */
  | 'delivery-limit'
  /** A consumer REJECTed the record and the engine archived it. */
  | 'rejected'
  /** The job's backoff could not be computed (no strategy of that name, or it failed). */
  | 'backoff-failed';

export const MAX_STACK_CHARS = 4096;
export const MAX_MESSAGE_CHARS = 1024;

export interface DeadLetterInput {
  source: StoredRecord;
  group: string;
  deliveryCount: number;
  /** Attempts made in all (the delivery count plus attempts of earlier records). */
  attempts?: number;
  reason: DeadLetterReason;
  error?: Error | undefined;
  message: string;
  now: number;
}

/** The DLQ copy of a record: same key, value and business headers, plus the error context. */
export function deadLetterRecord(input: DeadLetterInput, dlqPartitions: number): ProduceRecord {
  const { source, error } = input;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(source.headers)) {
    // A record dead-lettered twice (redriven, failed again) keeps only the latest error context.
    if (!k.startsWith('__dlq.') && !k.startsWith('sharq.error.')) headers[k] = v;
  }
  headers[DLQ_HEADER.topic] = source.topic;
  headers[DLQ_HEADER.partition] = String(source.partition);
  headers[DLQ_HEADER.offset] = String(source.offset);
  headers[DLQ_HEADER.group] = input.group;
  headers[DLQ_HEADER.deliveryCount] = String(input.deliveryCount);
  headers[DLQ_HEADER.message] = truncate(input.message, MAX_MESSAGE_CHARS);
  headers[DLQ_HEADER.reason] = input.reason;
  // Attempts in all: given by the worker, or the earlier records' (`sharq.made`) plus this one's
  // deliveries (an archive by the engine, a poison record).
  const made = Number(source.headers['sharq.made'] ?? 0);
  headers[DLQ_HEADER.attempts] = String(
    input.attempts ?? (Number.isSafeInteger(made) && made > 0 ? made : 0) + input.deliveryCount,
  );
  headers[DLQ_HEADER.failedAt] = new Date(input.now).toISOString();
  if (error !== undefined) {
    headers[DLQ_HEADER.errorName] = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') headers[DLQ_HEADER.errorCode] = code;
    if (error.stack !== undefined)
      headers[DLQ_HEADER.errorStack] = truncate(error.stack, MAX_STACK_CHARS);
  }
  return {
    key: source.key,
    value: source.value,
    headers,
    // KIP-1191: DLQ partition = source partition modulo the DLQ partition count.
    partition: source.partition % Math.max(1, dlqPartitions),
    timestamp: input.now,
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
