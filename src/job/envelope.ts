import { randomUUID } from 'node:crypto';
import type { ProduceRecord, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';

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
} as const;

export const ENVELOPE_VERSION = '1';

export interface JobInput<Data> {
  name: string;
  data: Data;
  jobId?: string | undefined;
  key?: string | undefined;
  headers?: Readonly<Record<string, string>> | undefined;
  partition?: number | undefined;
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
    },
  };
  if (job.partition !== undefined) record.partition = job.partition;
  return { id, record };
}

export interface DecodedJob {
  id: string;
  name: string;
  key: string | null;
  /** Parsed JSON, not yet checked against any schema. */
  data: unknown;
  /** Headers without sharq's own. */
  headers: Record<string, string>;
}

/** Decodes a record into a job; a value that is not JSON is a poison record (coded error). */
export function decodeJob(record: StoredRecord): DecodedJob {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers)) {
    if (!k.startsWith('sharq.')) headers[k] = v;
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
  return { id, name, key: record.key === null ? null : record.key.toString('utf8'), data, headers };
}
