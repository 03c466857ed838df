/**
 * The share-group messages as `sharq server` handles them: Kafka's field names in camelCase
 * (ShareGroupHeartbeat v1, ShareFetch v1–2, ShareAcknowledge v1–2), decoded from and encoded to
 * the wire by the protocol schemas.
 */
export interface ShareGroupHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
}

export interface ShareGroupHeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

export interface AcknowledgementBatch {
  firstOffset: number;
  lastOffset: number;
  acknowledgeTypes: number[];
}

export interface AckPartitionIn {
  partitionIndex: number;
  acknowledgementBatches: AcknowledgementBatch[];
}

export interface ShareFetchRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  batchSize: number;
  /** v2: 0 batch_optimized, 1 record_limit (the server acquires record_limit either way). */
  shareAcquireMode: number;
  isRenewAck: boolean;
  topics: { topicId: string; partitions: AckPartitionIn[] }[];
  forgottenTopicsData: { topicId: string; partitions: number[] }[];
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface SharePartitionOut {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  currentLeader: { leaderId: number; leaderEpoch: number };
  records: Buffer | null;
  acquiredRecords: { firstOffset: number; lastOffset: number; deliveryCount: number }[];
}

export interface ShareFetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: { topicId: string; partitions: SharePartitionOut[] }[];
  nodeEndpoints: NodeEndpoint[];
}

export interface ShareAcknowledgeRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  isRenewAck: boolean;
  topics: { topicId: string; partitions: AckPartitionIn[] }[];
}

export interface ShareAcknowledgeResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      currentLeader: { leaderId: number; leaderEpoch: number };
    }[];
  }[];
  nodeEndpoints: NodeEndpoint[];
}
