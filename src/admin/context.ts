import { listedOffsets } from '../engine/listed-offsets.js';
import type { Engine, PartitionOffsets, ShareGroupDescription } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import type { ControlState } from '../queue/control.js';
import { defaultDeadLetterTopic, queueGroup } from '../queue/names.js';
import type { TimerClock } from '../util/clock.js';
import type { DlqLedger } from './dlq-ledger.js';
import type { AdminConfig } from './options.js';
import type { RedriveClaims } from './redrive-claims.js';
import type { ThroughputSampler } from './throughput.js';

/** What the admin operations share: the engine, settings, and per-queue state of this process. */
export interface AdminContext {
  engine: Engine;
  config: AdminConfig;
  clock: TimerClock;
  sampler: ThroughputSampler;
  ledger(queue: string): DlqLedger;
  /** This process's redrive ids, and which claims in a ledger count as dead. */
  claims: RedriveClaims;
  control(queue: string): Promise<ControlState>;
  /** Topic names, read at most once a second: asking Kafka for a missing topic's offsets retries for seconds. */
  topicNames(): Promise<ReadonlySet<string>>;
}

/** A queue as the admin sees it: its topic, group and DLQ. 404-coded when the topic is missing. */
export interface QueueRef {
  name: string;
  partitions: number;
  group: string;
  groupInfo: ShareGroupDescription;
  deadLetterTopic: string;
}

export async function resolveQueue(ctx: AdminContext, name: string): Promise<QueueRef> {
  let partitions: number;
  try {
    partitions = (await ctx.engine.admin.describeTopic(name)).partitions;
  } catch (err) {
    if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC')) throw queueNotFound(name, err);
    throw err;
  }
  const group = queueGroup(name);
  const groupInfo = await describeGroupOrEmpty(ctx.engine, group);
  return {
    name,
    partitions,
    group,
    groupInfo,
    deadLetterTopic: groupInfo.config.deadLetterTopic ?? defaultDeadLetterTopic(name),
  };
}

export function queueNotFound(name: string, cause?: unknown): SharqError {
  return new SharqError('SHARQ_ERR_NOT_FOUND', `No queue "${name}"`, {
    cause,
    details: { queue: name },
  });
}

/** Offsets of a topic, or an empty list when it does not exist (a DLQ never written to). */
export async function offsetsOrEmpty(
  ctx: AdminContext,
  topic: string,
): Promise<PartitionOffsets[]> {
  return listedOffsets(ctx.engine, topic, async (t) => (await ctx.topicNames()).has(t));
}

/**
 * A group's description; a group that does not exist yet (no worker ever started) reads as one
 * with no members, no partition state and the engine defaults, as Kafka answers.
 */
export async function describeGroupOrEmpty(
  engine: Engine,
  groupId: string,
): Promise<ShareGroupDescription> {
  try {
    return await engine.admin.describeGroup(groupId);
  } catch (err) {
    // The embedded engine refuses a group it has never seen.
    if (!SharqError.is(err, 'SHARQ_ERR_INVALID_ARGUMENT') || err.details.groupId !== groupId)
      throw err;
    return {
      groupId,
      config: {
        autoOffsetReset: 'latest',
        lockDurationMs: 30_000,
        deliveryCountLimit: 5,
        deadLetterTopic: null,
      },
      configured: [],
      members: [],
      partitions: [],
    };
  }
}
