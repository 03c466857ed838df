import {
  type Acknowledgement,
  AckType,
  type AcquiredRecord,
  type Engine,
  type ShareConsumer,
} from '../../engine/types.js';
import { SharqError, toError } from '../../errors/sharq-error.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { encodeRecordBatch } from '../../kafka/protocol/record-batch.js';
import type { Clock, TimerClock } from '../../util/clock.js';
import type { TopicIds } from '../topic-ids.js';
import { partitionCounts } from '../topic-lookup.js';
import type {
  AcknowledgementBatch,
  AckPartitionIn,
  ShareAcknowledgeRequest,
  ShareAcknowledgeResponse,
  ShareFetchRequest,
  ShareFetchResponse,
  ShareGroupHeartbeatRequest,
  ShareGroupHeartbeatResponse,
  SharePartitionOut,
} from './messages.js';

/**
 * The share-group side of `sharq server`: what a Kafka broker's group coordinator and share
 * partition leaders do for a share consumer, over the embedded engine (KIP-932).
 *
 *   ShareGroupHeartbeat  epoch 0 joins (the client names its member id), -1 leaves; every
 *                        member is assigned every partition of the topics it subscribes to
 *                        (share groups let members share partitions); a member silent for
 *                        `sessionTimeoutMs` is removed and its records go back to the group.
 *   ShareFetch           share session per member: epoch 0 opens (no acknowledgements), then
 *                        +1 per request, -1 closes; acknowledgements first, then acquisition
 *                        (record_limit: never more than MaxRecords) waiting up to MaxWaitMs.
 *   ShareAcknowledge     the same session rules; RENEW answers with the new lock duration.
 *
 * Each member is one embedded share consumer, so the locks, delivery counts and archiving are
 * the embedded engine's own.
 */
export interface ShareCoordinatorOptions {
  engine: Engine;
  topicIds: TopicIds;
  /**
   * With timers (a TimerClock), members silent past the session timeout are also swept on a
   * timer, not only when another member heartbeats: a worker killed while it was the only one
   * left stayed listed (and its group "active") until the next heartbeat from anyone.
   */
  clock: Clock | TimerClock;
  /** This broker as NodeEndpoints name it. */
  node: { nodeId: number; host: string; port: number };
  heartbeatIntervalMs?: number;
  sessionTimeoutMs?: number;
}

interface Member {
  groupId: string;
  memberId: string;
  clientId: string;
  /** The client's address as Kafka's tools show it ("/127.0.0.1"). */
  clientHost: string;
  epoch: number;
  topics: readonly string[];
  consumer: ShareConsumer;
  lastSeen: number;
  /** The share session's next expected epoch, or undefined when none is open. */
  sessionEpoch: number | undefined;
}

const E = KafkaErrors;

export class ShareCoordinator {
  private readonly members = new Map<string, Member>();
  private readonly heartbeatIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  private readonly lockMs = new Map<string, number>();

  private cancelSweep: (() => void) | undefined;
  private closed = false;

  constructor(private readonly o: ShareCoordinatorOptions) {
    this.heartbeatIntervalMs = o.heartbeatIntervalMs ?? 5000;
    this.sessionTimeoutMs = o.sessionTimeoutMs ?? 45_000;
    this.scheduleSweep();
  }

  /** Sweeps expired members every quarter session timeout (at least every second). */
  private scheduleSweep(): void {
    const clock = this.o.clock;
    if (!('setTimer' in clock) || this.closed) return;
    this.cancelSweep = clock.setTimer(
      () => {
        void this.expire().finally(() => this.scheduleSweep());
      },
      Math.max(1000, Math.floor(this.sessionTimeoutMs / 4)),
    );
  }

  /** Members of a group, as ShareGroupDescribe lists them. */
  membersOf(groupId: string): {
    memberId: string;
    clientId: string;
    clientHost: string;
    epoch: number;
    topics: readonly string[];
  }[] {
    return [...this.members.values()].filter((m) => m.groupId === groupId);
  }

  async heartbeat(
    req: ShareGroupHeartbeatRequest,
    clientId: string,
    clientHost = '',
  ): Promise<ShareGroupHeartbeatResponse> {
    await this.expire();
    const key = memberKey(req.groupId, req.memberId);
    const base = {
      throttleTimeMs: 0,
      errorMessage: null,
      memberId: req.memberId,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
    };
    if (req.memberId.length === 0) {
      return {
        ...base,
        errorCode: E.INVALID_REQUEST,
        errorMessage: 'MemberId is required',
        memberEpoch: 0,
        assignment: null,
      };
    }
    let member = this.members.get(key);
    if (req.memberEpoch === -1) {
      if (member !== undefined) await this.remove(member);
      return { ...base, errorCode: 0, memberEpoch: -1, assignment: null };
    }
    if (req.memberEpoch === 0) {
      const names = req.subscribedTopicNames;
      if (names === null || names.length === 0) {
        return {
          ...base,
          errorCode: E.INVALID_REQUEST,
          errorMessage: 'SubscribedTopicNames is required to join',
          memberEpoch: 0,
          assignment: null,
        };
      }
      if (member !== undefined) await this.remove(member);
      member = await this.join(req.groupId, req.memberId, { clientId, clientHost }, names);
      return {
        ...base,
        errorCode: 0,
        memberEpoch: member.epoch,
        assignment: await this.assignment(member),
      };
    }
    if (member === undefined) {
      return {
        ...base,
        errorCode: E.UNKNOWN_MEMBER_ID,
        errorMessage: `Member ${req.memberId} is not in group ${req.groupId}`,
        memberEpoch: req.memberEpoch,
        assignment: null,
      };
    }
    if (req.memberEpoch !== member.epoch) {
      return {
        ...base,
        errorCode: E.FENCED_MEMBER_EPOCH,
        errorMessage: `Epoch ${req.memberEpoch} is not the member's ${member.epoch}`,
        memberEpoch: member.epoch,
        assignment: null,
      };
    }
    member.lastSeen = this.o.clock.now();
    const names = req.subscribedTopicNames;
    if (names !== null && !sameTopics(names, member.topics)) {
      await this.remove(member);
      member = await this.join(
        req.groupId,
        req.memberId,
        { clientId, clientHost },
        names,
        member.epoch + 1,
      );
      return {
        ...base,
        errorCode: 0,
        memberEpoch: member.epoch,
        assignment: await this.assignment(member),
      };
    }
    return { ...base, errorCode: 0, memberEpoch: member.epoch, assignment: null };
  }

  async shareFetch(req: ShareFetchRequest, signal: AbortSignal): Promise<ShareFetchResponse> {
    const member = this.members.get(memberKey(req.groupId ?? '', req.memberId ?? ''));
    const head = { throttleTimeMs: 0, acquisitionLockTimeoutMs: 0, nodeEndpoints: [] };
    if (member === undefined) {
      return {
        ...head,
        errorCode: E.UNKNOWN_MEMBER_ID,
        errorMessage: 'Join the group with ShareGroupHeartbeat first',
        responses: [],
      };
    }
    const session = this.session(member, req.shareSessionEpoch, hasAcks(req.topics));
    if (session !== 0) return { ...head, errorCode: session, errorMessage: null, responses: [] };
    member.lastSeen = this.o.clock.now();
    const ackErrors = await this.applyAcks(member, req.topics);
    const out = new Map<string, Map<number, SharePartitionOut>>();
    const partition = (topicId: string, index: number): SharePartitionOut => {
      let byPartition = out.get(topicId);
      if (byPartition === undefined) {
        byPartition = new Map();
        out.set(topicId, byPartition);
      }
      let p = byPartition.get(index);
      if (p === undefined) {
        p = emptyPartition(index);
        byPartition.set(index, p);
      }
      return p;
    };
    for (const [k, code] of ackErrors) {
      const [topicId, index] = splitKey(k);
      const p = partition(topicId, index);
      p.acknowledgeErrorCode = code;
    }
    const fetching = req.shareSessionEpoch !== -1 && !req.isRenewAck && req.maxRecords > 0;
    if (fetching) {
      const records = await member.consumer.poll({
        maxRecords: Math.max(1, req.maxRecords),
        maxWaitMs: Math.max(0, req.maxWaitMs),
        signal,
      });
      for (const [topic, parts] of groupByPartition(records)) {
        const topicId = this.o.topicIds.idOf(topic);
        for (const [index, recs] of parts) {
          const p = partition(topicId, index);
          const { records: bytes, acquired } = encodeAcquired(recs);
          p.records = bytes;
          p.acquiredRecords = acquired;
        }
      }
    }
    if (req.shareSessionEpoch === -1) await this.closeSession(member);
    return {
      ...head,
      errorCode: 0,
      errorMessage: null,
      // Read after the poll: a fetch waits up to maxWaitMs, and a lock set meanwhile (a Queue's
      // first add sets the group's) is the one its records got.
      acquisitionLockTimeoutMs: await this.lockDuration(member.groupId),
      responses: [...out].map(([topicId, parts]) => ({ topicId, partitions: [...parts.values()] })),
      nodeEndpoints: [
        { nodeId: this.o.node.nodeId, host: this.o.node.host, port: this.o.node.port, rack: null },
      ],
    };
  }

  async shareAcknowledge(req: ShareAcknowledgeRequest): Promise<ShareAcknowledgeResponse> {
    const member = this.members.get(memberKey(req.groupId ?? '', req.memberId ?? ''));
    const head = { throttleTimeMs: 0, acquisitionLockTimeoutMs: 0, nodeEndpoints: [] };
    if (member === undefined) {
      return {
        ...head,
        errorCode: E.UNKNOWN_MEMBER_ID,
        errorMessage: 'Join the group with ShareGroupHeartbeat first',
        responses: [],
      };
    }
    if (member.sessionEpoch === undefined) {
      return { ...head, errorCode: E.SHARE_SESSION_NOT_FOUND, errorMessage: null, responses: [] };
    }
    const session = this.session(member, req.shareSessionEpoch, false);
    if (session !== 0) return { ...head, errorCode: session, errorMessage: null, responses: [] };
    member.lastSeen = this.o.clock.now();
    const errors = await this.applyAcks(member, req.topics);
    const byTopic = new Map<
      string,
      {
        partitionIndex: number;
        errorCode: number;
        errorMessage: null;
        currentLeader: { leaderId: number; leaderEpoch: number };
      }[]
    >();
    for (const t of req.topics) {
      byTopic.set(
        t.topicId,
        t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: errors.get(partKey(t.topicId, p.partitionIndex)) ?? 0,
          errorMessage: null,
          currentLeader: { leaderId: this.o.node.nodeId, leaderEpoch: 0 },
        })),
      );
    }
    if (req.shareSessionEpoch === -1) await this.closeSession(member);
    return {
      ...head,
      errorCode: 0,
      errorMessage: null,
      acquisitionLockTimeoutMs: await this.lockDuration(member.groupId),
      responses: [...byTopic].map(([topicId, partitions]) => ({ topicId, partitions })),
      nodeEndpoints: [
        { nodeId: this.o.node.nodeId, host: this.o.node.host, port: this.o.node.port, rack: null },
      ],
    };
  }

  /** Removes every member (server shutdown): their records go back to their groups. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancelSweep?.();
    await Promise.allSettled([...this.members.values()].map((m) => this.remove(m)));
  }

  private async join(
    groupId: string,
    memberId: string,
    client: { clientId: string; clientHost: string },
    topics: readonly string[],
    epoch = 1,
  ): Promise<Member> {
    const { clientId, clientHost } = client;
    const existing = await partitionCounts(this.o.engine, topics);
    const present = topics.filter((t) => existing.has(t));
    const consumer = this.o.engine.createShareConsumer({
      groupId,
      // A consumer needs a topic; one subscribed to topics not created yet acquires nothing.
      topics: present.length > 0 ? present : [...topics],
      clientId,
      memberId,
      acquireMode: 'record_limit',
    });
    const member: Member = {
      groupId,
      memberId,
      clientId,
      clientHost,
      epoch,
      topics: [...topics],
      consumer,
      lastSeen: this.o.clock.now(),
      sessionEpoch: undefined,
    };
    this.members.set(memberKey(groupId, memberId), member);
    return member;
  }

  private async assignment(member: Member): Promise<ShareGroupHeartbeatResponse['assignment']> {
    const topicPartitions: { topicId: string; partitions: number[] }[] = [];
    for (const [name, partitions] of await partitionCounts(this.o.engine, member.topics)) {
      topicPartitions.push({
        topicId: this.o.topicIds.idOf(name),
        partitions: Array.from({ length: partitions }, (_, i) => i),
      });
    }
    return { topicPartitions };
  }

  /** 0 when the request's share-session epoch is right, else the Kafka error code. */
  private session(member: Member, epoch: number, carriesAcks: boolean): number {
    if (epoch === 0) {
      if (carriesAcks) return E.INVALID_REQUEST;
      member.sessionEpoch = 1;
      return 0;
    }
    if (member.sessionEpoch === undefined) return E.SHARE_SESSION_NOT_FOUND;
    if (epoch === -1) return 0;
    if (epoch !== member.sessionEpoch) return E.INVALID_SHARE_SESSION_EPOCH;
    member.sessionEpoch = epoch + 1;
    return 0;
  }

  private async closeSession(member: Member): Promise<void> {
    member.sessionEpoch = undefined;
  }

  /** Applies acknowledgement batches; returns the error code of each partition that had one. */
  private async applyAcks(
    member: Member,
    topics: readonly { topicId: string; partitions: readonly AckPartitionIn[] }[],
  ): Promise<Map<string, number>> {
    const errors = new Map<string, number>();
    const acks: Acknowledgement[] = [];
    const keyOf = new Map<Acknowledgement, string>();
    for (const t of topics) {
      let topic = this.o.topicIds.topicOf(t.topicId);
      if (topic === undefined) {
        this.o.topicIds.learn((await this.o.engine.admin.listTopics()).map((x) => x.name));
        topic = this.o.topicIds.topicOf(t.topicId);
      }
      for (const p of t.partitions) {
        const k = partKey(t.topicId, p.partitionIndex);
        if (topic === undefined) {
          if (p.acknowledgementBatches.length > 0) errors.set(k, E.UNKNOWN_TOPIC_ID);
          continue;
        }
        try {
          for (const ack of expandBatches(topic, p.partitionIndex, p.acknowledgementBatches)) {
            acks.push(ack);
            keyOf.set(ack, k);
          }
        } catch {
          errors.set(k, E.INVALID_REQUEST);
        }
      }
    }
    if (acks.length === 0) return errors;
    try {
      const result = await member.consumer.acknowledge(acks);
      for (const f of result.failed) errors.set(keyOf.get(f.ack)!, E.INVALID_RECORD_STATE);
    } catch (err) {
      const code = SharqError.is(toError(err), 'SHARQ_ERR_UNKNOWN_TOPIC')
        ? E.UNKNOWN_TOPIC_OR_PARTITION
        : E.UNKNOWN_SERVER_ERROR;
      for (const k of new Set(keyOf.values())) errors.set(k, code);
    }
    return errors;
  }

  private async lockDuration(groupId: string): Promise<number> {
    let ms = this.lockMs.get(groupId);
    if (ms === undefined) {
      ms = (await this.o.engine.admin.describeGroup(groupId)).config.lockDurationMs;
      this.lockMs.set(groupId, ms);
    }
    return ms;
  }

  /** Group settings changed (IncrementalAlterConfigs): forget what was cached. */
  configChanged(groupId: string): void {
    this.lockMs.delete(groupId);
  }

  private async remove(member: Member): Promise<void> {
    this.members.delete(memberKey(member.groupId, member.memberId));
    await member.consumer.close();
  }

  private async expire(): Promise<void> {
    const cutoff = this.o.clock.now() - this.sessionTimeoutMs;
    const gone = [...this.members.values()].filter((m) => m.lastSeen < cutoff);
    await Promise.allSettled(gone.map((m) => this.remove(m)));
  }
}

function memberKey(groupId: string, memberId: string): string {
  return `${groupId}\u0000${memberId}`;
}
function partKey(topicId: string, partition: number): string {
  return `${topicId}/${partition}`;
}
function splitKey(k: string): [string, number] {
  const i = k.lastIndexOf('/');
  return [k.slice(0, i), Number(k.slice(i + 1))];
}
function sameTopics(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((t, i) => t === [...b].sort()[i]);
}
function hasAcks(topics: ShareFetchRequest['topics']): boolean {
  return topics.some((t) => t.partitions.some((p) => p.acknowledgementBatches.length > 0));
}

function emptyPartition(partitionIndex: number): SharePartitionOut {
  return {
    partitionIndex,
    errorCode: 0,
    errorMessage: null,
    acknowledgeErrorCode: 0,
    acknowledgeErrorMessage: null,
    currentLeader: { leaderId: -1, leaderEpoch: -1 },
    // Not nullable in ShareFetch v1+: a partition with acknowledgements only has no records.
    records: Buffer.alloc(0),
    acquiredRecords: [],
  };
}

/** Acknowledgement batches (ascending, one type for the range or one per offset) as acks. */
export function expandBatches(
  topic: string,
  partition: number,
  batches: readonly AcknowledgementBatch[],
): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  let last = -1;
  for (const b of batches) {
    const n = b.lastOffset - b.firstOffset + 1;
    if (b.firstOffset <= last || n < 1 || n > 1_000_000)
      throw new Error('batches must ascend without overlap');
    if (b.acknowledgeTypes.length !== 1 && b.acknowledgeTypes.length !== n)
      throw new Error('one acknowledge type for the range, or one per offset');
    for (let i = 0; i < n; i++) {
      const type =
        b.acknowledgeTypes.length === 1 ? b.acknowledgeTypes[0]! : b.acknowledgeTypes[i]!;
      if (type < AckType.Gap || type > AckType.Renew) throw new Error(`acknowledge type ${type}`);
      out.push({ record: { topic, partition, offset: b.firstOffset + i }, type: type as AckType });
    }
    last = b.lastOffset;
  }
  return out;
}

function groupByPartition(
  records: readonly AcquiredRecord[],
): Map<string, Map<number, AcquiredRecord[]>> {
  const out = new Map<string, Map<number, AcquiredRecord[]>>();
  for (const r of records) {
    let byP = out.get(r.topic);
    if (byP === undefined) {
      byP = new Map();
      out.set(r.topic, byP);
    }
    let list = byP.get(r.partition);
    if (list === undefined) {
      list = [];
      byP.set(r.partition, list);
    }
    list.push(r);
  }
  return out;
}

/**
 * A partition's acquired records as v2 record batches (one per run of consecutive offsets) and
 * the AcquiredRecords ranges (one per run of consecutive offsets with one delivery count).
 */
export function encodeAcquired(records: AcquiredRecord[]): {
  records: Buffer;
  acquired: { firstOffset: number; lastOffset: number; deliveryCount: number }[];
} {
  const sorted = [...records].sort((a, b) => a.offset - b.offset);
  const batches: Buffer[] = [];
  const acquired: { firstOffset: number; lastOffset: number; deliveryCount: number }[] = [];
  let run: AcquiredRecord[] = [];
  const flush = () => {
    if (run.length === 0) return;
    batches.push(
      encodeRecordBatch(
        run.map((r) => ({
          key: r.key,
          value: r.value,
          headers: r.headers,
          timestamp: r.timestamp,
        })),
        { baseOffset: run[0]!.offset },
      ),
    );
    run = [];
  };
  for (const r of sorted) {
    const prev = run.at(-1);
    if (prev !== undefined && r.offset !== prev.offset + 1) flush();
    run.push(r);
    const range = acquired.at(-1);
    if (
      range !== undefined &&
      range.lastOffset === r.offset - 1 &&
      range.deliveryCount === r.deliveryCount
    )
      range.lastOffset = r.offset;
    else
      acquired.push({
        firstOffset: r.offset,
        lastOffset: r.offset,
        deliveryCount: r.deliveryCount,
      });
  }
  flush();
  return { records: Buffer.concat(batches), acquired };
}
