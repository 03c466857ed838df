import { defineApi } from '../api.js';
import { array, bool, int16, int32, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * Metadata (key 3), v0-12. From Kafka 4.4 `MetadataRequest.json` / `MetadataResponse.json` (valid
 * 0-13, flexible 9+). v1 makes the topic list nullable (null = all topics; in v0 an empty list
 * meant all), v4 adds AllowAutoTopicCreation (not ignorable: v0-3 cannot ask for no creation),
 * v8-10 carry IncludeClusterAuthorizedOperations, v10 adds topic ids, v12 lets a topic be named by
 * id alone (null name). v13 (top-level ErrorCode for rebootstrap) is not defined here.
 */

const MetadataRequestTopic = struct('MetadataRequestTopic', {
  topicId: uuid({ versions: '10+', ignorable: true }),
  name: string({ nullableVersions: '10+' }),
});

const MetadataRequest = message({
  name: 'MetadataRequest',
  type: 'request',
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: {
    topics: array(MetadataRequestTopic, { nullableVersions: '1+' }),
    allowAutoTopicCreation: bool({ versions: '4+', default: true, ignorable: false }),
    includeClusterAuthorizedOperations: bool({ versions: '8-10' }),
    includeTopicAuthorizedOperations: bool({ versions: '8+' }),
  },
});

const MetadataResponseBroker = struct('MetadataResponseBroker', {
  nodeId: int32(),
  host: string(),
  port: int32(),
  rack: string({ versions: '1+', nullableVersions: '1+', default: null, ignorable: true }),
});

const MetadataResponsePartition = struct('MetadataResponsePartition', {
  errorCode: int16(),
  partitionIndex: int32(),
  leaderId: int32(),
  leaderEpoch: int32({ versions: '7+', default: -1, ignorable: true }),
  replicaNodes: array('int32'),
  isrNodes: array('int32'),
  offlineReplicas: array('int32', { versions: '5+', ignorable: true }),
});

const MetadataResponseTopic = struct('MetadataResponseTopic', {
  errorCode: int16(),
  name: string({ nullableVersions: '12+' }),
  topicId: uuid({ versions: '10+', ignorable: true }),
  isInternal: bool({ versions: '1+', default: false, ignorable: true }),
  partitions: array(MetadataResponsePartition),
  topicAuthorizedOperations: int32({ versions: '8+', default: -2147483648 }),
});

const MetadataResponse = message({
  name: 'MetadataResponse',
  type: 'response',
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: {
    throttleTimeMs: int32({ versions: '3+', ignorable: true }),
    brokers: array(MetadataResponseBroker),
    clusterId: string({ versions: '2+', nullableVersions: '2+', default: null, ignorable: true }),
    controllerId: int32({ versions: '1+', default: -1, ignorable: true }),
    topics: array(MetadataResponseTopic),
    clusterAuthorizedOperations: int32({ versions: '8-10', default: -2147483648 }),
  },
});

export const Metadata = defineApi({
  apiKey: 3,
  name: 'Metadata',
  request: MetadataRequest,
  response: MetadataResponse,
});
export type MetadataRequest = MessageValue<typeof MetadataRequest>;
export type MetadataResponse = MessageValue<typeof MetadataResponse>;

/** The zero UUID: a topic id of "none" (asked by name, or unknown). */
export const ZERO_UUID = '00000000000000000000000000000000';
