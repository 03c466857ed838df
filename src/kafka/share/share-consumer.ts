import { randomUUID } from 'node:crypto';
import {
  type Acknowledgement,
  type AckResult,
  AckType,
  type AcquiredRecord,
  type PollOptions,
  type ShareConsumer,
} from '../../engine/types.js';
import { SharqError, toError } from '../../errors/sharq-error.js';
import { backoffDelay } from '../../util/backoff.js';
import { sleep } from '../../util/sleep.js';
import { AckRound } from './ack-round.js';
import { readAcquired } from './acquired-records.js';
import { ShareMembership } from './membership.js';
import { type FetchPartition, type PendingAck, ShareSession } from './share-session.js';
import type { ShareTransport, WireShareFetchResponse } from './transport.js';

export interface KafkaShareConsumerOptions {
  groupId: string;
  topics: readonly string[];
  clientId: string;
  /** Longest a single ShareFetch waits at the broker, so queued acks never wait longer than this for a ride. */
  fetchWaitCapMs?: number;
  maxBytes?: number;
  onError(err: Error): void;
}

const NOT_LEADER = 6;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const UNKNOWN_TOPIC_ID = 100;
const FENCED_LEADER_EPOCH = 74;

/**
 * A member of a Kafka share group, speaking ShareGroupHeartbeat / ShareFetch / ShareAcknowledge
 * through sharq's own protocol client.
 *
 * poll() fetches in `record_limit` mode (never more records than the worker has free slots),
 * from every leader of the assigned partitions at once with the budget split between them, and
 * hands out only offsets inside AcquiredRecords; acquired offsets without a record (control
 * batches, compaction holes) are acknowledged as GAP on the next request. acknowledge() queues
 * ACCEPT / RELEASE / REJECT in the broker's session and flushes them in a ShareAcknowledge as
 * soon as the session is free; acks queued while a fetch is being sent ride on it. RENEW goes at
 * once in a ShareAcknowledge with IsRenewAck.
 */
export class KafkaShareConsumer implements ShareConsumer {
  readonly memberId = randomUUID();
  private readonly membership: ShareMembership;
  private readonly sessions = new Map<number, ShareSession>();
  private buffered: AcquiredRecord[] = [];
  private rotation = 0;
  private closing: Promise<void> | undefined;
  private readonly waitCap: number;
  private readonly maxBytes: number;
  private started = false;
  /** Fetches in a row that failed, per broker: how long the next one waits. */
  private readonly fetchFailures = new Map<number, number>();
  /** When a broker in a pause after failed fetches may be asked again. */
  private readonly retryAt = new Map<number, number>();

  constructor(
    private readonly transport: ShareTransport,
    private readonly options: KafkaShareConsumerOptions,
  ) {
    if (options.topics.length === 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        'A share consumer needs at least one topic',
      );
    }
    this.waitCap = options.fetchWaitCapMs ?? 250;
    this.maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
    this.membership = new ShareMembership(
      transport,
      options.groupId,
      this.memberId,
      options.topics,
      options.onError,
    );
  }

  async poll({ maxRecords, maxWaitMs, signal }: PollOptions): Promise<AcquiredRecord[]> {
    if (this.closing !== undefined)
      throw new SharqError('SHARQ_ERR_CLOSED', `Share consumer ${this.memberId} is closed`);
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `poll maxRecords must be a positive integer, got ${maxRecords}`,
      );
    }
    this.start();
    if (this.buffered.length > 0) return this.buffered.splice(0, maxRecords);
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      const left = deadline - Date.now();
      const byLeader = await this.partitionsByLeader();
      if (byLeader.size === 0) {
        if (left <= 0 || signal?.aborted || this.closing !== undefined) return [];
        await this.membership.waitForChange(Math.min(left, 500), signal);
        continue;
      }
      if (this.intakes.size > 0) await Promise.allSettled([...this.intakes]);
      const records = await this.fetchFrom(
        byLeader,
        maxRecords,
        Math.max(0, Math.min(left, this.waitCap)),
        signal,
      );
      if (records.length > maxRecords) this.buffered.push(...records.splice(maxRecords));
      if (records.length > 0) return records;
      if (Date.now() >= deadline || signal?.aborted || this.closing !== undefined) return [];
    }
  }

  acknowledge(acks: readonly Acknowledgement[]): Promise<AckResult> {
    if (acks.length === 0) return Promise.resolve({ failed: [] });
    const round = new AckRound(acks.length, Date.now());
    // The intake (finding each partition's leader and queueing its acks in that session) is
    // tracked, so a poll that starts meanwhile fetches only after the acks are queued: they ride
    // on that fetch instead of waiting behind it while this member still holds their locks.
    const intake = this.intake(acks, round);
    this.intakes.add(intake);
    return intake.finally(() => this.intakes.delete(intake)).then(() => round.done);
  }

  private async intake(acks: readonly Acknowledgement[], round: AckRound): Promise<void> {
    // topic → partition → its acks: one leader lookup per partition, not per ack.
    const byPartition = new Map<string, Map<number, Acknowledgement[]>>();
    for (const ack of acks) {
      const { topic, partition } = ack.record;
      let partitions = byPartition.get(topic);
      if (partitions === undefined) {
        partitions = new Map();
        byPartition.set(topic, partitions);
      }
      const list = partitions.get(partition);
      if (list === undefined) partitions.set(partition, [ack]);
      else list.push(ack);
    }
    const bySession = new Map<ShareSession, { renew: PendingAck[]; other: PendingAck[] }>();
    for (const [topic, partitions] of byPartition) {
      const topicId = await this.topicIdOf(topic);
      for (const [partition, list] of partitions) {
        const leader =
          topicId === undefined ? undefined : await this.transport.leaderOf(topicId, partition);
        if (topicId === undefined || leader === undefined) {
          for (const ack of list)
            round.fail(ack, notHeld(ack, 'its topic or partition leader is unknown'));
          continue;
        }
        const session = this.session(leader);
        let slot = bySession.get(session);
        if (slot === undefined) {
          slot = { renew: [], other: [] };
          bySession.set(session, slot);
        }
        for (const ack of list)
          (ack.type === AckType.Renew ? slot.renew : slot.other).push(round.pending(ack, topicId));
      }
    }
    for (const [session, { renew, other }] of bySession) {
      if (other.length > 0) {
        session.enqueue(other);
        session.flushSoon((err) => this.options.onError(toError(err)));
      }
      if (renew.length > 0)
        session.renew(renew).catch((err: unknown) => this.options.onError(toError(err)));
    }
  }

  private readonly intakes = new Set<Promise<void>>();

  close(): Promise<void> {
    this.closing ??= (async () => {
      // Records fetched but never handed out go back at once instead of waiting for their locks.
      const unsent = this.buffered.splice(0);
      if (unsent.length > 0)
        await this.acknowledge(unsent.map((record) => ({ record, type: AckType.Release })));
      await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
      await this.membership.leave();
      await this.transport.close?.();
    })();
    return this.closing;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.membership.start();
  }

  private session(nodeId: number): ShareSession {
    let s = this.sessions.get(nodeId);
    if (s === undefined) {
      s = new ShareSession(nodeId, this.transport, this.options.groupId, this.memberId);
      this.sessions.set(nodeId, s);
    }
    return s;
  }

  private readonly topicIds = new Map<string, string>();

  private async topicIdOf(topic: string): Promise<string | undefined> {
    const known = this.topicIds.get(topic);
    if (known !== undefined) return known;
    const id = await this.transport.topicId(topic);
    if (id !== undefined) this.topicIds.set(topic, id);
    return id;
  }

  private async partitionsByLeader(): Promise<Map<number, FetchPartition[]>> {
    const out = new Map<number, FetchPartition[]>();
    for (const [topicId, partitions] of this.membership.assignment) {
      for (const partition of partitions) {
        const leader = await this.transport.leaderOf(topicId, partition);
        if (leader === undefined) continue;
        let list = out.get(leader);
        if (list === undefined) {
          list = [];
          out.set(leader, list);
        }
        list.push({ topicId, partition });
      }
    }
    // Sessions with brokers that lead none of our partitions any more still owe their acks.
    for (const [nodeId, s] of this.sessions)
      if (!out.has(nodeId) && s.hasPending) void s.flush().catch(() => undefined);
    return out;
  }

  /** Fetches from each leader at once, the record budget split between them (record_limit stays strict). */
  private async fetchFrom(
    byLeader: Map<number, FetchPartition[]>,
    maxRecords: number,
    waitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<AcquiredRecord[]> {
    // A broker whose fetches keep failing (down, refusing connections) is asked again only once
    // its pause, growing from 0.1 s to 5 s, is over; the others are fetched meanwhile. Each
    // failure is reported: asked every 200 ms, a worker logged dozens a second.
    const now = Date.now();
    const leaders = [...byLeader.keys()].filter((n) => (this.retryAt.get(n) ?? 0) <= now);
    if (leaders.length === 0) {
      const next = Math.min(...[...byLeader.keys()].map((n) => this.retryAt.get(n)!));
      await sleep(next - now, signal);
      return [];
    }
    const start = this.rotation++ % leaders.length;
    const chosen = Array.from(
      { length: Math.min(leaders.length, maxRecords) },
      (_, i) => leaders[(start + i) % leaders.length]!,
    );
    const share = Math.floor(maxRecords / chosen.length);
    const results = await Promise.all(
      chosen.map(async (nodeId, i) => {
        const budget = share + (i < maxRecords % chosen.length ? 1 : 0);
        try {
          const got = await this.session(nodeId).fetch({
            partitions: byLeader.get(nodeId)!,
            maxRecords: budget,
            maxWaitMs: waitMs,
            maxBytes: this.maxBytes,
          });
          this.fetchFailures.delete(nodeId);
          this.retryAt.delete(nodeId);
          return got === undefined ? [] : await this.deliverable(nodeId, got.response, got.sentAt);
        } catch (err) {
          this.options.onError(err as Error);
          const failures = (this.fetchFailures.get(nodeId) ?? 0) + 1;
          this.fetchFailures.set(nodeId, failures);
          this.retryAt.set(
            nodeId,
            Date.now() + backoffDelay(failures, { baseMs: 100, maxMs: 5000 }),
          );
          return [];
        }
      }),
    );
    return results.flat();
  }

  /** Records of a ShareFetch response that this member now holds, in offset order per partition. */
  private async deliverable(
    nodeId: number,
    res: WireShareFetchResponse,
    sentAt: number,
  ): Promise<AcquiredRecord[]> {
    const out: AcquiredRecord[] = [];
    const gaps: PendingAck[] = [];
    const lockDeadline = sentAt + res.acquisitionLockTimeoutMs;
    for (const t of res.responses) {
      const topic = await this.transport.topicName(t.topicId);
      for (const p of t.partitions) {
        if (p.errorCode !== 0) {
          await this.partitionError(
            t.topicId,
            p.partitionIndex,
            p.errorCode,
            p.errorMessage,
            p.currentLeader,
            res,
          );
          continue;
        }
        if (p.acquiredRecords.length === 0) continue;
        const giveBack = (
          type: AckType,
          offsets: { firstOffset: number; lastOffset: number }[],
        ) => {
          for (const range of offsets) {
            for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
              gaps.push({
                topicId: t.topicId,
                partition: p.partitionIndex,
                offset,
                type,
                settle: () => undefined,
              });
            }
          }
        };
        if (topic === undefined) {
          // Never GAP records we merely cannot name: GAP archives them. Give them back instead.
          giveBack(AckType.Release, p.acquiredRecords);
          this.options.onError(
            new SharqError(
              'SHARQ_ERR_UNKNOWN_TOPIC',
              `ShareFetch returned records of unknown topic id ${t.topicId}; released them`,
              {
                details: { topicId: t.topicId, partition: p.partitionIndex },
              },
            ),
          );
          continue;
        }
        const ranges = ascending(p.acquiredRecords);
        let records: AcquiredRecord[] = [];
        try {
          if (p.records !== null)
            readAcquired(
              p.records,
              ranges,
              { topic, partition: p.partitionIndex, lockDeadline },
              records,
            );
        } catch (err) {
          // An undecodable partition (corrupt batch, unsupported codec) must not take the
          // others' records with it: release its records and report why.
          giveBack(AckType.Release, p.acquiredRecords);
          this.options.onError(toError(err));
          continue;
        }
        // Records and acquired ranges are walked in offset order side by side (never a record
        // skipped for being out of order: an acquired offset without one is GAPped, archived).
        if (!inOffsetOrder(records)) records = [...records].sort((a, b) => a.offset - b.offset);
        let next = 0;
        for (const range of ranges) {
          for (let offset = range.firstOffset; offset <= range.lastOffset; offset++) {
            while (next < records.length && records[next]!.offset < offset) next++;
            const r = records[next];
            if (r === undefined || r.offset !== offset) {
              // Acquired offsets without a record (control batches, compaction holes).
              giveBack(AckType.Gap, [{ firstOffset: offset, lastOffset: offset }]);
              continue;
            }
            out.push(r);
            next++;
          }
        }
      }
    }
    if (gaps.length > 0) this.session(nodeId).enqueue(gaps);
    return out;
  }

  private async partitionError(
    topicId: string,
    partition: number,
    code: number,
    message: string | null,
    leader: { leaderId: number; leaderEpoch: number },
    res: WireShareFetchResponse,
  ): Promise<void> {
    if (code === NOT_LEADER || code === FENCED_LEADER_EPOCH) {
      this.transport.leaderMoved(topicId, partition, leader, res.nodeEndpoints);
      return;
    }
    if (code === UNKNOWN_TOPIC_OR_PARTITION || code === UNKNOWN_TOPIC_ID) {
      await this.transport.refreshMetadata();
      return;
    }
    this.options.onError(
      new SharqError(
        'SHARQ_ERR_KAFKA',
        `ShareFetch failed for ${topicId}/${partition}: error ${code} ${message ?? ''}`.trim(),
        {
          details: { topicId, partition, kafkaCode: code },
        },
      ),
    );
  }
}

function inOffsetOrder(records: readonly { offset: number }[]): boolean {
  for (let i = 1; i < records.length; i++)
    if (records[i]!.offset <= records[i - 1]!.offset) return false;
  return true;
}

/** AcquiredRecords ranges by first offset (brokers send them so; this only makes sure). */
function ascending<R extends { firstOffset: number }>(ranges: readonly R[]): readonly R[] {
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.firstOffset < ranges[i - 1]!.firstOffset)
      return [...ranges].sort((a, b) => a.firstOffset - b.firstOffset);
  }
  return ranges;
}

function notHeld(ack: Acknowledgement, why: string): SharqError {
  const { topic, partition, offset } = ack.record;
  return new SharqError(
    'SHARQ_ERR_INVALID_RECORD_STATE',
    `Cannot acknowledge ${topic}/${partition}@${offset}: ${why}`,
    {
      details: { topic, partition, offset },
    },
  );
}
