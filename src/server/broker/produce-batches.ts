import { type KafkaBatchInput, kafkaBatchInput } from '../../embedded/storage/batch-frame.js';
import { MAX_RECORD_BYTES_LIMIT } from '../../embedded/storage/segment.js';
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  HEADER_SIZE,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../../kafka/protocol/batch-layout.js';
import { crc32c } from '../../util/crc32c.js';
import type { BatchHeader } from './producers.js';

/**
 * The record batches of a Produce partition, checked for the log to keep as they are (one batch
 * frame each, src/embedded/storage/batch-frame.ts): no object, string or BigInt per record and
 * no copy of the records. Kafka's broker checks and keeps a batch the same way.
 *
 * Only plain batches are taken: uncompressed, create time, not transactional or control, not
 * empty, with a CRC, length and records that check out, headers valid UTF-8 with no name
 * repeated in a record, and that fit one frame. Anything else
 * returns null and goes the general way (decode, then a frame per record), which also reports
 * what is wrong with a bad batch.
 */

export interface CheckedBatch {
  header: BatchHeader;
  input: KafkaBatchInput;
}

/** Largest batch kept as one frame: its body must stay within what recovery reads back. */
const MAX_FRAME_BATCH_BYTES = MAX_RECORD_BYTES_LIMIT - 64;

/** Every batch of a Produce partition's Records, or null when any needs the general path. */
export function checkProduceRecords(buf: Buffer): CheckedBatch[] | null {
  const out: CheckedBatch[] = [];
  let pos = 0;
  while (buf.length - pos >= LOG_OVERHEAD) {
    if (buf.length - pos < HEADER_SIZE) return null;
    const batchLength = buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    const end = pos + LOG_OVERHEAD + batchLength;
    if (batchLength < HEADER_SIZE - LOG_OVERHEAD || end > buf.length) return null;
    if (end - pos > MAX_FRAME_BATCH_BYTES) return null;
    const batch = checkBatch(buf, pos, end);
    if (batch === null) return null;
    out.push(batch);
    pos = end;
  }
  return pos === buf.length && out.length > 0 ? out : null;
}

function checkBatch(b: Buffer, start: number, end: number): CheckedBatch | null {
  if (b.readInt8(start + MAGIC_OFFSET) !== 2) return null;
  // Any attribute bit (a codec, log-append time, transactional, control) takes the general path.
  if (b.readInt16BE(start + ATTRIBUTES_OFFSET) !== 0) return null;
  const crc = b.readUInt32BE(start + CRC_OFFSET);
  if (crc !== crc32c(b, 0, start + ATTRIBUTES_OFFSET, end)) return null;
  const input = kafkaBatchInput(b, start, end, crc);
  if (input === null) return null;
  return {
    header: {
      producerId: Number(b.readBigInt64BE(start + PRODUCER_ID_OFFSET)),
      producerEpoch: b.readInt16BE(start + PRODUCER_EPOCH_OFFSET),
      baseSequence: b.readInt32BE(start + BASE_SEQUENCE_OFFSET),
      recordCount: b.readInt32BE(start + RECORD_COUNT_OFFSET),
      crc,
    },
    input,
  };
}
