/**
 * Decompression bombs: small compressed payloads that expand past any sane cap, for the tests
 * of the client's and the server's decompression limits.
 */

/** zstd: one frame of `blocks` RLE blocks of 128 KiB each (4 bytes per block, no content size). */
export function zstdRle(blocks: number): Buffer {
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38])];
  for (let i = 0; i < blocks; i++) {
    const h = (i === blocks - 1 ? 1 : 0) | (1 << 1) | (128 * 1024 * 8);
    parts.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff, 0x61]));
  }
  return Buffer.concat(parts);
}

/** zstd: a single-segment frame declaring `size` bytes of content (allocated up front). */
export function zstdContentSize(size: number): Buffer {
  const fcs = Buffer.alloc(4);
  fcs.writeUInt32LE(size, 0);
  return Buffer.concat([
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0]),
    fcs,
    Buffer.from([0x0b, 0, 0, 0x61]),
  ]);
}

/** LZ4: `frames` frames of one ~4 MiB block each (one long match). */
export function lz4Bomb(frames: number): Buffer {
  const block = Buffer.concat([
    Buffer.from([0x1f, 0x61, 0x01, 0x00]),
    Buffer.alloc(16_400, 0xff),
    Buffer.from([0x00, 0x10, 0x62]),
  ]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(block.length, 0);
  const frame = Buffer.concat([
    Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x00]),
    size,
    block,
    Buffer.alloc(4),
  ]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** Raw snappy: `bytes` of 'a' as one literal and 64-byte copies of it (about 21 times smaller). */
export function snappyBomb(bytes: number): Buffer {
  const pre: number[] = [];
  for (let n = bytes; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      pre.push(n);
      break;
    }
    pre.push((n & 0x7f) | 0x80);
  }
  const copies = Math.floor((bytes - 1) / 64);
  const tail = bytes - 1 - copies * 64;
  const out = Buffer.alloc(pre.length + 2 + copies * 3 + (tail > 0 ? 3 : 0));
  let i = 0;
  for (const b of pre) out[i++] = b;
  out[i++] = 0x00; // literal of length 1
  out[i++] = 0x61;
  const copy = (len: number) => {
    out[i++] = ((len - 1) << 2) | 2; // copy with a 2-byte offset
    out[i++] = 1;
    out[i++] = 0;
  };
  for (let c = 0; c < copies; c++) copy(64);
  if (tail > 0) copy(tail);
  return out;
}
