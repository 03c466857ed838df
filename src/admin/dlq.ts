import type { StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import {
  DlqFilter,
  DlqListQuery,
  type DlqListResponse,
  type DlqPosition,
  type DlqRecordDetail,
} from './api-schemas.js';
import { type AdminContext, offsetsOrEmpty, resolveQueue } from './context.js';
import { dlqId } from './dlq-ledger.js';
import { checkTimeRange, matches, type ParsedFilter, toDetail, toEntry } from './dlq-record.js';
import { DlqScanner, decodeCursor, readOne } from './dlq-scan.js';

/** A page of a queue's DLQ, newest first unless `order: 'asc'`. */
export async function listDlq(
  ctx: AdminContext,
  queue: string,
  query: DlqListQuery = {},
): Promise<DlqListResponse> {
  const q = parseOptions('DLQ list', DlqListQuery, query);
  checkTimeRange(q);
  const ref = await resolveQueue(ctx, queue);
  const ledger = ctx.ledger(queue);
  await ledger.refresh();
  const topic = ref.deadLetterTopic;
  const records: DlqListResponse['records'] = [];
  if ((await offsetsOrEmpty(ctx, topic)).length === 0) {
    return { queue, deadLetterTopic: topic, records, nextCursor: null, scanned: 0 };
  }
  const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor, q.order);
  const scanner = new DlqScanner(ctx.engine, topic, q.order, start, Math.min(2000, q.limit + 1));
  let scanned = 0;
  while (records.length < q.limit && scanned < ctx.config.scanLimit) {
    const r = await scanner.next();
    if (r === undefined) break;
    scanned++;
    const entry = ledger.get(dlqId(r.partition, r.offset));
    if (matches(r, entry, q)) records.push(toEntry(r, entry));
  }
  return { queue, deadLetterTopic: topic, records, nextCursor: scanner.cursor(), scanned };
}

/** One DLQ record in full; SHARQ_ERR_NOT_FOUND when there is none at that position. */
export async function getDlqRecord(
  ctx: AdminContext,
  queue: string,
  position: DlqPosition,
): Promise<DlqRecordDetail> {
  const ref = await resolveQueue(ctx, queue);
  const record = await readDlqRecord(ctx, ref.deadLetterTopic, position);
  if (record === undefined) throw recordNotFound(queue, position);
  const ledger = ctx.ledger(queue);
  await ledger.refresh();
  return toDetail(
    record,
    ledger.get(dlqId(position.partition, position.offset)),
    ctx.config.previewBytes,
  );
}

export function recordNotFound(queue: string, p: DlqPosition): SharqError {
  return new SharqError(
    'SHARQ_ERR_NOT_FOUND',
    `No DLQ record ${dlqId(p.partition, p.offset)} for queue "${queue}"`,
    { details: { queue, partition: p.partition, offset: p.offset } },
  );
}

export async function readDlqRecord(
  ctx: AdminContext,
  topic: string,
  p: DlqPosition,
): Promise<StoredRecord | undefined> {
  try {
    return await readOne(ctx.engine, topic, p.partition, p.offset);
  } catch (err) {
    if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) return undefined;
    throw err;
  }
}

/**
 * The DLQ records a redrive or discard acts on, in order: named ones (a missing one yields its
 * position alone), or every one matching a filter, oldest first, from `cursor` when given.
 * `cursor()` says where a selection stopped part-way would go on (null when at the end).
 */
export function selectRecords(
  ctx: AdminContext,
  topic: string,
  selection:
    | { ids: DlqPosition[] }
    | { filter: Omit<DlqFilter, 'state'>; cursor?: string | undefined },
): {
  records: AsyncGenerator<{ position: DlqPosition; record: StoredRecord | undefined }>;
  cursor: () => string | null;
} {
  if ('ids' in selection) {
    return {
      cursor: () => null,
      records: (async function* () {
        const seen = new Set<string>();
        for (const p of selection.ids) {
          const id = dlqId(p.partition, p.offset);
          if (seen.has(id)) continue;
          seen.add(id);
          yield { position: p, record: await readDlqRecord(ctx, topic, p) };
        }
      })(),
    };
  }
  const filter: Partial<ParsedFilter> = parseOptions(
    'DLQ filter',
    DlqFilter.omit({ state: true }),
    selection.filter,
  );
  checkTimeRange(filter);
  const start = selection.cursor === undefined ? undefined : decodeCursor(selection.cursor, 'asc');
  const scanner = new DlqScanner(ctx.engine, topic, 'asc', start, 500);
  let exists = true;
  return {
    cursor: () => (exists ? scanner.cursor() : null),
    records: (async function* () {
      if ((await offsetsOrEmpty(ctx, topic)).length === 0) {
        exists = false;
        return;
      }
      for (;;) {
        const r = await scanner.next();
        if (r === undefined) return;
        if (matches(r, undefined, filter))
          yield { position: { partition: r.partition, offset: r.offset }, record: r };
      }
    })(),
  };
}
