import { randomUUID } from 'node:crypto';
import { parseOptions } from '../options/parse.js';
import { DiscardBody, type DiscardResponse } from './api-schemas.js';
import { type AdminContext, resolveQueue } from './context.js';
import { recordNotFound, selectRecords } from './dlq.js';
import { discardable, dlqId, type LedgerOp } from './dlq-ledger.js';

/**
 * Discard: marks DLQ records done with, in the ledger (the DLQ topic is append-only; retention
 * removes the records themselves). Discarded records leave the `pending` list and counts.
 * Idempotent: a record discarded or redriven already is skipped. Against a redrive running at
 * the same time, in this process or another, the ledger's order decides (dlq-ledger.ts): a
 * discard that lands before the redrive's claim wins and the redrive skips the record; one that
 * lands after it is void, and the discard reports the record skipped. A record claimed by a
 * redrive (even one that died: the next redrive finishes it) is never discarded.
 */
export async function discard(
  ctx: AdminContext,
  queue: string,
  body: DiscardBody,
  by: string | null = null,
): Promise<DiscardResponse> {
  const b = parseOptions('discard', DiscardBody, body);
  const ref = await resolveQueue(ctx, queue);
  const ledger = ctx.ledger(queue);
  // A dry run only reads, and makes no topic.
  await (b.dryRun ? ledger.refresh() : ledger.refreshToWrite());
  const res: DiscardResponse = {
    queue,
    dryRun: b.dryRun,
    matched: 0,
    discarded: 0,
    skipped: 0,
    missing: 0,
    nextCursor: null,
  };
  const rid = `d-${randomUUID()}`;
  let ops: LedgerOp[] = [];
  const now = ctx.clock.now();
  const seen = new Set<string>();
  // Counted as discarded only once the ledger, read back, shows this discard's op first.
  const flush = async () => {
    if (ops.length === 0) return;
    await ledger.append(ops);
    for (const op of ops) {
      if (ledger.get(op.id)?.discardRid === rid) res.discarded++;
      else res.skipped++;
    }
    ops = [];
  };
  const selected = selectRecords(ctx, ref.deadLetterTopic, b.selection);
  let stopped = false;
  for await (const { position, record } of selected.records) {
    const id = dlqId(position.partition, position.offset);
    if (record === undefined) {
      res.missing++;
      continue;
    }
    res.matched++;
    if (seen.has(id) || !discardable(ledger.get(id))) {
      res.skipped++;
      continue;
    }
    seen.add(id);
    if (b.dryRun) res.discarded++;
    else ops.push({ op: 'discard', id, at: now, by, rid });
    if (ops.length >= 500) await flush();
    if (b.limit !== undefined && res.discarded + ops.length >= b.limit) {
      stopped = true;
      break;
    }
  }
  await flush();
  if (stopped) res.nextCursor = selected.cursor();
  if ('ids' in b.selection && b.selection.ids.length === 1 && res.missing === 1)
    throw recordNotFound(queue, b.selection.ids[0]!);
  return res;
}
