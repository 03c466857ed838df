// The v<N> shapes sharq's client sends and reads, as the client tests and their fake broker
// (wire-mirror.ts) build them: plain interfaces of that one version, kept here since the client
// codecs are now the schema's (src/kafka/protocol/client-apis.ts), whose types cover every version.

// ---- Metadata v12
export interface MetadataRequestTopic {
  /** 32 hex digits (dashes allowed); omit or zero when asking by name. */
  topicId?: string;
  name: string | null;
}

export interface MetadataRequest {
  /** null asks for every topic; [] for none (brokers and controller only). */
  topics: readonly MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string | null;
  /** 32 lowercase hex digits; all zeros for a topic the broker does not know. */
  topicId: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

// ---- FindCoordinator v6
export interface FindCoordinatorRequest {
  keyType: number;
  coordinatorKeys: readonly string[];
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  coordinators: Coordinator[];
}

// ---- DescribeConfigs v4
export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: readonly string[] | null;
}

export interface DescribeConfigsRequest {
  resources: readonly DescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribeConfigsEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsSynonym[];
  configType: number;
  documentation: string | null;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

// ---- IncrementalAlterConfigs v1
export interface AlterableConfig {
  name: string;
  configOperation: number;
  value: string | null;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: readonly AlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  resources: readonly AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

// ---- ListGroups v5
export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

// ---- ShareGroupDescribe v1
export interface ShareGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface DescribedTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface ShareGroupDescribedMember {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  assignment: { topicPartitions: DescribedTopicPartitions[] };
}

export interface ShareGroupDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ShareGroupDescribedMember[];
  authorizedOperations: number;
}

export interface ShareGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ShareGroupDescribedGroup[];
}

// ---- DescribeShareGroupOffsets v1
export interface DescribeShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: number[];
}

export interface DescribeShareGroupOffsetsRequestGroup {
  groupId: string;
  /** Null for every topic-partition of the group. */
  topics: DescribeShareGroupOffsetsRequestTopic[] | null;
}

export interface DescribeShareGroupOffsetsRequest {
  groups: DescribeShareGroupOffsetsRequestGroup[];
}

export interface DescribeShareGroupOffsetsPartition {
  partitionIndex: number;
  startOffset: number;
  leaderEpoch: number;
  /** -1 when not available. */
  lag: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeShareGroupOffsetsTopic {
  topicName: string;
  topicId: string;
  partitions: DescribeShareGroupOffsetsPartition[];
}

export interface DescribeShareGroupOffsetsGroup {
  groupId: string;
  topics: DescribeShareGroupOffsetsTopic[];
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeShareGroupOffsetsResponse {
  throttleTimeMs: number;
  groups: DescribeShareGroupOffsetsGroup[];
}

// ---- AlterShareGroupOffsets v0
export interface AlterShareGroupOffsetsRequestTopic {
  topicName: string;
  partitions: { partitionIndex: number; startOffset: number }[];
}

export interface AlterShareGroupOffsetsRequest {
  groupId: string;
  topics: AlterShareGroupOffsetsRequestTopic[];
}

export interface AlterShareGroupOffsetsPartition {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface AlterShareGroupOffsetsTopic {
  topicName: string;
  topicId: string;
  partitions: AlterShareGroupOffsetsPartition[];
}

export interface AlterShareGroupOffsetsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: AlterShareGroupOffsetsTopic[];
}

// ---- ApiVersions v3
export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface SupportedFeature {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface FinalizedFeature {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
  supportedFeatures: SupportedFeature[];
  /** -1 when the broker does not know the finalized features. */
  finalizedFeaturesEpoch: number;
  /** Cluster-wide enabled features, e.g. `share.version` (share groups are on when ≥ 1). */
  finalizedFeatures: FinalizedFeature[];
}

// ---- SaslHandshake v1
export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

// ---- SaslAuthenticate v2
export interface SaslAuthenticateRequest {
  authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

// ---- Fetch v12
export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface FetchRequestPartition {
  partition: number;
  /** -1 skips the leader epoch check. */
  currentLeaderEpoch: number;
  fetchOffset: number;
  /** -1 when no record was fetched before. */
  lastFetchedEpoch: number;
  /** Followers only; -1 for a consumer. */
  logStartOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequestTopic {
  topic: string;
  partitions: FetchRequestPartition[];
}

export interface FetchForgottenTopic {
  topic: string;
  partitions: number[];
}

export interface FetchRequest {
  /** Tagged field 0; omitted from the request when undefined or null. */
  clusterId?: string | null;
  /** -1 for a consumer. */
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** 0 with sessionEpoch -1: a full fetch outside any fetch session. */
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestTopic[];
  forgottenTopicsData: FetchForgottenTopic[];
  rackId: string;
}

/** DivergingEpoch (tag 0). */
export interface EpochEndOffset {
  epoch: number;
  endOffset: number;
}

/** SnapshotId (tag 2). */
export interface SnapshotId {
  endOffset: number;
  epoch: number;
}

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** Tag 0; null when the broker did not send it. */
  divergingEpoch: EpochEndOffset | null;
  /** Tag 1; null when the broker did not send it. */
  currentLeader: LeaderIdAndEpoch | null;
  /** Tag 2; null when the broker did not send it. */
  snapshotId: SnapshotId | null;
  abortedTransactions: AbortedTransaction[] | null;
  preferredReadReplica: number;
  /** Raw record batches (v2 format), undecoded. */
  records: Buffer | null;
}

export interface FetchTopicResponse {
  topic: string;
  partitions: FetchPartitionData[];
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchTopicResponse[];
}
