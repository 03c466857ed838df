/**
 * One share partition of one share group: the per-partition state machine that KIP-932 adds to a
 * broker. Pure and synchronous: no I/O, no timers; time comes from the injected clock.
 *
 * Record states (docs: KAFKA-SHARE-GROUPS.md, "Record states"):
 *
 *   Available --acquire--> Acquired --ACCEPT--> Acknowledged
 *                             |------REJECT, GAP--> Archived
 *                             |------RELEASE, lock expiry, member leaves--> Available
 *                             |         (or Archived once the delivery count reached the limit)
 *                             '------RENEW--> Acquired (same member, lock extended)
 *
 * The delivery count grows at acquisition, so the first delivery has count 1. The start offset
 * (SPSO) advances over the contiguous prefix of Acknowledged/Archived records; below it nothing
 * is remembered. Acquisition never reaches `startOffset + maxInFlight` or the log end.
 *
 * Storage: per-offset state lives in a ring of typed arrays covering
 * `[startOffset, startOffset + capacity)`, capacity a power of two >= maxInFlight. Offsets past
 * the ring were never touched and are implicitly (Available, count 0). The slots the SPSO moves
 * over are cleared and reused for the offsets entering the far end of the window.
 *
 * Persistence. The machine keeps no files; the storage layer journals what it hands out.
 *  - The persisted view is: the SPSO, and for each offset >= SPSO its state among available,
 *    acknowledged, archived, with its delivery count. Acquired persists as available with its
 *    (already raised) count: locks do not survive a restart, delivery attempts do.
 *  - Journal = one base snapshot, then journal entries. Write `snapshot()` as the base (an empty
 *    partition's base is `{ startOffset, entries: [] }`). After each call that changed state,
 *    write the result of `drainChanges()` as one entry, and make it durable (per the journal's
 *    policy) before acting on the call's result (handing out acquired records, confirming
 *    acknowledgements).
 *  - Restore: `new SharePartition(config, clock, base)`, then `applyPersisted(e.startOffset,
 *    e.changes)` for every entry in order, then `setLogEndOffset(...)` from the log.
 *  - Compaction: write `snapshot()` as the new base and drop older entries. The snapshot covers
 *    every change made so far, drained or not; entries drained after it may repeat changes it
 *    already holds, which is harmless because each change is an absolute assignment.
 *  - Replaying an entry (and a base, which is the same thing): first move the SPSO to
 *    `startOffset`. Forward forgets every offset below it; backward forgets everything (only a
 *    reset moves the SPSO back, and a reset wipes all state). Then apply the changes in order,
 *    ignoring offsets below the SPSO; the last change for an offset wins.
 *  - A reset needs no special entry kind: it is journaled as one change that sets everything
 *    the journal may still hold back to (available, 0), and the entry's startOffset carries the
 *    new SPSO.
 */
import { AckType, RecordState } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import type { Clock } from '../util/clock.js';

export type { Clock };

export interface SharePartitionConfig {
  /** Records are archived once their delivery count reaches this and they are released or expire. */
  deliveryCountLimit: number;
  /** Acquisition lock length. */
  lockDurationMs: number;
  /** Bound on records between the start offset and the highest acquired offset (Kafka's partition.max.record.locks). */
  maxInFlight: number;
}

/** Contiguous offsets acquired together, with the same delivery count and deadline. `lastOffset` is inclusive. */
export interface AcquiredRange {
  firstOffset: number;
  lastOffset: number;
  deliveryCount: number;
  lockDeadline: number;
}

/** `types` has length 1 (applies to the whole range) or one entry per offset. */
export interface AckBatch {
  firstOffset: number;
  lastOffset: number;
  types: readonly AckType[];
}

export interface AckBatchError {
  firstOffset: number;
  lastOffset: number;
  code: 'SHARQ_ERR_INVALID_RECORD_STATE';
  message: string;
}

/** A state transition to persist: offsets [firstOffset, lastOffset] now have this persisted state and delivery count. */
export interface StateChange {
  firstOffset: number;
  lastOffset: number;
  state: 'available' | 'acknowledged' | 'archived';
  deliveryCount: number;
}

/**
 * What survives a restart. Acquired records are persisted as 'available' with their delivery
 * count (locks do not survive restarts). Entries only for offsets >= startOffset that differ
 * from (available, deliveryCount 0).
 */
export interface PersistedPartitionState {
  startOffset: number;
  entries: StateChange[];
}

/** Over [startOffset, logEndOffset). */
export interface PartitionCounts {
  available: number;
  acquired: number;
  acknowledged: number;
  archived: number;
}

export interface RecordInfo {
  state: RecordState;
  deliveryCount: number;
  memberId?: string;
  lockDeadline?: number;
}

const AVAILABLE = RecordState.Available;
const ACQUIRED = RecordState.Acquired;
const ACKNOWLEDGED = RecordState.Acknowledged;
const ARCHIVED = RecordState.Archived;

const NO_OWNER = -1;
/** Delivery counts live in a Uint16Array. */
const MAX_DELIVERY_COUNT_LIMIT = 0xffff;
/** 4M slots is about 60 MB of typed arrays: far past Kafka's 10,000 lock cap, short of a runaway. */
const MAX_CAPACITY = 1 << 22;

const ACK_TYPES: ReadonlySet<number> = new Set(Object.values(AckType));
const STATE_NAMES = ['available', 'acquired', 'acknowledged', 'archived'] as const;
/** What each RecordState persists as: a lock does not survive a restart. */
const PERSISTED_NAMES = ['available', 'available', 'acknowledged', 'archived'] as const;

export class SharePartition {
  #config: SharePartitionConfig;
  readonly #clock: Clock;

  // The ring: slot of offset o is (#head + (o - #start)) & #mask.
  #capacity = 0;
  #mask = 0;
  #states: Uint8Array = new Uint8Array(0);
  #counts: Uint16Array = new Uint16Array(0);
  #deadlines: Float64Array = new Float64Array(0);
  #owners: Int32Array = new Int32Array(0);
  #head = 0;

  #start = 0;
  #logEnd = 0;
  /** Every offset in [#start, #scanHint) is not Available: acquire starts here, not at the SPSO. */
  #scanHint = 0;
  /** Number of Acquired records. */
  #acquired = 0;
  /** Upper bound on 1 + the highest Acquired offset: expiry scans stop there. */
  #acquiredEnd = 0;
  /** A lower bound on every Acquired record's deadline, so expiry is O(1) until a lock can have run out. */
  #minDeadline = Number.POSITIVE_INFINITY;
  /** Whether #minDeadline is the exact minimum (it goes stale when the earliest lock leaves). */
  #minDeadlineExact = true;

  // Owners are small integers in the ring; member ids are interned here and freed when they leave.
  readonly #memberIndex = new Map<string, number>();
  readonly #memberIds: (string | undefined)[] = [];
  readonly #freeMemberSlots: number[] = [];

  #pending: StateChange[] = [];
  /**
   * Lowest SPSO since the last drain: a replay of the journal may still hold state from there
   * up, so a reset must clear from there.
   */
  #persistLow = 0;

  constructor(config: SharePartitionConfig, clock: Clock, initial?: PersistedPartitionState) {
    this.#config = validateConfig({ ...config });
    this.#clock = clock;
    this.#allocate(capacityFor(this.#config.maxInFlight));
    if (initial !== undefined) this.applyPersisted(initial.startOffset, initial.entries);
    this.#persistLow = this.#start;
  }

  /** Same as the constructor with `initial`; reads better at restore sites. */
  static restore(
    config: SharePartitionConfig,
    clock: Clock,
    persisted: PersistedPartitionState,
  ): SharePartition {
    return new SharePartition(config, clock, persisted);
  }

  /** The share-partition start offset (SPSO). */
  get startOffset(): number {
    return this.#start;
  }

  get logEndOffset(): number {
    return this.#logEnd;
  }

  /** Records [0, end) exist in the log. The end never decreases. */
  setLogEndOffset(end: number): void {
    requireOffset('logEndOffset', end);
    if (end < this.#logEnd) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `The log end offset cannot move back from ${this.#logEnd} to ${end}`,
        { details: { logEndOffset: this.#logEnd, requested: end } },
      );
    }
    this.#logEnd = end;
    // A restored partition may hold a terminal prefix the old log end kept the SPSO from passing.
    this.#advanceStart();
  }

  /**
   * Acquires Available records in offset order from the SPSO for `memberId`. `record_limit`
   * takes at most `maxRecords`; `batch_optimized` then extends to `batchLastOffset(last)` (the
   * last offset of the producer batch holding the last record taken), which may exceed it.
   * `batchLastOffset` must not throw.
   */
  acquire(
    memberId: string,
    maxRecords: number,
    mode: 'record_limit' | 'batch_optimized',
    batchLastOffset?: (offset: number) => number,
  ): AcquiredRange[] {
    if (mode !== 'record_limit' && mode !== 'batch_optimized') {
      throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', `Unknown acquire mode ${String(mode)}`);
    }
    this.expireLocks();
    const want = Math.floor(maxRecords);
    // !(>= 1) also turns NaN away.
    if (!(want >= 1)) return [];
    const bound = Math.min(this.#logEnd, this.#start + this.#config.maxInFlight);
    let o = this.#scanHint;
    if (o >= bound) return [];

    const deadline = this.#clock.now() + this.#config.lockDurationMs;
    const owner = this.#internMember(memberId);
    const limit = this.#config.deliveryCountLimit;
    const states = this.#states;
    const counts = this.#counts;
    const deadlines = this.#deadlines;
    const owners = this.#owners;
    const mask = this.#mask;
    const base = this.#head - this.#start;
    const ranges: AcquiredRange[] = [];
    let current: AcquiredRange | undefined;
    let taken = 0;
    let archived = false;
    let end = bound;
    let quota = want;
    let extended = mode !== 'batch_optimized' || batchLastOffset === undefined;

    for (;;) {
      while (o < end && taken < quota) {
        const s = (base + o) & mask;
        if (states[s] === AVAILABLE) {
          const count = counts[s]!;
          if (count >= limit) {
            // Only reachable after the limit was lowered: never deliver past the current limit.
            states[s] = ARCHIVED;
            this.#record(o, o, ARCHIVED, count);
            archived = true;
          } else {
            states[s] = ACQUIRED;
            counts[s] = count + 1;
            deadlines[s] = deadline;
            owners[s] = owner;
            taken++;
            if (
              current !== undefined &&
              current.lastOffset === o - 1 &&
              current.deliveryCount === count + 1
            ) {
              current.lastOffset = o;
            } else {
              current = {
                firstOffset: o,
                lastOffset: o,
                deliveryCount: count + 1,
                lockDeadline: deadline,
              };
              ranges.push(current);
            }
          }
        }
        o++;
      }
      // Extend once, and only when the quota (not the bound) stopped the first pass.
      if (extended || current === undefined || taken < quota) break;
      extended = true;
      end = Math.min(bound, Math.floor(batchLastOffset!(current.lastOffset)) + 1);
      quota = Number.POSITIVE_INFINITY;
    }

    // Every Available offset before `o` was taken or archived.
    this.#scanHint = o;
    if (current !== undefined) {
      this.#acquired += taken;
      if (current.lastOffset + 1 > this.#acquiredEnd) this.#acquiredEnd = current.lastOffset + 1;
      if (deadline < this.#minDeadline) this.#minDeadline = deadline;
      // Persisted as available with the raised count, so a crash never forgets an attempt.
      for (const r of ranges) this.#record(r.firstOffset, r.lastOffset, AVAILABLE, r.deliveryCount);
    }
    if (archived) this.#advanceStart();
    return ranges;
  }

  /**
   * Applies acknowledgement batches from `memberId`. Each batch is checked as a whole (every
   * offset Acquired by this member, valid types); a bad batch is left untouched and reported,
   * the others still apply.
   */
  acknowledge(
    memberId: string,
    batches: readonly AckBatch[],
  ): { errors: AckBatchError[]; renewedUntil?: number } {
    this.expireLocks();
    const owner = this.#memberIndex.get(memberId);
    const errors: AckBatchError[] = [];
    let renewedUntil: number | undefined;
    let terminal = false;
    const states = this.#states;
    const counts = this.#counts;
    const deadlines = this.#deadlines;
    const owners = this.#owners;
    const mask = this.#mask;
    const limit = this.#config.deliveryCountLimit;
    const renewUntil = this.#clock.now() + this.#config.lockDurationMs;

    for (const batch of batches) {
      const problem = this.#checkBatch(memberId, owner, batch);
      if (problem !== undefined) {
        errors.push({
          firstOffset: batch.firstOffset,
          lastOffset: batch.lastOffset,
          code: 'SHARQ_ERR_INVALID_RECORD_STATE',
          message: problem,
        });
        continue;
      }
      const { firstOffset, lastOffset, types } = batch;
      const single = types.length === 1 ? types[0] : undefined;
      const base = this.#head - this.#start;
      for (let o = firstOffset; o <= lastOffset; o++) {
        const type = single ?? types[o - firstOffset];
        const s = (base + o) & mask;
        const oldDeadline = deadlines[s]!;
        if (oldDeadline === this.#minDeadline) this.#minDeadlineExact = false;
        if (type === AckType.Renew) {
          deadlines[s] = renewUntil;
          if (renewUntil < this.#minDeadline) this.#minDeadline = renewUntil;
          renewedUntil = renewUntil;
          continue;
        }
        const count = counts[s]!;
        let next: RecordState;
        if (type === AckType.Accept) next = ACKNOWLEDGED;
        else if (type === AckType.Release) next = count >= limit ? ARCHIVED : AVAILABLE;
        else next = ARCHIVED; // Reject, Gap
        states[s] = next;
        owners[s] = NO_OWNER;
        this.#acquired--;
        if (next === AVAILABLE) {
          if (o < this.#scanHint) this.#scanHint = o;
        } else {
          terminal = true;
        }
        this.#record(o, o, next, count);
      }
    }
    if (this.#acquired === 0) this.#resetMinDeadline();
    if (terminal) this.#advanceStart();
    return renewedUntil === undefined ? { errors } : { errors, renewedUntil };
  }

  /** The member left: every record it holds is released (archived at the delivery limit). Returns how many. */
  releaseMember(memberId: string): number {
    const owner = this.#memberIndex.get(memberId);
    if (owner === undefined) return 0;
    // Nothing refers to the slot once its records are released, so a later member may reuse it.
    this.#memberIndex.delete(memberId);
    this.#memberIds[owner] = undefined;
    this.#freeMemberSlots.push(owner);
    if (this.#acquired === 0) return 0;
    const released = this.#releaseWhere((s) => this.#owners[s] === owner);
    if (released > 0) this.#minDeadlineExact = false;
    return released;
  }

  /** Applies lock expiry to every lock with deadline <= now. Returns how many expired. */
  expireLocks(): number {
    if (this.#acquired === 0) return 0;
    const now = this.#clock.now();
    // The hot path: no lock can have run out yet.
    if (now < this.#minDeadline) return 0;
    const deadlines = this.#deadlines;
    const expired = this.#releaseWhere((s) => deadlines[s]! <= now);
    // The scan looked at every lock; the next one left is what the minimum now is.
    this.#recomputeMinDeadline();
    return expired;
  }

  /** The earliest lock deadline among Acquired records, for the engine's timer. */
  nextLockDeadline(): number | undefined {
    if (this.#acquired === 0) return undefined;
    if (!this.#minDeadlineExact) this.#recomputeMinDeadline();
    return this.#minDeadline;
  }

  /**
   * Operator reset: discards all state and moves the SPSO to `offset`, clamped to
   * [0, logEndOffset]. Refused while any record is Acquired.
   */
  resetStartOffset(offset: number): void {
    if (!Number.isSafeInteger(offset)) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Start offset must be a safe integer, got ${offset}`,
      );
    }
    if (this.#acquired > 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Cannot reset the start offset while ${this.#acquired} record(s) are acquired`,
        { details: { acquired: this.#acquired } },
      );
    }
    const target = Math.min(Math.max(offset, 0), this.#logEnd);
    // Every offset a replay of the journal can hold lies in [#persistLow, end of the ring).
    this.#pending.push({
      firstOffset: this.#persistLow,
      lastOffset: this.#start + this.#capacity - 1,
      state: 'available',
      deliveryCount: 0,
    });
    this.#wipe(target);
  }

  /** Whether anything changed since the last drain (the SPSO aside), so a caller can skip it. */
  get hasChanges(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Changes since the last drain, in order (the last change for an offset wins), and the current
   * SPSO. See the file header for how to replay them.
   */
  drainChanges(): { startOffset: number; changes: StateChange[] } {
    const changes = this.#pending;
    this.#pending = [];
    this.#persistLow = this.#start;
    return { startOffset: this.#start, changes };
  }

  /**
   * Replays one journal entry (or a base snapshot): moves the SPSO to `startOffset` (forward
   * forgets what is below; backward, which only a reset does, forgets everything), then applies
   * `changes` in order, ignoring offsets below the SPSO. For restores, so nothing may be Acquired.
   * Records no changes: they are already in the journal.
   */
  applyPersisted(startOffset: number, changes: readonly StateChange[]): void {
    requireOffset('startOffset', startOffset);
    if (this.#acquired > 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        'Cannot replay persisted state into a share partition that has acquired records',
      );
    }
    if (startOffset < this.#start) this.#wipe(startOffset);
    else this.#moveStart(startOffset);
    for (const change of changes) this.#applyChange(change);
    if (this.#logEnd < this.#start) this.#logEnd = this.#start;
    this.#scanHint = this.#start;
    if (this.#start < this.#persistLow) this.#persistLow = this.#start;
  }

  /** One past the highest offset with a state other than (available, 0); the SPSO when none. */
  get stateEnd(): number {
    for (let i = this.#capacity - 1; i >= 0; i--) {
      const s = (this.#head + i) & this.#mask;
      if (this.#counts[s]! !== 0 || PERSISTED_NAMES[this.#states[s]!] !== 'available')
        return this.#start + i + 1;
    }
    return this.#start;
  }

  /** The full persisted view, compact: one entry per run of equal (state, count). */
  snapshot(): PersistedPartitionState {
    const entries: StateChange[] = [];
    let last: StateChange | undefined;
    for (let i = 0; i < this.#capacity; i++) {
      const s = (this.#head + i) & this.#mask;
      const count = this.#counts[s]!;
      const state = PERSISTED_NAMES[this.#states[s]!]!;
      if (state === 'available' && count === 0) continue;
      const o = this.#start + i;
      if (
        last !== undefined &&
        last.lastOffset === o - 1 &&
        last.state === state &&
        last.deliveryCount === count
      ) {
        last.lastOffset = o;
      } else {
        last = { firstOffset: o, lastOffset: o, state, deliveryCount: count };
        entries.push(last);
      }
    }
    return { startOffset: this.#start, entries };
  }

  counts(): PartitionCounts {
    const c: PartitionCounts = { available: 0, acquired: 0, acknowledged: 0, archived: 0 };
    const inRing = Math.min(this.#logEnd, this.#start + this.#capacity) - this.#start;
    for (let i = 0; i < inRing; i++) {
      const st = this.#states[(this.#head + i) & this.#mask];
      if (st === AVAILABLE) c.available++;
      else if (st === ACQUIRED) c.acquired++;
      else if (st === ACKNOWLEDGED) c.acknowledged++;
      else c.archived++;
    }
    // Past the ring everything is untouched, hence Available.
    c.available += Math.max(0, this.#logEnd - (this.#start + this.#capacity));
    return c;
  }

  /**
   * The state of one offset. Below the SPSO the record is terminal but which terminal state it
   * had is forgotten; it is reported as Acknowledged with count 0.
   */
  recordInfo(offset: number): RecordInfo {
    requireOffset('offset', offset);
    if (offset < this.#start) return { state: ACKNOWLEDGED, deliveryCount: 0 };
    if (offset >= this.#start + this.#capacity) return { state: AVAILABLE, deliveryCount: 0 };
    const s = this.#slot(offset);
    const state = this.#states[s] as RecordState;
    const deliveryCount = this.#counts[s]!;
    if (state !== ACQUIRED) return { state, deliveryCount };
    const memberId = this.#memberIds[this.#owners[s]!];
    const lockDeadline = this.#deadlines[s]!;
    return memberId === undefined
      ? { state, deliveryCount, lockDeadline }
      : { state, deliveryCount, memberId, lockDeadline };
  }

  /**
   * Changes apply from now on: lock duration to later acquisitions and renewals, the delivery
   * limit to later releases and expiries (and an Available record already at a lowered limit is
   * archived instead of delivered again). maxInFlight bounds later acquisitions; a larger
   * value grows the ring, a smaller one keeps it.
   */
  updateConfig(config: Partial<SharePartitionConfig>): void {
    const next = validateConfig({ ...this.#config, ...config });
    if (next.maxInFlight > this.#capacity) this.#grow(next.maxInFlight);
    this.#config = next;
  }

  // ---------------------------------------------------------------------------------------------

  #slot(offset: number): number {
    return (this.#head + (offset - this.#start)) & this.#mask;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#mask = capacity - 1;
    this.#states = new Uint8Array(capacity);
    this.#counts = new Uint16Array(capacity);
    this.#deadlines = new Float64Array(capacity);
    this.#owners = new Int32Array(capacity).fill(NO_OWNER);
    this.#head = 0;
  }

  /** Re-allocates the ring to hold at least `span` offsets from the SPSO, keeping its content. */
  #grow(span: number): void {
    if (span <= this.#capacity) return;
    if (span > MAX_CAPACITY) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `A share partition cannot track ${span} offsets past its start offset (limit ${MAX_CAPACITY})`,
      );
    }
    const old = {
      states: this.#states,
      counts: this.#counts,
      deadlines: this.#deadlines,
      owners: this.#owners,
      head: this.#head,
      mask: this.#mask,
      capacity: this.#capacity,
    };
    this.#allocate(capacityFor(span));
    for (let i = 0; i < old.capacity; i++) {
      const s = (old.head + i) & old.mask;
      this.#states[i] = old.states[s]!;
      this.#counts[i] = old.counts[s]!;
      this.#deadlines[i] = old.deadlines[s]!;
      this.#owners[i] = old.owners[s]!;
    }
  }

  /** Forgets every offset and puts the SPSO at `start`. */
  #wipe(start: number): void {
    this.#states.fill(AVAILABLE);
    this.#counts.fill(0);
    this.#deadlines.fill(0);
    this.#owners.fill(NO_OWNER);
    this.#head = 0;
    this.#start = start;
    this.#scanHint = start;
    this.#acquiredEnd = start;
    this.#acquired = 0;
    this.#resetMinDeadline();
    if (start < this.#persistLow) this.#persistLow = start;
  }

  /** Moves the SPSO forward to `start`, forgetting what it passes, whatever its state. */
  #moveStart(start: number): void {
    const by = start - this.#start;
    if (by <= 0) return;
    if (by >= this.#capacity) {
      this.#wipe(start);
      return;
    }
    for (let i = 0; i < by; i++) this.#clearSlot((this.#head + i) & this.#mask);
    this.#head = (this.#head + by) & this.#mask;
    this.#start = start;
    if (this.#scanHint < start) this.#scanHint = start;
    if (this.#acquiredEnd < start) this.#acquiredEnd = start;
  }

  #clearSlot(s: number): void {
    this.#states[s] = AVAILABLE;
    this.#counts[s] = 0;
    this.#owners[s] = NO_OWNER;
  }

  /** Moves the SPSO over the terminal prefix, never past the log end. */
  #advanceStart(): void {
    const states = this.#states;
    const mask = this.#mask;
    let head = this.#head;
    let start = this.#start;
    while (start < this.#logEnd) {
      const st = states[head];
      if (st !== ACKNOWLEDGED && st !== ARCHIVED) break;
      // The slot becomes the offset entering the far end of the window: untouched.
      this.#clearSlot(head);
      head = (head + 1) & mask;
      start++;
    }
    this.#head = head;
    this.#start = start;
    if (this.#scanHint < start) this.#scanHint = start;
    if (this.#acquiredEnd < start) this.#acquiredEnd = start;
  }

  /**
   * Releases every Acquired record whose slot matches (the RELEASE rule: Available, or Archived
   * at the delivery limit), then advances the SPSO. Returns how many.
   */
  #releaseWhere(match: (slot: number) => boolean): number {
    const states = this.#states;
    const counts = this.#counts;
    const limit = this.#config.deliveryCountLimit;
    const end = Math.min(this.#acquiredEnd, this.#start + this.#capacity);
    let released = 0;
    let archived = false;
    for (let o = this.#start; o < end; o++) {
      const s = this.#slot(o);
      if (states[s] !== ACQUIRED || !match(s)) continue;
      const count = counts[s]!;
      const next = count >= limit ? ARCHIVED : AVAILABLE;
      states[s] = next;
      this.#owners[s] = NO_OWNER;
      released++;
      if (next === ARCHIVED) archived = true;
      else if (o < this.#scanHint) this.#scanHint = o;
      this.#record(o, o, next, count);
    }
    this.#acquired -= released;
    if (this.#acquired === 0) this.#resetMinDeadline();
    if (archived) this.#advanceStart();
    return released;
  }

  #recomputeMinDeadline(): void {
    let min = Number.POSITIVE_INFINITY;
    if (this.#acquired > 0) {
      const end = Math.min(this.#acquiredEnd, this.#start + this.#capacity);
      for (let o = this.#start; o < end; o++) {
        const s = this.#slot(o);
        if (this.#states[s] === ACQUIRED && this.#deadlines[s]! < min) min = this.#deadlines[s]!;
      }
    }
    this.#minDeadline = min;
    this.#minDeadlineExact = true;
  }

  #resetMinDeadline(): void {
    this.#minDeadline = Number.POSITIVE_INFINITY;
    this.#minDeadlineExact = true;
  }

  /** Appends a change, merging it into the previous one when it continues the same run. */
  #record(first: number, last: number, state: RecordState, deliveryCount: number): void {
    const name = PERSISTED_NAMES[state];
    const tail = this.#pending[this.#pending.length - 1];
    if (
      tail !== undefined &&
      tail.lastOffset + 1 === first &&
      tail.state === name &&
      tail.deliveryCount === deliveryCount
    ) {
      tail.lastOffset = last;
    } else {
      this.#pending.push({ firstOffset: first, lastOffset: last, state: name, deliveryCount });
    }
  }

  #applyChange(change: StateChange): void {
    const { firstOffset, lastOffset, state, deliveryCount } = change;
    if (
      !Number.isSafeInteger(firstOffset) ||
      !Number.isSafeInteger(lastOffset) ||
      firstOffset > lastOffset ||
      !Number.isInteger(deliveryCount) ||
      deliveryCount < 0 ||
      deliveryCount > MAX_DELIVERY_COUNT_LIMIT
    ) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Invalid persisted state change ${JSON.stringify(change)}`,
      );
    }
    let code: RecordState;
    if (state === 'available') code = AVAILABLE;
    else if (state === 'acknowledged') code = ACKNOWLEDGED;
    else if (state === 'archived') code = ARCHIVED;
    else
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Invalid persisted record state ${String(state)}`,
      );

    const lo = Math.max(firstOffset, this.#start);
    let hi = lastOffset;
    if (code === AVAILABLE && deliveryCount === 0) {
      // The default state: past the ring it already holds, no need to grow for it.
      hi = Math.min(hi, this.#start + this.#capacity - 1);
    } else if (hi >= lo) {
      this.#grow(hi - this.#start + 1);
    }
    for (let o = lo; o <= hi; o++) {
      const s = this.#slot(o);
      this.#states[s] = code;
      this.#counts[s] = deliveryCount;
      this.#owners[s] = NO_OWNER;
    }
  }

  /**
   * Why a batch cannot apply, or undefined. Checked in full before anything changes, so a bad
   * batch is left untouched.
   */
  #checkBatch(memberId: string, owner: number | undefined, batch: AckBatch): string | undefined {
    const { firstOffset: first, lastOffset: last, types } = batch;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) {
      return `Offsets must be safe integers, got [${first}, ${last}]`;
    }
    if (first > last) return `firstOffset ${first} is after lastOffset ${last}`;
    const length = last - first + 1;
    if (types.length !== 1 && types.length !== length) {
      return `Batch [${first}, ${last}] has ${types.length} acknowledge types; expected 1 or ${length}`;
    }
    for (const t of types) {
      if (!ACK_TYPES.has(t)) {
        return `Acknowledge type ${String(t)} is not one of 0 (gap), 1 (accept), 2 (release), 3 (reject), 4 (renew)`;
      }
    }
    if (first < this.#start) {
      return `Offset ${first} is below the share-partition start offset ${this.#start}: it is already acknowledged or archived`;
    }
    if (last >= this.#logEnd)
      return `Offset ${last} is at or past the log end offset ${this.#logEnd}`;
    if (owner === undefined) return `Member ${memberId} holds no records in this share partition`;
    // Nothing past the ring is ever acquired; checking here keeps the scan below bounded by it.
    if (last >= this.#start + this.#capacity)
      return `Offset ${last} is not acquired (it is available)`;
    for (let o = first; o <= last; o++) {
      const s = this.#slot(o);
      const st = this.#states[s]!;
      if (st !== ACQUIRED) {
        return `Offset ${o} is not acquired (it is ${STATE_NAMES[st]}); its lock may have expired`;
      }
      if (this.#owners[s] !== owner)
        return `Offset ${o} is acquired by another member, not ${memberId}`;
    }
    return undefined;
  }

  #internMember(memberId: string): number {
    let index = this.#memberIndex.get(memberId);
    if (index === undefined) {
      index = this.#freeMemberSlots.pop() ?? this.#memberIds.length;
      this.#memberIndex.set(memberId, index);
      this.#memberIds[index] = memberId;
    }
    return index;
  }
}

function validateConfig(config: SharePartitionConfig): SharePartitionConfig {
  const problems: string[] = [];
  const { deliveryCountLimit, lockDurationMs, maxInFlight } = config;
  if (
    !Number.isInteger(deliveryCountLimit) ||
    deliveryCountLimit < 1 ||
    deliveryCountLimit > MAX_DELIVERY_COUNT_LIMIT
  ) {
    problems.push(
      `deliveryCountLimit must be an integer in [1, ${MAX_DELIVERY_COUNT_LIMIT}], got ${deliveryCountLimit}`,
    );
  }
  if (
    typeof lockDurationMs !== 'number' ||
    !Number.isFinite(lockDurationMs) ||
    lockDurationMs <= 0
  ) {
    problems.push(`lockDurationMs must be a positive finite number, got ${lockDurationMs}`);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > MAX_CAPACITY) {
    problems.push(`maxInFlight must be an integer in [1, ${MAX_CAPACITY}], got ${maxInFlight}`);
  }
  if (problems.length > 0) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `Invalid share partition config: ${problems.join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  return { deliveryCountLimit, lockDurationMs, maxInFlight };
}

function capacityFor(span: number): number {
  let capacity = 1;
  while (capacity < span) capacity *= 2;
  return capacity;
}

function requireOffset(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `${name} must be a non-negative safe integer, got ${value}`,
      {
        details: { [name]: value },
      },
    );
  }
}
