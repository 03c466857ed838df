import { defineApi } from '../api.js';
import { array, int8, int16, int32, int64, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ListOffsets (key 2), v0-7. From Kafka 4.4 `ListOffsetsRequest.json` / `ListOffsetsResponse.json`
 * (valid 1-11, flexible 6+), plus v0, which Kafka 4.0 removed together with its two v0-only fields
 * (kafkajs 2.2.4 still sends v0-3): the request's MaxNumOffsets (INT32 after Timestamp, default
 * 1) and the response's OldStyleOffsets (an INT64 array after ErrorCode, in place of the v1+
 * Timestamp and Offset, which are not ignorable: a v0 answer must use OldStyleOffsets). Written
 * from the v0 layout in the Kafka protocol guide; the kafkajs agreement test checks it.
 *
 * Timestamp -1 asks for the latest offset, -2 the earliest, -3 the max timestamp (v7, KIP-734).
 * v2 adds IsolationLevel, v4 the leader epochs. v8+ (tiered storage timestamps, v10 TimeoutMs)
 * are not defined here.
 */

const ListOffsetsPartition = struct('ListOffsetsPartition', {
  partitionIndex: int32(),
  currentLeaderEpoch: int32({ versions: '4+', default: -1, ignorable: true }),
  timestamp: int64(),
  maxNumOffsets: int32({ versions: '0', default: 1 }),
});

const ListOffsetsTopic = struct('ListOffsetsTopic', {
  name: string(),
  partitions: array(ListOffsetsPartition),
});

const ListOffsetsRequest = message({
  name: 'ListOffsetsRequest',
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: {
    replicaId: int32(),
    isolationLevel: int8({ versions: '2+' }),
    topics: array(ListOffsetsTopic),
  },
});

const ListOffsetsPartitionResponse = struct('ListOffsetsPartitionResponse', {
  partitionIndex: int32(),
  errorCode: int16(),
  oldStyleOffsets: array('int64', { versions: '0' }),
  timestamp: int64({ versions: '1+', default: -1, ignorable: false }),
  offset: int64({ versions: '1+', default: -1, ignorable: false }),
  leaderEpoch: int32({ versions: '4+', default: -1 }),
});

const ListOffsetsTopicResponse = struct('ListOffsetsTopicResponse', {
  name: string(),
  partitions: array(ListOffsetsPartitionResponse),
});

const ListOffsetsResponse = message({
  name: 'ListOffsetsResponse',
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '6+',
  fields: {
    throttleTimeMs: int32({ versions: '2+', ignorable: true }),
    topics: array(ListOffsetsTopicResponse),
  },
});

export const ListOffsets = defineApi({
  apiKey: 2,
  name: 'ListOffsets',
  request: ListOffsetsRequest,
  response: ListOffsetsResponse,
});
export type ListOffsetsRequest = MessageValue<typeof ListOffsetsRequest>;
export type ListOffsetsResponse = MessageValue<typeof ListOffsetsResponse>;
