import { defineApi } from '../api.js';
import { array, int16, int32, int64, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * AlterShareGroupOffsets (key 91), v0 (KIP-932). From Kafka 4.4
 * `AlterShareGroupOffsetsRequest.json` / `...Response.json` (valid 0, flexible 0+). The group
 * must be empty (no members) or the broker answers NON_EMPTY_GROUP.
 */

const AlterShareGroupOffsetsRequestPartition = struct('AlterShareGroupOffsetsRequestPartition', {
  partitionIndex: int32(),
  startOffset: int64(),
});

const AlterShareGroupOffsetsRequestTopic = struct('AlterShareGroupOffsetsRequestTopic', {
  topicName: string(),
  partitions: array(AlterShareGroupOffsetsRequestPartition),
});

const AlterShareGroupOffsetsRequest = message({
  name: 'AlterShareGroupOffsetsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    groupId: string(),
    topics: array(AlterShareGroupOffsetsRequestTopic),
  },
});

const AlterShareGroupOffsetsResponsePartition = struct('AlterShareGroupOffsetsResponsePartition', {
  partitionIndex: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
});

const AlterShareGroupOffsetsResponseTopic = struct('AlterShareGroupOffsetsResponseTopic', {
  topicName: string(),
  topicId: uuid(),
  partitions: array(AlterShareGroupOffsetsResponsePartition),
});

const AlterShareGroupOffsetsResponse = message({
  name: 'AlterShareGroupOffsetsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    responses: array(AlterShareGroupOffsetsResponseTopic),
  },
});

export const AlterShareGroupOffsets = defineApi({
  apiKey: 91,
  name: 'AlterShareGroupOffsets',
  request: AlterShareGroupOffsetsRequest,
  response: AlterShareGroupOffsetsResponse,
});
export type AlterShareGroupOffsetsRequest = MessageValue<typeof AlterShareGroupOffsetsRequest>;
export type AlterShareGroupOffsetsResponse = MessageValue<typeof AlterShareGroupOffsetsResponse>;
