import { type Acknowledgement, type AckResult, AckType } from '../../engine/types.js';
import type { PendingAck } from './share-session.js';

/**
 * One `acknowledge()` call on its way to the brokers: its acknowledgements become PendingAcks
 * in the sessions of their partition leaders, and the call resolves once every one of them has
 * the broker's verdict. A worker acknowledges thousands of records a second, so an ack costs one
 * small object here, not a promise and closures of its own.
 */
export class AckRound {
  private readonly failed: AckResult['failed'] = [];
  private renewedUntil: number | undefined;
  private left: number;
  private resolve!: (result: AckResult) => void;
  readonly done: Promise<AckResult>;

  /** `sentAt`: when the acks left, the base of a renewed lock's deadline. */
  constructor(
    count: number,
    private readonly sentAt: number,
  ) {
    this.left = count;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (count === 0) this.finish();
  }

  /** An ack of this round, for a session's queue. */
  pending(ack: Acknowledgement, topicId: string): PendingAck {
    return new RoundAck(this, ack, topicId);
  }

  /** An ack that never reached a session (its topic or leader is unknown). */
  fail(ack: Acknowledgement, error: Error): void {
    this.failed.push({ ack, error });
    this.settledOne();
  }

  settled(ack: Acknowledgement, error: Error | undefined, lockTimeoutMs: number | undefined): void {
    if (error !== undefined) this.failed.push({ ack, error });
    else if (ack.type === AckType.Renew && lockTimeoutMs !== undefined && lockTimeoutMs > 0)
      this.renewedUntil = this.sentAt + lockTimeoutMs;
    this.settledOne();
  }

  private settledOne(): void {
    if (--this.left === 0) this.finish();
  }

  private finish(): void {
    this.resolve(
      this.renewedUntil === undefined
        ? { failed: this.failed }
        : { failed: this.failed, renewedUntil: this.renewedUntil },
    );
  }
}

class RoundAck implements PendingAck {
  readonly partition: number;
  readonly offset: number;
  readonly type: number;
  private settledOnce = false;

  constructor(
    private readonly round: AckRound,
    private readonly ack: Acknowledgement,
    readonly topicId: string,
  ) {
    this.partition = ack.record.partition;
    this.offset = ack.record.offset;
    this.type = ack.type;
  }

  settle(error: Error | undefined, lockTimeoutMs?: number): void {
    // A verdict counts once, whatever path (resend, reset, close) reaches it again.
    if (this.settledOnce) return;
    this.settledOnce = true;
    this.round.settled(this.ack, error, lockTimeoutMs);
  }
}
