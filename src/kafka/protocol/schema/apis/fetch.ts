import { defineApi } from '../api.js';
import { array, int8, int16, int32, int64, records, string, struct, structField } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * Fetch (key 1), v4-12. From Kafka 4.4 `FetchRequest.json` / `FetchResponse.json` (valid 4-18,
 * flexible 12+; 4.0 removed v0-3). kafkajs 2.2.4 sends v4-11, sharq reads by offset with v12.
 * v4 adds IsolationLevel, LastStableOffset and AbortedTransactions; v5 LogStartOffset; v7
 * (KIP-227) fetch sessions: SessionId, SessionEpoch, ForgottenTopicsData; v9 CurrentLeaderEpoch;
 * v11 RackId and PreferredReadReplica (KIP-392); v12 LastFetchedEpoch and the tagged ClusterId,
 * DivergingEpoch, CurrentLeader and SnapshotId. v13+ name topics by id (not defined here).
 *
 * A tagged struct absent from a response decodes to its defaults (all -1), as in Kafka's
 * generated classes, not to null.
 */

const FetchPartition = struct('FetchPartition', {
  partition: int32(),
  currentLeaderEpoch: int32({ versions: '9+', default: -1, ignorable: true }),
  fetchOffset: int64(),
  lastFetchedEpoch: int32({ versions: '12+', default: -1, ignorable: false }),
  logStartOffset: int64({ versions: '5+', default: -1, ignorable: true }),
  partitionMaxBytes: int32(),
});

const FetchTopic = struct('FetchTopic', {
  topic: string({ versions: '0-12', ignorable: true }),
  partitions: array(FetchPartition),
});

const ForgottenTopic = struct('ForgottenTopic', {
  topic: string({ versions: '7-12', ignorable: true }),
  partitions: array('int32', { versions: '7+' }),
});

const FetchRequest = message({
  name: 'FetchRequest',
  type: 'request',
  validVersions: '4-12',
  flexibleVersions: '12+',
  fields: {
    clusterId: string({
      versions: '12+',
      nullableVersions: '12+',
      taggedVersions: '12+',
      tag: 0,
      default: null,
      ignorable: true,
    }),
    replicaId: int32({ versions: '0-14', default: -1 }),
    maxWaitMs: int32(),
    minBytes: int32(),
    maxBytes: int32({ versions: '3+', default: 0x7fffffff, ignorable: true }),
    isolationLevel: int8({ versions: '4+', default: 0, ignorable: true }),
    sessionId: int32({ versions: '7+', default: 0, ignorable: true }),
    sessionEpoch: int32({ versions: '7+', default: -1, ignorable: true }),
    topics: array(FetchTopic),
    forgottenTopicsData: array(ForgottenTopic, { versions: '7+', ignorable: false }),
    rackId: string({ versions: '11+', default: '', ignorable: true }),
  },
});

const EpochEndOffset = struct('EpochEndOffset', {
  epoch: int32({ versions: '12+', default: -1 }),
  endOffset: int64({ versions: '12+', default: -1 }),
});

const LeaderIdAndEpoch = struct('LeaderIdAndEpoch', {
  leaderId: int32({ versions: '12+', default: -1 }),
  leaderEpoch: int32({ versions: '12+', default: -1 }),
});

const SnapshotId = struct('SnapshotId', {
  endOffset: int64({ default: -1 }),
  epoch: int32({ default: -1 }),
});

const AbortedTransaction = struct('AbortedTransaction', {
  producerId: int64({ versions: '4+' }),
  firstOffset: int64({ versions: '4+' }),
});

const PartitionData = struct('PartitionData', {
  partitionIndex: int32(),
  errorCode: int16(),
  highWatermark: int64(),
  lastStableOffset: int64({ versions: '4+', default: -1, ignorable: true }),
  logStartOffset: int64({ versions: '5+', default: -1, ignorable: true }),
  divergingEpoch: structField(EpochEndOffset, { versions: '12+', taggedVersions: '12+', tag: 0 }),
  currentLeader: structField(LeaderIdAndEpoch, { versions: '12+', taggedVersions: '12+', tag: 1 }),
  snapshotId: structField(SnapshotId, { versions: '12+', taggedVersions: '12+', tag: 2 }),
  abortedTransactions: array(AbortedTransaction, {
    versions: '4+',
    nullableVersions: '4+',
    ignorable: true,
  }),
  preferredReadReplica: int32({ versions: '11+', default: -1, ignorable: false }),
  records: records({ nullableVersions: '0+' }),
});

const FetchableTopicResponse = struct('FetchableTopicResponse', {
  topic: string({ versions: '0-12', ignorable: true }),
  partitions: array(PartitionData),
});

const FetchResponse = message({
  name: 'FetchResponse',
  type: 'response',
  validVersions: '4-12',
  flexibleVersions: '12+',
  fields: {
    throttleTimeMs: int32({ versions: '1+', ignorable: true }),
    errorCode: int16({ versions: '7+', ignorable: true }),
    sessionId: int32({ versions: '7+', default: 0, ignorable: false }),
    responses: array(FetchableTopicResponse),
  },
});

export const Fetch = defineApi({
  apiKey: 1,
  name: 'Fetch',
  request: FetchRequest,
  response: FetchResponse,
});
export type FetchRequest = MessageValue<typeof FetchRequest>;
export type FetchResponse = MessageValue<typeof FetchResponse>;

/** IsolationLevel as the wire carries it. */
export const IsolationLevel = {
  ReadUncommitted: 0,
  ReadCommitted: 1,
} as const;
export type IsolationLevel = (typeof IsolationLevel)[keyof typeof IsolationLevel];
