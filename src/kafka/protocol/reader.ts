import { SharqError } from '../../errors/sharq-error.js';

/**
 * Decoder for Kafka's wire types, the mirror of `Writer`. Every read is bounds-checked: a
 * frame that ends early or declares a length past its end throws SHARQ_ERR_PROTOCOL naming the
 * field context and position, never a RangeError from Buffer or an endless loop.
 */
export class Reader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    offset = 0,
    private readonly context = 'response',
  ) {
    this.pos = offset;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `Malformed ${this.context}: ${what} needs ${n} bytes at position ${this.pos}, ${this.buf.length - this.pos} left`,
        { details: { context: this.context, position: this.pos, need: n } },
      );
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** INT64 as a number; offsets and timestamps fit in 53 bits. */
  int64(): number {
    return Number(this.int64Big());
  }

  int64Big(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  uvarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      this.need(1, 'unsigned varint');
      const b = this.buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
    }
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `Malformed ${this.context}: varint longer than 5 bytes at ${this.pos}`,
      {
        details: { context: this.context, position: this.pos },
      },
    );
  }

  varint(): number {
    const n = this.uvarint();
    return (n >>> 1) ^ -(n & 1);
  }

  varlong(): number {
    let n = 0n;
    for (let shift = 0n; shift <= 63n; shift += 7n) {
      this.need(1, 'varlong');
      const b = this.buf[this.pos++]!;
      n |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number((n >> 1n) ^ -(n & 1n));
    }
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `Malformed ${this.context}: varlong longer than 10 bytes at ${this.pos}`,
      {
        details: { context: this.context, position: this.pos },
      },
    );
  }

  raw(n: number): Buffer {
    this.need(n, 'bytes');
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** UUID as 32 lowercase hex digits (no dashes). */
  uuid(): string {
    return this.raw(16).toString('hex');
  }

  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    return this.raw(n).toString('utf8');
  }

  compactString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.raw(n - 1).toString('utf8');
  }

  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.raw(n);
  }

  compactBytes(): Buffer | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.raw(n - 1);
  }

  /** STRING where the schema does not allow null: a -1 length is malformed. */
  requiredString(): string {
    const v = this.string();
    if (v === null) this.malformed('null STRING in a non-nullable field');
    return v;
  }

  /** COMPACT_STRING where the schema does not allow null. */
  requiredCompactString(): string {
    const v = this.compactString();
    if (v === null) this.malformed('null COMPACT_STRING in a non-nullable field');
    return v;
  }

  /** ARRAY where the schema does not allow null. */
  requiredArray<T>(each: (r: Reader) => T): T[] {
    const v = this.array(each);
    if (v === null) this.malformed('null ARRAY in a non-nullable field');
    return v;
  }

  /** COMPACT_ARRAY where the schema does not allow null. */
  requiredCompactArray<T>(each: (r: Reader) => T): T[] {
    const v = this.compactArray(each);
    if (v === null) this.malformed('null COMPACT_ARRAY in a non-nullable field');
    return v;
  }

  /** Throws SHARQ_ERR_PROTOCOL for a structurally invalid value at the current position. */
  malformed(what: string): never {
    throw new SharqError(
      'SHARQ_ERR_PROTOCOL',
      `Malformed ${this.context}: ${what} at position ${this.pos}`,
      { details: { context: this.context, position: this.pos } },
    );
  }

  array<T>(each: (r: Reader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    return this.items(n, each);
  }

  compactArray<T>(each: (r: Reader) => T): T[] | null {
    const n = this.uvarint();
    if (n === 0) return null;
    return this.items(n - 1, each);
  }

  private items<T>(n: number, each: (r: Reader) => T): T[] {
    // Each item takes at least one byte: a count larger than what is left is malformed, not a huge allocation.
    if (n > this.remaining) this.need(n, 'array items');
    const out = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = each(this);
    return out;
  }

  /** Skips a tagged-field section, returning the raw fields for callers that know a tag. */
  tags(): Map<number, Buffer> {
    const n = this.uvarint();
    const fields = new Map<number, Buffer>();
    for (let i = 0; i < n; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      fields.set(tag, this.raw(size));
    }
    return fields;
  }
}
