import {
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  HEADER_SIZE,
  RECORD_COUNT_OFFSET,
} from '../../kafka/protocol/batch-layout.js';
import { readHeaders, walkRecords } from '../../kafka/protocol/record-walk.js';
import { crc32c, crc32cCombine } from '../../util/crc32c.js';
import { FRAME_HEADER_BYTES } from './framed-file.js';
import {
  ATTR_BATCH_END,
  isWellFormedRecord,
  type LogRecord,
  RECORD_FORMAT_VERSION,
  recordOffset,
  recordTooLarge,
} from './record-codec.js';

/**
 * A second kind of log frame body, for `sharq server`: one whole producer batch in Kafka's own
 * bytes, so a Produce batch is written as it came (after its CRC and records are checked) rather
 * than turned into a frame per record, which cost the server three times Kafka's CPU per job.
 *
 *   u8  version (2)
 *   u8  attributes: bit 0 = batch end (always set: the frame is a whole producer batch)
 *   u64 base offset, as record-codec's offset (u32 low word, u32 high word), at the same place
 *   then Kafka's v2 record batch from its attributes to its end, as sent (big-endian):
 *       attributes, lastOffsetDelta, baseTimestamp, maxTimestamp, producerId, producerEpoch,
 *       baseSequence, recordCount, records
 *
 * Only plain batches are kept this way (no compression, transaction or control bits, create
 * time, headers valid UTF-8 with no name repeated in a record); the rest take the per-record
 * format. Record i of the frame has offset base + i, and its timestamp is baseTimestamp plus
 * its delta. The frame's checksum covers the whole body like any
 * frame's, but writing it costs no pass over the batch: the bytes from attributes on are exactly
 * what Kafka's batch CRC-32C covers, so the frame CRC is that CRC combined with the CRC of the
 * ten bytes before it. A record reads back exactly as the per-record format would have stored
 * it (same key, value, timestamp and headers object).
 */

export const BATCH_FRAME_VERSION = 2;
/** Body bytes before Kafka's: version, attributes, base offset. */
const OWN_HEADER_BYTES = 10;
/** Where Kafka's fields sit in the body. */
const KAFKA = OWN_HEADER_BYTES - ATTRIBUTES_OFFSET;
const BODY_BASE_TIMESTAMP = KAFKA + BASE_TIMESTAMP_OFFSET;
const BODY_RECORD_COUNT = KAFKA + RECORD_COUNT_OFFSET;
const BODY_RECORDS = KAFKA + HEADER_SIZE;
const TWO_32 = 2 ** 32;

/** A Produce batch checked for a batch frame (see `checkKafkaBatch`), ready to append. */
export interface KafkaBatchInput {
  /** The batch from its attributes to its end: a view into the request, written as it is. */
  kafka: Buffer;
  /** Kafka's CRC-32C of `kafka`, checked. */
  crc: number;
  /** Each record's timestamp. */
  timestamps: number[];
  /** The largest record as the per-record format would store it (held to maxRecordBytes). */
  largestStoredBytes: number;
  largestIndex: number;
}

/**
 * The batch at `b[start, end)` (a whole Kafka v2 batch, CRC and attributes already checked by
 * the caller) as a batch frame's input, or null when its records do not walk or their headers
 * are not plain (record-walk.ts, `plainHeaders`).
 */
export function kafkaBatchInput(
  b: Buffer,
  start: number,
  end: number,
  crc: number,
): KafkaBatchInput | null {
  const count = b.readInt32BE(start + RECORD_COUNT_OFFSET);
  if (count <= 0) return null;
  const baseTimestamp = Number(b.readBigInt64BE(start + BASE_TIMESTAMP_OFFSET));
  const timestamps: number[] = [];
  const walk = walkRecords(b, start + HEADER_SIZE, end, count, baseTimestamp, {
    timestamps,
    plainHeaders: true,
  });
  if (walk === null) return null;
  return {
    kafka: b.subarray(start + ATTRIBUTES_OFFSET, end),
    crc,
    timestamps,
    largestStoredBytes: walk.largestStoredBytes,
    largestIndex: walk.largestIndex,
  };
}

/**
 * The frame header and the body's own ten bytes for `input` at `baseOffset` (18 bytes); the
 * frame is these followed by `input.kafka`. Refuses a record over `maxRecordBytes` as the
 * per-record encoder does.
 */
export function batchFrameHead(
  input: KafkaBatchInput,
  baseOffset: number,
  maxRecordBytes: number,
): Buffer {
  if (input.largestStoredBytes > maxRecordBytes)
    throw recordTooLarge(input.largestIndex, input.largestStoredBytes, maxRecordBytes);
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + OWN_HEADER_BYTES);
  const own = FRAME_HEADER_BYTES;
  head[own] = BATCH_FRAME_VERSION;
  head[own + 1] = ATTR_BATCH_END;
  head.writeUInt32LE(baseOffset >>> 0, own + 2);
  head.writeUInt32LE(Math.floor(baseOffset / TWO_32), own + 6);
  head.writeUInt32LE(OWN_HEADER_BYTES + input.kafka.length, 0);
  const ownCrc = crc32c(head, 0, own, own + OWN_HEADER_BYTES);
  head.writeUInt32LE(crc32cCombine(ownCrc, input.crc, input.kafka.length), 4);
  return head;
}

/** Records in a well-formed body of either kind. */
export function bodyRecordCount(body: Buffer): number {
  return body[0] === BATCH_FRAME_VERSION ? body.readInt32BE(BODY_RECORD_COUNT) : 1;
}

/** Offset of the last record of a well-formed body of either kind. */
export function bodyLastOffset(body: Buffer): number {
  return recordOffset(body) + bodyRecordCount(body) - 1;
}

/** Fewest bytes a record of Kafka's v2 batch takes (length, attributes, deltas, key, value, headers). */
const MIN_RECORD_BYTES = 7;

/**
 * The last offset a frame body that fails its checksum says it holds, when its own header is
 * consistent with where it sits: a batch frame whose base offset is `firstOffset`, with a
 * record count its length could hold. Else `firstOffset` (a record frame holds one record).
 * Only the frame's word: the checksum that would vouch for it failed.
 */
export function claimedLastOffset(body: Buffer, firstOffset: number): number {
  if (body[0] !== BATCH_FRAME_VERSION || body.length < BODY_RECORDS) return firstOffset;
  if (recordOffset(body) !== firstOffset) return firstOffset;
  const count = body.readInt32BE(BODY_RECORD_COUNT);
  if (count <= 0 || count > (body.length - BODY_RECORDS) / MIN_RECORD_BYTES) return firstOffset;
  return firstOffset + count - 1;
}

/**
 * Structural check of a frame body of either kind whose CRC matched: the per-record format's,
 * or a plain batch whose records walk to its end. Pushes a batch's timestamps onto
 * `timestamps` when given (a record body's is read with `recordTimestamp`).
 */
export function isWellFormedBody(body: Buffer, timestamps?: number[]): boolean {
  if (body[0] === RECORD_FORMAT_VERSION) return isWellFormedRecord(body);
  if (body[0] !== BATCH_FRAME_VERSION || body.length < BODY_RECORDS) return false;
  if (body[1] !== ATTR_BATCH_END || body.readUInt32LE(6) >= 2 ** 21) return false;
  if (body.readInt16BE(KAFKA + ATTRIBUTES_OFFSET) !== 0) return false;
  const count = body.readInt32BE(BODY_RECORD_COUNT);
  if (count <= 0) return false;
  const baseTimestamp = Number(body.readBigInt64BE(BODY_BASE_TIMESTAMP));
  return (
    walkRecords(body, BODY_RECORDS, body.length, count, baseTimestamp, { timestamps }) !== null
  );
}

/** Where the records of a batch body start, relative to the body: for `decodeBatchBody`. */
export function batchRecordStarts(body: Buffer): number[] {
  const starts: number[] = [];
  const baseTimestamp = Number(body.readBigInt64BE(BODY_BASE_TIMESTAMP));
  walkRecords(body, BODY_RECORDS, body.length, body.readInt32BE(BODY_RECORD_COUNT), baseTimestamp, {
    starts,
  });
  return starts;
}

/**
 * Records `from` to `to` (ordinals within the batch) of a well-formed batch body; `starts` are
 * its records' starts (`batchRecordStarts`). Keys and values are views into `body`.
 */
export function decodeBatchBody(
  body: Buffer,
  starts: readonly number[],
  from: number,
  to: number,
): LogRecord[] {
  const base = recordOffset(body);
  const baseTimestamp = Number(body.readBigInt64BE(BODY_BASE_TIMESTAMP));
  const out: LogRecord[] = [];
  const end = to < starts.length ? starts[to]! : body.length;
  walkRecords(body, starts[from]!, end, to - from, baseTimestamp, {
    visit: (
      i,
      timestamp,
      keyStart,
      keyLength,
      valueStart,
      valueLength,
      headersStart,
      headerCount,
    ) => {
      out.push({
        offset: base + from + i,
        timestamp,
        key: keyLength < 0 ? null : body.subarray(keyStart, keyStart + keyLength),
        value: valueLength < 0 ? null : body.subarray(valueStart, valueStart + valueLength),
        headers: headerCount === 0 ? {} : readHeaders(body, headersStart, headerCount),
      });
    },
  });
  return out;
}
