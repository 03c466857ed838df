import type { ProduceRecord, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { HEADER } from '../job/envelope.js';
import { parseOptions } from '../options/parse.js';
import { sleep } from '../util/sleep.js';
import { RedriveBody, type RedriveResponse } from './api-schemas.js';
import { type AdminContext, resolveQueue } from './context.js';
import { recordNotFound, selectRecords } from './dlq.js';
import { type DlqLedger, dlqId, type LedgerEntry, type RedriveTarget } from './dlq-ledger.js';
import { REDRIVE_HEADER, redriveCount } from './dlq-record.js';
import type { RedriveClaims } from './redrive-claims.js';

/**
 * Redrive: DLQ records back onto their queue as fresh jobs, each enqueued once however many
 * redrives of it run at once, in however many processes, and wherever one stops. The DLQ ledger
 * (dlq-ledger.ts: one partition, so one order) is the arbiter. Per batch of records:
 *
 *   1. Read the ledger. Skip a record redriven, discarded, or claimed by a live redrive (a claim
 *      RedriveClaims does not call dead: another process's younger than redriveClaimTimeoutMs,
 *      or one of this SharqAdmin's still running). A claim that is dead is taken over.
 *   2. Ledger: an intent per record with this redrive's id, `takes` (the dead claim's ledger
 *      offset, or null) and the queue's log ends now. Durable (acks=all) before anything else.
 *   3. Read the ledger back past those intents. Its order decides: where another intent or a
 *      discard landed first, this redrive lost the record and reports it skipped ("being
 *      redriven", "discarded", "already redriven"). It goes on only with what it won.
 *   4. More than half the claim timeout since step 2 by this clock: stop with
 *      SHARQ_ERR_REDRIVE_CLAIM_EXPIRED, enqueueing nothing, since another may take over now.
 *   5. Records taken over: read the queue from the lowest log ends any claim of them saw for
 *      copies carrying their `sharq.redrive.from`; a copy found is where the record landed.
 *   6. Queue: the other records, each with `sharq.redrive.from=<dlq>/<partition>/<offset>`.
 *   7. Ledger: `redriven` per record with where it landed. Only then reported `redriven`.
 *
 * What a crash (or a failed call) at each step costs:
 *   - before 2 is durable: nothing was written.
 *   - after 2, before 6: claims without copies. Redrives skip those records until the claims
 *     are dead (after the timeout; at once for the next redrive of the same SharqAdmin), then
 *     take over through steps 2-3 (of two taking over, one wins), find no copy, enqueue: once.
 *   - during or after 6, before 7 is durable: copies without `redriven`. The taker-over finds
 *     them in step 5 and only writes step 7: once.
 *   - after 7: done. Later redrives skip the record; none was reported done before this.
 * A discard (discard.ts) landing before any claim wins (later intents are void); one landing
 * after a claim is void. A claimed record is redriven, never discarded.
 * The window left: a claim taken over while its owner is alive but stalled between step 4 and
 * its produce reaching the broker for more than half the timeout (or the processes' clocks are
 * that far apart): both may enqueue. Hence a timeout well above a produce's worst time.
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
  // A dry run only reads, and makes no topic.
  await (b.dryRun ? ledger.refresh() : ledger.refreshToWrite());
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
  const rid = ctx.claims.start();
  let batch: StoredRecord[] = [];
  let handled = 0;
  let enqueued = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await redriveBatch(ctx, ref.name, ref.deadLetterTopic, ledger, batch, rid);
    for (const r of batch) {
      const id = dlqId(r.partition, r.offset);
      const o = outcomes.get(id)!;
      if (o.outcome === 'redriven') res.redriven++;
      else res.skipped++;
      item({ id, ...o });
    }
    enqueued += batch.length;
    batch = [];
    // The rate cap: never ahead of `rate` records per second since the start.
    const due = t0 + (enqueued / rate) * 1000;
    const wait = due - ctx.clock.now();
    if (wait > 0) await sleep(wait, run.signal, ctx.clock);
  };
  const selected = selectRecords(ctx, ref.deadLetterTopic, b.selection);
  const seen = new Set<string>();
  let stopped = false;
  try {
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
      } else if (seen.has(id)) {
        res.matched++;
        res.skipped++;
        item({ id, outcome: 'skipped', why: 'named twice' });
      } else {
        seen.add(id);
        res.matched++;
        const blocked = blockedBy(ledger.get(id), ctx.claims, ctx.clock.now());
        if (blocked !== undefined) {
          res.skipped++;
          item({ id, outcome: 'skipped', ...blocked });
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
  } finally {
    ctx.claims.finish(rid);
  }
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

type BatchOutcome =
  | { outcome: 'redriven'; target: RedriveTarget }
  | { outcome: 'skipped'; why: string; target?: RedriveTarget };

/** Why a record is not this redrive's to enqueue now, or undefined when it is (step 1). */
function blockedBy(
  entry: LedgerEntry | undefined,
  claims: RedriveClaims,
  now: number,
): { why: string; target?: RedriveTarget } | undefined {
  if (entry?.redriven !== undefined)
    return { why: 'already redriven', target: entry.redriven.target };
  if (entry?.discardedAt !== undefined) return { why: 'discarded' };
  if (entry?.intent !== undefined && !claims.isDead(entry.intent, now))
    return { why: 'being redriven by another redrive' };
  return undefined;
}

/** Steps 1–7 for one batch; what became of each record. */
async function redriveBatch(
  ctx: AdminContext,
  queue: string,
  dlqTopic: string,
  ledger: DlqLedger,
  batch: StoredRecord[],
  rid: string,
): Promise<Map<string, BatchOutcome>> {
  const outcomes = new Map<string, BatchOutcome>();
  await ledger.refreshToWrite();
  const now = ctx.clock.now();
  const claim: { record: StoredRecord; id: string; takes: number | null }[] = [];
  for (const r of batch) {
    const id = dlqId(r.partition, r.offset);
    const entry = ledger.get(id);
    const blocked = blockedBy(entry, ctx.claims, now);
    if (blocked !== undefined) outcomes.set(id, { outcome: 'skipped', ...blocked });
    else claim.push({ record: r, id, takes: entry?.intent?.offset ?? null });
  }
  if (claim.length === 0) return outcomes;

  const ends: Record<string, number> = {};
  for (const o of await ctx.engine.admin.offsets(queue)) ends[String(o.partition)] = o.logEndOffset;
  await ledger.append(
    claim.map((c) => ({ op: 'intent' as const, id: c.id, at: now, ends, rid, takes: c.takes })),
  );
  // Step 3: the ledger's order says which records this redrive won.
  const won = claim.filter((c) => {
    const entry = ledger.get(c.id);
    if (entry?.intent?.rid === rid && entry.redriven === undefined) return true;
    const blocked = blockedBy(entry, ctx.claims, now) ?? {
      why: 'being redriven by another redrive',
    };
    outcomes.set(c.id, { outcome: 'skipped', ...blocked });
    return false;
  });
  if (won.length === 0) return outcomes;

  const elapsed = ctx.clock.now() - now;
  if (elapsed > ctx.claims.timeoutMs / 2) {
    throw new SharqError(
      'SHARQ_ERR_REDRIVE_CLAIM_EXPIRED',
      `Redrive of "${queue}" stopped: ${elapsed} ms passed between claiming ${won.length} DLQ record(s) and enqueueing them (redriveClaimTimeoutMs ${ctx.claims.timeoutMs}); nothing of them was enqueued, redrive again`,
      { details: { queue, ids: won.map((c) => c.id), elapsedMs: elapsed } },
    );
  }
  const targets = new Map<string, RedriveTarget>();
  const takenOver = won.filter((c) => c.takes !== null);
  if (takenOver.length > 0) {
    const found = await findRedriven(
      ctx,
      queue,
      dlqTopic,
      ledger,
      takenOver.map((c) => c.record),
    );
    for (const [id, t] of found) targets.set(id, t);
  }
  const fresh = won.filter((c) => !targets.has(c.id));
  if (fresh.length > 0) {
    const positions = await ctx.engine.produce(
      queue,
      fresh.map((c) => redriveRecord(c.record, dlqTopic, now)),
    );
    fresh.forEach((c, i) => {
      const p = positions[i]!;
      targets.set(c.id, { topic: queue, partition: p.partition, offset: p.offset });
    });
  }
  await ledger.append(
    won.map((c) => ({
      op: 'redriven' as const,
      id: c.id,
      at: now,
      target: targets.get(c.id)!,
      rid,
    })),
  );
  for (const c of won) outcomes.set(c.id, { outcome: 'redriven', target: targets.get(c.id)! });
  return outcomes;
}

/** Reads the queue from the lowest log ends their claims saw for records naming these DLQ records. */
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
    for (const [p, end] of Object.entries(ledger.get(id)?.scanFrom ?? {})) {
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
