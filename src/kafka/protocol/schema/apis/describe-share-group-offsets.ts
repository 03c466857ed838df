import { defineApi } from '../api.js';
import { array, int16, int32, int64, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DescribeShareGroupOffsets (key 90), v0-1 (KIP-932). From Kafka 4.4
 * `DescribeShareGroupOffsetsRequest.json` / `...Response.json` (valid 0-1, flexible 0+). Topics
 * null asks for every topic the group has offsets for. v1 (Kafka 4.2) adds Lag (-1 unknown).
 * Note the response group's ErrorCode and ErrorMessage come after its Topics.
 */

const DescribeShareGroupOffsetsRequestTopic = struct('DescribeShareGroupOffsetsRequestTopic', {
  topicName: string(),
  partitions: array('int32'),
});

const DescribeShareGroupOffsetsRequestGroup = struct('DescribeShareGroupOffsetsRequestGroup', {
  groupId: string(),
  topics: array(DescribeShareGroupOffsetsRequestTopic, { nullableVersions: '0+' }),
});

const DescribeShareGroupOffsetsRequest = message({
  name: 'DescribeShareGroupOffsetsRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: {
    groups: array(DescribeShareGroupOffsetsRequestGroup),
  },
});

const DescribeShareGroupOffsetsResponsePartition = struct(
  'DescribeShareGroupOffsetsResponsePartition',
  {
    partitionIndex: int32(),
    startOffset: int64(),
    leaderEpoch: int32(),
    lag: int64({ versions: '1+', default: -1, ignorable: true }),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
  },
);

const DescribeShareGroupOffsetsResponseTopic = struct('DescribeShareGroupOffsetsResponseTopic', {
  topicName: string(),
  topicId: uuid(),
  partitions: array(DescribeShareGroupOffsetsResponsePartition),
});

const DescribeShareGroupOffsetsResponseGroup = struct('DescribeShareGroupOffsetsResponseGroup', {
  groupId: string(),
  topics: array(DescribeShareGroupOffsetsResponseTopic),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
});

const DescribeShareGroupOffsetsResponse = message({
  name: 'DescribeShareGroupOffsetsResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    groups: array(DescribeShareGroupOffsetsResponseGroup),
  },
});

export const DescribeShareGroupOffsets = defineApi({
  apiKey: 90,
  name: 'DescribeShareGroupOffsets',
  request: DescribeShareGroupOffsetsRequest,
  response: DescribeShareGroupOffsetsResponse,
});
export type DescribeShareGroupOffsetsRequest = MessageValue<
  typeof DescribeShareGroupOffsetsRequest
>;
export type DescribeShareGroupOffsetsResponse = MessageValue<
  typeof DescribeShareGroupOffsetsResponse
>;
