import type { AcquiredRecord } from '../src/engine/types.js';

/** A job as a handler sees it: one delivery of one record. */
export interface Job<Data = unknown> {
  readonly id: string;
  readonly name: string;
  readonly data: Data;
  readonly queue: string;
  readonly key: string | null;
  /** Headers the producer set, without sharq's own. */
  readonly headers: Readonly<Record<string, string>>;
  readonly partition: number;
  readonly offset: number;
  /** When the job was added (record timestamp, epoch ms). */
  readonly timestamp: number;
  /** This delivery's number, 1 on the first. Handlers use it to stay idempotent. */
  readonly deliveryCount: number;
  /** Deliveries after which a failure goes to the DLQ. */
  readonly maxAttempts: number;
  /** Epoch ms when the lock runs out; the worker renews it while the handler runs. */
  readonly lockDeadline: number;
}

export function jobFromRecord<Data>(
  record: AcquiredRecord,
  decoded: { id: string; name: string; key: string | null; headers: Record<string, string> },
  data: Data,
  maxAttempts: number,
  lockDeadline: () => number,
): Job<Data> {
  return {
    id: decoded.id,
    name: decoded.name,
    data,
    queue: record.topic,
    key: decoded.key,
    headers: decoded.headers,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    deliveryCount: record.deliveryCount,
    maxAttempts,
    get lockDeadline() {
      return lockDeadline();
    },
  };
}
