import type { ApiDef } from '../api.js';
import { Reader } from '../reader.js';
import { Writer } from '../writer.js';
import type { LeaderIdAndEpoch } from './share-fetch-v2.js';

/*
 * Fetch (key 1) v12, the first flexible version and the last that names topics (v13+ use topic
 * ids). Served by every Kafka 4.x broker (validVersions "4-18"). Schema: Apache Kafka 4.4
 * `common/message/FetchRequest.json` / `FetchResponse.json` (flexibleVersions "12+").
 *
 * Fetch Request (Version: 12) => replica_id max_wait_ms min_bytes max_bytes isolation_level
 *     session_id session_epoch [topics] [forgotten_topics_data] rack_id _tagged_fields
 *   (tag 0 cluster_id => COMPACT_NULLABLE_STRING   (taggedVersions 12+, default null: omitted
 *                                                   unless given))
 *   replica_id => INT32                            (-1 for a consumer; versions 0-14)
 *   max_wait_ms => INT32
 *   min_bytes => INT32
 *   max_bytes => INT32                             (default 0x7fffffff)
 *   isolation_level => INT8                        (0 read_uncommitted, 1 read_committed)
 *   session_id => INT32                            (0 with session_epoch -1: no fetch session)
 *   session_epoch => INT32
 *   topics => topic [partitions] _tagged_fields
 *     topic => COMPACT_STRING                      (versions 0-12)
 *     partitions => partition current_leader_epoch fetch_offset last_fetched_epoch
 *         log_start_offset partition_max_bytes _tagged_fields
 *       partition => INT32
 *       current_leader_epoch => INT32              (-1 = not checked)
 *       fetch_offset => INT64
 *       last_fetched_epoch => INT32                (versions 12+; -1 = none)
 *       log_start_offset => INT64                  (followers only; -1 for a consumer)
 *       partition_max_bytes => INT32
 *   forgotten_topics_data => topic [partitions] _tagged_fields
 *     topic => COMPACT_STRING                      (versions 7-12)
 *     partitions => INT32
 *   rack_id => COMPACT_STRING                      (versions 11+; default "")
 *
 * Fetch Response (Version: 12) => throttle_time_ms error_code session_id [responses]
 *     _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   session_id => INT32
 *   responses => topic [partitions] _tagged_fields
 *     topic => COMPACT_STRING                      (versions 0-12)
 *     partitions => partition_index error_code high_watermark last_stable_offset
 *         log_start_offset [aborted_transactions] preferred_read_replica records _tagged_fields
 *       partition_index => INT32
 *       error_code => INT16
 *       high_watermark => INT64
 *       last_stable_offset => INT64                (default -1)
 *       log_start_offset => INT64                  (default -1)
 *       aborted_transactions => producer_id first_offset _tagged_fields  (nullable COMPACT_ARRAY)
 *         producer_id => INT64
 *         first_offset => INT64
 *       preferred_read_replica => INT32            (versions 11+; -1 = read from the leader)
 *       records => COMPACT_RECORDS                 (nullable)
 *       (tag 0 diverging_epoch => epoch end_offset _tagged_fields
 *          epoch => INT32, end_offset => INT64)
 *       (tag 1 current_leader => leader_id leader_epoch _tagged_fields
 *          leader_id => INT32, leader_epoch => INT32)
 *       (tag 2 snapshot_id => end_offset epoch _tagged_fields
 *          end_offset => INT64, epoch => INT32)
 *   (tag 0 node_endpoints is versions 16+: a v12 response has none; unknown tags are skipped)
 *
 * Tagged fields travel in the struct's tagged-field section, whatever their place in the JSON
 * schema. A tagged field the broker left out reads as null here. The records are the raw bytes
 * of the response (a view, not a copy); decode them with `decodeRecordBatches`. A batch may start
 * before the fetch offset, and the last one may be cut short at the byte limits.
 */

/** IsolationLevel as the wire carries it. */
export const IsolationLevel = {
  ReadUncommitted: 0,
  ReadCommitted: 1,
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];

export interface FetchRequestPartition {
  partition: number;
  /** -1 skips the leader epoch check. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** -1 when no record was fetched before. */
  lastFetchedEpoch: number;
  /** Followers only; -1 for a consumer. */
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequestTopic {
  topic: string;
  partitions: FetchRequestPartition[];
}

export interface FetchForgottenTopic {
  topic: string;
  partitions: number[];
}

export interface FetchRequest {
  /** Tagged field 0; omitted from the request when undefined or null. */
  clusterId?: string | null;
  /** -1 for a consumer. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** 0 with sessionEpoch -1: a full fetch outside any fetch session. */
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestTopic[];
  forgottenTopicsData: FetchForgottenTopic[];
  rackId: string;
}

/** DivergingEpoch (tag 0). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

/** SnapshotId (tag 2). */
export interface SnapshotId {
  endOffset: number;
  epoch: number;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Tag 0; null when the broker did not send it. */
  divergingEpoch: EpochEndOffset | null;
  /** Tag 1; null when the broker did not send it. */
  currentLeader: LeaderIdAndEpoch | null;
  /** Tag 2; null when the broker did not send it. */
  snapshotId: SnapshotId | null;
  abortedTransactions: AbortedTransaction[] | null;
  preferredReadReplica: number;
  /** Raw record batches (v2 format), undecoded. */
  records: Buffer | null;
}

export interface FetchTopicResponse {
  topic: string;
  partitions: FetchPartitionData[];
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchTopicResponse[];
}

/** Tag numbers of the tagged fields of Fetch v12. */
const REQUEST_TAG_CLUSTER_ID = 0;
const TAG_DIVERGING_EPOCH = 0;
const TAG_CURRENT_LEADER = 1;
const TAG_SNAPSHOT_ID = 2;

/** Reads one tagged struct from its raw bytes: its fields, then its own tagged-field section. */
function readTaggedStruct<T>(data: Buffer, field: string, read: (r: Reader) => T): T {
  const r = new Reader(data, 0, `Fetch v12 response ${field}`);
  const v = read(r);
  r.tags();
  return v;
}

export const FetchV12: ApiDef<FetchRequest, FetchResponse> = {
  name: 'Fetch',
  apiKey: 1,
  version: 12,
  flexible: true,

  encode(w, req) {
    w.int32(req.replicaId)
      .int32(req.maxWaitMs)
      .int32(req.minBytes)
      .int32(req.maxBytes)
      .int8(req.isolationLevel)
      .int32(req.sessionId)
      .int32(req.sessionEpoch);
    w.compactArray(req.topics, (w, t) => {
      w.compactString(t.topic);
      w.compactArray(t.partitions, (w, p) => {
        w.int32(p.partition)
          .int32(p.currentLeaderEpoch)
          .int64(p.fetchOffset)
          .int32(p.lastFetchedEpoch)
          .int64(p.logStartOffset)
          .int32(p.partitionMaxBytes)
          .tags();
      });
      w.tags();
    });
    w.compactArray(req.forgottenTopicsData, (w, t) => {
      w.compactString(t.topic);
      w.compactArray(t.partitions, (w, p) => w.int32(p));
      w.tags();
    });
    w.compactString(req.rackId);
    if (req.clusterId === undefined || req.clusterId === null) {
      w.tags();
    } else {
      const data = new Writer(32).compactString(req.clusterId).toBuffer();
      w.tags([{ tag: REQUEST_TAG_CLUSTER_ID, data }]);
    }
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const sessionId = r.int32();
    const responses = r.requiredCompactArray((t): FetchTopicResponse => {
      const topic = t.requiredCompactString();
      const partitions = t.requiredCompactArray((p): FetchPartitionData => {
        const partitionIndex = p.int32();
        const errorCode = p.int16();
        const highWatermark = p.int64();
        const lastStableOffset = p.int64();
        const logStartOffset = p.int64();
        const abortedTransactions = p.compactArray((a): AbortedTransaction => {
          const txn = { producerId: a.int64(), firstOffset: a.int64() };
          a.tags();
          return txn;
        });
        const preferredReadReplica = p.int32();
        const records = p.compactBytes();
        const tags = p.tags();
        const diverging = tags.get(TAG_DIVERGING_EPOCH);
        const leader = tags.get(TAG_CURRENT_LEADER);
        const snapshot = tags.get(TAG_SNAPSHOT_ID);
        return {
          partitionIndex,
          errorCode,
          highWatermark,
          lastStableOffset,
          logStartOffset,
          divergingEpoch:
            diverging === undefined
              ? null
              : readTaggedStruct(diverging, 'DivergingEpoch', (d) => ({
                  epoch: d.int32(),
                  endOffset: d.int64(),
                })),
          currentLeader:
            leader === undefined
              ? null
              : readTaggedStruct(leader, 'CurrentLeader', (l) => ({
                  leaderId: l.int32(),
                  leaderEpoch: l.int32(),
                })),
          snapshotId:
            snapshot === undefined
              ? null
              : readTaggedStruct(snapshot, 'SnapshotId', (s) => ({
                  endOffset: s.int64(),
                  epoch: s.int32(),
                })),
          abortedTransactions,
          preferredReadReplica,
          records,
        };
      });
      t.tags();
      return { topic, partitions };
    });
    r.tags();
    return { throttleTimeMs, errorCode, sessionId, responses };
  },
};
