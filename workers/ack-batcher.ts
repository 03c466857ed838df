import type { Acknowledgement, AckResult, ShareConsumer } from '../src/engine/types.js';

export type Verdict = { error?: Error; renewedUntil?: number };

interface Pending {
  ack: Acknowledgement;
  resolve: (r: Verdict) => void;
}

/** The verdict of every ack applied without a renewal: one object, shared (callers only read it). */
const APPLIED: Verdict = Object.freeze({});

/**
 * Gathers the acknowledgements of one event-loop turn into one `acknowledge` call: a worker
 * finishing thousands of jobs a second makes one durable write per batch, not per job (the
 * same reason Kafka's share consumer piggybacks acks on its next fetch).
 */
export class AckBatcher {
  private queue: Pending[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly consumer: ShareConsumer,
    private readonly onBatchError: (err: Error) => void,
  ) {}

  /** Resolves once the engine has applied the ack; `error` says why it was refused. */
  submit(ack: Acknowledgement): Promise<Verdict> {
    return new Promise((resolve) => this.submitWith(ack, resolve));
  }

  /**
   * `submit` without a promise, for the job loop: `done` is called once the engine has applied
   * the ack (or refused it), before `drain()` resolves.
   */
  submitWith(ack: Acknowledgement, done: (verdict: Verdict) => void): void {
    this.queue.push({ ack, resolve: done });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Waits for every submitted ack to be applied and its caller told. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      if (this.queue.length > 0) this.flush();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Sends what is queued now instead of at the end of this event-loop turn. */
  flushNow(): void {
    if (this.queue.length > 0) this.flush();
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    const p = this.consumer
      .acknowledge(batch.map((b) => b.ack))
      .then(
        (result: AckResult) => {
          const refused =
            result.failed.length === 0
              ? undefined
              : new Map(result.failed.map((f) => [f.ack, f.error] as const));
          const applied =
            result.renewedUntil === undefined ? APPLIED : { renewedUntil: result.renewedUntil };
          for (const b of batch) {
            const error = refused?.get(b.ack);
            b.resolve(error === undefined ? applied : { error });
          }
        },
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          this.onBatchError(error);
          for (const b of batch) b.resolve({ error });
        },
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
