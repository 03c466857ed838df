import { SharqError } from '../../errors/sharq-error.js';
import { ShareAcquireMode } from '../protocol/apis/share-fetch-v2.js';
import { kafkaError } from '../protocol/error-codes.js';
import { toWireBatches, type WireAckBatch } from './ack-batches.js';
import type { ShareTransport, WireShareFetchResponse } from './transport.js';

/** One pending acknowledgement and whoever waits for the broker's verdict on it. */
export interface PendingAck {
  topicId: string;
  partition: number;
  offset: number;
  type: number;
  settle(error: Error | undefined, lockTimeoutMs?: number): void;
}

export interface FetchPartition {
  topicId: string;
  partition: number;
}

export interface SessionFetchOptions {
  partitions: readonly FetchPartition[];
  maxRecords: number;
  maxWaitMs: number;
  maxBytes: number;
}

const SESSION_RESET_CODES = new Set([
  122 /* SHARE_SESSION_NOT_FOUND */, 123 /* INVALID_SHARE_SESSION_EPOCH */,
]);

/**
 * The share session of one member with one broker (KIP-932): epoch 0 opens it (that request
 * carries no acknowledgements), each later request carries the next epoch, -1 closes it. Only
 * one request is in flight at a time, so requests queue on `exclusive`. Acknowledgements wait in
 * `pending` and ride on the next ShareFetch, or go alone in a ShareAcknowledge when no fetch
 * comes for them. RENEW never rides on a fetch: it always goes in a ShareAcknowledge with
 * IsRenewAck set.
 */
export class ShareSession {
  private epoch = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private pending: PendingAck[] = [];
  /** Partitions the broker has in this session; others must be added, dropped ones forgotten. */
  private readonly inSession = new Map<string, FetchPartition>();
  private closed = false;
  private flushScheduled = false;

  constructor(
    readonly nodeId: number,
    private readonly transport: ShareTransport,
    private readonly groupId: string,
    private readonly memberId: string,
  ) {}

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Queues acknowledgements; they leave with the next request, or `flush()` sends them. */
  enqueue(acks: readonly PendingAck[]): void {
    if (this.closed) {
      for (const a of acks) a.settle(closedError(this.nodeId));
      return;
    }
    for (const a of acks) this.pending.push(a);
  }

  /**
   * Sends the queued acknowledgements at the end of this event-loop turn, unless a fetch
   * started meanwhile takes them: a consumer that polls right after acknowledging (a worker
   * whose slots just freed) then makes one round trip for both, not two.
   */
  flushSoon(onError: (err: unknown) => void): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      if (this.pending.length > 0) this.flush().catch(onError);
    });
  }

  /** Sends queued acknowledgements in a ShareAcknowledge unless a fetch takes them first. */
  flush(): Promise<void> {
    return this.exclusive(async () => {
      if (this.pending.length === 0 || this.closed) return;
      const acks = this.take();
      if (this.epoch === 0) {
        // Records are only ever acquired through an open session; with none (never opened, or
        // reset after an error) the broker would refuse these, and the records come back when
        // their locks expire.
        failAll(acks, noSessionError(this.nodeId));
        return;
      }
      await this.acknowledgeNow(acks, false, this.epoch);
    });
  }

  /** RENEWs locks now (ShareAcknowledge, IsRenewAck); resolves each ack with the new lock. */
  renew(acks: readonly PendingAck[]): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed || this.epoch === 0) {
        const err = new SharqError(
          'SHARQ_ERR_INVALID_RECORD_STATE',
          `No open share session with broker ${this.nodeId} to renew locks in`,
          {
            details: { nodeId: this.nodeId },
          },
        );
        for (const a of acks) a.settle(err);
        return;
      }
      await this.acknowledgeNow([...acks], true, this.epoch);
    });
  }

  fetch(
    options: SessionFetchOptions,
  ): Promise<{ response: WireShareFetchResponse; sentAt: number } | undefined> {
    return this.exclusive(async () => {
      if (this.closed) return undefined;
      const opening = this.epoch === 0;
      // The opening request of a session may carry no acknowledgements; they wait for the next.
      const acks = opening ? [] : this.take();
      const wanted = new Map(options.partitions.map((p) => [key(p.topicId, p.partition), p]));
      const forgotten = [...this.inSession].filter(([k]) => !wanted.has(k)).map(([, p]) => p);
      const groups = byPartition(acks);
      const topics = groupTopics(wanted, groups);
      const sentAt = Date.now();
      // A fetch carrying acknowledgements does not wait at the broker for records: the
      // verdicts come back with its response, and a worker finishing its last jobs must not
      // wait out MaxWaitMs to hear they are durable. With none available the next poll waits.
      const maxWaitMs = acks.length > 0 ? 0 : options.maxWaitMs;
      let response: WireShareFetchResponse;
      try {
        response = await this.transport.shareFetch(this.nodeId, {
          groupId: this.groupId,
          memberId: this.memberId,
          shareSessionEpoch: this.epoch,
          maxWaitMs,
          minBytes: 1,
          maxBytes: options.maxBytes,
          maxRecords: options.maxRecords,
          batchSize: options.maxRecords,
          shareAcquireMode: ShareAcquireMode.RecordLimit,
          isRenewAck: false,
          topics,
          forgottenTopicsData: groupForgotten(forgotten),
        });
      } catch (err) {
        this.reset();
        failAll(acks, err as Error);
        throw err;
      }
      if (response.errorCode !== 0) {
        const error = kafkaError(response.errorCode, response.errorMessage, {
          api: 'ShareFetch',
          nodeId: this.nodeId,
        });
        // Whatever the broker made of the session after an error, start it over.
        this.reset();
        failAll(acks, error);
        throw error;
      }
      this.epoch = nextEpoch(this.epoch);
      for (const [k, p] of wanted) this.inSession.set(k, p);
      // The broker adds every partition a request names to the session, including ones that
      // only carried acknowledgements; they are forgotten on the next request unless wanted.
      for (const t of topics) {
        for (const p of t.partitions) {
          const k = key(t.topicId, p.partitionIndex);
          if (!this.inSession.has(k))
            this.inSession.set(k, { topicId: t.topicId, partition: p.partitionIndex });
        }
      }
      for (const p of forgotten) this.inSession.delete(key(p.topicId, p.partition));
      const refusedTogether = settleByPartition(
        groups,
        response.responses,
        (p) => ({ code: p.acknowledgeErrorCode, message: p.acknowledgeErrorMessage }),
        response.acquisitionLockTimeoutMs,
        true,
      );
      for (const group of refusedTogether) this.resendInHalves(group, false);
      return { response, sentAt };
    });
  }

  /** Closes the session (epoch -1), carrying the last acknowledgements. Idempotent. */
  close(): Promise<void> {
    return this.exclusive(async () => {
      if (this.closed) return;
      this.closed = true;
      const acks = this.take();
      if (this.epoch === 0) {
        failAll(acks, closedError(this.nodeId));
        return;
      }
      try {
        await this.acknowledgeNow(acks, false, -1);
      } catch {
        // The broker drops the session on its own when the member leaves or times out.
      }
    });
  }

  private async acknowledgeNow(acks: PendingAck[], renew: boolean, epoch: number): Promise<void> {
    let response: Awaited<ReturnType<ShareTransport['shareAcknowledge']>>;
    const groups = byPartition(acks);
    try {
      response = await this.transport.shareAcknowledge(this.nodeId, {
        groupId: this.groupId,
        memberId: this.memberId,
        shareSessionEpoch: epoch,
        isRenewAck: renew,
        topics: groupTopics(new Map(), groups),
      });
    } catch (err) {
      this.reset();
      failAll(acks, err as Error);
      throw err;
    }
    if (response.errorCode !== 0) {
      const error = kafkaError(response.errorCode, response.errorMessage, {
        api: 'ShareAcknowledge',
        nodeId: this.nodeId,
      });
      if (SESSION_RESET_CODES.has(response.errorCode)) this.reset();
      failAll(acks, error);
      return;
    }
    if (epoch !== -1) this.epoch = nextEpoch(this.epoch);
    const refusedTogether = settleByPartition(
      groups,
      response.responses,
      (p) => ({ code: p.errorCode, message: p.errorMessage }),
      response.acquisitionLockTimeoutMs,
      epoch !== -1,
    );
    for (const group of refusedTogether) this.resendInHalves(group, renew);
  }

  /**
   * Acknowledgements the broker refused together, because Kafka applies the acknowledgements of
   * one partition in one request all or nothing: one stale ack (a record whose lock ran out and
   * went to another member, or one acquired before a broker restart) fails every valid ack that
   * rode with it, and none of them was applied. Each half goes again in a ShareAcknowledge of its
   * own, until every refused ack stands alone and gets its own verdict.
   */
  private resendInHalves(acks: PendingAck[], renew: boolean): void {
    const mid = Math.ceil(acks.length / 2);
    for (const half of [acks.slice(0, mid), acks.slice(mid)]) {
      this.exclusive(async () => {
        if (this.closed || this.epoch === 0) {
          failAll(half, noSessionError(this.nodeId));
          return;
        }
        await this.acknowledgeNow(half, renew, this.epoch);
      }).catch(() => undefined); // acknowledgeNow settled them with the error
    }
  }

  /**
   * A lost or refused session starts over at epoch 0. Acknowledgements that were not confirmed
   * are failed by the caller: their records come back when their locks run out.
   */
  private reset(): void {
    this.epoch = 0;
    this.inSession.clear();
  }

  private take(): PendingAck[] {
    const acks = this.pending;
    this.pending = [];
    return acks;
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function key(topicId: string, partition: number): string {
  return `${topicId}:${partition}`;
}

function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

function noSessionError(nodeId: number): SharqError {
  return new SharqError(
    'SHARQ_ERR_INVALID_RECORD_STATE',
    `No open share session with broker ${nodeId}: the records are not held by this consumer`,
    { details: { nodeId } },
  );
}

function closedError(nodeId: number): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', `The share session with broker ${nodeId} is closed`, {
    details: { nodeId },
  });
}

function failAll(acks: readonly PendingAck[], error: Error): void {
  for (const a of acks) a.settle(error);
}

type WireTopics = {
  topicId: string;
  partitions: { partitionIndex: number; acknowledgementBatches: WireAckBatch[] }[];
}[];

/** The acknowledgements of one partition, in the order they were queued. */
interface PartitionAcks {
  topicId: string;
  partition: number;
  acks: PendingAck[];
}

/** Groups acknowledgements by partition (nested maps: no key string per ack). */
function byPartition(acks: readonly PendingAck[]): PartitionAcks[] {
  const out: PartitionAcks[] = [];
  const byTopic = new Map<string, Map<number, PartitionAcks>>();
  for (const a of acks) {
    let partitions = byTopic.get(a.topicId);
    if (partitions === undefined) {
      partitions = new Map();
      byTopic.set(a.topicId, partitions);
    }
    let group = partitions.get(a.partition);
    if (group === undefined) {
      group = { topicId: a.topicId, partition: a.partition, acks: [] };
      partitions.set(a.partition, group);
      out.push(group);
    }
    group.acks.push(a);
  }
  return out;
}

/** Request topics: every partition to fetch, plus every partition with acknowledgements. */
function groupTopics(
  wanted: ReadonlyMap<string, FetchPartition>,
  groups: readonly PartitionAcks[],
): WireTopics {
  const topics = new Map<string, WireTopics[number]>();
  const add = (topicId: string, partition: number, acks: readonly PendingAck[]) => {
    let t = topics.get(topicId);
    if (t === undefined) {
      t = { topicId, partitions: [] };
      topics.set(topicId, t);
    }
    t.partitions.push({ partitionIndex: partition, acknowledgementBatches: toWireBatches(acks) });
  };
  const withAcks = new Set<string>();
  for (const g of groups) {
    withAcks.add(key(g.topicId, g.partition));
    add(g.topicId, g.partition, g.acks);
  }
  for (const [k, p] of wanted) if (!withAcks.has(k)) add(p.topicId, p.partition, []);
  return [...topics.values()];
}

function groupForgotten(
  parts: readonly FetchPartition[],
): { topicId: string; partitions: number[] }[] {
  const m = new Map<string, number[]>();
  for (const p of parts) {
    let list = m.get(p.topicId);
    if (list === undefined) {
      list = [];
      m.set(p.topicId, list);
    }
    list.push(p.partition);
  }
  return [...m].map(([topicId, partitions]) => ({ topicId, partitions }));
}

const INVALID_REQUEST = 42;
const INVALID_RECORD_STATE = 121;
/**
 * Partition errors that may be the fault of one acknowledgement among several: the broker stops
 * at the first batch it cannot apply (a record not acquired by this member: INVALID_RECORD_STATE;
 * an offset outside its cached state: INVALID_REQUEST) and rolls back the partition's others.
 */
const REFUSED_TOGETHER_CODES = new Set([INVALID_REQUEST, INVALID_RECORD_STATE]);

/**
 * Resolves each acknowledgement with its partition's acknowledgement error, if any. With `split`,
 * acknowledgements of a partition refused with a REFUSED_TOGETHER code while more than one of
 * them was in the request stay unsettled and are returned, one group per partition, to be sent
 * again apart.
 */
function settleByPartition<P extends { partitionIndex: number }>(
  groups: readonly PartitionAcks[],
  responses: readonly { topicId: string; partitions: readonly P[] }[],
  errorOf: (p: P) => { code: number; message: string | null },
  lockTimeoutMs: number,
  split: boolean,
): PendingAck[][] {
  const errors = new Map<string, { code: number; error: Error }>();
  for (const t of responses) {
    for (const p of t.partitions) {
      const { code, message } = errorOf(p);
      if (code !== 0)
        errors.set(key(t.topicId, p.partitionIndex), {
          code,
          error: ackError(code, message, t.topicId, p.partitionIndex),
        });
    }
  }
  const retry: PendingAck[][] = [];
  for (const g of groups) {
    const e = errors.size === 0 ? undefined : errors.get(key(g.topicId, g.partition));
    if (split && e !== undefined && REFUSED_TOGETHER_CODES.has(e.code) && g.acks.length > 1) {
      retry.push(g.acks);
      continue;
    }
    for (const a of g.acks) a.settle(e?.error, lockTimeoutMs);
  }
  return retry;
}

/** INVALID_RECORD_STATE means the lock is gone, as the embedded engine reports it. */
function ackError(code: number, message: string | null, topicId: string, partition: number): Error {
  if (code === INVALID_RECORD_STATE) {
    return new SharqError(
      'SHARQ_ERR_INVALID_RECORD_STATE',
      `The broker refused an acknowledgement on ${topicId}/${partition}: ${message ?? 'the record is not acquired by this member'}`,
      { details: { topicId, partition, kafkaCode: code } },
    );
  }
  return kafkaError(code, message, { topicId, partition });
}
