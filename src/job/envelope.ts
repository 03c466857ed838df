import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ProduceRecord, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import type { BackoffOptions } from '../options/queue-options.js';

/**
 * A job is one record. The envelope maps between the two:
 *   key     = the job key (partition affinity), or null
 *   value   = the job data as UTF-8 JSON
 *   headers = `sharq.id`, `sharq.name`, `sharq.v` (envelope version) plus the caller's own
 * Foreign producers may write records without sharq headers; such a record still decodes, with
 * its position as id and an empty name, so a plain Kafka producer can feed a sharq worker.
 */
export const HEADER = {
  id: 'sharq.id',
  name: 'sharq.name',
  version: 'sharq.v',
  /** Attempts the job may make in all (decimal). */
  attempts: 'sharq.attempts',
  /** Attempts spent before this record: deliveries of earlier records of the same job. */
  attemptsMade: 'sharq.made',
  /** Backoff policy, JSON `{ type, delay, jitter? }`. */
  backoff: 'sharq.backoff',
  /** Per-attempt time limit, ms. */
  timeout: 'sharq.timeout',
  /** Not before this time (epoch ms): a delayed job or a retry waiting for its backoff. */
  dueAt: 'sharq.due',
  /** The share group a retry belongs to; workers of other groups skip it. */
  group: 'sharq.group',
  /** Where the job was first written, `topic/partition/offset`, kept across retries. */
  origin: 'sharq.origin',
} as const;

/** How a job runs and how far it got: carried in headers so it survives every hop. */
export interface JobRun {
  attempts?: number | undefined;
  attemptsMade?: number | undefined;
  backoff?: BackoffSpec | undefined;
  timeout?: number | undefined;
  dueAt?: number | undefined;
  group?: string | undefined;
  origin?: string | undefined;
}

/** A backoff policy as it travels with a job. `type` is fixed, exponential, or a strategy name. */
export interface BackoffSpec {
  type: string;
  delay: number;
  jitter?: number | undefined;
}

export const ENVELOPE_VERSION = '1';

export interface JobInput<Data> {
  name: string;
  data: Data;
  jobId?: string | undefined;
  key?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  partition?: number | undefined;
  run?: JobRun | undefined;
}

export function encodeJob<Data>(job: JobInput<Data>): { id: string; record: ProduceRecord } {
  const id = job.jobId ?? randomUUID();
  let json: string | undefined;
  try {
    json = JSON.stringify(job.data);
  } catch (err) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_PAYLOAD',
      `Job data of "${job.name}" is not JSON-serializable: ${(err as Error).message}`,
      { cause: err, details: { jobName: job.name, jobId: id } },
    );
  }
  if (json === undefined) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_PAYLOAD',
      `Job data of "${job.name}" is not JSON-serializable (got ${typeof job.data}); use null for no data`,
      { details: { jobName: job.name, jobId: id } },
    );
  }
  const record: ProduceRecord = {
    key: job.key === undefined ? null : Buffer.from(job.key),
    value: Buffer.from(json),
    headers: {
      ...job.headers,
      [HEADER.id]: id,
      [HEADER.name]: job.name,
      [HEADER.version]: ENVELOPE_VERSION,
      ...(job.run === undefined ? {} : runHeaders(job.run)),
    },
  };
  if (job.partition !== undefined) record.partition = job.partition;
  return { id, record };
}

function runHeaders(run: JobRun): Record<string, string> {
  const h: Record<string, string> = {};
  if (run.attempts !== undefined) h[HEADER.attempts] = String(run.attempts);
  if (run.attemptsMade !== undefined && run.attemptsMade > 0)
    h[HEADER.attemptsMade] = String(run.attemptsMade);
  if (run.backoff !== undefined) h[HEADER.backoff] = JSON.stringify(run.backoff);
  if (run.timeout !== undefined) h[HEADER.timeout] = String(run.timeout);
  if (run.dueAt !== undefined) h[HEADER.dueAt] = String(run.dueAt);
  if (run.group !== undefined) h[HEADER.group] = run.group;
  if (run.origin !== undefined) h[HEADER.origin] = run.origin;
  return h;
}

/**
 * The next hop of a job (into a delay tier, back to its queue, to a retry): same key, value and
 * headers, with its run state updated. `undefined` in `changes` removes a header.
 */
export function forwardRecord(source: StoredRecord, changes: JobRun): ProduceRecord {
  const headers: Record<string, string> = { ...source.headers };
  if (headers[HEADER.origin] === undefined)
    headers[HEADER.origin] = `${source.topic}/${source.partition}/${source.offset}`;
  const set = runHeaders(changes);
  for (const key of ['attemptsMade', 'dueAt', 'group'] as const) {
    if (key in changes && changes[key] === undefined) delete headers[HEADER[key]];
  }
  Object.assign(headers, set);
  return { key: source.key, value: source.value, headers };
}

/** The run state of a record without run headers; shared, so frozen. */
const NO_RUN: JobRun = Object.freeze({});

/** Reads a job's run state from its headers; a malformed value is a poison record. */
export function decodeRun(record: StoredRecord): JobRun {
  const h = record.headers;
  // Most records are first deliveries of a plain add: no run header at all.
  if (
    h[HEADER.attempts] === undefined &&
    h[HEADER.attemptsMade] === undefined &&
    h[HEADER.timeout] === undefined &&
    h[HEADER.dueAt] === undefined &&
    h[HEADER.group] === undefined &&
    h[HEADER.origin] === undefined &&
    h[HEADER.backoff] === undefined
  )
    return NO_RUN;
  const where = { topic: record.topic, partition: record.partition, offset: record.offset };
  const int = (name: string, min: number): number | undefined => {
    const v = h[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_PAYLOAD',
        `Record ${where.topic}/${where.partition}@${where.offset} has a bad ${name} header: "${v}"`,
        { details: { ...where, header: name } },
      );
    }
    return n;
  };
  const run: JobRun = {
    attempts: int(HEADER.attempts, 1),
    attemptsMade: int(HEADER.attemptsMade, 0),
    timeout: int(HEADER.timeout, 1),
    dueAt: int(HEADER.dueAt, 0),
    group: h[HEADER.group],
    origin: h[HEADER.origin],
  };
  const backoff = h[HEADER.backoff];
  if (backoff !== undefined) run.backoff = parseBackoffHeader(backoff, where);
  return run;
}

function parseBackoffHeader(text: string, where: Record<string, unknown>): BackoffSpec {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  const o = v as Partial<BackoffSpec> | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    typeof o.type !== 'string' ||
    typeof o.delay !== 'number' ||
    !(o.delay >= 0) ||
    (o.jitter !== undefined && !(typeof o.jitter === 'number' && o.jitter >= 0 && o.jitter <= 1))
  ) {
    throw new SharqError('SHARQ_ERR_INVALID_PAYLOAD', `Bad ${HEADER.backoff} header: ${text}`, {
      details: { ...where, header: HEADER.backoff },
    });
  }
  return o.jitter === undefined
    ? { type: o.type, delay: o.delay }
    : { type: o.type, delay: o.delay, jitter: o.jitter };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export interface DecodedJob {
  id: string;
  name: string;
  key: string | null;
  /** Parsed JSON, not yet checked against any schema. */
  data: unknown;
  /** Headers without sharq's own. */
  headers: Readonly<Record<string, string>>;
}

/** Decodes a record into a job; a value that is not JSON is a poison record (coded error). */
export function decodeJob(record: StoredRecord): DecodedJob {
  // Most jobs carry no headers of their own: they share one empty, frozen object.
  let headers: Record<string, string> | undefined;
  const all = record.headers;
  for (const k in all) {
    if (k.startsWith('sharq.') || !Object.hasOwn(all, k)) continue;
    headers ??= {};
    headers[k] = all[k]!;
  }
  const id = record.headers[HEADER.id] ?? `${record.topic}-${record.partition}-${record.offset}`;
  const name = record.headers[HEADER.name] ?? '';
  let data: unknown = null;
  if (record.value !== null && record.value.length > 0) {
    try {
      data = JSON.parse(record.value.toString('utf8'));
    } catch (err) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_PAYLOAD',
        `Record ${record.topic}/${record.partition}@${record.offset} is not a JSON job: ${(err as Error).message}`,
        {
          cause: err,
          details: { topic: record.topic, partition: record.partition, offset: record.offset },
        },
      );
    }
  }
  return {
    id,
    name,
    key: record.key === null ? null : record.key.toString('utf8'),
    data,
    headers: headers ?? NO_HEADERS,
  };
}

/** Normalises the `backoff` option (a number is a fixed delay) to what travels with a job. */
export function backoffSpec(
  option: z.output<typeof BackoffOptions> | undefined,
): BackoffSpec | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'number') return { type: 'fixed', delay: option };
  return option.jitter === undefined
    ? { type: option.type, delay: option.delay }
    : { type: option.type, delay: option.delay, jitter: option.jitter };
}
