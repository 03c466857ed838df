import { KafkaErrors } from '../../kafka/protocol/error-codes.js';

/**
 * Idempotent producers on `sharq server`, as a Kafka broker keeps them (KIP-98): InitProducerId
 * hands out a producer id and epoch; each partition remembers the last five batches of every
 * producer (first and last sequence, base offset). A batch whose sequences match one of them is
 * a retry already written: it is answered with the original offset and not written again. A
 * batch that does not follow the last one is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch is
 * INVALID_PRODUCER_EPOCH. A batch is checked and its write started in one synchronous step, and
 * it is remembered from then on (not only once durable): the next batch of a pipelining producer
 * is checked against it at once and shares its fsync, and a retry racing its original on
 * another connection is answered with the original's offset when that is durable. A batch whose
 * write fails is forgotten, so its retry is written.
 *
 * A batch that reuses a remembered batch's sequences with other contents (its CRC-32C differs)
 * is not a retry: answering it as one would confirm records that were never written (a client
 * that rolled its sequences back after a request failed in part). It is refused with
 * INVALID_RECORD, so its sender sees an error rather than a false success.
 *
 * Producer ids start from the server's start time (ms × 1024), so ids handed out after a restart
 * never meet a client's state from before it. The sequence state itself is not persisted: after
 * a server restart, a producer's retry of a batch written before the restart is written again
 * (at least once, as for any job whose add() was in flight).
 */
const E = KafkaErrors;
/** Batches remembered per producer and partition (Kafka's is five). */
const WINDOW = 5;
/** Sequences are non-negative int32s; after 2^31 - 1 a producer goes on from 0, as Kafka's does. */
const SEQUENCE_SPACE = 2 ** 31;

function lastSequence(batch: BatchHeader): number {
  return (batch.baseSequence + batch.recordCount - 1) % SEQUENCE_SPACE;
}

interface Batch {
  firstSeq: number;
  lastSeq: number;
  /** The batch's CRC-32C (attributes to the end: its records and sequences), when known. */
  crc: number | undefined;
  /** Resolves with the first offset once the batch is durable. */
  baseOffset: Promise<number>;
}

interface PartitionState {
  epoch: number;
  batches: Batch[];
}

export interface AppendAnswer {
  errorCode: number;
  baseOffset: number;
  message: string | null;
}

export interface BatchHeader {
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  /** The batch header's CRC-32C: tells a retry (the same bytes) from other records under the same sequences. */
  crc?: number | undefined;
}

export type SequenceCheck =
  | { type: 'write' }
  | { type: 'duplicate'; baseOffset: Promise<number> }
  | { type: 'error'; errorCode: number; message: string };

export class ProducerRegistry {
  private nextId: number;
  private readonly epochs = new Map<number, number>();
  private readonly state = new Map<string, PartitionState>();

  constructor(now: number) {
    this.nextId = now * 1024;
  }

  /** InitProducerId without a transactional id: a new producer id at epoch 0. */
  init(): { producerId: number; producerEpoch: number } {
    const producerId = this.nextId++;
    this.epochs.set(producerId, 0);
    return { producerId, producerEpoch: 0 };
  }

  /**
   * Starts `write` for a batch when its sequence says so, before returning: `write` must take
   * the batch's offsets synchronously (calls reach the log in call order) and resolve with the
   * first one once durable. Non-idempotent batches (producer id -1) are written as they come.
   */
  append(
    topic: string,
    partition: number,
    batch: BatchHeader,
    write: () => Promise<number>,
  ): Promise<AppendAnswer> {
    if (batch.producerId < 0) return write().then((baseOffset) => written(baseOffset));
    const key = `${batch.producerId}\u0000${topic}\u0000${partition}`;
    let state = this.state.get(key);
    if (state === undefined) {
      state = { epoch: batch.producerEpoch, batches: [] };
      this.state.set(key, state);
    }
    const check = this.check(state, batch);
    if (check.type === 'duplicate')
      return check.baseOffset.then((baseOffset) => written(baseOffset));
    if (check.type === 'error')
      return Promise.resolve({
        errorCode: check.errorCode,
        baseOffset: -1,
        message: check.message,
      });
    let baseOffset: Promise<number>;
    try {
      baseOffset = write();
    } catch (err) {
      return Promise.reject(err);
    }
    if (batch.producerEpoch > state.epoch) {
      state.epoch = batch.producerEpoch;
      state.batches = [];
    }
    const entry: Batch = {
      firstSeq: batch.baseSequence,
      lastSeq: lastSequence(batch),
      crc: batch.crc,
      baseOffset,
    };
    state.batches.push(entry);
    if (state.batches.length > WINDOW) state.batches.shift();
    const st = state;
    return baseOffset.then(written, (err: unknown) => {
      const i = st.batches.indexOf(entry);
      if (i >= 0) st.batches.splice(i, 1);
      throw err;
    });
  }

  private check(state: PartitionState, batch: BatchHeader): SequenceCheck {
    if (batch.producerEpoch < state.epoch) {
      return {
        type: 'error',
        errorCode: E.INVALID_PRODUCER_EPOCH,
        message: `Producer epoch ${batch.producerEpoch} is older than ${state.epoch}`,
      };
    }
    if (batch.producerEpoch > state.epoch) {
      // A bumped epoch starts its sequences again at 0.
      return batch.baseSequence === 0
        ? { type: 'write' }
        : {
            type: 'error',
            errorCode: E.OUT_OF_ORDER_SEQUENCE_NUMBER,
            message: `A new epoch must start at sequence 0, got ${batch.baseSequence}`,
          };
    }
    const lastSeq = lastSequence(batch);
    const dup = state.batches.find(
      (b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq,
    );
    if (dup !== undefined) {
      if (dup.crc !== undefined && batch.crc !== undefined && dup.crc !== batch.crc) {
        return {
          type: 'error',
          errorCode: E.INVALID_RECORD,
          message: `Sequences ${batch.baseSequence}..${lastSeq} were already written with other records; this batch is not a retry of them and was not written`,
        };
      }
      return { type: 'duplicate', baseOffset: dup.baseOffset };
    }
    const last = state.batches.at(-1);
    const expected = last === undefined ? batch.baseSequence : (last.lastSeq + 1) % SEQUENCE_SPACE;
    // The first batch a partition sees from a producer may start anywhere (this server's state
    // is not persisted across restarts); after that, sequences must follow on.
    if (batch.baseSequence !== expected) {
      return {
        type: 'error',
        errorCode: E.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `Expected sequence ${expected}, got ${batch.baseSequence}`,
      };
    }
    return { type: 'write' };
  }
}

function written(baseOffset: number): AppendAnswer {
  return { errorCode: 0, baseOffset, message: null };
}
