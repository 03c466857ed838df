import type { AcquiredRecord, ShareConsumer } from '../src/engine/types.js';
import { toError } from '../src/errors/sharq-error.js';
import { backoffDelay } from '../src/util/backoff.js';
import type { TimerClock } from '../src/util/clock.js';
import { sleep } from '../src/util/sleep.js';
import type { AckBatcher } from './ack-batcher.js';
import type { RateLimiter } from './rate-limit/limiter.js';

/** Longest poll while holding rate-limit tokens: a token counts from when it was taken. */
const LIMITED_POLL_WAIT_MS = 20;

/** What the poll loop needs from its worker. */
export interface PollLoopHost {
  readonly consumer: ShareConsumer;
  readonly acks: AckBatcher;
  readonly clock: TimerClock;
  readonly limiter: RateLimiter | undefined;
  readonly pollMaxWaitMs: number;
  /** Jobs this worker may run at once now. */
  concurrency(): number;
  /** Deliveries holding a slot now. */
  running(): number;
  closing(): boolean;
  readonly signal: AbortSignal;
  start(record: AcquiredRecord, needsToken: boolean): void;
  reportError(err: Error): void;
  drained(): void;
}

/**
 * The poll loop and its admission: free slots, and the rate limiter's tokens. It acquires only
 * what may run now, so a job the limiter holds back stays in the queue and spends no attempt.
 *
 * One poll at a time, for all the free slots. Two polls out at once (the next on its way while
 * the jobs of the last start) were measured on Kafka 4.4 and lost: each then asks for half the
 * slots, and a broker acquiring part of a producer batch tracks it offset by offset, which cost
 * more than the overlap won. Concurrency 1000 on 1000-record batches, no-op jobs, one busy
 * machine: two polls of 500 at once 25-28k jobs/s; one poll of 1000 at a time 55-75k (and
 * 33-44k at concurrency 500, one poll of 500 at a time: the split batches alone cost that).
 */
export class PollLoop {
  /** The last rate-limited poll found nothing. */
  private limiterIdle = true;
  private failures = 0;
  private wake: (() => void) | undefined;

  constructor(private readonly host: PollLoopHost) {}

  /** Wakes the loop: a slot freed, or shutdown began. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Runs until the host closes. */
  async run(): Promise<void> {
    const h = this.host;
    while (!h.closing()) {
      const free = h.concurrency() - h.running();
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        continue;
      }
      const got = await this.pollOnce(free);
      if (got === undefined) continue;
      if (got.records.length === 0) {
        if (h.running() === 0 && !h.closing()) h.drained();
        continue;
      }
      for (const record of got.records) h.start(record, got.tokenLater);
    }
  }

  /** One poll under the limiter's admission; undefined when it got nothing to start (limited, failed). */
  private async pollOnce(
    free: number,
  ): Promise<{ records: AcquiredRecord[]; tokenLater: boolean } | undefined> {
    const h = this.host;
    let granted = free;
    let wait = h.pollMaxWaitMs;
    /** Idle and rate-limited: one record, its token taken when it arrives. */
    let tokenLater = false;
    try {
      // Admission: acquire only what the limiter lets run now. A token counts from when it is
      // taken, so none is held through a long wait on an empty queue: while idle, the worker
      // waits for one record and takes its token when it comes; while busy, it takes tokens
      // first and polls briefly.
      if (h.limiter !== undefined) {
        if (this.limiterIdle) {
          granted = 1;
          tokenLater = true;
        } else {
          const grant = await h.limiter.take(free);
          if (grant.granted === 0) {
            h.acks.flushNow();
            await sleep(grant.retryInMs, h.signal, h.clock);
            return undefined;
          }
          granted = grant.granted;
          wait = Math.min(wait, LIMITED_POLL_WAIT_MS);
        }
      }
      // Verdicts of finished jobs go out first: on Kafka they ride on this fetch rather than
      // wait behind it while the member still holds their locks.
      h.acks.flushNow();
      const records = await h.consumer.poll({
        maxRecords: granted,
        maxWaitMs: wait,
        signal: h.signal,
      });
      if (h.limiter !== undefined) {
        if (!tokenLater && records.length < granted)
          h.limiter
            .giveBack(granted - records.length)
            .catch((e: unknown) => h.reportError(toError(e)));
        this.limiterIdle = records.length === 0;
      }
      this.failures = 0;
      return { records, tokenLater };
    } catch (err) {
      if (h.closing()) return undefined;
      h.reportError(toError(err));
      this.failures++;
      await sleep(backoffDelay(this.failures, { baseMs: 100, maxMs: 5000 }), h.signal, h.clock);
      return undefined;
    }
  }
}
