import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  findFrame,
  scanFrames,
} from '../../../../src/embedded/storage/framed-file.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

function frames(bodies: readonly Buffer[]): Buffer {
  return Buffer.concat(bodies.map((b) => encodeFrame(b)));
}

function bodies(n: number, size = 20): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.alloc(size + (i % 7), 65 + (i % 26)));
}

async function scanAll(buf: Buffer, isLastFile: boolean) {
  const seen: Array<{ body: string; position: number }> = [];
  const result = await scanFrames(buf, {
    file: 'test.log',
    isLastFile,
    maxBodyBytes: 1 << 20,
    onFrame: (body, position) => seen.push({ body: body.toString(), position }),
  });
  return { ...result, seen };
}

describe('scanFrames on a clean file', () => {
  it('returns every frame with its position and no torn tail', async () => {
    const input = bodies(5);
    const { seen, validEnd, droppedBytes, frames: count } = await scanAll(frames(input), true);
    expect(seen.map((s) => s.body)).toEqual(input.map((b) => b.toString()));
    expect(seen[1]?.position).toBe(8 + input[0]!.length);
    expect(count).toBe(5);
    expect(droppedBytes).toBe(0);
    expect(validEnd).toBe(frames(input).length);
  });
});

describe('scanFrames torn tail in the last file', () => {
  const input = bodies(6);
  const whole = frames(input);
  const fifthStart = frames(input.slice(0, 5)).length;

  it('drops a frame cut mid-body and keeps all complete ones', async () => {
    const cut = whole.subarray(0, fifthStart + 11);
    const r = await scanAll(cut, true);
    expect(r.seen).toHaveLength(5);
    expect(r.validEnd).toBe(fifthStart);
    expect(r.droppedBytes).toBe(11);
  });

  it('drops a frame cut inside its header', async () => {
    const r = await scanAll(whole.subarray(0, fifthStart + 3), true);
    expect(r.seen).toHaveLength(5);
    expect(r.droppedBytes).toBe(3);
  });

  it('drops zeros appended after the last frame', async () => {
    const r = await scanAll(Buffer.concat([whole, Buffer.alloc(4096)]), true);
    expect(r.seen).toHaveLength(6);
    expect(r.validEnd).toBe(whole.length);
    expect(r.droppedBytes).toBe(4096);
  });

  it('drops random garbage appended after the last frame', async () => {
    const garbage = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251));
    const r = await scanAll(Buffer.concat([whole, garbage]), true);
    expect(r.seen).toHaveLength(6);
    expect(r.droppedBytes).toBe(3000);
  });

  it('recovers exactly the complete frames for any cut point (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        async (raw, cutSeed) => {
          const bs = raw.map((b) => Buffer.from(b));
          const buf = frames(bs);
          const cut = cutSeed % (buf.length + 1);
          const r = await scanAll(buf.subarray(0, cut), true);
          let complete = 0;
          let end = 0;
          for (const b of bs) {
            if (end + 8 + b.length > cut) break;
            end += 8 + b.length;
            complete++;
          }
          expect(r.seen).toHaveLength(complete);
          expect(r.validEnd).toBe(end);
          expect(r.droppedBytes).toBe(cut - end);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('scanFrames corruption', () => {
  const input = bodies(6);
  const whole = frames(input);
  const thirdStart = frames(input.slice(0, 2)).length;

  it('reports a flipped byte in the middle of the last file, with file and position', async () => {
    const bad = Buffer.from(whole);
    bad[thirdStart + 12]! ^= 0x40;
    const err = await caught(() => scanAll(bad, true));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({ file: 'test.log', position: thirdStart });
    expect(err.details?.nextValidFrame).toBe(frames(input.slice(0, 3)).length);
  });

  it('reports a damaged length field even though the frames after it are intact', async () => {
    const bad = Buffer.from(whole);
    bad.writeUInt32LE(5, thirdStart);
    const err = await caught(() => scanAll(bad, true));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details?.position).toBe(thirdStart);
  });

  it('treats any bad frame in a non-last file as corruption, even a torn end', async () => {
    const err = await caught(() => scanAll(whole.subarray(0, whole.length - 4), false));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details?.position).toBe(frames(input.slice(0, 5)).length);
  });

  it('treats a body that fails validation like a bad checksum', async () => {
    const buf = frames([Buffer.from('good'), Buffer.from('evil'), Buffer.from('good')]);
    const err = await caught(() =>
      scanFrames(buf, {
        file: 'v.log',
        isLastFile: true,
        maxBodyBytes: 100,
        validate: (b) => b.toString() !== 'evil',
      }),
    );
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details?.position).toBe(12);
  });

  it('rejects lengths above the limit', () => {
    const buf = frames([Buffer.alloc(50, 1)]);
    expect(findFrame(buf, 0, 49)).toBe(-1);
    expect(findFrame(buf, 0, 50)).toBe(0);
  });
});

describe('scanFrames on a file handle', () => {
  it('reads frames that straddle its 1 MiB read chunks', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'big.log');
    const input = Array.from({ length: 60 }, (_, i) => Buffer.alloc(50_000 + i * 997, i));
    await writeFile(file, Buffer.concat([frames(input), Buffer.alloc(100)]));
    const handle = await open(file, 'r');
    try {
      const sizes: number[] = [];
      const r = await scanFrames(handle, {
        file,
        isLastFile: true,
        maxBodyBytes: 1 << 20,
        onFrame: (body) => {
          expect(body.every((b) => b === sizes.length % 256)).toBe(true);
          sizes.push(body.length);
        },
      });
      expect(sizes).toEqual(input.map((b) => b.length));
      expect(r.droppedBytes).toBe(100);
      expect(r.validEnd).toBe((await readFile(file)).length - 100);
    } finally {
      await handle.close();
    }
  });
});
