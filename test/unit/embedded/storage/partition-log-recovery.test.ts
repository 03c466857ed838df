import { appendFile, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PartitionLog, type TornTailInfo } from '../../../../src/embedded/storage/partition-log.js';
import { encodeBatch } from '../../../../src/embedded/storage/record-codec.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

function rec(value: string) {
  return { key: null, value: Buffer.from(value), headers: {}, timestamp: 5 };
}

/** Start position of every frame in a segment file, from the length fields. */
async function framePositions(file: string): Promise<number[]> {
  const buf = await readFile(file);
  const out: number[] = [];
  for (let at = 0; at + 8 <= buf.length; at += 8 + buf.readUInt32LE(at)) out.push(at);
  return out;
}

async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.log'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** A closed log with batches of 3 records: offsets 0-2 and 3-5, in one segment. */
async function twoBatches(): Promise<{ dir: string; file: string }> {
  const dir = await tempDir();
  const log = await PartitionLog.open(dir);
  await log.append([rec('a0'), rec('a1'), rec('a2')]);
  await log.append([rec('b3'), rec('b4'), rec('b5')]);
  await log.close();
  return { dir, file: path.join(dir, '00000000000000000000.log') };
}

async function reopen(dir: string, options: { segmentBytes?: number } = {}) {
  const torn: TornTailInfo[] = [];
  const log = await PartitionLog.open(dir, { ...options, onTornTail: (info) => torn.push(info) });
  return { log, torn };
}

describe('PartitionLog recovery of a torn tail', () => {
  it('drops a record cut mid-frame together with the rest of its batch', async () => {
    const { dir, file } = await twoBatches();
    const positions = await framePositions(file);
    await truncate(file, positions[5]! + 10);
    const { log, torn } = await reopen(dir);
    expect(torn).toEqual([
      { file, position: positions[3], droppedBytes: positions[5]! + 10 - positions[3]! },
    ]);
    expect(log.logEndOffset).toBe(3);
    expect((await log.read(0, 10)).map((r) => r.value?.toString())).toEqual(['a0', 'a1', 'a2']);
    expect((await log.append([rec('c3')])).baseOffset).toBe(3);
    expect((await log.read(3, 1))[0]?.value?.toString()).toBe('c3');
    await log.close();
    expect((await readFile(file)).length).toBe(positions[3]! + (positions[1]! - positions[0]!));
  });

  it('drops zeros appended after the last frame', async () => {
    const { dir, file } = await twoBatches();
    const size = (await readFile(file)).length;
    await appendFile(file, Buffer.alloc(4096));
    const { log, torn } = await reopen(dir);
    expect(torn).toEqual([{ file, position: size, droppedBytes: 4096 }]);
    expect(log.logEndOffset).toBe(6);
    expect(await log.read(0, 10)).toHaveLength(6);
    await log.close();
  });

  it('drops garbage appended after the last frame', async () => {
    const { dir, file } = await twoBatches();
    await appendFile(file, Buffer.from(Array.from({ length: 777 }, (_, i) => (i * 31 + 7) % 256)));
    const { log, torn } = await reopen(dir);
    expect(torn[0]?.droppedBytes).toBe(777);
    expect(log.logEndOffset).toBe(6);
    await log.close();
  });

  it('reports nothing for a clean log', async () => {
    const { dir } = await twoBatches();
    const { log, torn } = await reopen(dir);
    expect(torn).toEqual([]);
    await log.close();
  });
});

describe('PartitionLog recovery refuses corruption', () => {
  it('flipped byte in the middle of the last segment', async () => {
    const { dir, file } = await twoBatches();
    const positions = await framePositions(file);
    const buf = await readFile(file);
    buf[positions[1]! + 20]! ^= 0x01;
    await writeFile(file, buf);
    const err = await caught(() => PartitionLog.open(dir));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({ file, position: positions[1] });
    expect(err.message).toContain(file);
  });

  it('flipped byte in a non-last segment, and a torn non-last segment', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 120 });
    for (let i = 0; i < 4; i++) await log.append([rec(`v${i}`.padEnd(50, '.'))]);
    await log.close();
    const [first] = await segmentFiles(dir);
    const original = await readFile(first!);
    const flipped = Buffer.from(original);
    flipped[original.length - 3]! ^= 0x80;
    await writeFile(first!, flipped);
    const err = await caught(() => PartitionLog.open(dir, { segmentBytes: 120 }));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({ file: first, position: 0 });

    await writeFile(first!, original.subarray(0, original.length - 5));
    const torn = await caught(() => PartitionLog.open(dir, { segmentBytes: 120 }));
    expect(torn.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(torn.details?.file).toBe(first);
  });

  it('a missing segment (offset gap between files)', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 120 });
    for (let i = 0; i < 4; i++) await log.append([rec(`v${i}`.padEnd(50, '.'))]);
    await log.close();
    const files = await segmentFiles(dir);
    expect(files).toHaveLength(4);
    await rm(files[1]!);
    const err = await caught(() => PartitionLog.open(dir, { segmentBytes: 120 }));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.message).toMatch(/ends at offset 1 but the next one starts at 2/);
  });

  it('a valid frame with a repeated or skipped offset', async () => {
    for (const wrong of [2, 9]) {
      const { dir, file } = await twoBatches();
      await appendFile(file, encodeBatch([rec('dup')], wrong, 1 << 20).bytes);
      const err = await caught(() => PartitionLog.open(dir));
      expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
      expect(err.details).toMatchObject({ expectedOffset: 6, foundOffset: wrong });
    }
  });
});
