import type { EmbeddedEngine } from '../../embedded/embedded-engine.js';
import type { Engine } from '../../engine/types.js';
import { SharqError } from '../../errors/sharq-error.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { topicName } from '../../options/parse.js';
import type { ProducerRegistry } from '../broker/producers.js';
import type { ServerLogger } from '../connection.js';
import type { TopicIds } from '../topic-ids.js';

/**
 * The embedded engine as the routes use it: the engine seam (admin, read, offsets, ...) and
 * `appendNow`, whose offsets are taken at the call, for Produce.
 */
export type BrokerEngine = Engine & Pick<EmbeddedEngine, 'appendNow'>;

/** What the broker routes of `sharq server` work with: the engine and the broker's own state. */
export interface BrokerContext {
  engine: BrokerEngine;
  topicIds: TopicIds;
  producers: ProducerRegistry;
  /** This broker, for Metadata, FindCoordinator and DescribeCluster. */
  node: { nodeId: number; host: string; port: number };
  clusterId: string;
  /** Partitions of an auto-created topic, and of CreateTopics with NumPartitions -1. */
  defaultPartitions: number;
  log: ServerLogger;
}

const E = KafkaErrors;

/** A Kafka error code and message for a failure of the engine. */
export function errorOf(err: unknown): { errorCode: number; errorMessage: string } {
  const errorMessage = err instanceof Error ? err.message : String(err);
  if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_TOPIC'))
    return { errorCode: E.UNKNOWN_TOPIC_OR_PARTITION, errorMessage };
  if (SharqError.is(err, 'SHARQ_ERR_TOPIC_EXISTS'))
    return { errorCode: E.TOPIC_ALREADY_EXISTS, errorMessage };
  if (SharqError.is(err, 'SHARQ_ERR_UNKNOWN_GROUP'))
    return { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage };
  if (SharqError.is(err, 'SHARQ_ERR_GROUP_NOT_EMPTY'))
    return { errorCode: E.NON_EMPTY_GROUP, errorMessage };
  if (SharqError.is(err, 'SHARQ_ERR_INVALID_ARGUMENT'))
    return { errorCode: E.INVALID_REQUEST, errorMessage };
  // Refused before anything is written, as Kafka refuses a batch over max.message.bytes: a
  // client must not take it for a write in doubt.
  if (SharqError.is(err, 'SHARQ_ERR_RECORD_TOO_LARGE'))
    return { errorCode: E.MESSAGE_TOO_LARGE, errorMessage };
  return { errorCode: E.UNKNOWN_SERVER_ERROR, errorMessage };
}

/** Why a topic name is not one the engine takes (Kafka's INVALID_TOPIC_EXCEPTION), or null. */
export function invalidTopicName(name: string): string | null {
  const r = topicName.safeParse(name);
  if (r.success) return null;
  return `Invalid topic name "${name}": ${r.error.issues[0]?.message ?? 'invalid'}`;
}

/** Every topic that exists, by name, with its partition count (admin requests, Metadata for all). */
export async function topicsByName(engine: Engine): Promise<Map<string, number>> {
  return new Map((await engine.admin.listTopics()).map((t) => [t.name, t.partitions]));
}

/** The zero UUID: "no topic id". */
export const NO_TOPIC_ID = '0'.repeat(32);
