import { SharqError } from '../../errors/sharq-error.js';
import type { Cluster } from '../cluster.js';
import { ShareAcknowledgeV2 } from '../protocol/apis/share-acknowledge-v2.js';
import { ShareFetchV2 } from '../protocol/apis/share-fetch-v2.js';
import { ShareGroupHeartbeatV1 } from '../protocol/apis/share-group-heartbeat-v1.js';
import type {
  ShareTransport,
  WireHeartbeatRequest,
  WireHeartbeatResponse,
  WireLeader,
  WireNodeEndpoint,
  WireShareAcknowledgeRequest,
  WireShareAcknowledgeResponse,
  WireShareFetchRequest,
  WireShareFetchResponse,
} from './transport.js';

/** ShareFetch waits at the broker; its request timeout must outlast that wait. */
const FETCH_TIMEOUT_SLACK_MS = 10_000;

/** The share consumer's transport over sharq's cluster client. */
export class ClusterTransport implements ShareTransport {
  constructor(
    private readonly cluster: Cluster,
    private readonly groupId: string,
  ) {}

  async shareFetch(nodeId: number, req: WireShareFetchRequest): Promise<WireShareFetchResponse> {
    const conn = await this.cluster.connectionTo(nodeId);
    conn.requireVersion(ShareFetchV2.apiKey, ShareFetchV2.version);
    const res = await conn.send(ShareFetchV2, req, {
      timeoutMs: req.maxWaitMs + FETCH_TIMEOUT_SLACK_MS,
    });
    return res as WireShareFetchResponse;
  }

  async shareAcknowledge(
    nodeId: number,
    req: WireShareAcknowledgeRequest,
  ): Promise<WireShareAcknowledgeResponse> {
    const conn = await this.cluster.connectionTo(nodeId);
    conn.requireVersion(ShareAcknowledgeV2.apiKey, ShareAcknowledgeV2.version);
    return conn.send(ShareAcknowledgeV2, req);
  }

  async heartbeat(req: WireHeartbeatRequest): Promise<WireHeartbeatResponse> {
    const conn = await this.cluster.coordinatorConnection(this.groupId);
    conn.requireVersion(ShareGroupHeartbeatV1.apiKey, ShareGroupHeartbeatV1.version);
    const res = await conn.send(ShareGroupHeartbeatV1, req);
    this.cluster.handleCoordinatorError(this.groupId, res.errorCode);
    return res;
  }

  invalidateCoordinator(groupId: string): void {
    this.cluster.invalidateCoordinator(groupId);
  }

  async topicId(name: string): Promise<string | undefined> {
    const known = this.cluster.topicId(name);
    if (known !== undefined) return known;
    await this.cluster.metadata([name]).catch(() => undefined);
    return this.cluster.topicId(name);
  }

  async topicName(topicId: string): Promise<string | undefined> {
    const known = this.cluster.topicName(topicId);
    if (known !== undefined) return known;
    await this.cluster.metadataForTopicIds([topicId]).catch(() => undefined);
    return this.cluster.topicName(topicId);
  }

  async leaderOf(topicId: string, partition: number): Promise<number | undefined> {
    let leader = this.cluster.leader(topicId, partition);
    if (leader === undefined || leader.leaderId < 0) {
      await this.cluster.metadataForTopicIds([topicId]).catch(() => undefined);
      leader = this.cluster.leader(topicId, partition);
    }
    return leader === undefined || leader.leaderId < 0 ? undefined : leader.leaderId;
  }

  leaderMoved(
    topicId: string,
    partition: number,
    leader: WireLeader,
    endpoints: readonly WireNodeEndpoint[],
  ): void {
    this.cluster.updateEndpoints(endpoints);
    if (leader.leaderId >= 0)
      this.cluster.updateLeader(topicId, partition, leader.leaderId, leader.leaderEpoch);
  }

  async refreshMetadata(): Promise<void> {
    try {
      await this.cluster.metadata();
    } catch (err) {
      if (!SharqError.is(err)) throw err;
    }
  }
}
