import type { ApiDef } from '../api.js';

/*
 * DescribeShareGroupOffsets (key 90) v1, Kafka 4.2+ (v1 adds Lag, KIP-1226). Flexible in every
 * version. Schema: Apache Kafka 4.4 `common/message/DescribeShareGroupOffsetsRequest.json` /
 * `DescribeShareGroupOffsetsResponse.json` (validVersions "0-1", flexibleVersions "0+"). No
 * tagged fields. Topics are named by name here, not by ID.
 *
 * DescribeShareGroupOffsets Request (Version: 1) => [groups] _tagged_fields
 *   groups => group_id [topics] _tagged_fields
 *     group_id => COMPACT_STRING
 *     topics => COMPACT_NULLABLE_ARRAY             (null: all topic-partitions of the group)
 *       topic_name => COMPACT_STRING
 *       partitions => INT32
 *
 * DescribeShareGroupOffsets Response (Version: 1) => throttle_time_ms [groups] _tagged_fields
 *   throttle_time_ms => INT32
 *   groups => group_id [topics] error_code error_message _tagged_fields
 *     group_id => COMPACT_STRING
 *     topics => topic_name topic_id [partitions] _tagged_fields
 *       topic_name => COMPACT_STRING
 *       topic_id => UUID
 *       partitions => partition_index start_offset leader_epoch lag error_code error_message
 *           _tagged_fields
 *         partition_index => INT32
 *         start_offset => INT64                    (the share-partition start offset)
 *         leader_epoch => INT32
 *         lag => INT64                             (versions 1+, ignorable, default -1)
 *         error_code => INT16
 *         error_message => COMPACT_NULLABLE_STRING
 *     error_code => INT16                          (group level, after the topics)
 *     error_message => COMPACT_NULLABLE_STRING
 */

export interface DescribeShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: number[];
}

export interface DescribeShareGroupOffsetsRequestGroup {
  groupId: string;
  /** Null for every topic-partition of the group. */
  topics: DescribeShareGroupOffsetsRequestTopic[] | null;
}

export interface DescribeShareGroupOffsetsRequest {
  groups: DescribeShareGroupOffsetsRequestGroup[];
}

export interface DescribeShareGroupOffsetsPartition {
  partitionIndex: number;
  startOffset: number;
  leaderEpoch: number;
  /** -1 when not available. */
  lag: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeShareGroupOffsetsTopic {
  topicName: string;
  topicId: string;
  partitions: DescribeShareGroupOffsetsPartition[];
}

export interface DescribeShareGroupOffsetsGroup {
  groupId: string;
  topics: DescribeShareGroupOffsetsTopic[];
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeShareGroupOffsetsResponse {
  throttleTimeMs: number;
  groups: DescribeShareGroupOffsetsGroup[];
}

export const DescribeShareGroupOffsetsV1: ApiDef<
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse
> = {
  name: 'DescribeShareGroupOffsets',
  apiKey: 90,
  version: 1,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.groups, (w, g) => {
      w.compactString(g.groupId);
      w.compactArray(g.topics, (w, t) => {
        w.compactString(t.topicName);
        w.compactArray(t.partitions, (w, p) => w.int32(p));
        w.tags();
      });
      w.tags();
    });
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const groups = r.requiredCompactArray((g): DescribeShareGroupOffsetsGroup => {
      const groupId = g.requiredCompactString();
      const topics = g.requiredCompactArray((t): DescribeShareGroupOffsetsTopic => {
        const topicName = t.requiredCompactString();
        const topicId = t.uuid();
        const partitions = t.requiredCompactArray((p): DescribeShareGroupOffsetsPartition => {
          const partition = {
            partitionIndex: p.int32(),
            startOffset: p.int64(),
            leaderEpoch: p.int32(),
            lag: p.int64(),
            errorCode: p.int16(),
            errorMessage: p.compactString(),
          };
          p.tags();
          return partition;
        });
        t.tags();
        return { topicName, topicId, partitions };
      });
      const errorCode = g.int16();
      const errorMessage = g.compactString();
      g.tags();
      return { groupId, topics, errorCode, errorMessage };
    });
    r.tags();
    return { throttleTimeMs, groups };
  },
};
