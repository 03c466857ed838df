import type { PartitionOffsets, StoredRecord } from '../../engine/types.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { encodeRecordBatch } from '../../kafka/protocol/record-batch.js';
import { Fetch, type FetchResponse } from '../../kafka/protocol/schema/apis/fetch.js';
import {
  ListOffsets,
  type ListOffsetsResponse,
} from '../../kafka/protocol/schema/apis/list-offsets.js';
import type { ApiRoute } from '../connection.js';
import { type BrokerContext, errorOf } from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

type PartitionData = FetchResponse['responses'][number]['partitions'][number];
type ListOffsetsAnswer = ListOffsetsResponse['topics'][number]['partitions'][number];

/** Records read from the engine at a time while filling a partition's byte budget. */
const READ_CHUNK = 500;
/** The longest an empty fetch waits for records (a client's MaxWaitMs is capped to it). */
const MAX_WAIT_MS = 500;
const WAIT_STEP_MS = 20;
/** Rough bytes of a record besides key, value and headers, for the byte budget. */
const RECORD_OVERHEAD = 20;

/**
 * Fetch (v4-12) and ListOffsets (v0-7): reads by offset. The high watermark and last stable
 * offset are the log end (every write is committed on a single node); records go out as v2
 * batches, one per run of consecutive offsets, within PartitionMaxBytes and MaxBytes (at least
 * one record when nothing else is in the answer, as Kafka does since KIP-74). Fetch sessions are
 * not kept: every answer has SessionId 0, so clients keep sending full fetches. An empty fetch
 * waits briefly (up to MaxWaitMs, at most half a second) for records.
 */
export function fetchRoutes(ctx: BrokerContext): ApiRoute[] {
  const fetch = schemaRoute(Fetch, async (req, _version, rctx) => {
    if (req.sessionId !== 0 && req.sessionEpoch > 0) {
      return {
        throttleTimeMs: 0,
        errorCode: E.FETCH_SESSION_ID_NOT_FOUND,
        sessionId: 0,
        responses: [],
      };
    }
    const deadline = Date.now() + Math.min(Math.max(req.maxWaitMs, 0), MAX_WAIT_MS);
    for (;;) {
      const answer = await fetchOnce(req);
      const done =
        answer.bytes > 0 ||
        answer.bytes >= req.minBytes ||
        answer.errors ||
        Date.now() >= deadline ||
        rctx.signal.aborted;
      if (done)
        return { throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: answer.responses };
      await new Promise((r) => setTimeout(r, WAIT_STEP_MS));
    }
  });

  async function fetchOnce(req: {
    maxBytes: number;
    topics: {
      topic: string;
      partitions: { partition: number; fetchOffset: number; partitionMaxBytes: number }[];
    }[];
  }): Promise<{
    responses: { topic: string; partitions: PartitionData[] }[];
    bytes: number;
    errors: boolean;
  }> {
    let budget = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
    let bytes = 0;
    let errors = false;
    const responses: { topic: string; partitions: PartitionData[] }[] = [];
    for (const t of req.topics) {
      // A topic that does not exist (or cannot be read) has no offsets: its partitions are unknown.
      const offsets: PartitionOffsets[] | undefined = await ctx.engine.admin
        .offsets(t.topic)
        .catch(() => undefined);
      const partitions: PartitionData[] = [];
      for (const p of t.partitions) {
        const o = offsets?.[p.partition];
        const answer = (errorCode: number, records: Buffer | null): PartitionData => ({
          partitionIndex: p.partition,
          errorCode,
          highWatermark: o?.logEndOffset ?? -1,
          lastStableOffset: o?.logEndOffset ?? -1,
          logStartOffset: o?.logStartOffset ?? -1,
          divergingEpoch: { epoch: -1, endOffset: -1 },
          currentLeader: { leaderId: -1, leaderEpoch: -1 },
          snapshotId: { endOffset: -1, epoch: -1 },
          abortedTransactions: [],
          preferredReadReplica: -1,
          records,
        });
        if (o === undefined) {
          errors = true;
          partitions.push(answer(E.UNKNOWN_TOPIC_OR_PARTITION, null));
          continue;
        }
        if (p.fetchOffset < o.logStartOffset || p.fetchOffset > o.logEndOffset) {
          errors = true;
          partitions.push(answer(E.OFFSET_OUT_OF_RANGE, null));
          continue;
        }
        const limit = Math.min(p.partitionMaxBytes, budget);
        let records: Buffer;
        try {
          records = await readBatches(
            t.topic,
            p.partition,
            p.fetchOffset,
            o.logEndOffset,
            limit,
            bytes === 0,
          );
        } catch (err) {
          errors = true;
          partitions.push(answer(errorOf(err).errorCode, null));
          continue;
        }
        budget -= records.length;
        bytes += records.length;
        partitions.push(answer(0, records));
      }
      responses.push({ topic: t.topic, partitions });
    }
    return { responses, bytes, errors };
  }

  /** Records from `from` as v2 batches, one per run of consecutive offsets, within `limit` bytes. */
  async function readBatches(
    topic: string,
    partition: number,
    from: number,
    end: number,
    limit: number,
    atLeastOne: boolean,
  ): Promise<Buffer> {
    const out: Buffer[] = [];
    let used = 0;
    let next = from;
    let run: StoredRecord[] = [];
    const flush = () => {
      if (run.length === 0) return;
      out.push(
        encodeRecordBatch(
          run.map((r) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp,
          })),
          { baseOffset: run[0]!.offset, partitionLeaderEpoch: 0 },
        ),
      );
      run = [];
    };
    outer: while (next < end) {
      const chunk = await ctx.engine.read(topic, partition, next, READ_CHUNK);
      if (chunk.length === 0) break;
      for (const r of chunk) {
        const size = recordSize(r);
        const first = out.length === 0 && run.length === 0;
        if (used + size > limit && !(first && atLeastOne)) break outer;
        const last = run.at(-1);
        if (last !== undefined && last.offset + 1 !== r.offset) flush();
        run.push(r);
        used += size;
        next = r.offset + 1;
      }
    }
    flush();
    return Buffer.concat(out);
  }

  const listOffsets = schemaRoute(ListOffsets, async (req, version) => {
    const topics = [];
    for (const t of req.topics) {
      // A topic that does not exist (or cannot be read) has no offsets: its partitions are unknown.
      const offsets: PartitionOffsets[] | undefined = await ctx.engine.admin
        .offsets(t.name)
        .catch(() => undefined);
      const partitions: ListOffsetsAnswer[] = [];
      for (const p of t.partitions) {
        const answer = (
          errorCode: number,
          timestamp: number,
          offset: number,
        ): ListOffsetsAnswer => ({
          partitionIndex: p.partitionIndex,
          errorCode,
          oldStyleOffsets: version === 0 && offset >= 0 ? [offset] : [],
          timestamp: version === 0 ? -1 : timestamp,
          offset: version === 0 ? -1 : offset,
          leaderEpoch: version >= 4 && errorCode === 0 ? 0 : -1,
        });
        const o = offsets?.[p.partitionIndex];
        if (o === undefined) {
          partitions.push(answer(E.UNKNOWN_TOPIC_OR_PARTITION, -1, -1));
          continue;
        }
        try {
          if (p.timestamp === -1) partitions.push(answer(0, -1, o.logEndOffset));
          else if (p.timestamp === -2) partitions.push(answer(0, -1, o.logStartOffset));
          else if (p.timestamp === -3) {
            const found = await maxTimestamp(t.name, p.partitionIndex, o);
            partitions.push(answer(0, found?.timestamp ?? -1, found?.offset ?? -1));
          } else if (p.timestamp < 0) {
            partitions.push(answer(E.INVALID_REQUEST, -1, -1));
          } else {
            const found = await firstAtOrAfter(t.name, p.partitionIndex, o, p.timestamp);
            partitions.push(answer(0, found?.timestamp ?? -1, found?.offset ?? -1));
          }
        } catch (err) {
          partitions.push(answer(errorOf(err).errorCode, -1, -1));
        }
      }
      topics.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  });

  /** The first record whose timestamp is at or after `ts` (a scan: timestamps need not rise). */
  async function firstAtOrAfter(
    topic: string,
    partition: number,
    o: PartitionOffsets,
    ts: number,
  ): Promise<StoredRecord | undefined> {
    let next = o.logStartOffset;
    while (next < o.logEndOffset) {
      const chunk = await ctx.engine.read(topic, partition, next, READ_CHUNK * 4);
      if (chunk.length === 0) return undefined;
      for (const r of chunk) if (r.timestamp >= ts) return r;
      next = chunk.at(-1)!.offset + 1;
    }
    return undefined;
  }

  /** The record with the largest timestamp (the first of equals), for timestamp -3. */
  async function maxTimestamp(
    topic: string,
    partition: number,
    o: PartitionOffsets,
  ): Promise<StoredRecord | undefined> {
    let best: StoredRecord | undefined;
    let next = o.logStartOffset;
    while (next < o.logEndOffset) {
      const chunk = await ctx.engine.read(topic, partition, next, READ_CHUNK * 4);
      if (chunk.length === 0) break;
      for (const r of chunk) if (best === undefined || r.timestamp > best.timestamp) best = r;
      next = chunk.at(-1)!.offset + 1;
    }
    return best;
  }

  return [fetch, listOffsets];
}

function recordSize(r: StoredRecord): number {
  let n = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [k, v] of Object.entries(r.headers)) n += k.length + v.length + 2;
  return n;
}
