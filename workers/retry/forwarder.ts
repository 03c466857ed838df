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
  delayGroup,
  delayTierTopic,
  delayTierTopics,
  tierFor,
  tierOfTopic,
} from '../../src/queue/names.js';
import { backoffDelay } from '../../src/util/backoff.js';
import type { TimerClock } from '../../src/util/clock.js';
import { sleep } from '../../src/util/sleep.js';
import { AckBatcher } from '../ack-batcher.js';
import { forwardThenAccept } from '../forward.js';
import { type Locked, LockKeeper } from '../lock-keeper.js';

export interface ForwarderOptions {
  engine: Engine;
  queue: string;
  deadLetterTopic: string;
  clock: TimerClock;
  pollMaxWaitMs: number;
  /** Tier records held at once, waiting for their release time. */
  maxHeld?: number;
  onError: (err: Error) => void;
}

interface Held extends Locked {
  cancel: (() => void) | undefined;
}

/**
 * Brings delayed jobs and long retries back when due. A member of the queue's tier group
 * (`sharq.delay.<queue>`), reading every tier topic:
 *
 *   release time = min(due, written + tier length)
 *   at the release time: due now → write to the queue; due later → write to the tier for what
 *   is left; then ACCEPT the tier record (forward.ts: write, confirm, ACCEPT).
 *
 * Within a tier partition release times ascend with offsets (every record waits the same tier
 * length), so the records a forwarder holds are the next ones due. Held records keep their lock
 * through the lock keeper. Crash-safety: a crash before the write leaves the tier record to come
 * back when its lock expires, still not due early (the due time travels in its header); a
 * crash after the write and before ACCEPT writes the job twice, both on time.
 */
export class DelayForwarder {
  private consumer: ShareConsumer | undefined;
  private acks: AckBatcher | undefined;
  private keeper: LockKeeper<Held> | undefined;
  private readonly abort = new AbortController();
  private loopDone: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly maxHeld: number;
  private closing: Promise<void> | undefined;
  private deliveryLimit = 5;

  constructor(private readonly o: ForwarderOptions) {
    this.maxHeld = o.maxHeld ?? 1000;
  }

  async start(): Promise<void> {
    const admin = this.o.engine.admin;
    const group = delayGroup(this.o.queue);
    await admin.configureGroup(group, {
      autoOffsetReset: 'earliest',
      deadLetterTopic: this.o.deadLetterTopic,
    });
    const { config } = await admin.describeGroup(group);
    this.deliveryLimit = config.deliveryCountLimit;
    this.consumer = this.o.engine.createShareConsumer({
      groupId: group,
      topics: delayTierTopics(this.o.queue),
    });
    this.acks = new AckBatcher(this.consumer, this.o.onError);
    this.keeper = new LockKeeper<Held>(this.acks, config.lockDurationMs, this.o.clock, (e, err) =>
      this.lost(e, err),
    );
    this.loopDone = this.loop();
  }

  /** Stops polling; held records go back to the tier group (not due yet, so never early). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      this.slotFreed?.();
      await this.loopDone;
      await Promise.allSettled([...this.pending]);
      for (const h of this.keeper?.held ?? []) {
        h.cancel?.();
        if (!h.abandoned && !h.settled) void this.settle(h, AckType.Release);
      }
      this.keeper?.stop();
      await this.acks?.drain();
      await this.keeper?.drain();
      await this.consumer?.close();
    })();
    return this.closing;
  }

  private async loop(): Promise<void> {
    const consumer = this.consumer!;
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const free = this.maxHeld - this.keeper!.held.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.slotFreed = resolve;
        });
        continue;
      }
      try {
        this.acks!.flushNow();
        const records = await consumer.poll({
          maxRecords: free,
          maxWaitMs: this.o.pollMaxWaitMs,
          signal: this.abort.signal,
        });
        failures = 0;
        for (const r of records) this.take(r);
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
    };
    if (this.abort.signal.aborted) {
      void this.settle(held, AckType.Release);
      return;
    }
    let dueAt = 0;
    try {
      dueAt = decodeRun(record).dueAt ?? 0;
    } catch {
      // A malformed header: send it on to the queue now, where the worker dead-letters it.
    }
    const tier = tierOfTopic(this.o.queue, record.topic) ?? DELAY_TIERS[0];
    const releaseAt = Math.min(dueAt, record.timestamp + tier.ms);
    const wait = releaseAt - this.o.clock.now();
    this.keeper!.add(held);
    // A tier record given back by forwarders that stopped while holding it (rolling restarts
    // during a long tier) nears its delivery limit: rewrite it as a fresh record with the same
    // due time rather than let the engine archive it.
    if (wait <= 0 || record.deliveryCount >= this.deliveryLimit - 1) {
      this.track(this.hop(held, dueAt));
      return;
    }
    held.cancel = this.o.clock.setTimer(() => {
      held.cancel = undefined;
      this.track(this.hop(held, dueAt));
    }, wait);
  }

  /** The next hop: the queue when due, else the tier for the time left. */
  private async hop(held: Held, dueAt: number): Promise<void> {
    if (held.abandoned) return;
    const left = dueAt - this.o.clock.now();
    const target =
      left <= 0
        ? {
            topic: this.o.queue,
            record: forwardRecord(held.record, { dueAt: undefined }),
          }
        : {
            topic: delayTierTopic(this.o.queue, tierFor(left)),
            record: forwardRecord(held.record, { dueAt }),
          };
    try {
      await forwardThenAccept(
        { engine: this.o.engine, settle: (_r, type) => this.settle(held, type) },
        held.record,
        target,
        (err) =>
          this.o.onError(
            new SharqError(
              'SHARQ_ERR_IO',
              `Could not bring delayed job ${held.record.topic}@${held.record.offset} to ${target.topic}; released for redelivery`,
              { cause: err, details: { topic: target.topic } },
            ),
          ),
      );
    } finally {
      this.keeper!.delete(held);
      const wake = this.slotFreed;
      this.slotFreed = undefined;
      wake?.();
    }
  }

  private settle(held: Held, type: AckType): Promise<boolean> {
    held.settled = true;
    return this.acks!.submit({ record: held.record, type }).then(({ error }) => {
      if (error === undefined) return true;
      this.lost(held, error);
      return false;
    });
  }

  private lost(held: Held, error: Error): void {
    if (held.abandoned) return;
    held.abandoned = true;
    held.cancel?.();
    this.keeper?.delete(held);
    this.o.onError(error);
    const wake = this.slotFreed;
    this.slotFreed = undefined;
    wake?.();
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}
