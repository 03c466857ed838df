import { listedOffsets } from '../engine/listed-offsets.js';
import type { Engine, PartitionOffsets, StoredRecord } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { controlTopic } from './names.js';

/**
 * Fleet-wide pause state of a queue. The control topic `sharq.control.<queue>` (one partition)
 * holds one JSON record per change; the last record is the state. Workers read it from the
 * offset they reached (see workers/pause-watch.ts); the admin API writes it.
 *
 *   value  {"v":1,"paused":true,"reason":"deploy","at":1767225600000,"by":"admin:req-1"}
 */
export interface ControlState {
  paused: boolean;
  reason: string | null;
  /** When it changed, epoch ms; null when the queue was never paused. */
  at: number | null;
  by: string | null;
}

export const NOT_PAUSED: ControlState = Object.freeze({
  paused: false,
  reason: null,
  at: null,
  by: null,
});

export function encodeControl(state: ControlState): Buffer {
  return Buffer.from(JSON.stringify({ v: 1, ...state }));
}

/** The state a control record sets, or undefined for a record sharq did not write. */
export function decodeControl(record: StoredRecord): ControlState | undefined {
  if (record.value === null) return undefined;
  try {
    const v = JSON.parse(record.value.toString('utf8')) as Partial<ControlState> & { v?: unknown };
    if (v.v !== 1 || typeof v.paused !== 'boolean') return undefined;
    return {
      paused: v.paused,
      reason: typeof v.reason === 'string' ? v.reason : null,
      at: typeof v.at === 'number' ? v.at : record.timestamp,
      by: typeof v.by === 'string' ? v.by : null,
    };
  } catch {
    return undefined;
  }
}

/**
 * Follows a queue's control topic from an offset: each `next()` reads what was appended since
 * and returns the state the last record set (or the one it had). Creates the topic when missing,
 * unless it reads for a view (`listed`, below).
 */
export class ControlReader {
  private offset = 0;
  private state: ControlState = NOT_PAUSED;
  private ready: Promise<unknown> | undefined;
  readonly topic: string;

  /**
   * `listed` tells whether the broker lists a topic (the admin API's topic names). With it the
   * reader makes no topic: a control topic not listed (no pause or resume was ever written;
   * `writeControl` makes it) means the state so far, not paused at first, so viewing a queue
   * leaves the broker as it was. Without it (a worker's watch) the reader makes the topic.
   */
  constructor(
    private readonly engine: Engine,
    queue: string,
    private readonly listed?: (topic: string) => Promise<boolean>,
  ) {
    this.topic = controlTopic(queue);
  }

  async next(): Promise<ControlState> {
    if (this.listed !== undefined)
      return this.readFrom(await listedOffsets(this.engine, this.topic, this.listed));
    this.ready ??= this.engine.admin
      .ensureTopic(this.topic, { partitions: 1 })
      .catch((err: unknown) => {
        this.ready = undefined;
        throw err;
      });
    await this.ready;
    return this.readFrom(await this.engine.admin.offsets(this.topic));
  }

  private async readFrom(offsets: readonly PartitionOffsets[]): Promise<ControlState> {
    const [p] = offsets;
    if (p === undefined) return this.state;
    if (this.offset < p.logStartOffset) this.offset = p.logStartOffset;
    while (this.offset < p.logEndOffset) {
      const records = await this.engine.read(this.topic, 0, this.offset, 500);
      if (records.length === 0) break;
      for (const r of records) this.state = decodeControl(r) ?? this.state;
      this.offset = records[records.length - 1]!.offset + 1;
    }
    return this.state;
  }
}

/** Appends a pause or resume; resolves once it is durable. */
export async function writeControl(
  engine: Engine,
  queue: string,
  state: ControlState,
): Promise<void> {
  if (state.reason !== null && state.reason.length > 500) {
    throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', 'A pause reason is at most 500 characters', {
      details: { field: 'reason' },
    });
  }
  const topic = controlTopic(queue);
  await engine.admin.ensureTopic(topic, { partitions: 1 });
  await engine.produce(topic, [{ key: null, value: encodeControl(state), partition: 0 }]);
}
