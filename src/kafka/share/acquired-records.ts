import type { AcquiredRecord } from '../../engine/types.js';
import { SharqError } from '../../errors/sharq-error.js';
import { crc32c } from '../../util/crc32c.js';
import {
  ATTR_CODEC_MASK,
  ATTR_CONTROL,
  ATTR_LOG_APPEND_TIME,
  ATTRIBUTES_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  BATCH_LENGTH_OFFSET,
  CRC_OFFSET,
  HEADER_SIZE,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAX_TIMESTAMP_OFFSET,
  RECORD_COUNT_OFFSET,
} from '../protocol/batch-layout.js';
import { decodeRecordBatches } from '../protocol/record-batch.js';

/*
 * The records of one ShareFetch partition that this member acquired, read from its Records
 * bytes (record batches v2; the grammar is at the top of ../protocol/record-batch.ts).
 *
 * A broker answers with whole producer batches, but acquires (record_limit) only as many
 * records as asked for: a worker with 16 free slots gets a batch of 1000 records of which 16
 * are its own. So this reader looks at each batch header first and skips batches without an
 * acquired offset; in a plain batch (uncompressed, not control) it checks the CRC-32C, walks
 * the records by their length prefixes and decodes only the acquired ones. Compressed and
 * control batches, other magics and malformed headers go to `decodeRecordBatches` whole, which
 * decompresses, validates and throws its coded errors.
 */

export interface AcquiredRange {
  firstOffset: number;
  /** Inclusive. */
  lastOffset: number;
  deliveryCount: number;
}

/** Where the records go: their topic and partition, and the lock deadline of this fetch. */
export interface AcquiredTarget {
  topic: string;
  partition: number;
  lockDeadline: number;
}

/**
 * Appends to `out` the acquired records of `bytes`, in offset order; `ranges` must be ascending
 * (AcquiredRecords as brokers send them). Acquired offsets without a record are the caller's to
 * find (they are GAPs). Throws SHARQ_ERR_PROTOCOL / SHARQ_ERR_UNSUPPORTED as the decoder does.
 */
export function readAcquired(
  bytes: Buffer,
  ranges: readonly AcquiredRange[],
  target: AcquiredTarget,
  out: AcquiredRecord[],
): void {
  const acquired = new Acquired(ranges);
  let pos = 0;
  while (bytes.length - pos >= LOG_OVERHEAD) {
    const batchLength = bytes.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    const end = pos + LOG_OVERHEAD + batchLength;
    if (
      bytes.length - pos <= ATTRIBUTES_OFFSET + 2 ||
      bytes.readInt8(pos + MAGIC_OFFSET) !== 2 ||
      batchLength < HEADER_SIZE - LOG_OVERHEAD
    ) {
      // Not a v2 batch header we can read: the decoder says what is wrong, or skips a tail.
      fromDecoder(bytes.subarray(pos), acquired, target, out);
      return;
    }
    if (end > bytes.length) return; // the broker cut the last batch at MaxBytes
    const baseOffset = Number(bytes.readBigInt64BE(pos));
    const lastOffset = baseOffset + bytes.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET);
    if (acquired.any(baseOffset, lastOffset)) {
      const attributes = bytes.readInt16BE(pos + ATTRIBUTES_OFFSET);
      if ((attributes & (ATTR_CODEC_MASK | ATTR_CONTROL)) !== 0)
        fromDecoder(bytes.subarray(pos, end), acquired, target, out);
      else readPlainBatch(bytes, pos, end, baseOffset, attributes, acquired, target, out);
    }
    pos = end;
  }
}

function fromDecoder(
  bytes: Buffer,
  acquired: Acquired,
  target: AcquiredTarget,
  out: AcquiredRecord[],
): void {
  for (const r of decodeRecordBatches(bytes).records) {
    const deliveryCount = acquired.deliveryCountOf(r.offset);
    if (deliveryCount === 0) continue;
    out.push({
      topic: target.topic,
      partition: target.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: r.key,
      value: r.value,
      headers: r.headers,
      deliveryCount,
      lockDeadline: target.lockDeadline,
    });
  }
}

function readPlainBatch(
  b: Buffer,
  start: number,
  end: number,
  baseOffset: number,
  attributes: number,
  acquired: Acquired,
  target: AcquiredTarget,
  out: AcquiredRecord[],
): void {
  const stored = b.readUInt32BE(start + CRC_OFFSET);
  const computed = crc32c(b, 0, start + ATTRIBUTES_OFFSET, end);
  if (stored !== computed) {
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `CRC-32C mismatch in the record batch at offset ${baseOffset}: stored ${hex32(stored)}, computed ${hex32(computed)}`,
      { details: { baseOffset, storedCrc: stored, computedCrc: computed } },
    );
  }
  const baseTimestamp = Number(b.readBigInt64BE(start + BASE_TIMESTAMP_OFFSET));
  const maxTimestamp = Number(b.readBigInt64BE(start + MAX_TIMESTAMP_OFFSET));
  const logAppendTime = (attributes & ATTR_LOG_APPEND_TIME) !== 0;
  const count = b.readInt32BE(start + RECORD_COUNT_OFFSET);
  const c = new Cursor(b, start + HEADER_SIZE, end, baseOffset);
  if (count < 0) c.malformed(`negative record count ${count}`);
  for (let i = 0; i < count; i++) {
    const length = c.varint();
    if (length < 0) c.malformed(`negative record length ${length}`);
    const recordEnd = c.pos + length;
    if (recordEnd > end) c.malformed(`record length ${length} past the batch end`);
    c.pos++; // attributes: unused
    const timestampDelta = c.varlong();
    const offset = baseOffset + c.varint();
    const deliveryCount = acquired.deliveryCountOf(offset);
    if (deliveryCount === 0) {
      c.pos = recordEnd;
      continue;
    }
    const key = c.bytes('key');
    const value = c.bytes('value');
    const headerCount = c.varint();
    if (headerCount < 0) c.malformed(`negative header count ${headerCount}`);
    const headers: Record<string, string> = Object.create(null);
    for (let h = 0; h < headerCount; h++) {
      const keyLength = c.varint();
      if (keyLength < 0) c.malformed(`negative header key length ${keyLength}`);
      const headerKey = c.utf8(keyLength);
      const valueLength = c.varint();
      headers[headerKey] = valueLength === -1 ? '' : c.utf8(valueLength);
    }
    if (c.pos !== recordEnd)
      c.malformed(`record declares ${length} bytes but holds ${c.pos - recordEnd + length}`);
    out.push({
      topic: target.topic,
      partition: target.partition,
      offset,
      timestamp: logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta,
      key,
      value,
      headers,
      deliveryCount,
      lockDeadline: target.lockDeadline,
    });
  }
  if (c.pos !== end) c.malformed(`${end - c.pos} bytes left after the ${count} declared records`);
}

/** The acquired ranges, looked up by ascending offsets (a cursor, not a search per record). */
class Acquired {
  private i = 0;

  constructor(private readonly ranges: readonly AcquiredRange[]) {}

  /** Whether any acquired offset lies in [first, last]. */
  any(first: number, last: number): boolean {
    const i = this.seek(first);
    return i < this.ranges.length && this.ranges[i]!.firstOffset <= last;
  }

  /** The delivery count of an acquired offset, 0 when it is not acquired. */
  deliveryCountOf(offset: number): number {
    const range = this.ranges[this.seek(offset)];
    return range !== undefined && range.firstOffset <= offset ? range.deliveryCount : 0;
  }

  /** The first range ending at or after `offset`; forward from the last one, as offsets grow. */
  private seek(offset: number): number {
    const r = this.ranges;
    let i = this.i;
    // Offsets only grow in a well-formed response; should one go back, look again from the start
    // rather than miss an acquired record (its offset would then be GAPped: archived).
    if (i > 0 && r[i - 1]!.lastOffset >= offset) i = 0;
    while (i < r.length && r[i]!.lastOffset < offset) i++;
    this.i = i;
    return i;
  }
}

/** Bounds-checked reads inside one record batch. */
class Cursor {
  constructor(
    private readonly b: Buffer,
    public pos: number,
    private readonly end: number,
    private readonly baseOffset: number,
  ) {}

  varint(): number {
    let n = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      if (this.pos >= this.end) this.malformed('a varint runs past the batch end');
      const byte = this.b[this.pos++]!;
      n |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        const u = n >>> 0;
        return (u >>> 1) ^ -(u & 1);
      }
    }
    return this.malformed('a varint longer than 5 bytes');
  }

  /** A zigzag varlong; exact while it fits in 53 bits, as timestamps deltas do. */
  varlong(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.malformed('a varlong runs past the batch end');
      const byte = this.b[this.pos++]!;
      n += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    return this.malformed('a varlong longer than 10 bytes');
  }

  /** Varint-length bytes, null for -1: a view into the response, not a copy. */
  bytes(what: string): Buffer | null {
    const n = this.varint();
    if (n === -1) return null;
    if (n < 0 || this.pos + n > this.end) this.malformed(`${what} length ${n}`);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  utf8(n: number): string {
    if (n < 0 || this.pos + n > this.end) this.malformed(`header length ${n}`);
    const s = this.b.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  malformed(what: string): never {
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `Malformed record batch at offset ${this.baseOffset}: ${what}`,
      { details: { baseOffset: this.baseOffset } },
    );
  }
}

function hex32(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
