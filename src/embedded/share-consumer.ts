import { randomUUID } from 'node:crypto';
import type {
  Acknowledgement,
  AckResult,
  AcquiredRecord,
  AcquireMode,
  PollOptions,
  ShareConsumer,
  ShareConsumerOptions,
} from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import type { EmbeddedShareGroup } from './share-group.js';

/** A member of an embedded share group. Any number of them may share a partition. */
export class EmbeddedShareConsumer implements ShareConsumer {
  readonly memberId: string;
  private readonly topics: readonly string[];
  private readonly mode: AcquireMode;
  private rotation = 0;
  private closing: Promise<void> | undefined;
  private joined: Promise<EmbeddedShareGroup> | undefined;

  constructor(
    private readonly options: ShareConsumerOptions,
    private readonly joinGroup: (consumer: EmbeddedShareConsumer) => Promise<EmbeddedShareGroup>,
    private readonly onClosed: (consumer: EmbeddedShareConsumer) => void,
  ) {
    if (options.topics.length === 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        'A share consumer needs at least one topic',
      );
    }
    this.topics = [...options.topics];
    this.memberId = options.memberId ?? randomUUID();
    this.mode = options.acquireMode ?? 'record_limit';
  }

  get groupId(): string {
    return this.options.groupId;
  }

  get clientId(): string {
    return this.options.clientId ?? 'sharq';
  }

  get subscribedTopics(): readonly string[] {
    return this.topics;
  }

  async poll({ maxRecords, maxWaitMs, signal }: PollOptions): Promise<AcquiredRecord[]> {
    this.assertOpen();
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `poll maxRecords must be a positive integer, got ${maxRecords}`,
      );
    }
    const group = await this.group();
    const deadline = Date.now() + Math.max(0, maxWaitMs);
    for (;;) {
      if (this.closing !== undefined) return [];
      const records = await group.acquire(
        this.memberId,
        this.topics,
        maxRecords,
        this.mode,
        this.rotation++,
      );
      if (records.length > 0) return records;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return [];
      await group.waitForWork(left, signal);
    }
  }

  async acknowledge(acks: readonly Acknowledgement[]): Promise<AckResult> {
    if (acks.length === 0) return { failed: [] };
    const group = await this.group();
    return group.acknowledge(this.memberId, acks);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (this.joined !== undefined) {
          const group = await this.joined.catch(() => undefined);
          await group?.leave(this.memberId);
        }
      } finally {
        this.onClosed(this);
      }
    })();
    return this.closing;
  }

  private group(): Promise<EmbeddedShareGroup> {
    this.joined ??= this.joinGroup(this);
    return this.joined;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) {
      throw new SharqError('SHARQ_ERR_CLOSED', `Share consumer ${this.memberId} is closed`);
    }
  }
}
