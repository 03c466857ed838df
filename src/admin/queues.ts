import type { StoredRecord } from '../engine/types.js';
import { HEADER } from '../job/envelope.js';
import { DELAY_TIERS, delayGroup, delayTierTopic, isQueueTopic } from '../queue/names.js';
import type { QueueDetail, QueueSummary } from './api-schemas.js';
import {
  type AdminContext,
  describeGroupOrEmpty,
  offsetsOrEmpty,
  type QueueRef,
  resolveQueue,
} from './context.js';

/**
 * Queue views: the list and one queue in depth. Counts come from the engine's share-partition
 * stats (per-state counts where the embedded engine keeps them; Kafka reports only start offsets
 * and lag), the delay tiers' offsets, the DLQ's offsets less the ledger's redriven and discarded
 * records, and a bounded read of pending records for retries.
 */

export async function listQueues(ctx: AdminContext): Promise<QueueSummary[]> {
  const topics = (await ctx.engine.admin.listTopics())
    .filter((t) => isQueueTopic(t.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const out: QueueSummary[] = [];
  // A few at a time: each queue is several admin calls.
  for (let i = 0; i < topics.length; i += 8) {
    const batch = await Promise.all(
      topics.slice(i, i + 8).map(async (t) => {
        const ref = await resolveQueue(ctx, t.name);
        return summarize(ctx, ref);
      }),
    );
    out.push(...batch);
  }
  return out;
}

export async function queueDetail(ctx: AdminContext, name: string): Promise<QueueDetail> {
  const ref = await resolveQueue(ctx, name);
  const full = await inspect(ctx, ref);
  return {
    ...full.summary,
    config: ref.groupInfo.config,
    pause: { queue: name, ...renamePause(full.pause) },
    partitionDetail: full.partitions,
    groupMembers: ref.groupInfo.members,
    delayTiers: full.tiers,
  };
}

async function summarize(ctx: AdminContext, ref: QueueRef): Promise<QueueSummary> {
  return (await inspect(ctx, ref)).summary;
}

function renamePause(p: {
  paused: boolean;
  reason: string | null;
  at: number | null;
  by: string | null;
}) {
  return { paused: p.paused, reason: p.reason, since: p.at, by: p.by };
}

async function inspect(ctx: AdminContext, ref: QueueRef) {
  const { engine } = ctx;
  const [offsets, dlqOffsets, pause, tiers] = await Promise.all([
    engine.admin.offsets(ref.name),
    offsetsOrEmpty(ctx, ref.deadLetterTopic),
    ctx.control(ref.name),
    delayTiers(ctx, ref.name),
  ]);
  const stats = new Map(
    ref.groupInfo.partitions.filter((s) => s.topic === ref.name).map((s) => [s.partition, s]),
  );
  let lag = 0;
  let completed = 0;
  let enqueued = 0;
  const sums = { available: 0, acquired: 0, acknowledged: 0, archived: 0 };
  let known = true;
  const partitions = offsets.map((o) => {
    const s = stats.get(o.partition);
    // A group with no state on a partition starts at the log start (sharq sets `earliest`).
    const start = s?.startOffset ?? null;
    const pLag = s?.lag ?? Math.max(0, o.logEndOffset - o.logStartOffset);
    lag += pLag;
    completed += start ?? o.logStartOffset;
    enqueued += o.logEndOffset;
    for (const k of ['available', 'acquired', 'acknowledged', 'archived'] as const) {
      const v = s === undefined ? (k === 'available' ? pLag : 0) : s[k];
      if (v === null) known = false;
      else sums[k] += v;
    }
    return {
      partition: o.partition,
      logStartOffset: o.logStartOffset,
      logEndOffset: o.logEndOffset,
      startOffset: start,
      lag: pLag,
      available: s === undefined ? pLag : s.available,
      acquired: s === undefined ? 0 : s.acquired,
      acknowledged: s === undefined ? 0 : s.acknowledged,
      archived: s === undefined ? 0 : s.archived,
    };
  });
  const ledger = ctx.ledger(ref.name);
  await ledger.refresh();
  const { discarded, redriven } = ledger.totals();
  const dlqTotal = dlqOffsets.reduce((n, o) => n + o.logEndOffset - o.logStartOffset, 0);
  const dlqEnd = dlqOffsets.reduce((n, o) => n + o.logEndOffset, 0);
  const pendingHeads = await pendingRecords(
    ctx,
    ref.name,
    partitions,
    ctx.config.retryingScanLimit,
  );
  const retryingInQueue = pendingHeads.records.filter(isRetry).length;
  const delayed = tiers.reduce((n, t) => n + t.waiting, 0);
  const now = ctx.clock.now();
  const oldest = pendingHeads.oldestTimestamp;
  const rates = ctx.sampler.record(ref.name, {
    enqueued,
    completed,
    deadLettered: dlqEnd,
  });
  const summary: QueueSummary = {
    name: ref.name,
    partitions: ref.partitions,
    group: ref.group,
    deadLetterTopic: ref.deadLetterTopic,
    paused: pause.paused,
    members: ref.groupInfo.members.length,
    counts: {
      lag,
      available: known ? sums.available : null,
      inFlight: known ? sums.acquired : null,
      acknowledged: known ? sums.acknowledged : null,
      archived: known ? sums.archived : null,
      delayed,
      retrying: retryingInQueue + tiers.reduce((n, t) => n + t.retries, 0),
      retryingApproximate: pendingHeads.approximate || tiers.some((t) => t.approximate),
      deadLettered: Math.max(0, dlqTotal - discarded - redriven),
    },
    totals: { enqueued, completed, deadLettered: dlqEnd },
    throughput: rates,
    oldestPendingAgeMs: oldest === null ? null : Math.max(0, now - oldest),
  };
  return {
    summary,
    partitions,
    pause,
    tiers: tiers.map((t) => ({ topic: t.topic, waiting: t.waiting })),
  };
}

function isRetry(r: StoredRecord): boolean {
  const made = Number(r.headers[HEADER.attemptsMade] ?? 0);
  return Number.isFinite(made) && made > 0;
}

/**
 * The first `limit` records of each partition from its start offset: the oldest pending job is
 * the one at the start offset (every record below it is terminal). Records acknowledged above
 * the start offset are counted too, so the retry count is approximate.
 */
async function pendingRecords(
  ctx: AdminContext,
  topic: string,
  partitions: {
    partition: number;
    startOffset: number | null;
    logStartOffset: number;
    logEndOffset: number;
  }[],
  limit: number,
): Promise<{ records: StoredRecord[]; oldestTimestamp: number | null; approximate: boolean }> {
  let oldest: number | null = null;
  let approximate = false;
  const records: StoredRecord[] = [];
  await Promise.all(
    partitions.map(async (p) => {
      const from = Math.max(p.startOffset ?? p.logStartOffset, p.logStartOffset);
      if (from >= p.logEndOffset) return;
      const n = Math.max(1, Math.min(limit, p.logEndOffset - from));
      if (p.logEndOffset - from > n) approximate = true;
      const read = await ctx.engine.read(topic, p.partition, from, n);
      const first = read[0];
      if (first !== undefined && (oldest === null || first.timestamp < oldest))
        oldest = first.timestamp;
      if (limit > 0) records.push(...read);
    }),
  );
  return { records, oldestTimestamp: oldest, approximate };
}

/** Jobs waiting in each delay tier: log end less the tier group's start offset. */
async function delayTiers(ctx: AdminContext, queue: string) {
  const group = await describeGroupOrEmpty(ctx.engine, delayGroup(queue));
  const starts = new Map(group.partitions.map((s) => [`${s.topic}/${s.partition}`, s.startOffset]));
  return Promise.all(
    DELAY_TIERS.map(async (tier) => {
      const topic = delayTierTopic(queue, tier);
      const offsets = await offsetsOrEmpty(ctx, topic);
      let waiting = 0;
      const parts: {
        partition: number;
        startOffset: number | null;
        logStartOffset: number;
        logEndOffset: number;
      }[] = [];
      for (const o of offsets) {
        const start = starts.get(`${topic}/${o.partition}`) ?? o.logStartOffset;
        waiting += Math.max(0, o.logEndOffset - start);
        parts.push({ ...o, startOffset: start });
      }
      let retries = 0;
      let approximate = false;
      if (waiting > 0 && ctx.config.retryingScanLimit > 0) {
        const pending = await pendingRecords(ctx, topic, parts, ctx.config.retryingScanLimit);
        retries = pending.records.filter(isRetry).length;
        approximate = pending.approximate;
      }
      return { topic, waiting, retries, approximate };
    }),
  );
}
