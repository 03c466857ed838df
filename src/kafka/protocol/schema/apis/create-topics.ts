import { defineApi } from '../api.js';
import { array, bool, int8, int16, int32, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * CreateTopics (key 19), v0-7. From Kafka 4.4 `CreateTopicsRequest.json` /
 * `CreateTopicsResponse.json` (valid 2-7, flexible 5+). Kafka 4.0 dropped v0-1 from its list
 * but kept their fields ("0+"), so the file still describes them; kafkajs 2.2.4 sends v0-3.
 * v1 adds ValidateOnly (not ignorable) and ErrorMessage, v2 ThrottleTimeMs, v5 (KIP-525) the
 * resulting NumPartitions, ReplicationFactor and Configs plus the TopicConfigErrorCode tag, v7
 * the new topic's id. NumPartitions and ReplicationFactor -1 in a request mean "broker default"
 * (v4+, KIP-464).
 *
 * The request's `timeoutMs` and `validateOnly` are spelled in lower camel case in Kafka's file
 * too: the one place where its field names do not start upper case.
 */

const CreatableReplicaAssignment = struct('CreatableReplicaAssignment', {
  partitionIndex: int32(),
  brokerIds: array('int32'),
});

const CreatableTopicConfig = struct('CreatableTopicConfig', {
  name: string(),
  value: string({ nullableVersions: '0+' }),
});

const CreatableTopic = struct('CreatableTopic', {
  name: string(),
  numPartitions: int32(),
  replicationFactor: int16(),
  assignments: array(CreatableReplicaAssignment),
  configs: array(CreatableTopicConfig),
});

const CreateTopicsRequest = message({
  name: 'CreateTopicsRequest',
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: {
    topics: array(CreatableTopic),
    timeoutMs: int32({ default: 60000 }),
    validateOnly: bool({ versions: '1+', default: false, ignorable: false }),
  },
});

const CreatableTopicConfigs = struct('CreatableTopicConfigs', {
  name: string({ versions: '5+' }),
  value: string({ versions: '5+', nullableVersions: '5+' }),
  readOnly: bool({ versions: '5+' }),
  configSource: int8({ versions: '5+', default: -1, ignorable: true }),
  isSensitive: bool({ versions: '5+' }),
});

const CreatableTopicResult = struct('CreatableTopicResult', {
  name: string(),
  topicId: uuid({ versions: '7+', ignorable: true }),
  errorCode: int16(),
  errorMessage: string({ versions: '1+', nullableVersions: '0+', ignorable: true }),
  topicConfigErrorCode: int16({ versions: '5+', taggedVersions: '5+', tag: 0, ignorable: true }),
  numPartitions: int32({ versions: '5+', default: -1, ignorable: true }),
  replicationFactor: int16({ versions: '5+', default: -1, ignorable: true }),
  configs: array(CreatableTopicConfigs, {
    versions: '5+',
    nullableVersions: '5+',
    ignorable: true,
  }),
});

const CreateTopicsResponse = message({
  name: 'CreateTopicsResponse',
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: {
    throttleTimeMs: int32({ versions: '2+', ignorable: true }),
    topics: array(CreatableTopicResult),
  },
});

export const CreateTopics = defineApi({
  apiKey: 19,
  name: 'CreateTopics',
  request: CreateTopicsRequest,
  response: CreateTopicsResponse,
});
export type CreateTopicsRequest = MessageValue<typeof CreateTopicsRequest>;
export type CreateTopicsResponse = MessageValue<typeof CreateTopicsResponse>;
