import type { ApiDef } from '../api.js';

/*
 * Metadata (key 3) v12: topic ids in both directions (a topic may be asked for by id with a null
 * name). Flexible.
 *
 * Metadata Request (Version: 12) => [topics] allow_auto_topic_creation
 *                                   include_topic_authorized_operations _tagged_fields
 *   topics => topic_id name _tagged_fields          (null array = all topics, [] = none)
 *     topic_id => UUID                              (all zeros when asking by name)
 *     name => COMPACT_NULLABLE_STRING               (null when asking by id)
 *   allow_auto_topic_creation => BOOLEAN
 *   include_topic_authorized_operations => BOOLEAN
 *
 * Metadata Response (Version: 12) => throttle_time_ms [brokers] cluster_id controller_id [topics]
 *                                    _tagged_fields
 *   throttle_time_ms => INT32
 *   brokers => node_id host port rack _tagged_fields
 *     node_id => INT32
 *     host => COMPACT_STRING
 *     port => INT32
 *     rack => COMPACT_NULLABLE_STRING
 *   cluster_id => COMPACT_NULLABLE_STRING
 *   controller_id => INT32
 *   topics => error_code name topic_id is_internal [partitions] topic_authorized_operations
 *             _tagged_fields
 *     error_code => INT16
 *     name => COMPACT_NULLABLE_STRING               (null for an unknown topic asked by id)
 *     topic_id => UUID                              (zero for an unknown topic asked by name)
 *     is_internal => BOOLEAN
 *     partitions => error_code partition_index leader_id leader_epoch [replica_nodes]
 *                   [isr_nodes] [offline_replicas] _tagged_fields
 *       error_code => INT16
 *       partition_index => INT32
 *       leader_id => INT32                          (-1 while no leader is elected)
 *       leader_epoch => INT32
 *       replica_nodes => INT32 (COMPACT_ARRAY)
 *       isr_nodes => INT32 (COMPACT_ARRAY)
 *       offline_replicas => INT32 (COMPACT_ARRAY)
 *     topic_authorized_operations => INT32 (-2147483648 when not requested)
 */

export const ZERO_UUID = '00000000000000000000000000000000';

export interface MetadataRequestTopic {
  /** 32 hex digits (dashes allowed); omit or zero when asking by name. */
  topicId?: string;
  name: string | null;
}

export interface MetadataRequest {
  /** null asks for every topic; [] for none (brokers and controller only). */
  topics: readonly MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  /** 32 lowercase hex digits; all zeros for a topic the broker does not know. */
  topicId: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

export const MetadataV12: ApiDef<MetadataRequest, MetadataResponse> = {
  name: 'Metadata',
  apiKey: 3,
  version: 12,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.topics, (t, topic) => {
      t.uuid(topic.topicId ?? ZERO_UUID)
        .compactString(topic.name)
        .tags();
    });
    w.bool(req.allowAutoTopicCreation).bool(req.includeTopicAuthorizedOperations).tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const brokers = r.requiredCompactArray((b) => {
      const broker = {
        nodeId: b.int32(),
        host: b.requiredCompactString(),
        port: b.int32(),
        rack: b.compactString(),
      };
      b.tags();
      return broker;
    });
    const clusterId = r.compactString();
    const controllerId = r.int32();
    const topics = r.requiredCompactArray((t): MetadataTopic => {
      const errorCode = t.int16();
      const name = t.compactString();
      const topicId = t.uuid();
      const isInternal = t.bool();
      const partitions = t.requiredCompactArray((p): MetadataPartition => {
        const partition = {
          errorCode: p.int16(),
          partitionIndex: p.int32(),
          leaderId: p.int32(),
          leaderEpoch: p.int32(),
          replicaNodes: p.requiredCompactArray((n) => n.int32()),
          isrNodes: p.requiredCompactArray((n) => n.int32()),
          offlineReplicas: p.requiredCompactArray((n) => n.int32()),
        };
        p.tags();
        return partition;
      });
      const topicAuthorizedOperations = t.int32();
      t.tags();
      return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
    });
    r.tags();
    return { throttleTimeMs, brokers, clusterId, controllerId, topics };
  },
};
