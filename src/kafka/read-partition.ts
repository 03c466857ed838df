import { SharqError } from '../errors/sharq-error.js';
import type { Cluster } from './cluster.js';
import type { BrokerConnection } from './connection.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP } from './list-offsets.js';
import { FetchV12, ListOffsetsV6 } from './protocol/client-apis.js';
import { KafkaErrors, kafkaError, LEADER_MOVED } from './protocol/error-codes.js';
import { decodeRecordBatches, type KafkaRecord } from './protocol/record-batch.js';
import { type FetchResponse, IsolationLevel } from './protocol/schema/apis/fetch.js';

type FetchPartitionData = FetchResponse['responses'][number]['partitions'][number];

/*
 * Reads records of one partition by offset, for browsing (the engine's `read`): Fetch v12 to the
 * partition leader, outside any fetch session and consumer group, read_uncommitted. Nothing is
 * acquired, committed or waited for (MaxWaitMs 0 unless asked).
 *
 * The range a read may start from is [logStartOffset, highWatermark]; starting at the high
 * watermark gives no records, like the embedded engine at its log end. A broker answers an
 * offset outside it with OFFSET_OUT_OF_RANGE and no offsets (-1), so the range named in the error
 * is looked up with ListOffsets (earliest and latest).
 */

export interface ReadPartitionOptions {
  /** MaxWaitMs of each Fetch. Default 0: answer at once with what the log holds. */
  maxWaitMs?: number;
  /** MaxBytes (and PartitionMaxBytes) of each Fetch. Default 1 MiB; the broker still returns a
   * first batch larger than this whole. */
  maxBytes?: number;
}

export interface ReadPartitionResult {
  /** Data records from fromOffset on, in offset order, at most maxRecords. */
  records: KafkaRecord[];
  /** As of the last Fetch. */
  logStartOffset: number;
  /** As of the last Fetch: reads end here. */
  highWatermark: number;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const MAX_INT32 = 0x7fffffff;
/** Fetches per read at most (each up to maxBytes); a read that needs more returns fewer records. */
const MAX_FETCHES = 32;
/** Added to MaxWaitMs for the request timeout of a waiting Fetch. */
const FETCH_TIMEOUT_SLACK_MS = 30_000;

const EMPTY = Buffer.alloc(0);

interface ReadContext {
  cluster: Cluster;
  topic: string;
  partition: number;
  maxWaitMs: number;
  maxBytes: number;
}

/**
 * Up to `maxRecords` records of `topic`/`partition` from `fromOffset` on. Throws SharqError:
 * SHARQ_ERR_OFFSET_OUT_OF_RANGE when fromOffset is outside [logStartOffset, highWatermark] (the
 * message names the range), SHARQ_ERR_UNKNOWN_TOPIC for a topic or partition the cluster does not
 * have, SHARQ_ERR_INVALID_ARGUMENT for a bad maxRecords or option, SHARQ_ERR_KAFKA for other
 * broker errors, and the connection's errors.
 */
export async function readPartition(
  cluster: Cluster,
  topic: string,
  partition: number,
  fromOffset: number,
  maxRecords: number,
  opts: ReadPartitionOptions = {},
): Promise<ReadPartitionResult> {
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 0) {
    throw invalidArgument('maxRecords must be a non-negative integer', { maxRecords });
  }
  const maxWaitMs = opts.maxWaitMs ?? 0;
  if (!Number.isInteger(maxWaitMs) || maxWaitMs < 0 || maxWaitMs > MAX_INT32) {
    throw invalidArgument('maxWaitMs must be a non-negative integer', { maxWaitMs });
  }
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw invalidArgument('maxBytes must be a positive integer', { maxBytes });
  }
  if (!Number.isInteger(partition) || partition < 0 || partition > MAX_INT32) {
    throw unknownPartition(topic, partition);
  }
  const ctx: ReadContext = {
    cluster,
    topic,
    partition,
    maxWaitMs,
    maxBytes: Math.min(maxBytes, MAX_INT32),
  };
  if (!Number.isSafeInteger(fromOffset) || fromOffset < 0) {
    throw await outOfRangeError(ctx, fromOffset);
  }

  const records: KafkaRecord[] = [];
  let next = fromOffset;
  let logStartOffset = -1;
  let highWatermark = -1;
  for (let round = 0; round < MAX_FETCHES; round++) {
    const p = await fetchPartition(ctx, next);
    if (p.errorCode === KafkaErrors.OFFSET_OUT_OF_RANGE) {
      // Retention may delete what a later round was about to read: keep what was read.
      if (round > 0) break;
      throw await outOfRangeError(ctx, fromOffset);
    }
    if (p.errorCode !== 0) throw partitionError(ctx, p.errorCode);
    logStartOffset = p.logStartOffset;
    highWatermark = p.highWatermark;
    if (round === 0 && (fromOffset < logStartOffset || fromOffset > highWatermark)) {
      throw await outOfRangeError(ctx, fromOffset, { logStartOffset, highWatermark });
    }
    if (maxRecords === 0 || next >= highWatermark) break;

    const decoded = decodeRecordBatches(p.records ?? EMPTY);
    // The first batch may start before `next` (batches are returned whole); control batches
    // hold no records but still move the position past their offsets.
    let end = next;
    for (const batch of decoded.batches) end = Math.max(end, batch.lastOffset + 1);
    for (const record of decoded.records) {
      if (records.length >= maxRecords) break;
      if (record.offset >= next && record.offset < highWatermark) records.push(record);
    }
    if (records.length >= maxRecords || end <= next || end >= highWatermark) break;
    next = end;
  }
  return { records, logStartOffset, highWatermark };
}

/**
 * One Fetch of one partition from its leader. A leader that moved (or a topic the cached metadata
 * no longer matches) costs one metadata refresh and one retry; a broken connection one retry.
 */
async function fetchPartition(ctx: ReadContext, offset: number): Promise<FetchPartitionData> {
  for (let attempt = 0; ; attempt++) {
    const last = attempt > 0;
    const { topicId, leaderId } = await leaderOf(ctx, last);
    let p: FetchPartitionData;
    try {
      const conn = await ctx.cluster.connectionTo(leaderId);
      p = await sendFetch(ctx, conn, offset);
    } catch (err) {
      if (!last && SharqError.is(err, 'SHARQ_ERR_CONNECTION') && !ctx.cluster.isClosed) continue;
      throw err;
    }
    if (p.currentLeader !== null && p.currentLeader.leaderId >= 0) {
      ctx.cluster.updateLeader(
        topicId,
        ctx.partition,
        p.currentLeader.leaderId,
        p.currentLeader.leaderEpoch,
      );
    }
    if (!last && LEADER_MOVED.has(p.errorCode)) continue;
    return p;
  }
}

async function sendFetch(
  ctx: ReadContext,
  conn: BrokerConnection,
  offset: number,
): Promise<FetchPartitionData> {
  const res = await conn.send(
    FetchV12,
    {
      replicaId: -1,
      maxWaitMs: ctx.maxWaitMs,
      minBytes: ctx.maxWaitMs > 0 ? 1 : 0,
      maxBytes: ctx.maxBytes,
      isolationLevel: IsolationLevel.ReadUncommitted,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: ctx.topic,
          partitions: [
            {
              partition: ctx.partition,
              currentLeaderEpoch: -1,
              fetchOffset: offset,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: ctx.maxBytes,
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    },
    ctx.maxWaitMs > 0 ? { timeoutMs: ctx.maxWaitMs + FETCH_TIMEOUT_SLACK_MS } : {},
  );
  if (res.errorCode !== 0) {
    throw kafkaError(res.errorCode, null, {
      api: 'Fetch',
      topic: ctx.topic,
      partition: ctx.partition,
    });
  }
  const p = res.responses
    .find((t) => t.topic === ctx.topic)
    ?.partitions.find((x) => x.partitionIndex === ctx.partition);
  if (p === undefined) {
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `Fetch response has no entry for ${ctx.topic} partition ${ctx.partition}`,
      { details: { topic: ctx.topic, partition: ctx.partition } },
    );
  }
  return p;
}

/** The partition's topic id and leader: cached, or from a Metadata request when unknown or `refresh`. */
async function leaderOf(
  ctx: ReadContext,
  refresh: boolean,
): Promise<{ topicId: string; leaderId: number }> {
  const { cluster, topic, partition } = ctx;
  if (!refresh) {
    const topicId = cluster.topicId(topic);
    const leader = topicId === undefined ? undefined : cluster.leader(topicId, partition);
    if (topicId !== undefined && leader !== undefined && leader.leaderId >= 0) {
      return { topicId, leaderId: leader.leaderId };
    }
  }
  const t = await cluster.describeTopic(topic);
  const p = t.partitions.find((x) => x.partition === partition);
  if (p === undefined) throw unknownPartition(topic, partition, t.partitions.length);
  if (p.leaderId < 0) {
    throw kafkaError(
      p.errorCode === 0 ? KafkaErrors.LEADER_NOT_AVAILABLE : p.errorCode,
      'the partition has no leader',
      { api: 'Metadata', topic, partition },
    );
  }
  return { topicId: t.topicId, leaderId: p.leaderId };
}

function partitionError(ctx: ReadContext, code: number): SharqError {
  if (code === KafkaErrors.UNKNOWN_TOPIC_OR_PARTITION) {
    // Still unknown after a metadata refresh: the topic was deleted under us.
    return new SharqError(
      'SHARQ_ERR_UNKNOWN_TOPIC',
      `Topic "${ctx.topic}" has no partition ${ctx.partition}`,
      {
        cause: kafkaError(code, null, { api: 'Fetch', topic: ctx.topic, partition: ctx.partition }),
        details: { topic: ctx.topic, partition: ctx.partition },
      },
    );
  }
  return kafkaError(code, null, { api: 'Fetch', topic: ctx.topic, partition: ctx.partition });
}

/**
 * SHARQ_ERR_OFFSET_OUT_OF_RANGE naming [logStartOffset, highWatermark]: the range given, else
 * the one ListOffsets reports now (a failed lookup leaves it out of the message).
 */
async function outOfRangeError(
  ctx: ReadContext,
  offset: number,
  known?: { logStartOffset: number; highWatermark: number },
): Promise<SharqError> {
  let range = known;
  let lookupError: unknown;
  if (range === undefined) {
    try {
      range = await listRange(ctx);
    } catch (err) {
      lookupError = err;
    }
  }
  const where = `topic "${ctx.topic}" partition ${ctx.partition}`;
  if (range === undefined) {
    return new SharqError(
      'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is outside the log of ${where} (its range could not be read)`,
      {
        cause: lookupError,
        details: { topic: ctx.topic, partition: ctx.partition, offset },
      },
    );
  }
  return new SharqError(
    'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
    `Offset ${offset} is outside [${range.logStartOffset}, ${range.highWatermark}] of ${where}`,
    {
      details: {
        topic: ctx.topic,
        partition: ctx.partition,
        offset,
        logStartOffset: range.logStartOffset,
        logEndOffset: range.highWatermark,
      },
    },
  );
}

// ListOffsets, for the range of an out-of-range read only ----------------------------------------

async function listRange(
  ctx: ReadContext,
): Promise<{ logStartOffset: number; highWatermark: number }> {
  const { leaderId } = await leaderOf(ctx, false);
  const conn = await ctx.cluster.connectionTo(leaderId);
  const [earliest, latest] = await Promise.all(
    [EARLIEST_TIMESTAMP, LATEST_TIMESTAMP].map(async (timestamp) => {
      const answer = await conn.send(ListOffsetsV6, {
        replicaId: -1,
        isolationLevel: IsolationLevel.ReadUncommitted,
        topics: [
          {
            name: ctx.topic,
            partitions: [{ partitionIndex: ctx.partition, currentLeaderEpoch: -1, timestamp }],
          },
        ],
      });
      const res = answer.topics[0]?.partitions[0];
      if (res === undefined) {
        throw new SharqError('SHARQ_ERR_PROTOCOL', 'ListOffsets response has no partition entry');
      }
      if (res.errorCode !== 0) {
        throw kafkaError(res.errorCode, null, {
          api: 'ListOffsets',
          topic: ctx.topic,
          partition: ctx.partition,
        });
      }
      return res.offset;
    }),
  );
  return { logStartOffset: earliest!, highWatermark: latest! };
}

function unknownPartition(topic: string, partition: number, partitions?: number): SharqError {
  return new SharqError(
    'SHARQ_ERR_UNKNOWN_TOPIC',
    `Topic "${topic}" has no partition ${partition}`,
    {
      details: partitions === undefined ? { topic, partition } : { topic, partition, partitions },
    },
  );
}

function invalidArgument(message: string, details: Record<string, unknown>): SharqError {
  return new SharqError('SHARQ_ERR_INVALID_ARGUMENT', message, { details });
}
