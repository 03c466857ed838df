import type { AcquiredRecord, Engine, ProduceRecord } from '../src/engine/types.js';
import { AckType } from '../src/engine/types.js';

/** How a forward ended. */
export type ForwardResult =
  /** Written and confirmed, then the original ACCEPTed. */
  | 'done'
  /**
   * The write failed: the original is left to its lock, which lapses (the caller stops renewing
   * it), so the job is delivered again after the lock duration. Not RELEASE: a record released
   * at once comes straight back, and a short outage would burn every delivery in milliseconds.
   */
  | 'write-failed'
  /** Written, but the ACCEPT was refused (lock lost): the original comes back, so the job may run twice. */
  | 'accept-refused';

export interface ForwardHost {
  readonly engine: Engine;
  /** Queues a verdict; resolves true once the engine applied it. */
  settle(record: AcquiredRecord, type: AckType): Promise<boolean>;
}

/**
 * Moves a job to another topic (its DLQ, a delay tier, back to its queue) without ever losing
 * it: write the copy and await the engine's confirmation, then ACCEPT the original.
 *   the write fails, or a crash before it
 *   is confirmed                        → the original's lock expires, it is delivered again
 *   crash between write and ACCEPT      → both exist: the job may run twice, never zero times
 * A REJECT is never used after a write: a Kafka 4.4 broker with a group DLQ would copy it again.
 */
export async function forwardThenAccept(
  host: ForwardHost,
  original: AcquiredRecord,
  target: { topic: string; record: ProduceRecord },
  onWriteError: (err: unknown) => void,
): Promise<ForwardResult> {
  try {
    await host.engine.produce(target.topic, [target.record]);
  } catch (err) {
    onWriteError(err);
    return 'write-failed';
  }
  return (await host.settle(original, AckType.Accept)) ? 'done' : 'accept-refused';
}
