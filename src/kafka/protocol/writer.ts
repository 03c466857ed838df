/**
 * Encoder for Kafka's wire types (https://kafka.apache.org/protocol#protocol_types).
 * Big-endian fixed-width integers; flexible versions use unsigned varints for the lengths of
 * COMPACT_STRING / COMPACT_BYTES / COMPACT_ARRAY (N+1, 0 = null) and end every struct with a
 * tagged-field section (an unsigned varint count, then tag, size, bytes for each field).
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view, not a copy). */
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  /** INT64 from a safe integer or a bigint. */
  int64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  /** UNSIGNED_VARINT (up to 32 bits). */
  uvarint(v: number): this {
    let n = v >>> 0;
    this.ensure(5);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
    return this;
  }

  /** VARINT: zigzag-encoded signed 32-bit. */
  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  /** VARLONG: zigzag-encoded signed 64-bit. */
  varlong(v: number | bigint): this {
    let n = BigInt(v);
    n = (n << 1n) ^ (n >> 63n);
    n &= 0xffffffffffffffffn;
    this.ensure(10);
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** UUID as 16 raw bytes, from its hex form (dashes allowed) or bytes. */
  uuid(v: string | Uint8Array): this {
    const bytes = typeof v === 'string' ? Buffer.from(v.replace(/-/g, ''), 'hex') : v;
    if (bytes.length !== 16) throw new RangeError('a UUID is 16 bytes');
    return this.raw(bytes);
  }

  /** STRING / NULLABLE_STRING: int16 length (-1 = null). */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const bytes = Buffer.from(v, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }

  /** COMPACT_STRING / COMPACT_NULLABLE_STRING. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const bytes = Buffer.from(v, 'utf8');
    return this.uvarint(bytes.length + 1).raw(bytes);
  }

  /** BYTES / NULLABLE_BYTES: int32 length (-1 = null). */
  bytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).raw(v);
  }

  /** COMPACT_BYTES / COMPACT_NULLABLE_BYTES. */
  compactBytes(v: Uint8Array | null): this {
    if (v === null) return this.uvarint(0);
    return this.uvarint(v.length + 1).raw(v);
  }

  /** ARRAY: int32 count (-1 = null). */
  array<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  /** COMPACT_ARRAY / nullable: unsigned varint count + 1 (0 = null). */
  compactArray<T>(items: readonly T[] | null, each: (w: this, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const item of items) each(this, item);
    return this;
  }

  /** A tagged-field section; sharq sends none unless given. */
  tags(fields: readonly { tag: number; data: Uint8Array }[] = []): this {
    this.uvarint(fields.length);
    for (const f of fields) this.uvarint(f.tag).uvarint(f.data.length).raw(f.data);
    return this;
  }
}
