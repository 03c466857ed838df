import { SharqError } from '../errors/sharq-error.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import type { Cluster } from './cluster.js';
import type { BrokerConnection } from './connection.js';
import { ListOffsetsV6 } from './protocol/client-apis.js';
import { KafkaErrors, kafkaError, LEADER_MOVED } from './protocol/error-codes.js';
import type { ListOffsetsResponse } from './protocol/schema/apis/list-offsets.js';

/*
 * Offsets of every partition of a topic by timestamp, over sharq's own connections: one
 * ListOffsets v6 request (protocol/client-apis.ts, from schema/apis/list-offsets.ts) per
 * partition leader, the leaders from a Metadata request naming this topic only. kafkajs asks
 * for the metadata of every topic it has seen, so one topic deleted by another process failed
 * its offset reads of every other topic until a restart; here a deleted topic fails only
 * its own reads, with SHARQ_ERR_UNKNOWN_TOPIC.
 *
 * ListOffsets Request => replica_id isolation_level [topics]
 *   topics => name [partitions]
 *     partitions => partition_index current_leader_epoch(v4+) timestamp
 * ListOffsets Response => throttle_time_ms [topics]
 *   topics => name [partitions]
 *     partitions => partition_index error_code timestamp offset leader_epoch(v4+)
 *
 * Timestamp -2 is the log start, -1 the log end (the high watermark under read_uncommitted, as
 * `read` sees the log); any other the first offset whose record is at or after it, or -1 when
 * there is none.
 */

export const EARLIEST_TIMESTAMP = -2;
export const LATEST_TIMESTAMP = -1;

export interface PartitionOffset {
  partition: number;
  /** -1 for a timestamp past the last record. */
  offset: number;
}

const READ_UNCOMMITTED = 0;
/** Rounds at most: a topic created a moment ago may have no leader yet, a leader may move. */
const ATTEMPTS = 6;

/** Errors after which the leaders are looked up again and the partitions asked again. */
const RETRY: ReadonlySet<number> = new Set([...LEADER_MOVED, KafkaErrors.OFFSET_NOT_AVAILABLE]);

/** The offset of `timestamp` in each partition of `topic`, by partition. */
export async function listOffsets(
  cluster: Cluster,
  topic: string,
  timestamp: number,
): Promise<PartitionOffset[]> {
  return (await listOffsetsAt(cluster, topic, [timestamp]))[0]!;
}

/**
 * The offsets of several timestamps (the log start and end, say) in each partition of `topic`,
 * one list per timestamp in their order: one Metadata lookup a round for all of them, and a
 * ListOffsets request per leader and timestamp (one request may not name a partition twice).
 */
export async function listOffsetsAt(
  cluster: Cluster,
  topic: string,
  timestamps: readonly number[],
): Promise<PartitionOffset[][]> {
  /** Per timestamp's index: partition → offset. */
  const done = timestamps.map(() => new Map<number, number>());
  let lastError: SharqError | undefined;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(backoffDelay(attempt - 1, { baseMs: 50, maxMs: 1000 }));
    const leaders = await leadersOf(cluster, topic);
    lastError =
      leaders.size === 0
        ? kafkaError(KafkaErrors.LEADER_NOT_AVAILABLE, 'the topic is being created', {
            api: 'Metadata',
            topic,
          })
        : undefined;
    /** One question per leader and timestamp: the partitions still without an answer. */
    const asks: { leaderId: number; at: number; partitions: number[] }[] = [];
    for (const [partition, leaderId] of leaders) {
      const open = timestamps.flatMap((_, at) => (done[at]!.has(partition) ? [] : [at]));
      if (open.length === 0) continue;
      if (leaderId < 0) {
        lastError = kafkaError(KafkaErrors.LEADER_NOT_AVAILABLE, 'the partition has no leader', {
          api: 'Metadata',
          topic,
          partition,
        });
        continue;
      }
      for (const at of open) {
        let ask = asks.find((a) => a.leaderId === leaderId && a.at === at);
        if (ask === undefined) {
          ask = { leaderId, at, partitions: [] };
          asks.push(ask);
        }
        ask.partitions.push(partition);
      }
    }
    const answers = await Promise.all(
      asks.map(async ({ leaderId, at, partitions }) => {
        try {
          const conn = await cluster.connectionTo(leaderId);
          const got = await askLeader(conn, topic, partitions, timestamps[at]!);
          return got.map((p) => ({ at, p }));
        } catch (err) {
          // A broken connection: ask again in the next round, while there is one.
          if (SharqError.is(err, 'SHARQ_ERR_CONNECTION') && !cluster.isClosed) {
            lastError = err;
            return [];
          }
          throw err;
        }
      }),
    );
    for (const { at, p } of answers.flat()) {
      if (p.errorCode === 0) done[at]!.set(p.partitionIndex, p.offset);
      else if (RETRY.has(p.errorCode))
        lastError = kafkaError(p.errorCode, null, {
          api: 'ListOffsets',
          topic,
          partition: p.partitionIndex,
        });
      else
        throw kafkaError(p.errorCode, null, {
          api: 'ListOffsets',
          topic,
          partition: p.partitionIndex,
        });
    }
    if (done.every((d) => d.size === leaders.size) && lastError === undefined) {
      return done.map((d) =>
        [...d]
          .map(([partition, offset]) => ({ partition, offset }))
          .sort((a, b) => a.partition - b.partition),
      );
    }
  }
  throw (
    lastError ??
    new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `ListOffsets answered no entry for some partitions of "${topic}"`,
      {
        details: { topic },
      },
    )
  );
}

/** Partition → leader id (-1 without one), from a fresh Metadata request naming only `topic`. */
async function leadersOf(cluster: Cluster, topic: string): Promise<Map<number, number>> {
  try {
    const t = await cluster.describeTopic(topic);
    return new Map(t.partitions.map((p) => [p.partition, p.leaderId]));
  } catch (err) {
    // Being created: no partitions yet, asked again in the next round.
    if (SharqError.is(err) && err.details.kafkaCode === KafkaErrors.LEADER_NOT_AVAILABLE) {
      return new Map();
    }
    throw err;
  }
}

async function askLeader(
  conn: BrokerConnection,
  topic: string,
  partitions: number[],
  timestamp: number,
): Promise<ListOffsetsResponse['topics'][number]['partitions']> {
  const res = await conn.send(ListOffsetsV6, {
    replicaId: -1,
    isolationLevel: READ_UNCOMMITTED,
    topics: [
      {
        name: topic,
        partitions: partitions.map((partitionIndex) => ({
          partitionIndex,
          currentLeaderEpoch: -1,
          timestamp,
        })),
      },
    ],
  });
  return res.topics.find((t) => t.name === topic)?.partitions ?? [];
}
