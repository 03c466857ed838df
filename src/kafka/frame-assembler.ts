import { SharqError } from '../errors/sharq-error.js';

/**
 * Cuts a byte stream into size-prefixed frames. Chunks are kept as received; a frame that lies
 * inside one chunk is returned as a view of it, one that spans chunks is copied once, so the cost
 * stays linear in the bytes received however the stream is split.
 */
export class FrameAssembler {
  private chunks: Buffer[] = [];
  /** Index of the first unconsumed chunk. */
  private first = 0;
  /** Bytes of chunks[first] already consumed. */
  private head = 0;
  private buffered = 0;

  constructor(
    /** May change between frames: sharq server raises it once a client has authenticated. */
    public maxFrameBytes: number,
    private readonly context = 'stream',
  ) {}

  /** Bytes received but not yet returned as a frame (a partial frame, or its size prefix). */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The next complete frame body (without its size prefix), or null until one has arrived. */
  next(): Buffer | null {
    if (this.buffered < 4) return null;
    const size = this.peekSize();
    if (size < 4 || size > this.maxFrameBytes) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `Malformed ${this.context}: frame size ${size} is outside 4..${this.maxFrameBytes} bytes (not a Kafka broker, TLS or plaintext mismatch, or a corrupt stream)`,
        { details: { context: this.context, frameSize: size, maxFrameBytes: this.maxFrameBytes } },
      );
    }
    if (this.buffered < 4 + size) return null;
    this.take(4);
    return this.take(size);
  }

  private peekSize(): number {
    const chunk = this.chunks[this.first]!;
    if (chunk.length - this.head >= 4) return chunk.readInt32BE(this.head);
    const bytes = Buffer.allocUnsafe(4);
    let filled = 0;
    let index = this.first;
    let offset = this.head;
    while (filled < 4) {
      const c = this.chunks[index]!;
      const n = Math.min(4 - filled, c.length - offset);
      c.copy(bytes, filled, offset, offset + n);
      filled += n;
      index++;
      offset = 0;
    }
    return bytes.readInt32BE(0);
  }

  /** Consumes n bytes (n <= buffered). */
  private take(n: number): Buffer {
    const chunk = this.chunks[this.first]!;
    let out: Buffer;
    if (chunk.length - this.head >= n) {
      out = chunk.subarray(this.head, this.head + n);
      this.advance(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[this.first]!;
        const count = Math.min(n - filled, c.length - this.head);
        c.copy(out, filled, this.head, this.head + count);
        filled += count;
        this.advance(count);
      }
    }
    return out;
  }

  private advance(n: number): void {
    this.head += n;
    this.buffered -= n;
    if (this.head === this.chunks[this.first]!.length) {
      this.first++;
      this.head = 0;
      if (this.first === this.chunks.length) {
        this.chunks = [];
        this.first = 0;
      } else if (this.first >= 1024) {
        this.chunks = this.chunks.slice(this.first);
        this.first = 0;
      }
    }
  }
}
