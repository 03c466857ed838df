import type { ProduceRecord, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { HEADER } from '../job/envelope.js';
import { parseOptions } from '../options/parse.js';
import { sleep } from '../util/sleep.js';
import { RedriveBody, type RedriveResponse } from './api-schemas.js';
import { type AdminContext, resolveQueue } from './context.js';
import { recordNotFound, selectRecords } from './dlq.js';
import { type DlqLedger, dlqId, type RedriveTarget } from './dlq-ledger.js';
import { REDRIVE_HEADER, redriveCount } from './dlq-record.js';

/**
 * Redrive: DLQ records back onto their queue as fresh jobs. Per batch of records:
 *
 *   1. Ledger: an `intent` per record, with the queue's log-end offsets now. Durable first.
 *   2. Queue: the records, each with `sharq.redrive.from=<dlq>/<partition>/<offset>`.
 *   3. Ledger: `redriven` per record with where it landed.
 *
 * A crash after 1 leaves intents without `redriven`: the next redrive of those records reads
 * the queue from the intent's offsets for a record carrying their `sharq.redrive.from` and, when
 * it finds one, only writes step 3. A record is so enqueued once however often it is redriven
 * and wherever a redrive stops. (Two processes redriving the same record at the same instant
 * could both pass step 1; redrives within one process are serialized per queue.)
 */
export interface RedriveRun {
  /** Who asked, for the ledger and the audit log. */
  by?: string | null;
  signal?: AbortSignal;
  /** Records handled so far and, for named records, how many there are. */
  onProgress?: (done: number, total: number | null) => void;
}

const MAX_ITEMS = 1000;
const MAX_BATCH = 200;

export async function redrive(
  ctx: AdminContext,
  queue: string,
  body: RedriveBody,
  run: RedriveRun = {},
): Promise<RedriveResponse> {
  const b = parseOptions('redrive', RedriveBody, body);
  const ref = await resolveQueue(ctx, queue);
  const ledger = ctx.ledger(queue);
  await ledger.refresh();
  const rate = Math.min(b.ratePerSec ?? ctx.config.redriveRatePerSec, ctx.config.redriveRatePerSec);
  const batchSize = Math.max(1, Math.min(MAX_BATCH, rate));
  const total = 'ids' in b.selection ? b.selection.ids.length : null;
  const res: RedriveResponse = {
    queue,
    dryRun: b.dryRun,
    matched: 0,
    redriven: 0,
    skipped: 0,
    refused: 0,
    missing: 0,
    items: [],
    itemsTruncated: false,
    nextCursor: null,
  };
  const item = (i: RedriveResponse['items'][number]) => {
    if (res.items.length < MAX_ITEMS) res.items.push(i);
    else res.itemsTruncated = true;
  };
  const t0 = ctx.clock.now();
  let batch: StoredRecord[] = [];
  let handled = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const targets = await redriveBatch(ctx, ref.name, ref.deadLetterTopic, ledger, batch);
    for (const r of batch) {
      item({
        id: dlqId(r.partition, r.offset),
        outcome: 'redriven',
        target: targets.get(dlqId(r.partition, r.offset))!,
      });
    }
    res.redriven += batch.length;
    batch = [];
    // The rate cap: never ahead of `rate` records per second since the start.
    const due = t0 + (res.redriven / rate) * 1000;
    const wait = due - ctx.clock.now();
    if (wait > 0) await sleep(wait, run.signal, ctx.clock);
  };
  const selected = selectRecords(ctx, ref.deadLetterTopic, b.selection);
  let stopped = false;
  for await (const { position, record } of selected.records) {
    if (run.signal?.aborted) {
      stopped = true;
      break;
    }
    const id = dlqId(position.partition, position.offset);
    handled++;
    if (record === undefined) {
      res.missing++;
      item({ id, outcome: 'missing', why: 'no DLQ record at this position' });
    } else {
      res.matched++;
      const entry = ledger.get(id);
      if (entry?.redriven !== undefined) {
        res.skipped++;
        item({ id, outcome: 'skipped', why: 'already redriven', target: entry.redriven.target });
      } else if (entry?.discardedAt !== undefined) {
        res.skipped++;
        item({ id, outcome: 'skipped', why: 'discarded' });
      } else if (redriveCount(record) >= ctx.config.maxRedrives) {
        res.refused++;
        item({
          id,
          outcome: 'refused',
          why: `redriven ${redriveCount(record)} times (maxRedrives ${ctx.config.maxRedrives})`,
        });
      } else if (b.dryRun) {
        res.redriven++;
        item({ id, outcome: 'would-redrive' });
      } else {
        batch.push(record);
        if (batch.length >= batchSize) await flush();
      }
    }
    run.onProgress?.(handled, total);
    if (b.limit !== undefined && res.redriven + batch.length >= b.limit) {
      stopped = true;
      break;
    }
  }
  await flush();
  if (stopped) res.nextCursor = selected.cursor();
  run.onProgress?.(handled, total);
  if (total === 1) {
    const only = b.selection as { ids: { partition: number; offset: number }[] };
    if (res.missing === 1) throw recordNotFound(queue, only.ids[0]!);
    if (res.refused === 1) {
      throw new SharqError(
        'SHARQ_ERR_REDRIVE_LIMIT',
        `DLQ record ${res.items[0]?.id} of "${queue}" was redriven ${ctx.config.maxRedrives} times already; look at its error before redriving it again`,
        { details: { queue, id: res.items[0]?.id, maxRedrives: ctx.config.maxRedrives } },
      );
    }
  }
  return res;
}

/** Steps 1–3 for one batch; returns where each record landed. */
async function redriveBatch(
  ctx: AdminContext,
  queue: string,
  dlqTopic: string,
  ledger: DlqLedger,
  batch: StoredRecord[],
): Promise<Map<string, RedriveTarget>> {
  const targets = new Map<string, RedriveTarget>();
  const now = ctx.clock.now();
  // A crash between step 1 and 3: find the copies that made it into the queue.
  const interrupted = batch.filter(
    (r) => ledger.get(dlqId(r.partition, r.offset))?.intent !== undefined,
  );
  if (interrupted.length > 0) {
    const found = await findRedriven(ctx, queue, dlqTopic, ledger, interrupted);
    for (const [id, t] of found) targets.set(id, t);
  }
  const fresh = batch.filter((r) => !targets.has(dlqId(r.partition, r.offset)));
  if (fresh.length > 0) {
    const ends: Record<string, number> = {};
    for (const o of await ctx.engine.admin.offsets(queue))
      ends[String(o.partition)] = o.logEndOffset;
    await ledger.append(
      fresh.map((r) => ({
        op: 'intent' as const,
        id: dlqId(r.partition, r.offset),
        at: now,
        ends,
      })),
    );
    const positions = await ctx.engine.produce(
      queue,
      fresh.map((r) => redriveRecord(r, dlqTopic, now)),
    );
    fresh.forEach((r, i) => {
      const p = positions[i]!;
      targets.set(dlqId(r.partition, r.offset), {
        topic: queue,
        partition: p.partition,
        offset: p.offset,
      });
    });
  }
  await ledger.append(
    batch.map((r) => {
      const id = dlqId(r.partition, r.offset);
      return { op: 'redriven' as const, id, at: now, target: targets.get(id)! };
    }),
  );
  return targets;
}

/** Reads the queue from the earliest intent's offsets for records naming these DLQ records. */
async function findRedriven(
  ctx: AdminContext,
  queue: string,
  dlqTopic: string,
  ledger: DlqLedger,
  records: StoredRecord[],
): Promise<Map<string, RedriveTarget>> {
  const wanted = new Map<string, string>();
  const from = new Map<number, number>();
  for (const r of records) {
    const id = dlqId(r.partition, r.offset);
    wanted.set(`${dlqTopic}/${r.partition}/${r.offset}`, id);
    for (const [p, end] of Object.entries(ledger.get(id)?.intent?.ends ?? {})) {
      const prev = from.get(Number(p));
      if (prev === undefined || end < prev) from.set(Number(p), end);
    }
  }
  const found = new Map<string, RedriveTarget>();
  for (const o of await ctx.engine.admin.offsets(queue)) {
    let pos = Math.max(o.logStartOffset, from.get(o.partition) ?? o.logStartOffset);
    while (pos < o.logEndOffset && found.size < wanted.size) {
      const chunk = await ctx.engine.read(
        queue,
        o.partition,
        pos,
        Math.min(2000, o.logEndOffset - pos),
      );
      if (chunk.length === 0) break;
      for (const c of chunk) {
        const id = wanted.get(c.headers[REDRIVE_HEADER.from] ?? '');
        if (id !== undefined && !found.has(id))
          found.set(id, { topic: queue, partition: c.partition, offset: c.offset });
      }
      pos = chunk[chunk.length - 1]!.offset + 1;
    }
  }
  return found;
}

/**
 * The job as it goes back: same key, value and business headers; the DLQ's error context and
 * the attempt state dropped (fresh attempts, due now, for every group); its origin recorded.
 */
export function redriveRecord(record: StoredRecord, dlqTopic: string, now: number): ProduceRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(record.headers)) {
    if (k.startsWith('__dlq.') || k.startsWith('sharq.error.') || k.startsWith('sharq.redrive.'))
      continue;
    if (k === HEADER.attemptsMade || k === HEADER.dueAt || k === HEADER.group) continue;
    headers[k] = v;
  }
  headers[REDRIVE_HEADER.from] = `${dlqTopic}/${record.partition}/${record.offset}`;
  headers[REDRIVE_HEADER.count] = String(redriveCount(record) + 1);
  headers[REDRIVE_HEADER.at] = String(now);
  return { key: record.key, value: record.value, headers };
}
