import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeFrame, scanFrames } from '../../../../src/embedded/storage/framed-file.js';
import { inspectPartition } from '../../../../src/embedded/storage/partition-inspect.js';
import { PartitionLog, type TornTailInfo } from '../../../../src/embedded/storage/partition-log.js';
import {
  FILL_BYTE,
  isTornIntoFill,
  PREALLOCATION_ALIGN,
  SECTOR_BYTES,
} from '../../../../src/embedded/storage/preallocation.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const SEGMENT = '00000000000000000000.log';

function rec(value: string) {
  return { key: null, value: Buffer.from(value), headers: {}, timestamp: 5 };
}

/** `data` followed by fill, as written ahead (preallocation.ts), up to `size` bytes in all. */
function padded(data: Buffer, size = PREALLOCATION_ALIGN): Buffer {
  const out = Buffer.alloc(Math.max(size, data.length), FILL_BYTE);
  data.copy(out);
  return out;
}

function bodies(n: number, size: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.alloc(size, 65 + i));
}

async function scan(buf: Buffer, isLastFile = true, fill = true) {
  return scanFrames(buf, {
    file: 'x.log',
    isLastFile,
    maxBodyBytes: 1 << 20,
    damagedTail: 'report',
    fill,
  });
}

/**
 * A copy of `dir`'s segment taken while the log is open: what a crash (or a power loss after
 * the last fdatasync) leaves, fill written ahead included.
 */
async function crashCopy(dir: string): Promise<string> {
  const copy = await tempDir();
  await mkdir(copy, { recursive: true });
  await copyFile(path.join(dir, SEGMENT), path.join(copy, SEGMENT));
  return copy;
}

/**
 * A crash copy of a log holding a small record and a 2 KiB one, with `damage` applied to the
 * file (given the second frame's position).
 */
async function crashedWithTwo(damage: (buf: Buffer, second: number) => void) {
  const dir = await tempDir();
  const log = await PartitionLog.open(dir);
  await log.append([rec('a0')]);
  await log.append([rec(`b1-${'y'.repeat(2000)}`)]);
  const copy = await crashCopy(dir);
  await log.close();
  const file = path.join(copy, SEGMENT);
  const buf = await readFile(file);
  const second = 8 + buf.readUInt32LE(0);
  damage(buf, second);
  await writeFile(file, buf);
  return { copy, second };
}

describe('a partition log under fsync "always" writes fill ahead of its appends', () => {
  it('keeps the file at an aligned size ahead of the data and cuts the fill at close', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    const values: string[] = [];
    for (let i = 0; i < 300; i++) {
      const batch = Array.from({ length: 10 }, (_, j) => `job-${i}-${j}-${'x'.repeat(40)}`);
      values.push(...batch);
      await log.append(batch.map(rec));
    }
    const open = (await stat(path.join(dir, SEGMENT))).size;
    expect(open % PREALLOCATION_ALIGN).toBe(0);
    const data = (await log.read(0, 10_000)).map((r) => r.value!.toString());
    expect(data).toEqual(values);
    await log.close();
    const closed = (await stat(path.join(dir, SEGMENT))).size;
    // 3,000 records of about 80 bytes: the fill written ahead is gone, the data stays.
    expect(closed).toBeLessThan(open);
    expect(closed).toBeGreaterThan(3000 * 60);
    const again = await PartitionLog.open(dir);
    expect((await again.read(0, 10_000)).map((r) => r.value!.toString())).toEqual(values);
    await again.close();
  });

  it('mixes appends written on the pool (large) and inline (small) with the fill, in order', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    const values: string[] = [];
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 12; i++) {
      const big = `${i}-${String.fromCharCode(97 + i).repeat(300 * 1024)}`;
      const small = Array.from({ length: 5 }, (_, j) => `${i}-${j}`);
      values.push(big, ...small);
      // Concurrent: a pool write of the large one may be in flight while the small ones come.
      pending.push(log.append([rec(big)]), log.append(small.map(rec)));
    }
    await Promise.all(pending);
    const copy = await crashCopy(dir);
    await log.close();
    for (const d of [dir, copy]) {
      const again = await PartitionLog.open(d);
      expect((await again.read(0, 1000, 64 << 20)).map((r) => r.value!.toString())).toEqual(values);
      await again.close();
    }
  });

  it('writes no fill after large appends (their fdatasync is mostly their data)', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    for (let i = 0; i < 4; i++) await log.append([rec('z'.repeat(100 * 1024))]);
    const file = path.join(dir, SEGMENT);
    const end = (await stat(file)).size;
    expect(end).toBeGreaterThan(400 * 1024);
    expect(end % PREALLOCATION_ALIGN).not.toBe(0);
    // A small append after them keeps fill ahead again.
    await log.append([rec('small')]);
    expect((await stat(file)).size % PREALLOCATION_ALIGN).toBe(0);
    await log.close();
    expect((await stat(file)).size).toBeLessThan(end + 100);
  });

  it('does not write ahead under fsync "interval": the file ends with its data', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { fsync: 'interval' });
    await log.append([rec('a'), rec('b')]);
    const size = (await stat(path.join(dir, SEGMENT))).size;
    expect(size % PREALLOCATION_ALIGN).not.toBe(0);
    await log.close();
  });

  it('after a crash, reads the fill as free space: no torn tail, and appends go on over it', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir);
    await log.append([rec('a0'), rec('a1')]);
    await log.append([rec('b2')]);
    const copy = await crashCopy(dir);
    await log.close();
    expect((await stat(path.join(copy, SEGMENT))).size % PREALLOCATION_ALIGN).toBe(0);

    const torn: TornTailInfo[] = [];
    const recovered = await PartitionLog.open(copy, { onTornTail: (t) => torn.push(t) });
    expect(torn).toEqual([]);
    expect(recovered.logEndOffset).toBe(3);
    expect((await recovered.append([rec('c3')])).baseOffset).toBe(3);
    const copy2 = await crashCopy(copy);
    await recovered.close();
    const twice = await PartitionLog.open(copy2, { onTornTail: (t) => torn.push(t) });
    expect(torn).toEqual([]);
    expect((await twice.read(0, 10)).map((r) => r.value!.toString())).toEqual([
      'a0',
      'a1',
      'b2',
      'c3',
    ]);
    await twice.close();
    // `sharq data check` agrees: nothing torn, nothing damaged.
    const inspection = await inspectPartition(copy2);
    expect(inspection.damage).toBeUndefined();
    expect(inspection.tornBytes).toBe(0);
    expect(inspection.logEndOffset).toBe(4);
  });

  it('sharq data check leaves the fill out of what a repair would drop', async () => {
    const dir = await tempDir();
    const log = await PartitionLog.open(dir, { segmentBytes: 400 });
    for (let i = 0; i < 12; i++) await log.append([rec(`job-${i}-${'p'.repeat(60)}`)]);
    const copy = await tempDir();
    const names = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    expect(names.length).toBeGreaterThan(2);
    for (const n of names) await copyFile(path.join(dir, n), path.join(copy, n));
    await log.close();
    // The data, without fill: the sizes once closed (seal and close cut it off).
    let data = 0;
    for (const n of names) data += (await stat(path.join(dir, n))).size;
    const newest = (await stat(path.join(copy, names.at(-1)!))).size;
    expect(newest).toBeGreaterThan((await stat(path.join(dir, names.at(-1)!))).size);
    // Damage in the first segment: a repair drops it and every later segment.
    const first = path.join(copy, names[0]!);
    const buf = await readFile(first);
    buf[20] = buf[20]! ^ 1;
    await writeFile(first, buf);
    const inspection = await inspectPartition(copy);
    expect(inspection.damage?.deleteFiles).toHaveLength(names.length - 1);
    expect(inspection.damage?.droppedBytes).toBeLessThanOrEqual(data);
    expect(inspection.damage?.droppedBytes).toBeGreaterThan(data / 2);
  });

  it('cuts a batch whose write was cut short in the fill, and keeps what came before', async () => {
    // Turn the second frame back into fill from the first sector boundary past its header on,
    // as a power loss that kept only its first sector would.
    const { copy, second } = await crashedWithTwo((buf, at) =>
      buf.fill(FILL_BYTE, Math.ceil((at + 8) / SECTOR_BYTES) * SECTOR_BYTES),
    );

    const torn: TornTailInfo[] = [];
    const recovered = await PartitionLog.open(copy, { onTornTail: (t) => torn.push(t) });
    expect(torn).toHaveLength(1);
    expect(torn[0]!.position).toBe(second);
    // The notice counts the record's surviving bytes, not the fill after them.
    expect(torn[0]!.droppedBytes).toBeLessThan(SECTOR_BYTES);
    expect(recovered.logEndOffset).toBe(1);
    expect((await recovered.read(0, 10)).map((r) => r.value!.toString())).toEqual(['a0']);
    expect((await recovered.append([rec('c1')])).baseOffset).toBe(1);
    await recovered.close();
  });

  it('cuts a large write into the fill that lost a sector in its middle', async () => {
    // A power loss can keep a later sector of a write into the fill and lose an earlier one.
    const { copy, second } = await crashedWithTwo((buf, at) => {
      const hole = Math.ceil((at + 600) / SECTOR_BYTES) * SECTOR_BYTES;
      buf.fill(FILL_BYTE, hole, hole + SECTOR_BYTES);
    });
    const torn: TornTailInfo[] = [];
    const recovered = await PartitionLog.open(copy, { onTornTail: (t) => torn.push(t) });
    expect(torn.map((t) => t.position)).toEqual([second]);
    expect(recovered.logEndOffset).toBe(1);
    await recovered.close();
  });

  it('still refuses a whole record at the tail that fails its check any other way', async () => {
    const { copy } = await crashedWithTwo((buf, at) => {
      buf[at + 1000] = buf[at + 1000]! ^ 0x10;
    });
    const err = await caught(() => PartitionLog.open(copy));
    expect(err).toMatchObject({
      code: 'SHARQ_ERR_LOG_CORRUPT',
      details: { damagedTail: true, mayHaveBeenConfirmed: true, damagedOffset: 1 },
    });
    // What a cut would drop is the record (about 2 KiB), not the fill after it.
    expect(err.details?.droppedBytes).toBeGreaterThan(2000);
    expect(err.details?.droppedBytes).toBeLessThan(2100);
  });
});

describe('scanFrames and fill written ahead', () => {
  const input = bodies(4, 300);
  const data = Buffer.concat(input.map((b) => encodeFrame(b)));
  const last = data.length - (8 + 300);

  it('fill to the end is free space, in any segment, at any size', async () => {
    for (const isLastFile of [true, false]) {
      for (const size of [PREALLOCATION_ALIGN, data.length + 8, data.length + 4097]) {
        const r = await scan(padded(data, size), isLastFile);
        expect(r).toMatchObject({
          validEnd: data.length,
          droppedBytes: 0,
          freeBytes: size - data.length,
          frames: 4,
        });
        expect(r.tail).toBeUndefined();
      }
    }
  });

  it('zeros are a torn tail as before, and a file that may not hold fill reads 0xFF as one', async () => {
    const zeros = Buffer.concat([data, Buffer.alloc(PREALLOCATION_ALIGN)]);
    const r = await scan(zeros);
    expect(r).toMatchObject({ validEnd: data.length, droppedBytes: PREALLOCATION_ALIGN });
    expect(r.tail?.kind).toBe('torn');
    await expect(scan(zeros, false)).rejects.toMatchObject({ code: 'SHARQ_ERR_LOG_CORRUPT' });
    // A state journal is scanned without `fill`.
    const journal = await scan(padded(data), true, false);
    expect(journal.tail?.kind).toBe('torn');
    await expect(scan(padded(data), false, false)).rejects.toMatchObject({
      code: 'SHARQ_ERR_LOG_CORRUPT',
    });
  });

  it('a whole frame that is fill from a sector boundary on is torn; anything else is damage', async () => {
    // Frames of 308 bytes: the fourth runs from 924 to 1232, across the boundary at 1024.
    expect(last).toBeLessThan(2 * SECTOR_BYTES);
    const sectorCut = padded(data);
    sectorCut.fill(FILL_BYTE, 2 * SECTOR_BYTES);
    const torn = await scan(sectorCut);
    expect(torn.tail).toMatchObject({ kind: 'torn', position: last });
    expect(torn.tail?.reason).toMatch(/written ahead/);
    // Only the data counts as dropped: 1024 - 924 bytes of it survived the tear.
    expect(torn.droppedBytes).toBe(2 * SECTOR_BYTES - last);

    // Fill that starts mid-sector cannot be a sector the disk did not write.
    const midSector = padded(data);
    midSector.fill(FILL_BYTE, data.length - 20);
    expect((await scan(midSector)).tail?.kind).toBe('damaged');

    const flipped = padded(data);
    flipped[last + 100] = flipped[last + 100]! ^ 1;
    expect((await scan(flipped)).tail?.kind).toBe('damaged');

    // Zeros inside the frame from that boundary are not fill: damage.
    const zeroed = padded(data);
    zeroed.fill(0, 2 * SECTOR_BYTES, data.length);
    expect((await scan(zeroed)).tail?.kind).toBe('damaged');
  });

  it('a record ending just past a sector boundary with a bit flipped is damage, not torn', async () => {
    // Its body ends in zero bytes (no headers), the first of them on the boundary: zeros, unlike
    // fill, can end a frame, so they say nothing about a tear.
    for (const past of [1, 2, 3]) {
      const first = encodeFrame(Buffer.alloc(100, 65));
      const body = Buffer.alloc(SECTOR_BYTES + past - first.length - 8, 66);
      body.fill(0, body.length - past);
      const file = padded(Buffer.concat([first, encodeFrame(body)]));
      file[first.length + 50] = file[first.length + 50]! ^ 0x10;
      const r = await scan(file);
      expect(r.tail).toMatchObject({ kind: 'damaged', position: first.length });
    }
  });

  it('a hole with a valid frame after it is damage, not a torn write', async () => {
    const holed = padded(data);
    holed.fill(FILL_BYTE, 8 + 300, 2 * (8 + 300));
    await expect(scan(holed)).rejects.toMatchObject({
      code: 'SHARQ_ERR_LOG_CORRUPT',
      details: { nextValidFrame: 2 * (8 + 300) },
    });
  });

  it('isTornIntoFill wants a sector of the frame to be fill, and only fill after it', () => {
    const rest = Buffer.alloc(2000, FILL_BYTE);
    rest.fill(1, 0, 600);
    expect(isTornIntoFill(0, 1500, rest)).toBe(true);
    // Fill from 600: the sector from 1024 is fill; a frame ending by 1024 has none of it.
    expect(isTornIntoFill(0, 1000, rest)).toBe(false);
    // Its last part past 1024 must be 8 bytes or more: one damaged byte is not a lost sector.
    expect(isTornIntoFill(0, 1025, rest)).toBe(false);
    expect(isTornIntoFill(0, 1032, rest)).toBe(true);
    // A hole: a sector in the middle lost, the rest of the frame kept.
    const holed = Buffer.alloc(3000, FILL_BYTE);
    holed.fill(1, 0, 2000);
    holed.fill(FILL_BYTE, 1024, 1536);
    expect(isTornIntoFill(0, 2000, holed)).toBe(true);
    // ... but not with data after the frame.
    expect(isTornIntoFill(0, 1900, holed)).toBe(false);
  });
});
