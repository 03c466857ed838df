import { SharqError } from '../../errors/sharq-error.js';
import { backoffDelay } from '../../util/backoff.js';
import { kafkaError } from '../protocol/error-codes.js';
import type { ShareTransport, WireHeartbeatResponse } from './transport.js';

/** topic id → assigned partitions */
export type Assignment = ReadonlyMap<string, readonly number[]>;

const COORDINATOR_CODES = new Set([
  14 /* LOAD_IN_PROGRESS */, 15 /* NOT_AVAILABLE */, 16 /* NOT_COORDINATOR */,
]);
/**
 * Join again at epoch 0: fenced, unknown, or a group the coordinator no longer has (it creates
 * a share group only on an epoch-0 heartbeat, so retrying at the old epoch would never end).
 */
const REJOIN_CODES = new Set([
  25 /* UNKNOWN_MEMBER_ID */, 69 /* GROUP_ID_NOT_FOUND */, 110 /* FENCED_MEMBER_EPOCH */,
]);
const MAX_BACKOFF_MS = 5000;
/** How often a joined member without partitions asks for them, and for how many heartbeats. */
const UNASSIGNED_BEAT_MS = 200;
const UNASSIGNED_BEATS = 50;

/**
 * Share-group membership (KIP-932 ShareGroupHeartbeat): join with epoch 0 and the subscribed
 * topics, heartbeat at the interval the coordinator asks for with the last epoch it gave,
 * take each new assignment (several members may hold the same partition), rejoin at epoch 0
 * when fenced or unknown, find the coordinator again when it moves, and leave with epoch -1.
 */
export class ShareMembership {
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 5000;
  private failures = 0;
  /** Successful heartbeats in a row that brought no partitions. */
  private unassignedBeats = 0;
  private stopped = false;
  private current: Assignment = new Map();
  private readonly listeners = new Set<() => void>();
  private sendTopics = true;
  private inFlight: Promise<void> | undefined;
  private firstResolve!: () => void;
  /** Resolves after the first successful heartbeat. */
  readonly joined: Promise<void>;

  constructor(
    private readonly transport: ShareTransport,
    readonly groupId: string,
    readonly memberId: string,
    private readonly topics: readonly string[],
    private readonly onError: (err: Error) => void,
  ) {
    this.joined = new Promise((resolve) => {
      this.firstResolve = resolve;
    });
  }

  get assignment(): Assignment {
    return this.current;
  }

  get memberEpoch(): number {
    return this.epoch;
  }

  start(): void {
    this.schedule(0);
  }

  /** Called whenever the assignment changes. */
  onAssignment(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the assignment changes, the member stops, or `ms` passes. */
  waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        off();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      const off = this.onAssignment(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Leaves the group (epoch -1). Idempotent; failures are ignored: the coordinator times the member out. */
  async leave(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight?.catch(() => undefined);
    if (this.epoch <= 0) return;
    try {
      await this.transport.heartbeat({
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: -1,
        rackId: null,
        subscribedTopicNames: null,
      });
    } catch {
      // Session timeout removes the member anyway.
    }
    this.setAssignment(new Map());
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.inFlight = this.beat().finally(() => {
        this.inFlight = undefined;
      });
    }, ms);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    let res: WireHeartbeatResponse;
    try {
      res = await this.transport.heartbeat({
        groupId: this.groupId,
        memberId: this.memberId,
        memberEpoch: this.epoch,
        rackId: null,
        // Required when joining; null afterwards means "unchanged".
        subscribedTopicNames: this.sendTopics || this.epoch === 0 ? [...this.topics] : null,
      });
    } catch (err) {
      if (this.stopped) return;
      this.transport.invalidateCoordinator(this.groupId);
      this.retryLater(err as Error);
      return;
    }
    // Even when stopping, keep the epoch the coordinator gave: leave() must then send -1.
    if (this.stopped) {
      if (res.errorCode === 0) this.epoch = res.memberEpoch;
      return;
    }
    if (res.errorCode !== 0) {
      const error = kafkaError(res.errorCode, res.errorMessage, {
        api: 'ShareGroupHeartbeat',
        groupId: this.groupId,
      });
      if (COORDINATOR_CODES.has(res.errorCode)) {
        this.transport.invalidateCoordinator(this.groupId);
      } else if (REJOIN_CODES.has(res.errorCode)) {
        // Fenced: everything held is gone; join again as a new incarnation of the same member.
        this.epoch = 0;
        this.setAssignment(new Map());
      }
      this.retryLater(error);
      return;
    }
    this.failures = 0;
    this.sendTopics = false;
    this.epoch = res.memberEpoch;
    if (res.heartbeatIntervalMs > 0) this.intervalMs = res.heartbeatIntervalMs;
    if (res.assignment !== null) {
      this.setAssignment(
        new Map(
          res.assignment.topicPartitions.map((t) => [
            t.topicId,
            [...t.partitions].sort((a, b) => a - b),
          ]),
        ),
      );
    }
    this.firstResolve();
    if (this.current.size > 0) {
      this.unassignedBeats = 0;
      this.schedule(this.intervalMs);
      return;
    }
    // Joined, no partitions yet: the coordinator computes assignments at most once per
    // group.share.assignment.interval.ms (1 s by default) and hands them out on a later
    // heartbeat. Ask every UNASSIGNED_BEAT_MS for a while rather than a whole heartbeat
    // interval later (5 s on a default broker) with nothing to fetch; then at the interval
    // (say, a topic that does not exist yet).
    this.unassignedBeats++;
    this.schedule(
      this.unassignedBeats <= UNASSIGNED_BEATS
        ? Math.min(this.intervalMs, UNASSIGNED_BEAT_MS)
        : this.intervalMs,
    );
  }

  private retryLater(error: Error): void {
    this.failures++;
    if (this.failures > 1 || !SharqError.is(error, 'SHARQ_ERR_KAFKA')) this.onError(error);
    // ±20 % around 200 ms · 2^(failures-1), capped.
    const backoff = backoffDelay(this.failures, { baseMs: 200, maxMs: MAX_BACKOFF_MS });
    this.schedule(backoff * (0.8 + Math.random() * 0.4));
  }

  private setAssignment(next: Map<string, readonly number[]>): void {
    if (sameAssignment(this.current, next)) return;
    this.current = next;
    for (const l of [...this.listeners]) l();
  }
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (a.size !== b.size) return false;
  for (const [t, ps] of a) {
    const other = b.get(t);
    if (other === undefined || other.length !== ps.length || other.some((p, i) => p !== ps[i]))
      return false;
  }
  return true;
}
