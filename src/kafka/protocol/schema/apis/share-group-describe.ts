import { defineApi } from '../api.js';
import { array, bool, int16, int32, string, struct, structField, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ShareGroupDescribe (key 77), v1 (KIP-932). From Kafka 4.4 `ShareGroupDescribeRequest.json` /
 * `ShareGroupDescribeResponse.json` (valid 1, flexible 0+). AuthorizedOperations is
 * -2147483648 unless asked for.
 */

const ShareGroupDescribeRequest = message({
  name: 'ShareGroupDescribeRequest',
  type: 'request',
  validVersions: '1',
  flexibleVersions: '0+',
  fields: {
    groupIds: array('string'),
    includeAuthorizedOperations: bool(),
  },
});

const TopicPartitions = struct('TopicPartitions', {
  topicId: uuid(),
  topicName: string(),
  partitions: array('int32'),
});

const Assignment = struct('Assignment', {
  topicPartitions: array(TopicPartitions),
});

const Member = struct('Member', {
  memberId: string(),
  rackId: string({ nullableVersions: '0+', default: null }),
  memberEpoch: int32(),
  clientId: string(),
  clientHost: string(),
  subscribedTopicNames: array('string'),
  assignment: structField(Assignment),
});

const DescribedGroup = struct('DescribedGroup', {
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  groupId: string(),
  groupState: string(),
  groupEpoch: int32(),
  assignmentEpoch: int32(),
  assignorName: string(),
  members: array(Member),
  authorizedOperations: int32({ default: -2147483648 }),
});

const ShareGroupDescribeResponse = message({
  name: 'ShareGroupDescribeResponse',
  type: 'response',
  validVersions: '1',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    groups: array(DescribedGroup),
  },
});

export const ShareGroupDescribe = defineApi({
  apiKey: 77,
  name: 'ShareGroupDescribe',
  request: ShareGroupDescribeRequest,
  response: ShareGroupDescribeResponse,
});
export type ShareGroupDescribeRequest = MessageValue<typeof ShareGroupDescribeRequest>;
export type ShareGroupDescribeResponse = MessageValue<typeof ShareGroupDescribeResponse>;
