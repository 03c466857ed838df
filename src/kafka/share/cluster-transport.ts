import { SharqError } from '../../errors/sharq-error.js';
import type { Cluster } from '../cluster.js';
import type { BrokerConnection } from '../connection.js';
import { ShareAcknowledgeV2 } from '../protocol/apis/share-acknowledge-v2.js';
import { ShareFetchV2 } from '../protocol/apis/share-fetch-v2.js';
import { ShareGroupHeartbeatV1 } from '../protocol/client-apis.js';
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

/**
 * The share consumer's transport over sharq's cluster client. ShareFetch and ShareAcknowledge go
 * on connections of this consumer's own, one per broker, as each Java share consumer has its own
 * network client: a broker answers the requests of one connection one at a time, so a ShareFetch
 * waiting out MaxWaitMs on a shared connection would stall every request behind it, such as the
 * acknowledgements of another consumer of the same engine (a worker's delay-tier forwarder).
 * Heartbeats and metadata stay on the cluster's shared connections.
 */
export class ClusterTransport implements ShareTransport {
  private readonly own = new Map<number, Promise<BrokerConnection>>();
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly groupId: string,
  ) {}

  async shareFetch(nodeId: number, req: WireShareFetchRequest): Promise<WireShareFetchResponse> {
    const conn = await this.sessionConnection(nodeId);
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
    const conn = await this.sessionConnection(nodeId);
    conn.requireVersion(ShareAcknowledgeV2.apiKey, ShareAcknowledgeV2.version);
    return conn.send(ShareAcknowledgeV2, req);
  }

  /** Closes this consumer's own connections. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const conns = [...this.own.values()];
    this.own.clear();
    await Promise.allSettled(conns.map(async (p) => (await p).close()));
  }

  /**
   * This consumer's connection to a broker: opened on first use, again after it broke (the
   * failed request already told the session to start over) or when the broker moved.
   */
  private async sessionConnection(nodeId: number): Promise<BrokerConnection> {
    if (this.closed)
      throw new SharqError('SHARQ_ERR_CLOSED', 'The share consumer transport is closed');
    const known = this.own.get(nodeId);
    if (known !== undefined) {
      const conn = await known.catch(() => undefined);
      const at = this.cluster.endpoint(nodeId);
      const moved =
        at !== undefined && conn !== undefined && (conn.host !== at.host || conn.port !== at.port);
      if (conn !== undefined && !conn.isClosed && !moved) return conn;
      if (this.own.get(nodeId) === known) this.own.delete(nodeId);
      if (moved) void conn.close();
    }
    let opening = this.own.get(nodeId);
    if (opening === undefined) {
      opening = this.cluster.openConnection(nodeId);
      this.own.set(nodeId, opening);
      // A failed connect is not kept: the next request tries again.
      opening.catch(() => {
        if (this.own.get(nodeId) === opening) this.own.delete(nodeId);
      });
    }
    const conn = await opening;
    if (this.closed) {
      await conn.close();
      throw new SharqError('SHARQ_ERR_CLOSED', 'The share consumer transport is closed');
    }
    return conn;
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
