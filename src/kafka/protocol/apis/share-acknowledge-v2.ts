import type { ApiDef } from '../api.js';
import {
  type AcknowledgementBatch,
  type LeaderIdAndEpoch,
  type NodeEndpoint,
  readLeaderIdAndEpoch,
  readNodeEndpoints,
  writeAcknowledgementBatches,
} from './share-fetch-v2.js';

/*
 * Why this hand-written codec stays beside the schema's definition (../schema/apis/share-acknowledge.ts, which
 * the server uses): it is on the job loop, every poll or acknowledgement, and the schema codec
 * measured slower there (bench/share-codec.ts, best of 7 rounds on a shared 2-core machine:
 * ShareFetch request encode 25.5 vs 31.6 µs, response decode 14.4 vs 18.5 µs; ShareAcknowledge
 * request encode 25.6 vs 31.5 µs, response decode 0.73 vs 0.95 µs). The client-agreement test
 * (test/unit/kafka/schema/client-agreement.test.ts) holds the two to the same bytes and fields,
 * so they cannot drift apart. Rerun the bench after a change to either.
 */

/*
 * ShareAcknowledge (key 79) v2, Kafka 4.2+ (KIP-932, KIP-1222 renew). Flexible in every version.
 * Schema: Apache Kafka 4.4 `common/message/ShareAcknowledgeRequest.json` /
 * `ShareAcknowledgeResponse.json` (validVersions "1-2", flexibleVersions "0+"). No tagged fields.
 *
 * ShareAcknowledge Request (Version: 2) => group_id member_id share_session_epoch is_renew_ack
 *     [topics] _tagged_fields
 *   group_id => COMPACT_NULLABLE_STRING
 *   member_id => COMPACT_NULLABLE_STRING
 *   share_session_epoch => INT32                   (an open session's next epoch; -1 closes it)
 *   is_renew_ack => BOOLEAN                        (versions 2+; default false)
 *   topics => topic_id [partitions] _tagged_fields
 *     topic_id => UUID
 *     partitions => partition_index [acknowledgement_batches] _tagged_fields
 *       partition_index => INT32
 *       acknowledgement_batches => first_offset last_offset [acknowledge_types] _tagged_fields
 *         first_offset => INT64
 *         last_offset => INT64                     (inclusive)
 *         acknowledge_types => INT8                (0 Gap, 1 Accept, 2 Release, 3 Reject, 4 Renew)
 *
 * ShareAcknowledge Response (Version: 2) => throttle_time_ms error_code error_message
 *     acquisition_lock_timeout_ms [responses] [node_endpoints] _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   error_message => COMPACT_NULLABLE_STRING
 *   acquisition_lock_timeout_ms => INT32           (versions 2+, ignorable: the renewed lock)
 *   responses => topic_id [partitions] _tagged_fields
 *     topic_id => UUID
 *     partitions => partition_index error_code error_message current_leader _tagged_fields
 *       partition_index => INT32
 *       error_code => INT16
 *       error_message => COMPACT_NULLABLE_STRING
 *       current_leader => leader_id leader_epoch _tagged_fields
 *         leader_id => INT32
 *         leader_epoch => INT32
 *   node_endpoints => node_id host port rack _tagged_fields
 *     node_id => INT32
 *     host => COMPACT_STRING
 *     port => INT32
 *     rack => COMPACT_NULLABLE_STRING
 */

export interface ShareAcknowledgeRequestPartition {
  partitionIndex: number;
  acknowledgementBatches: AcknowledgementBatch[];
}

export interface ShareAcknowledgeRequestTopic {
  topicId: string;
  partitions: ShareAcknowledgeRequestPartition[];
}

export interface ShareAcknowledgeRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  /** Set when any batch carries Renew (4). */
  isRenewAck: boolean;
  topics: ShareAcknowledgeRequestTopic[];
}

export interface ShareAcknowledgePartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  currentLeader: LeaderIdAndEpoch;
}

export interface ShareAcknowledgeTopicResponse {
  topicId: string;
  partitions: ShareAcknowledgePartitionData[];
}

export interface ShareAcknowledgeResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: ShareAcknowledgeTopicResponse[];
  nodeEndpoints: NodeEndpoint[];
}

export const ShareAcknowledgeV2: ApiDef<ShareAcknowledgeRequest, ShareAcknowledgeResponse> = {
  name: 'ShareAcknowledge',
  apiKey: 79,
  version: 2,
  flexible: true,

  encode(w, req) {
    w.compactString(req.groupId)
      .compactString(req.memberId)
      .int32(req.shareSessionEpoch)
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
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    const acquisitionLockTimeoutMs = r.int32();
    const responses = r.requiredCompactArray((t): ShareAcknowledgeTopicResponse => {
      const topicId = t.uuid();
      const partitions = t.requiredCompactArray((p): ShareAcknowledgePartitionData => {
        const partition = {
          partitionIndex: p.int32(),
          errorCode: p.int16(),
          errorMessage: p.compactString(),
          currentLeader: readLeaderIdAndEpoch(p),
        };
        p.tags();
        return partition;
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
