/**
 * What the share consumer needs from the cluster client, in wire terms: requests to a given
 * broker or to the group coordinator, and the topic-id and leader metadata share APIs rely on.
 * Kept narrow so the consumer's logic can be tested against a scripted transport.
 */
export interface WireShareFetchRequest {
  groupId: string;
  memberId: string;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number;
  batchSize: number;
  shareAcquireMode: number;
  isRenewAck: boolean;
  topics: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      acknowledgementBatches: {
        firstOffset: number;
        lastOffset: number;
        acknowledgeTypes: number[];
      }[];
    }[];
  }[];
  forgottenTopicsData: { topicId: string; partitions: number[] }[];
}

export interface WireLeader {
  leaderId: number;
  leaderEpoch: number;
}

export interface WireNodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface WireShareFetchResponse {
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      acknowledgeErrorCode: number;
      acknowledgeErrorMessage: string | null;
      currentLeader: WireLeader;
      records: Buffer | null;
      acquiredRecords: { firstOffset: number; lastOffset: number; deliveryCount: number }[];
    }[];
  }[];
  nodeEndpoints: WireNodeEndpoint[];
}

export interface WireShareAcknowledgeRequest {
  groupId: string;
  memberId: string;
  shareSessionEpoch: number;
  isRenewAck: boolean;
  topics: WireShareFetchRequest['topics'];
}

export interface WireShareAcknowledgeResponse {
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: {
    topicId: string;
    partitions: {
      partitionIndex: number;
      errorCode: number;
      errorMessage: string | null;
      currentLeader: WireLeader;
    }[];
  }[];
  nodeEndpoints: WireNodeEndpoint[];
}

export interface WireHeartbeatRequest {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  rackId: string | null;
  subscribedTopicNames: string[] | null;
}

export interface WireHeartbeatResponse {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: { topicPartitions: { topicId: string; partitions: number[] }[] } | null;
}

export interface ShareTransport {
  shareFetch(nodeId: number, req: WireShareFetchRequest): Promise<WireShareFetchResponse>;
  shareAcknowledge(
    nodeId: number,
    req: WireShareAcknowledgeRequest,
  ): Promise<WireShareAcknowledgeResponse>;
  /** Sent to the group's coordinator, found (and re-found after NOT_COORDINATOR) by the transport. */
  heartbeat(req: WireHeartbeatRequest): Promise<WireHeartbeatResponse>;
  /** Forgets the cached coordinator, after a coordinator error. */
  invalidateCoordinator(groupId: string): void;
  /** Topic id for a name, refreshing metadata when unknown. */
  topicId(name: string): Promise<string | undefined>;
  /** Topic name for an id, refreshing metadata when unknown. */
  topicName(topicId: string): Promise<string | undefined>;
  /** Leader node of a partition, refreshing metadata when unknown. */
  leaderOf(topicId: string, partition: number): Promise<number | undefined>;
  /** A response said the leader moved (NOT_LEADER_OR_FOLLOWER with CurrentLeader and NodeEndpoints). */
  leaderMoved(
    topicId: string,
    partition: number,
    leader: WireLeader,
    endpoints: readonly WireNodeEndpoint[],
  ): void;
  /** Drops cached metadata, e.g. after UNKNOWN_TOPIC_OR_PARTITION. */
  refreshMetadata(): Promise<void>;
  /** Releases what the transport holds for this consumer (its own connections), once it has left. */
  close?(): Promise<void>;
}
