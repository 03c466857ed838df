import { defineApi } from '../api.js';
import { array, int16, int32, string, struct, structField, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ShareGroupHeartbeat (key 76), v1 (KIP-932). From Kafka 4.4 `ShareGroupHeartbeatRequest.json` /
 * `ShareGroupHeartbeatResponse.json` (valid 1, flexible 0+; v0 was the early-access 4.0 protocol,
 * incompatible with later brokers). MemberEpoch 0 joins, -1 leaves; SubscribedTopicNames is null
 * when unchanged. The response's Assignment is null when unchanged, else the member's whole
 * assignment; as a nullable struct it is preceded by an INT8 (-1 null, 1 present).
 */

const ShareGroupHeartbeatRequest = message({
  name: 'ShareGroupHeartbeatRequest',
  type: 'request',
  validVersions: '1',
  flexibleVersions: '0+',
  fields: {
    groupId: string(),
    memberId: string(),
    memberEpoch: int32(),
    rackId: string({ nullableVersions: '0+', default: null }),
    subscribedTopicNames: array('string', { nullableVersions: '0+', default: null }),
  },
});

const TopicPartitions = struct('TopicPartitions', {
  topicId: uuid(),
  partitions: array('int32'),
});

const Assignment = struct('Assignment', {
  topicPartitions: array(TopicPartitions),
});

const ShareGroupHeartbeatResponse = message({
  name: 'ShareGroupHeartbeatResponse',
  type: 'response',
  validVersions: '1',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    memberId: string({ nullableVersions: '0+', default: null }),
    memberEpoch: int32(),
    heartbeatIntervalMs: int32(),
    assignment: structField(Assignment, { nullableVersions: '0+', default: null }),
  },
});

export const ShareGroupHeartbeat = defineApi({
  apiKey: 76,
  name: 'ShareGroupHeartbeat',
  request: ShareGroupHeartbeatRequest,
  response: ShareGroupHeartbeatResponse,
});
export type ShareGroupHeartbeatRequest = MessageValue<typeof ShareGroupHeartbeatRequest>;
export type ShareGroupHeartbeatResponse = MessageValue<typeof ShareGroupHeartbeatResponse>;
