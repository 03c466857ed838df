import type { ApiDef } from '../api.js';

/*
 * AlterShareGroupOffsets (key 91) v0 (KIP-932). The group must be empty (NON_EMPTY_GROUP
 * otherwise). Flexible in every version. Schema: Apache Kafka 4.4
 * `common/message/AlterShareGroupOffsetsRequest.json` / `AlterShareGroupOffsetsResponse.json`
 * (validVersions "0", flexibleVersions "0+"). No tagged fields. Topics are named by name.
 *
 * AlterShareGroupOffsets Request (Version: 0) => group_id [topics] _tagged_fields
 *   group_id => COMPACT_STRING
 *   topics => topic_name [partitions] _tagged_fields
 *     topic_name => COMPACT_STRING
 *     partitions => partition_index start_offset _tagged_fields
 *       partition_index => INT32
 *       start_offset => INT64                      (the new share-partition start offset)
 *
 * AlterShareGroupOffsets Response (Version: 0) => throttle_time_ms error_code error_message
 *     [responses] _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   error_message => COMPACT_NULLABLE_STRING
 *   responses => topic_name topic_id [partitions] _tagged_fields
 *     topic_name => COMPACT_STRING
 *     topic_id => UUID
 *     partitions => partition_index error_code error_message _tagged_fields
 *       partition_index => INT32
 *       error_code => INT16
 *       error_message => COMPACT_NULLABLE_STRING
 */

export interface AlterShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: { partitionIndex: number; startOffset: number }[];
}

export interface AlterShareGroupOffsetsRequest {
  groupId: string;
  topics: AlterShareGroupOffsetsRequestTopic[];
}

export interface AlterShareGroupOffsetsPartition {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterShareGroupOffsetsTopic {
  topicName: string;
  topicId: string;
  partitions: AlterShareGroupOffsetsPartition[];
}

export interface AlterShareGroupOffsetsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: AlterShareGroupOffsetsTopic[];
}

export const AlterShareGroupOffsetsV0: ApiDef<
  AlterShareGroupOffsetsRequest,
  AlterShareGroupOffsetsResponse
> = {
  name: 'AlterShareGroupOffsets',
  apiKey: 91,
  version: 0,
  flexible: true,

  encode(w, req) {
    w.compactString(req.groupId);
    w.compactArray(req.topics, (w, t) => {
      w.compactString(t.topicName);
      w.compactArray(t.partitions, (w, p) => {
        w.int32(p.partitionIndex).int64(p.startOffset).tags();
      });
      w.tags();
    });
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    const responses = r.requiredCompactArray((t): AlterShareGroupOffsetsTopic => {
      const topicName = t.requiredCompactString();
      const topicId = t.uuid();
      const partitions = t.requiredCompactArray((p): AlterShareGroupOffsetsPartition => {
        const partition = {
          partitionIndex: p.int32(),
          errorCode: p.int16(),
          errorMessage: p.compactString(),
        };
        p.tags();
        return partition;
      });
      t.tags();
      return { topicName, topicId, partitions };
    });
    r.tags();
    return { throttleTimeMs, errorCode, errorMessage, responses };
  },
};
