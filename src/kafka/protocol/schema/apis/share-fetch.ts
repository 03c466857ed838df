import { defineApi } from '../api.js';
import {
  array,
  bool,
  int8,
  int16,
  int32,
  int64,
  records,
  string,
  struct,
  structField,
  uuid,
} from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ShareFetch (key 78), v1-2 (KIP-932). From Kafka 4.4 `ShareFetchRequest.json` /
 * `ShareFetchResponse.json` (valid 1-2, flexible 0+). v1 is Kafka 4.1's preview protocol
 * (MaxRecords, BatchSize, AcquisitionLockTimeoutMs; the v0 PartitionMaxBytes is gone); v2 (4.2)
 * adds ShareAcquireMode (KIP-1206: 0 batch_optimized, 1 record_limit) and IsRenewAck (KIP-1222).
 * AcknowledgeTypes: 0 Gap, 1 Accept, 2 Release, 3 Reject, 4 Renew. Records is nullable only in
 * v0, so from v1 a null is malformed.
 */

const AcknowledgementBatch = struct('AcknowledgementBatch', {
  firstOffset: int64(),
  lastOffset: int64(),
  acknowledgeTypes: array('int8'),
});

const FetchPartition = struct('FetchPartition', {
  partitionIndex: int32(),
  acknowledgementBatches: array(AcknowledgementBatch),
});

const FetchTopic = struct('FetchTopic', {
  topicId: uuid(),
  partitions: array(FetchPartition),
});

const ForgottenTopic = struct('ForgottenTopic', {
  topicId: uuid(),
  partitions: array('int32'),
});

const ShareFetchRequest = message({
  name: 'ShareFetchRequest',
  type: 'request',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: {
    groupId: string({ nullableVersions: '0+', default: null }),
    memberId: string({ nullableVersions: '0+' }),
    shareSessionEpoch: int32(),
    maxWaitMs: int32(),
    minBytes: int32(),
    maxBytes: int32({ default: 0x7fffffff }),
    maxRecords: int32({ versions: '1+' }),
    batchSize: int32({ versions: '1+' }),
    shareAcquireMode: int8({ versions: '2+', default: 0, ignorable: true }),
    isRenewAck: bool({ versions: '2+', default: false }),
    topics: array(FetchTopic),
    forgottenTopicsData: array(ForgottenTopic),
  },
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  leaderId: int32(),
  leaderEpoch: int32(),
});

const AcquiredRecords = struct('AcquiredRecords', {
  firstOffset: int64(),
  lastOffset: int64(),
  deliveryCount: int16(),
});

const PartitionData = struct('PartitionData', {
  partitionIndex: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  acknowledgeErrorCode: int16(),
  acknowledgeErrorMessage: string({ nullableVersions: '0+', default: null }),
  currentLeader: structField(LeaderIdAndEpoch),
  records: records({ nullableVersions: '0' }),
  acquiredRecords: array(AcquiredRecords),
});

const ShareFetchableTopicResponse = struct('ShareFetchableTopicResponse', {
  topicId: uuid(),
  partitions: array(PartitionData),
});

const NodeEndpoint = struct('NodeEndpoint', {
  nodeId: int32(),
  host: string(),
  port: int32(),
  rack: string({ nullableVersions: '0+', default: null }),
});

const ShareFetchResponse = message({
  name: 'ShareFetchResponse',
  type: 'response',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    acquisitionLockTimeoutMs: int32({ versions: '1+' }),
    responses: array(ShareFetchableTopicResponse),
    nodeEndpoints: array(NodeEndpoint),
  },
});

export const ShareFetch = defineApi({
  apiKey: 78,
  name: 'ShareFetch',
  request: ShareFetchRequest,
  response: ShareFetchResponse,
});
export type ShareFetchRequest = MessageValue<typeof ShareFetchRequest>;
export type ShareFetchResponse = MessageValue<typeof ShareFetchResponse>;
