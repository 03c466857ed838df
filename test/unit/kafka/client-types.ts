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
