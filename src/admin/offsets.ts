import type { z } from 'zod';
import type { Engine } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import { ResetOffsetsBody, type ResetOffsetsResponse } from './api-schemas.js';
import { type AdminContext, describeGroupOrEmpty, resolveQueue } from './context.js';

/**
 * Moves a share group's start offset on the queue topic: `earliest` (run everything the log
 * still holds again), `latest` (skip the backlog) or `{ timestamp }` (from the first record at
 * or after it). Refused while the group has members, as Kafka refuses it: the members hold
 * in-flight records the move would orphan.
 */
export async function resetOffsets(
  ctx: AdminContext,
  queue: string,
  body: z.input<typeof ResetOffsetsBody>,
): Promise<ResetOffsetsResponse> {
  const b = parseOptions('offsets reset', ResetOffsetsBody, body);
  const ref = await resolveQueue(ctx, queue);
  const group = b.group ?? ref.group;
  const info = group === ref.group ? ref.groupInfo : await describeGroupOrEmpty(ctx.engine, group);
  if (info.members.length > 0) {
    throw new SharqError(
      'SHARQ_ERR_GROUP_ACTIVE',
      `Share group "${group}" has ${info.members.length} active member(s); stop (or pause, then stop) the workers of "${queue}" before resetting offsets`,
      { details: { group, members: info.members.length } },
    );
  }
  const before = new Map(
    info.partitions.filter((p) => p.topic === queue).map((p) => [p.partition, p.startOffset]),
  );
  const offsets = await ctx.engine.admin.offsets(queue);
  let after: Map<number, number>;
  if (b.dryRun) {
    after = new Map();
    for (const o of offsets) {
      const to = b.to;
      after.set(
        o.partition,
        to === 'earliest'
          ? o.logStartOffset
          : to === 'latest'
            ? o.logEndOffset
            : await offsetForTimestamp(ctx.engine, queue, o, to.timestamp),
      );
    }
  } else {
    try {
      await ctx.engine.admin.resetGroupOffsets(group, queue, b.to);
    } catch (err) {
      // Kafka's GROUP_NOT_EMPTY (a member joined since we looked), the embedded engine's refusal.
      if (
        SharqError.is(err) &&
        /active member|GROUP_NOT_EMPTY|NON_EMPTY_GROUP/i.test(
          err.message + JSON.stringify(err.details),
        )
      )
        throw new SharqError('SHARQ_ERR_GROUP_ACTIVE', err.message, {
          cause: err,
          details: { group },
        });
      throw err;
    }
    const now = await describeGroupOrEmpty(ctx.engine, group);
    after = new Map(
      now.partitions.filter((p) => p.topic === queue).map((p) => [p.partition, p.startOffset]),
    );
  }
  return {
    queue,
    group,
    dryRun: b.dryRun,
    partitions: offsets.map((o) => ({
      partition: o.partition,
      before: before.get(o.partition) ?? null,
      after: after.get(o.partition) ?? o.logStartOffset,
    })),
  };
}

/** First offset whose record is at or after `ts` (binary search; timestamps ascend in a queue). */
async function offsetForTimestamp(
  engine: Engine,
  topic: string,
  o: { partition: number; logStartOffset: number; logEndOffset: number },
  ts: number,
): Promise<number> {
  let lo = o.logStartOffset;
  let hi = o.logEndOffset;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [r] = await engine.read(topic, o.partition, mid, 1);
    if (r === undefined) return hi;
    if (r.timestamp < ts) lo = r.offset + 1;
    else hi = mid;
  }
  return lo;
}
