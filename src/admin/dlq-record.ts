import type { z } from 'zod';
import { DLQ_HEADER } from '../dlq/dead-letter.js';
import type { StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { HEADER } from '../job/envelope.js';
import type { DlqEntry, DlqFilter, DlqRecordDetail, DlqState } from './api-schemas.js';
import { dlqId, type LedgerEntry } from './dlq-ledger.js';

/** Headers a redrive adds to the job it puts back on the queue. */
export const REDRIVE_HEADER = {
  /** The DLQ record it came from, `<dlqtopic>/<partition>/<offset>`. */
  from: 'sharq.redrive.from',
  /** Redrives of this job so far, this one included. */
  count: 'sharq.redrive.count',
  at: 'sharq.redrive.at',
} as const;

export type ParsedFilter = z.output<typeof DlqFilter>;

function int(text: string | undefined): number | null {
  if (text === undefined) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export function redriveCount(record: StoredRecord): number {
  const n = int(record.headers[REDRIVE_HEADER.count]);
  return n !== null && n > 0 ? n : 0;
}

export function entryState(entry: LedgerEntry | undefined): DlqState {
  if (entry?.redriven !== undefined) return 'redriven';
  if (entry?.discardedAt !== undefined) return 'discarded';
  return 'pending';
}

/** The list view of a DLQ record. */
export function toEntry(record: StoredRecord, ledger: LedgerEntry | undefined): DlqEntry {
  const h = record.headers;
  return {
    id: dlqId(record.partition, record.offset),
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    jobId: h[HEADER.id] ?? null,
    jobName: h[HEADER.name] ?? null,
    reason: h[DLQ_HEADER.reason] ?? null,
    errorName: h[DLQ_HEADER.errorName] ?? null,
    errorCode: h[DLQ_HEADER.errorCode] ?? null,
    message: h[DLQ_HEADER.message] ?? null,
    attempts: int(h[DLQ_HEADER.attempts]) ?? int(h[DLQ_HEADER.deliveryCount]),
    redriveCount: redriveCount(record),
    state: entryState(ledger),
    source: {
      topic: h[DLQ_HEADER.topic] ?? null,
      partition: int(h[DLQ_HEADER.partition]),
      offset: int(h[DLQ_HEADER.offset]),
      group: h[DLQ_HEADER.group] ?? null,
    },
  };
}

/** Whether a DLQ record matches every field of the filter. */
export function matches(
  record: StoredRecord,
  ledger: LedgerEntry | undefined,
  f: Partial<ParsedFilter>,
): boolean {
  const h = record.headers;
  if (f.state !== undefined && f.state !== 'all' && entryState(ledger) !== f.state) return false;
  if (f.reason !== undefined && h[DLQ_HEADER.reason] !== f.reason) return false;
  if (f.errorName !== undefined && h[DLQ_HEADER.errorName] !== f.errorName) return false;
  if (f.errorCode !== undefined && h[DLQ_HEADER.errorCode] !== f.errorCode) return false;
  if (f.jobId !== undefined && h[HEADER.id] !== f.jobId) return false;
  if (f.jobName !== undefined && h[HEADER.name] !== f.jobName) return false;
  if (f.from !== undefined && record.timestamp < f.from) return false;
  if (f.to !== undefined && record.timestamp >= f.to) return false;
  return true;
}

/** The full view: payload preview, every header, the stack, the redrive history. */
export function toDetail(
  record: StoredRecord,
  ledger: LedgerEntry | undefined,
  previewBytes: number,
): DlqRecordDetail {
  const key = record.key;
  const keyText = key === null ? null : key.toString('utf8');
  const keyIsText = keyText === null || Buffer.from(keyText, 'utf8').equals(key!);
  const value = record.value ?? Buffer.alloc(0);
  const truncated = value.length > previewBytes;
  const shown = value.subarray(0, previewBytes).toString('utf8');
  let payload: unknown = record.value === null ? null : shown;
  if (!truncated && record.value !== null) {
    try {
      payload = JSON.parse(shown);
    } catch {
      payload = shown;
    }
  }
  return {
    ...toEntry(record, ledger),
    key: keyIsText ? keyText : key!.toString('base64'),
    keyEncoding: keyIsText ? 'utf8' : 'base64',
    payload,
    payloadTruncated: truncated,
    valueBytes: value.length,
    headers: { ...record.headers },
    stack: record.headers[DLQ_HEADER.errorStack] ?? null,
    failedAt: record.headers[DLQ_HEADER.failedAt] ?? null,
    redrives: ledger?.redriven === undefined ? [] : [ledger.redriven],
  };
}

/** A filter whose `from` (inclusive) is not before its `to` (exclusive) matches nothing: a 400 naming `to`. */
export function checkTimeRange(f: { from?: number | undefined; to?: number | undefined }): void {
  if (f.from === undefined || f.to === undefined || f.from < f.to) return;
  throw new SharqError(
    'SHARQ_ERR_INVALID_ARGUMENT',
    `Invalid DLQ filter: to (${f.to}) must be after from (${f.from}): from is inclusive, to exclusive`,
    { details: { field: 'to', from: f.from, to: f.to } },
  );
}
