import { defineApi } from '../api.js';
import { array, int16, int32, int64, records, string, struct, structField } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * Produce (key 0), v3-11. From Kafka 4.4 `ProduceRequest.json` / `ProduceResponse.json` (valid
 * 3-13, flexible 9+; Kafka 4.0 removed v0-2). kafkajs 2.2.4 sends v3-7 to a broker that offers
 * nothing below 3; kafka-clients 4.4 sends up to 13. v3 adds TransactionalId (and record batch
 * v2), v5 LogStartOffset, v8 RecordErrors and ErrorMessage, v10 (KIP-951) the CurrentLeader and
 * NodeEndpoints tags for leader discovery. v12 (KIP-890 part 2: the broker adds partitions to a
 * transaction itself) and v13 (topics named by id, no Name) are not defined here, so they are not
 * advertised.
 *
 * Records holds the producer's record batches as bytes; `record-batch.ts` reads them.
 */

const PartitionProduceData = struct('PartitionProduceData', {
  index: int32(),
  records: records({ nullableVersions: '0+' }),
});

const TopicProduceData = struct('TopicProduceData', {
  name: string({ versions: '0-12', ignorable: true }),
  partitionData: array(PartitionProduceData),
});

const ProduceRequest = message({
  name: 'ProduceRequest',
  type: 'request',
  validVersions: '3-11',
  flexibleVersions: '9+',
  fields: {
    transactionalId: string({ versions: '3+', nullableVersions: '3+', default: null }),
    acks: int16(),
    timeoutMs: int32(),
    topicData: array(TopicProduceData),
  },
});

const BatchIndexAndErrorMessage = struct('BatchIndexAndErrorMessage', {
  batchIndex: int32({ versions: '8+' }),
  batchIndexErrorMessage: string({ versions: '8+', nullableVersions: '8+', default: null }),
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  leaderId: int32({ versions: '10+', default: -1 }),
  leaderEpoch: int32({ versions: '10+', default: -1 }),
});

const PartitionProduceResponse = struct('PartitionProduceResponse', {
  index: int32(),
  errorCode: int16(),
  baseOffset: int64(),
  logAppendTimeMs: int64({ versions: '2+', default: -1, ignorable: true }),
  logStartOffset: int64({ versions: '5+', default: -1, ignorable: true }),
  recordErrors: array(BatchIndexAndErrorMessage, { versions: '8+', ignorable: true }),
  errorMessage: string({ versions: '8+', nullableVersions: '8+', default: null, ignorable: true }),
  currentLeader: structField(LeaderIdAndEpoch, { versions: '10+', taggedVersions: '10+', tag: 0 }),
});

const TopicProduceResponse = struct('TopicProduceResponse', {
  name: string({ versions: '0-12', ignorable: true }),
  partitionResponses: array(PartitionProduceResponse),
});

const NodeEndpoint = struct('NodeEndpoint', {
  nodeId: int32({ versions: '10+' }),
  host: string({ versions: '10+' }),
  port: int32({ versions: '10+' }),
  rack: string({ versions: '10+', nullableVersions: '10+', default: null }),
});

const ProduceResponse = message({
  name: 'ProduceResponse',
  type: 'response',
  validVersions: '3-11',
  flexibleVersions: '9+',
  fields: {
    responses: array(TopicProduceResponse),
    throttleTimeMs: int32({ versions: '1+', default: 0, ignorable: true }),
    nodeEndpoints: array(NodeEndpoint, { versions: '10+', taggedVersions: '10+', tag: 0 }),
  },
});

export const Produce = defineApi({
  apiKey: 0,
  name: 'Produce',
  request: ProduceRequest,
  response: ProduceResponse,
});
export type ProduceRequest = MessageValue<typeof ProduceRequest>;
export type ProduceResponse = MessageValue<typeof ProduceResponse>;
