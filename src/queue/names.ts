import { topicName } from '../options/parse.js';

/**
 * Every topic and group name sharq derives from a queue name, in one place:
 *
 *   <queue>                 the queue topic: one record per job
 *   sharq.<queue>           the share group of the queue's workers
 *   dlq.<queue>             the dead-letter topic (`dlq.` is the prefix Kafka 4.4 requires for
 *                           group DLQs, KIP-1191)
 *   delay.<queue>.<tier>    delay tiers: jobs waiting for a retry backoff or a `delay`
 *   sharq.delay.<queue>     the share group of the tier forwarders (one per queue)
 *
 * Tiers follow the retry-topic pattern of Uber and Spring Kafka: each tier holds jobs for a
 * fixed time, so within one tier partition release times ascend with offsets and a forwarder
 * never holds a record behind one that is due later than it.
 */

/** Share group of a queue's workers unless one is configured. */
export function queueGroup(queue: string): string {
  return `sharq.${queue}`;
}

/** The DLQ topic of a queue unless configured. */
export function defaultDeadLetterTopic(queue: string): string {
  return `dlq.${queue}`;
}

/** Delay tiers, shortest first: how long each one holds a job at most. */
export const DELAY_TIERS = [
  { label: '1s', ms: 1_000 },
  { label: '5s', ms: 5_000 },
  { label: '30s', ms: 30_000 },
  { label: '2m', ms: 120_000 },
  { label: '10m', ms: 600_000 },
  { label: '1h', ms: 3_600_000 },
] as const;
export type DelayTier = (typeof DELAY_TIERS)[number];

export function delayTierTopic(queue: string, tier: DelayTier): string {
  return `delay.${queue}.${tier.label}`;
}

export function delayTierTopics(queue: string): string[] {
  return DELAY_TIERS.map((t) => delayTierTopic(queue, t));
}

/** The tier for a job due in `remainingMs`: the longest tier that does not overshoot it. */
export function tierFor(remainingMs: number): DelayTier {
  let chosen: DelayTier = DELAY_TIERS[0];
  for (const t of DELAY_TIERS) if (t.ms <= remainingMs) chosen = t;
  return chosen;
}

/** The tier a topic name belongs to, or undefined when it is not a tier of `queue`. */
export function tierOfTopic(queue: string, topic: string): DelayTier | undefined {
  return DELAY_TIERS.find((t) => delayTierTopic(queue, t) === topic);
}

export function delayGroup(queue: string): string {
  return `sharq.delay.${queue}`;
}

/*
 * Operator state of a queue, one small topic each (1 partition), written by the admin API and
 * read by workers and the admin API:
 *
 *   sharq.control.<queue>     pause / resume records; the last one is the queue's state
 *   sharq.dlq-state.<queue>   the DLQ ledger: which DLQ records were redriven or discarded
 *                             (the DLQ itself is append-only)
 */

export function controlTopic(queue: string): string {
  return `sharq.control.${queue}`;
}

export function dlqStateTopic(queue: string): string {
  return `sharq.dlq-state.${queue}`;
}

/**
 * Whether a topic is a queue rather than one sharq derives from a queue (DLQ, delay tier,
 * control, ledger) or an internal topic of Kafka (`__consumer_offsets`, ...).
 */
export function isQueueTopic(topic: string): boolean {
  return derivedTopic(topic) === undefined;
}

/**
 * What a topic that is not a queue is, in words, or undefined for a queue name. Queue and
 * Worker refuse these names as queues, so the admin API can tell a queue from its DLQ: a queue
 * named `dlq.orders` would read as the DLQ of `orders`.
 */
export function derivedTopic(topic: string): string | undefined {
  const after = (prefix: string) => topic.slice(prefix.length);
  if (topic.startsWith('__')) return 'an internal topic of Kafka';
  if (topic.startsWith('dlq.')) return `the dead-letter topic of queue "${after('dlq.')}"`;
  if (topic.startsWith('delay.')) {
    const rest = after('delay.');
    const tier = DELAY_TIERS.find((t) => rest.endsWith(`.${t.label}`));
    return tier === undefined
      ? 'a delay tier name ("delay." begins those)'
      : `the ${tier.label} delay tier of queue "${rest.slice(0, -tier.label.length - 1)}"`;
  }
  if (topic.startsWith('sharq.control.'))
    return `the pause control topic of queue "${after('sharq.control.')}"`;
  if (topic.startsWith('sharq.dlq-state.'))
    return `the DLQ ledger of queue "${after('sharq.dlq-state.')}"`;
  if (topic.startsWith('sharq.')) return 'a name sharq keeps for itself ("sharq." begins those)';
  return undefined;
}

/**
 * A name for a queue: a valid topic name that is not one sharq derives from a queue or one of
 * Kafka's own. The message says why.
 */
export function queueNameProblem(name: string): string | undefined {
  const r = topicName.safeParse(name);
  if (!r.success) return r.error.issues[0]?.message ?? 'invalid';
  const derived = derivedTopic(name);
  if (derived !== undefined)
    return `that is ${derived}; a queue name may not begin with "dlq.", "delay.", "sharq." or "__"`;
  return undefined;
}
