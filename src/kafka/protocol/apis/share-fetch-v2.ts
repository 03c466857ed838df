import type { ApiDef } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/*
 * Why this hand-written codec stays beside the schema's definition (../schema/apis/share-fetch.ts, which
 * the server uses): it is on the job loop, every poll or acknowledgement, and the schema codec
 * measured slower there (bench/share-codec.ts, best of 7 rounds on a shared 2-core machine:
 * ShareFetch request encode 25.5 vs 31.6 µs, response decode 14.4 vs 18.5 µs; ShareAcknowledge
 * request encode 25.6 vs 31.5 µs, response decode 0.73 vs 0.95 µs). The client-agreement test
 * (test/unit/kafka/schema/client-agreement.test.ts) holds the two to the same bytes and fields,
 * so they cannot drift apart. Rerun the bench after a change to either.
 */

/*
 * ShareFetch (key 78) v2, Kafka 4.2+ (KIP-932, KIP-1206 acquire mode, KIP-1222 renew). Flexible
 * in every version (request header v2, response header v1). Schema: Apache Kafka 4.4
 * `common/message/ShareFetchRequest.json` / `ShareFetchResponse.json` (validVersions "1-2",
 * flexibleVersions "0+"). No field of either message is tagged; every struct ends with an empty
 * tagged-field section.
 *
 * ShareFetch Request (Version: 2) => group_id member_id share_session_epoch max_wait_ms min_bytes
 *     max_bytes max_records batch_size share_acquire_mode is_renew_ack [topics]
 *     [forgotten_topics_data] _tagged_fields
 *   group_id => COMPACT_NULLABLE_STRING            (versions 0+, nullable 0+)
 *   member_id => COMPACT_NULLABLE_STRING           (versions 0+, nullable 0+)
 *   share_session_epoch => INT32                   (0 opens, -1 closes, else +1 per request)
 *   max_wait_ms => INT32
 *   min_bytes => INT32
 *   max_bytes => INT32                             (default 0x7fffffff)
 *   max_records => INT32                           (versions 1+)
 *   batch_size => INT32                            (versions 1+)
 *   share_acquire_mode => INT8                     (versions 2+; 0 batch_optimized, 1 record_limit)
 *   is_renew_ack => BOOLEAN                        (versions 2+; default false)
 *   topics => topic_id [partitions] _tagged_fields
 *     topic_id => UUID
 *     partitions => partition_index [acknowledgement_batches] _tagged_fields
 *       partition_index => INT32
 *       (partition_max_bytes => INT32 is version 0 only: absent in v2)
 *       acknowledgement_batches => first_offset last_offset [acknowledge_types] _tagged_fields
 *         first_offset => INT64
 *         last_offset => INT64                     (inclusive)
 *         acknowledge_types => INT8                (0 Gap, 1 Accept, 2 Release, 3 Reject, 4 Renew)
 *   forgotten_topics_data => topic_id [partitions] _tagged_fields
 *     topic_id => UUID
 *     partitions => INT32
 *
 * ShareFetch Response (Version: 2) => throttle_time_ms error_code error_message
 *     acquisition_lock_timeout_ms [responses] [node_endpoints] _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   error_message => COMPACT_NULLABLE_STRING
 *   acquisition_lock_timeout_ms => INT32           (versions 1+)
 *   responses => topic_id [partitions] _tagged_fields
 *     topic_id => UUID
 *     partitions => partition_index error_code error_message acknowledge_error_code
 *         acknowledge_error_message current_leader records [acquired_records] _tagged_fields
 *       partition_index => INT32
 *       error_code => INT16
 *       error_message => COMPACT_NULLABLE_STRING
 *       acknowledge_error_code => INT16
 *       acknowledge_error_message => COMPACT_NULLABLE_STRING
 *       current_leader => leader_id leader_epoch _tagged_fields
 *         leader_id => INT32
 *         leader_epoch => INT32
 *       records => COMPACT_RECORDS                 (nullableVersions "0": not nullable in v2;
 *                                                   a null is still accepted when reading)
 *       acquired_records => first_offset last_offset delivery_count _tagged_fields
 *         first_offset => INT64
 *         last_offset => INT64
 *         delivery_count => INT16
 *   node_endpoints => node_id host port rack _tagged_fields
 *     node_id => INT32
 *     host => COMPACT_STRING
 *     port => INT32
 *     rack => COMPACT_NULLABLE_STRING
 *
 * The records are returned as the raw bytes of the response (a view, not a copy); decode them
 * with `decodeRecordBatches` from `../record-batch.js`. They may hold offsets outside
 * `acquiredRecords`: only acquired offsets are this member's.
 */

/* AcknowledgeTypes entries carry the values of `AckType` (src/engine/types.ts): 0 Gap, 1 Accept,
   2 Release, 3 Reject, 4 Renew. */

/** ShareAcquireMode (v2+). */
export const ShareAcquireMode = {
  /** Acquire whole producer batches; may exceed MaxRecords (the Java client's default). */
  BatchOptimized: 0,
  /** Never acquire more than MaxRecords (KIP-1206). */
  RecordLimit: 1,
} as const;
export type ShareAcquireMode = (typeof ShareAcquireMode)[keyof typeof ShareAcquireMode];

/** One acknowledgement range: one type for the whole range, or one per offset. */
export interface AcknowledgementBatch {
  firstOffset: number;
  /** Inclusive. */
  lastOffset: number;
  acknowledgeTypes: number[];
}

export interface ShareFetchRequestPartition {
  partitionIndex: number;
  acknowledgementBatches: AcknowledgementBatch[];
}

export interface ShareFetchRequestTopic {
  /** 32 lowercase hex digits. */
  topicId: string;
  partitions: ShareFetchRequestPartition[];
}

export interface ForgottenTopic {
  topicId: string;
  partitions: number[];
}

export interface ShareFetchRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  batchSize: number;
  shareAcquireMode: number;
  /** Set when any batch carries Renew; then MaxWaitMs, MinBytes, MaxBytes and MaxRecords must be 0. */
  isRenewAck: boolean;
  topics: ShareFetchRequestTopic[];
  forgottenTopicsData: ForgottenTopic[];
}

export interface LeaderIdAndEpoch {
  /** -1 when unknown. */
  leaderId: number;
  leaderEpoch: number;
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface AcquiredRecords {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
}

export interface ShareFetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  currentLeader: LeaderIdAndEpoch;
  /** Raw record batches (v2 format), undecoded; null only if a broker sent null. */
  records: Buffer | null;
  acquiredRecords: AcquiredRecords[];
}

export interface ShareFetchTopicResponse {
  topicId: string;
  partitions: ShareFetchPartitionData[];
}

export interface ShareFetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: ShareFetchTopicResponse[];
  nodeEndpoints: NodeEndpoint[];
}

/** Writes AcknowledgementBatches (shared by ShareFetch and ShareAcknowledge). */
export function writeAcknowledgementBatches(
  w: Writer,
  batches: readonly AcknowledgementBatch[],
): void {
  w.compactArray(batches, (w, b) => {
    w.int64(b.firstOffset).int64(b.lastOffset);
    w.compactArray(b.acknowledgeTypes, (w, t) => w.int8(t));
    w.tags();
  });
}

/** Reads CurrentLeader (LeaderIdAndEpoch struct). */
export function readLeaderIdAndEpoch(r: Reader): LeaderIdAndEpoch {
  const leader = { leaderId: r.int32(), leaderEpoch: r.int32() };
  r.tags();
  return leader;
}

/** Reads NodeEndpoints (shared by ShareFetch and ShareAcknowledge responses). */
export function readNodeEndpoints(r: Reader): NodeEndpoint[] {
  return r.requiredCompactArray((e) => {
    const endpoint: NodeEndpoint = {
      nodeId: e.int32(),
      host: e.requiredCompactString(),
      port: e.int32(),
      rack: e.compactString(),
    };
    e.tags();
    return endpoint;
  });
}

export const ShareFetchV2: ApiDef<ShareFetchRequest, ShareFetchResponse> = {
  name: 'ShareFetch',
  apiKey: 78,
  version: 2,
  flexible: true,

  encode(w, req) {
    w.compactString(req.groupId)
      .compactString(req.memberId)
      .int32(req.shareSessionEpoch)
      .int32(req.maxWaitMs)
      .int32(req.minBytes)
      .int32(req.maxBytes)
      .int32(req.maxRecords)
      .int32(req.batchSize)
      .int8(req.shareAcquireMode)
      .bool(req.isRenewAck);
    w.compactArray(req.topics, (w, t) => {
      w.uuid(t.topicId);
      w.compactArray(t.partitions, (w, p) => {
        w.int32(p.partitionIndex);
        writeAcknowledgementBatches(w, p.acknowledgementBatches);
        w.tags();
      });
      w.tags();
    });
    w.compactArray(req.forgottenTopicsData, (w, t) => {
      w.uuid(t.topicId);
      w.compactArray(t.partitions, (w, p) => w.int32(p));
      w.tags();
    });
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    const acquisitionLockTimeoutMs = r.int32();
    const responses = r.requiredCompactArray((t): ShareFetchTopicResponse => {
      const topicId = t.uuid();
      const partitions = t.requiredCompactArray((p): ShareFetchPartitionData => {
        const partitionIndex = p.int32();
        const errorCode = p.int16();
        const errorMessage = p.compactString();
        const acknowledgeErrorCode = p.int16();
        const acknowledgeErrorMessage = p.compactString();
        const currentLeader = readLeaderIdAndEpoch(p);
        const records = p.compactBytes();
        const acquiredRecords = p.requiredCompactArray((a): AcquiredRecords => {
          const range = { firstOffset: a.int64(), lastOffset: a.int64(), deliveryCount: a.int16() };
          a.tags();
          return range;
        });
        p.tags();
        return {
          partitionIndex,
          errorCode,
          errorMessage,
          acknowledgeErrorCode,
          acknowledgeErrorMessage,
          currentLeader,
          records,
          acquiredRecords,
        };
      });
      t.tags();
      return { topicId, partitions };
    });
    const nodeEndpoints = readNodeEndpoints(r);
    r.tags();
    return {
      throttleTimeMs,
      errorCode,
      errorMessage,
      acquisitionLockTimeoutMs,
      responses,
      nodeEndpoints,
    };
  },
};
