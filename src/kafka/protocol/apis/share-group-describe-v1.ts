import type { ApiDef } from '../api.js';

/*
 * ShareGroupDescribe (key 77) v1, the first stable version (KIP-932). Flexible in every version.
 * Schema: Apache Kafka 4.4 `common/message/ShareGroupDescribeRequest.json` /
 * `ShareGroupDescribeResponse.json` (validVersions "1", flexibleVersions "0+"). No tagged fields.
 *
 * ShareGroupDescribe Request (Version: 1) => [group_ids] include_authorized_operations
 *     _tagged_fields
 *   group_ids => COMPACT_STRING
 *   include_authorized_operations => BOOLEAN
 *
 * ShareGroupDescribe Response (Version: 1) => throttle_time_ms [groups] _tagged_fields
 *   throttle_time_ms => INT32
 *   groups => error_code error_message group_id group_state group_epoch assignment_epoch
 *       assignor_name [members] authorized_operations _tagged_fields
 *     error_code => INT16
 *     error_message => COMPACT_NULLABLE_STRING
 *     group_id => COMPACT_STRING
 *     group_state => COMPACT_STRING                (or the empty string)
 *     group_epoch => INT32
 *     assignment_epoch => INT32
 *     assignor_name => COMPACT_STRING
 *     members => member_id rack_id member_epoch client_id client_host
 *         [subscribed_topic_names] assignment _tagged_fields
 *       member_id => COMPACT_STRING
 *       rack_id => COMPACT_NULLABLE_STRING
 *       member_epoch => INT32
 *       client_id => COMPACT_STRING
 *       client_host => COMPACT_STRING
 *       subscribed_topic_names => COMPACT_STRING
 *       assignment => [topic_partitions] _tagged_fields   (non-nullable struct)
 *         topic_partitions => topic_id topic_name [partitions] _tagged_fields
 *           topic_id => UUID
 *           topic_name => COMPACT_STRING
 *           partitions => INT32
 *     authorized_operations => INT32               (default -2147483648: not requested)
 */

export interface ShareGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface DescribedTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface ShareGroupDescribedMember {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  assignment: { topicPartitions: DescribedTopicPartitions[] };
}

export interface ShareGroupDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ShareGroupDescribedMember[];
  authorizedOperations: number;
}

export interface ShareGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ShareGroupDescribedGroup[];
}

export const ShareGroupDescribeV1: ApiDef<ShareGroupDescribeRequest, ShareGroupDescribeResponse> = {
  name: 'ShareGroupDescribe',
  apiKey: 77,
  version: 1,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.groupIds, (w, id) => w.compactString(id))
      .bool(req.includeAuthorizedOperations)
      .tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const groups = r.requiredCompactArray((g): ShareGroupDescribedGroup => {
      const errorCode = g.int16();
      const errorMessage = g.compactString();
      const groupId = g.requiredCompactString();
      const groupState = g.requiredCompactString();
      const groupEpoch = g.int32();
      const assignmentEpoch = g.int32();
      const assignorName = g.requiredCompactString();
      const members = g.requiredCompactArray((m): ShareGroupDescribedMember => {
        const memberId = m.requiredCompactString();
        const rackId = m.compactString();
        const memberEpoch = m.int32();
        const clientId = m.requiredCompactString();
        const clientHost = m.requiredCompactString();
        const subscribedTopicNames = m.requiredCompactArray((s) => s.requiredCompactString());
        const topicPartitions = m.requiredCompactArray((t): DescribedTopicPartitions => {
          const tp = {
            topicId: t.uuid(),
            topicName: t.requiredCompactString(),
            partitions: t.requiredCompactArray((p) => p.int32()),
          };
          t.tags();
          return tp;
        });
        m.tags(); // end of the Assignment struct
        m.tags(); // end of the Member struct
        return {
          memberId,
          rackId,
          memberEpoch,
          clientId,
          clientHost,
          subscribedTopicNames,
          assignment: { topicPartitions },
        };
      });
      const authorizedOperations = g.int32();
      g.tags();
      return {
        errorCode,
        errorMessage,
        groupId,
        groupState,
        groupEpoch,
        assignmentEpoch,
        assignorName,
        members,
        authorizedOperations,
      };
    });
    r.tags();
    return { throttleTimeMs, groups };
  },
};
