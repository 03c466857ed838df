import { defineApi } from '../api.js';
import { array, bool, int16, int32, int64, string, struct, structField, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ShareAcknowledge (key 79), v1-2 (KIP-932). From Kafka 4.4 `ShareAcknowledgeRequest.json` /
 * `ShareAcknowledgeResponse.json` (valid 1-2, flexible 0+). v2 adds IsRenewAck (KIP-1222: the
 * batches carry Renew, 4) and the renewed AcquisitionLockTimeoutMs in the response.
 */

const AcknowledgementBatch = struct('AcknowledgementBatch', {
  firstOffset: int64(),
  lastOffset: int64(),
  acknowledgeTypes: array('int8'),
});

const AcknowledgePartition = struct('AcknowledgePartition', {
  partitionIndex: int32(),
  acknowledgementBatches: array(AcknowledgementBatch),
});

const AcknowledgeTopic = struct('AcknowledgeTopic', {
  topicId: uuid(),
  partitions: array(AcknowledgePartition),
});

const ShareAcknowledgeRequest = message({
  name: 'ShareAcknowledgeRequest',
  type: 'request',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: {
    groupId: string({ nullableVersions: '0+', default: null }),
    memberId: string({ nullableVersions: '0+' }),
    shareSessionEpoch: int32(),
    isRenewAck: bool({ versions: '2+', default: false }),
    topics: array(AcknowledgeTopic),
  },
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  leaderId: int32(),
  leaderEpoch: int32(),
});

const PartitionData = struct('PartitionData', {
  partitionIndex: int32(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
  currentLeader: structField(LeaderIdAndEpoch),
});

const ShareAcknowledgeTopicResponse = struct('ShareAcknowledgeTopicResponse', {
  topicId: uuid(),
  partitions: array(PartitionData),
});

const NodeEndpoint = struct('NodeEndpoint', {
  nodeId: int32(),
  host: string(),
  port: int32(),
  rack: string({ nullableVersions: '0+', default: null }),
});

const ShareAcknowledgeResponse = message({
  name: 'ShareAcknowledgeResponse',
  type: 'response',
  validVersions: '1-2',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    acquisitionLockTimeoutMs: int32({ versions: '2+', ignorable: true }),
    responses: array(ShareAcknowledgeTopicResponse),
    nodeEndpoints: array(NodeEndpoint),
  },
});

export const ShareAcknowledge = defineApi({
  apiKey: 79,
  name: 'ShareAcknowledge',
  request: ShareAcknowledgeRequest,
  response: ShareAcknowledgeResponse,
});
export type ShareAcknowledgeRequest = MessageValue<typeof ShareAcknowledgeRequest>;
export type ShareAcknowledgeResponse = MessageValue<typeof ShareAcknowledgeResponse>;
