import { parseOptions } from '../options/parse.js';
import { DiscardBody, type DiscardResponse } from './api-schemas.js';
import { type AdminContext, resolveQueue } from './context.js';
import { recordNotFound, selectRecords } from './dlq.js';
import { dlqId, type LedgerOp } from './dlq-ledger.js';

/**
 * Discard: marks DLQ records done with, in the ledger (the DLQ topic is append-only; retention
 * removes the records themselves). Discarded records leave the `pending` list and counts.
 * Idempotent: a record discarded or redriven already is skipped.
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
  await ledger.refresh();
  const res: DiscardResponse = {
    queue,
    dryRun: b.dryRun,
    matched: 0,
    discarded: 0,
    skipped: 0,
    missing: 0,
    nextCursor: null,
  };
  let ops: LedgerOp[] = [];
  const now = ctx.clock.now();
  const selected = selectRecords(ctx, ref.deadLetterTopic, b.selection);
  let stopped = false;
  for await (const { position, record } of selected.records) {
    const id = dlqId(position.partition, position.offset);
    if (record === undefined) {
      res.missing++;
      continue;
    }
    res.matched++;
    const entry = ledger.get(id);
    if (entry?.discardedAt !== undefined || entry?.redriven !== undefined) {
      res.skipped++;
      continue;
    }
    res.discarded++;
    if (!b.dryRun) ops.push({ op: 'discard', id, at: now, by });
    if (ops.length >= 500) {
      await ledger.append(ops);
      ops = [];
    }
    if (b.limit !== undefined && res.discarded >= b.limit) {
      stopped = true;
      break;
    }
  }
  await ledger.append(ops);
  if (stopped) res.nextCursor = selected.cursor();
  if ('ids' in b.selection && b.selection.ids.length === 1 && res.missing === 1)
    throw recordNotFound(queue, b.selection.ids[0]!);
  return res;
}
