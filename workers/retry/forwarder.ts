import {
  AckType,
  type AcquiredRecord,
  type Engine,
  type ShareConsumer,
} from '../../src/engine/types.js';
import { SharqError, toError } from '../../src/errors/sharq-error.js';
import { decodeRun, forwardRecord } from '../../src/job/envelope.js';
import {
  DELAY_TIERS,
  type DelayTier,
  delayGroup,
  delayTierTopic,
  tierFor,
} from '../../src/queue/names.js';
import { backoffDelay } from '../../src/util/backoff.js';
import type { TimerClock } from '../../src/util/clock.js';
import { sleep } from '../../src/util/sleep.js';
import { AckBatcher } from '../ack-batcher.js';
import { type ForwardResult, forwardThenAccept } from '../forward.js';
import { type Locked, LockKeeper } from '../lock-keeper.js';

export interface ForwarderOptions {
  engine: Engine;
  queue: string;
  deadLetterTopic: string;
  clock: TimerClock;
  pollMaxWaitMs: number;
  /** Tier records one tier's lane holds at once, waiting for their release time. */
  maxHeldPerTier?: number;
  onError: (err: Error) => void;
}

interface Held extends Locked {
  cancel: (() => void) | undefined;
  /** Its move (write, then ACCEPT) has started: close() waits for it rather than release it. */
  moving: boolean;
  /**
   * The same record delivered again while this one was moving (the broker lost and gave back
   * the lock): held and renewed, and moved only if this move does not end in an ACCEPT.
   */
  successor: Held | undefined;
}

/**
 * Brings delayed jobs and long retries back when due. Members of the queue's tier group
 * (`sharq.delay.<queue>`), one lane (a share consumer with its own quota) per tier topic:
 *
 *   release time = min(due, written + tier length)
 *   at the release time: due now → write to the queue; due later → write to the tier for what
 *   is left; then ACCEPT the tier record (forward.ts: write, confirm, ACCEPT).
 *
 * Within a tier partition release times ascend with offsets (every record waits the same tier
 * length), so the records a lane holds are the next ones due, and a lane per tier keeps jobs of
 * a short tier from waiting behind a full quota of a long one. Held records keep their lock
 * through the lock keeper, and each move renews the lock first (`hop`). Crash-safety: a crash
 * before the write leaves the tier record to come back when its lock expires, still not due early
 * (the due time travels in its header); a crash after the write and before ACCEPT writes the job
 * twice, both on time; a broker that lost the lock while the record was held has delivered it
 * again, and only the new delivery is moved.
 */
export class DelayForwarder {
  private lanes: TierLane[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly o: ForwarderOptions) {}

  async start(): Promise<void> {
    const admin = this.o.engine.admin;
    const group = delayGroup(this.o.queue);
    await admin.configureGroup(group, {
      autoOffsetReset: 'earliest',
      deadLetterTopic: this.o.deadLetterTopic,
    });
    const { config } = await admin.describeGroup(group);
    this.lanes = DELAY_TIERS.map(
      (tier) => new TierLane(this.o, tier, group, config.lockDurationMs, config.deliveryCountLimit),
    );
    for (const lane of this.lanes) lane.start();
  }

  /** Stops every lane; held records go back to the tier group (not due yet, so never early). */
  close(): Promise<void> {
    this.closing ??= Promise.allSettled(this.lanes.map((l) => l.close())).then(() => undefined);
    return this.closing;
  }
}

/** One tier topic: its consumer, the records it holds until their release time, and its moves. */
class TierLane {
  private readonly consumer: ShareConsumer;
  private readonly acks: AckBatcher;
  private readonly keeper: LockKeeper<Held>;
  private readonly abort = new AbortController();
  private readonly pending = new Set<Promise<unknown>>();
  /** Records this lane wrote onward whose ACCEPT was refused, by `recordKey`, with when. */
  private readonly written = new Map<string, number>();
  private readonly maxHeld: number;
  private loopDone: Promise<void> = Promise.resolve();
  private slotFreed: (() => void) | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly o: ForwarderOptions,
    private readonly tier: DelayTier,
    group: string,
    lockDurationMs: number,
    private readonly deliveryLimit: number,
  ) {
    this.maxHeld = o.maxHeldPerTier ?? 200;
    this.consumer = o.engine.createShareConsumer({
      groupId: group,
      topics: [delayTierTopic(o.queue, tier)],
    });
    this.acks = new AckBatcher(this.consumer, o.onError);
    // A renewal refused after the record's verdict went out (a successor settled by the
    // move's ACCEPT) says only that the ACCEPT came first.
    this.keeper = new LockKeeper<Held>(this.acks, lockDurationMs, o.clock, (e, err) => {
      if (!e.settled) this.lost(e, err);
    });
  }

  start(): void {
    this.loopDone = this.loop();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      this.wake();
      // No new move starts from here on: timers are cancelled, and a timer that already fired
      // sees the abort. Moves under way finish (a release now would leave the job twice).
      for (const h of this.keeper.held) {
        h.cancel?.();
        h.cancel = undefined;
      }
      await this.loopDone;
      while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
      for (const h of this.keeper.held) {
        if (!h.abandoned && !h.settled && !h.moving) void this.settle(h, AckType.Release);
      }
      this.keeper.stop();
      await this.acks.drain();
      await this.keeper.drain();
      await this.consumer.close();
    })();
    return this.closing;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const free = this.maxHeld - this.keeper.held.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      try {
        this.acks.flushNow();
        const records = await this.consumer.poll({
          maxRecords: free,
          maxWaitMs: this.o.pollMaxWaitMs,
          signal: this.abort.signal,
        });
        failures = 0;
        // Due first, first forwarded: records of one tier already overdue when they arrive (a
        // forwarder that starts late) reach the queue in due order, not in the order added.
        for (const r of byDueTime(records)) this.take(r);
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.o.onError(toError(err));
        failures++;
        await sleep(
          backoffDelay(failures, { baseMs: 100, maxMs: 5000 }),
          this.abort.signal,
          this.o.clock,
        );
      }
    }
  }

  private take(record: AcquiredRecord): void {
    const held: Held = {
      record,
      lockDeadline: record.lockDeadline,
      settled: false,
      abandoned: false,
      cancel: undefined,
      moving: false,
      successor: undefined,
    };
    if (this.abort.signal.aborted) {
      void this.settle(held, AckType.Release);
      return;
    }
    // Written onward by this lane already, its ACCEPT refused (the broker lost the lock and
    // gave the record back): only the ACCEPT is left to do.
    const key = recordKey(record);
    if (this.written.has(key)) {
      this.keeper.add(held);
      void this.settle(held, AckType.Accept).then((ok) => {
        if (ok) this.written.delete(key);
        this.keeper.delete(held);
        this.wake();
      });
      return;
    }
    // Delivered again to this lane while it still holds it: the broker lost the lock (a
    // restart) and this member got it back. The new delivery replaces the old one, whose timer
    // would move it a second time; one already moving may settle this delivery with its
    // ACCEPT, so the new one waits for that move's outcome (`hop`).
    for (const h of this.keeper.held) {
      if (h.settled || recordKey(h.record) !== key) continue;
      if (h.moving) {
        // A third delivery during one move replaces the second.
        const before = h.successor;
        if (before !== undefined) {
          before.abandoned = true;
          this.keeper.delete(before);
        }
        h.successor = held;
        this.keeper.add(held);
        return;
      }
      h.abandoned = true;
      h.cancel?.();
      h.cancel = undefined;
      this.keeper.delete(h);
    }
    this.keeper.add(held);
    this.schedule(held);
  }

  /** Moves a held record at its release time (at once when that has passed). */
  private schedule(held: Held): void {
    const record = held.record;
    // A malformed header (due 0): sent on to the queue now, where the worker dead-letters it.
    const dueAt = dueTimeOf(record);
    const releaseAt = Math.min(dueAt, record.timestamp + this.tier.ms);
    const wait = releaseAt - this.o.clock.now();
    // A tier record given back by lanes that stopped while holding it (rolling restarts during
    // a long tier) nears its delivery limit: rewrite it as a fresh record with the same due
    // time rather than let the engine archive it.
    const givenBackOften =
      record.deliveryCount > 1 && record.deliveryCount >= this.deliveryLimit - 1;
    if (wait <= 0 || givenBackOften) {
      this.move(held, dueAt);
      return;
    }
    held.cancel = this.o.clock.setTimer(() => {
      held.cancel = undefined;
      this.move(held, dueAt);
    }, wait);
  }

  private move(held: Held, dueAt: number): void {
    if (held.abandoned || this.abort.signal.aborted) return;
    held.moving = true;
    const p = this.hop(held, dueAt);
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /**
   * The next hop: the queue when due, else the tier for the time left. The lock is renewed
   * first, and a refused renewal drops the record unmoved: a forwarder may hold a record for
   * up to a tier's length, and a broker that lost its locks meanwhile (`sharq server` killed
   * and restarted) has delivered it again, to this lane or another forwarder, which moves it.
   * Without the check both wrote the job at the release time, and it ran twice.
   */
  private async hop(held: Held, dueAt: number): Promise<void> {
    let result: ForwardResult | 'not-moved' = 'not-moved';
    try {
      result = await this.hopOnce(held, dueAt);
    } finally {
      const key = recordKey(held.record);
      // Written, but the ACCEPT was refused: the record comes back (to this lane, as a
      // successor or later) and is then only accepted, never written again.
      if (result === 'accept-refused') this.remember(key);
      const next = held.successor;
      held.successor = undefined;
      if (next !== undefined && !next.abandoned) {
        if (result === 'done') {
          // The ACCEPT settled the record, this delivery included.
          next.settled = true;
          this.keeper.delete(next);
          this.wake();
        } else if (result === 'accept-refused') {
          void this.settle(next, AckType.Accept).then((ok) => {
            if (ok) this.written.delete(key);
            this.keeper.delete(next);
            this.wake();
          });
        } else if (!this.abort.signal.aborted) {
          this.schedule(next);
        }
      }
    }
  }

  /** Keeps `key` in `written` for WRITTEN_MEMORY_MS, dropping what has aged out. */
  private remember(key: string): void {
    const now = this.o.clock.now();
    for (const [k, at] of this.written) {
      if (now - at < WRITTEN_MEMORY_MS && this.written.size < WRITTEN_MEMORY_MAX) break;
      this.written.delete(k);
    }
    this.written.set(key, now);
  }

  /** One move of `hop`: how its write and ACCEPT ended, or not moved (its lock was lost). */
  private async hopOnce(held: Held, dueAt: number): Promise<ForwardResult | 'not-moved'> {
    // A refusal (or a renewal that could not be sent) abandons the record (`lost`), which
    // frees its slot; its lock lapses and it comes back.
    if (!(await this.keeper.renew(held)) || held.abandoned) return 'not-moved';
    const left = dueAt - this.o.clock.now();
    const target =
      left <= 0
        ? { topic: this.o.queue, record: forwardRecord(held.record, { dueAt: undefined }) }
        : {
            topic: delayTierTopic(this.o.queue, tierFor(left)),
            record: forwardRecord(held.record, { dueAt }),
          };
    try {
      const result = await forwardThenAccept(
        { engine: this.o.engine, settle: (_r, type) => this.settle(held, type) },
        held.record,
        target,
        (err) =>
          this.o.onError(
            new SharqError(
              'SHARQ_ERR_IO',
              `Could not bring delayed job ${held.record.topic}@${held.record.offset} to ${target.topic}; it comes back when its lock lapses`,
              { cause: err, details: { topic: target.topic } },
            ),
          ),
      );
      // A failed write: stop renewing, the lock lapses and the record comes back.
      if (result === 'write-failed') held.settled = true;
      return result;
    } finally {
      this.keeper.delete(held);
      this.wake();
    }
  }

  private settle(held: Held, type: AckType): Promise<boolean> {
    held.settled = true;
    return this.acks.submit({ record: held.record, type }).then(({ error }) => {
      if (error === undefined) return true;
      this.lost(held, error);
      return false;
    });
  }

  /** Its lock is gone (a refused renewal or verdict, or one that ran out): given up. */
  private lost(held: Held, error: Error): void {
    if (held.abandoned) return;
    held.abandoned = true;
    held.cancel?.();
    this.keeper.delete(held);
    this.o.onError(error);
    this.wake();
  }

  private wake(): void {
    const wake = this.slotFreed;
    this.slotFreed = undefined;
    wake?.();
  }
}

/** How long a lane remembers a record it wrote onward whose ACCEPT was refused, and how many. */
const WRITTEN_MEMORY_MS = 10 * 60_000;
const WRITTEN_MEMORY_MAX = 10_000;

function recordKey(r: AcquiredRecord): string {
  return `${r.topic}/${r.partition}@${r.offset}`;
}

function dueTimeOf(record: AcquiredRecord): number {
  try {
    return decodeRun(record).dueAt ?? 0;
  } catch {
    return 0;
  }
}

/** Records sorted by due time, stable (ties keep their offset order). */
function byDueTime(records: readonly AcquiredRecord[]): readonly AcquiredRecord[] {
  if (records.length < 2) return records;
  return records
    .map((record, i) => ({ record, i, due: dueTimeOf(record) }))
    .sort((a, b) => a.due - b.due || a.i - b.i)
    .map((x) => x.record);
}
