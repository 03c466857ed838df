/**
 * Minimal growable writer and bounds-checked reader for compact binary formats. Integers use
 * unsigned LEB128 varints: journal entries are mostly small numbers (partitions, delivery
 * counts, short offset spans), so a varint is 1-3 bytes where a fixed u64 would be 8. Varints
 * here cover 0..2^53-1, every integer a JS number holds exactly.
 */

export class ByteWriter {
  private buf: Buffer;
  private length: number;

  /** `prefixBytes` are left unwritten at the start, for a header the caller fills in later. */
  constructor(prefixBytes = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(256, prefixBytes * 2));
    this.length = prefixBytes;
  }

  u8(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  varint(value: number): void {
    this.reserve(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  /** varint byte length, then UTF-8 bytes. */
  string(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.varint(bytes);
    this.reserve(bytes);
    this.length += this.buf.write(value, this.length);
  }

  /** The bytes written so far (a view, not a copy). */
  finish(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}

/** Thrown by ByteReader on malformed input; callers turn it into a corruption report. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos === this.buf.length;
  }

  u8(): number {
    if (this.pos >= this.buf.length) throw new DecodeError('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new DecodeError('varint out of range');
        return result;
      }
      scale *= 0x80;
    }
    throw new DecodeError('varint too long');
  }

  string(): string {
    const length = this.varint();
    if (this.pos + length > this.buf.length) throw new DecodeError('string runs past end of data');
    const s = this.buf.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return s;
  }
}
