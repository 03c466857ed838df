import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { bodyLastOffset, bodyRecordCount, isWellFormedBody } from './batch-frame.js';
import { FRAME_HEADER_BYTES, findFrame } from './framed-file.js';
import { readFullyAt } from './fs-util.js';
import { lengthWithoutTrailingFill } from './preallocation.js';
import { MAX_RECORD_BYTES_LIMIT, segmentFileName } from './segment.js';
import { SegmentIndex } from './segment-index.js';
import { listSegments, scanSegment } from './segment-recovery.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * A read-only look at one partition for `sharq data check`: the same rules as recovery
 * (segment-recovery.ts), applied without cutting anything, and for damage the cut that
 * `sharq data repair` would make with everything it drops.
 *
 * Repair keeps the log a prefix of what was written: offsets must run without gaps, so damage
 * at offset N drops N and everything after it in the partition (the rest of that segment and
 * every later segment), and the producer batch N belongs to from its start (batches are
 * all-or-nothing). The records dropped that were still intact are counted, so the operator
 * sees what the cut costs before agreeing to it.
 */

export interface PartitionDamage {
  kind: 'damaged-tail' | 'corrupt';
  /** The file and byte where the damage is. */
  file: string;
  position: number;
  reason: string;
  /** Repair: truncate `cutFile` at `cutAt` and delete `deleteFiles`. */
  cutFile: string;
  cutAt: number;
  deleteFiles: string[];
  /** Offsets dropped, inclusive; `to` is the highest offset any readable frame claims. */
  droppedOffsets: { from: number; to: number };
  droppedBytes: number;
  /** Dropped records whose frames are intact (the damaged ones are not counted). */
  intactRecordsDropped: number;
}

export interface PartitionInspection {
  dir: string;
  exists: boolean;
  segments: number;
  logStartOffset: number;
  /** The log end after open (or repair) cuts what it cuts. */
  logEndOffset: number;
  /** Bytes of a torn write that open cuts by itself (not damage). */
  tornBytes: number;
  damage?: PartitionDamage;
}

export async function inspectPartition(dir: string): Promise<PartitionInspection> {
  let bases: number[];
  try {
    bases = await listSegments(dir);
  } catch (err) {
    if (SharqError.is(err) && errnoCode(err.cause) === 'ENOENT') {
      return { dir, exists: false, segments: 0, logStartOffset: 0, logEndOffset: 0, tornBytes: 0 };
    }
    throw err;
  }
  const files = bases.map((b) => path.join(dir, segmentFileName(b)));
  const result: PartitionInspection = {
    dir,
    exists: true,
    segments: bases.length,
    logStartOffset: bases[0] ?? 0,
    logEndOffset: bases[0] ?? 0,
    tornBytes: 0,
  };
  let previousEnd: { file: string; size: number; next: number } | undefined;
  for (const [i, base] of bases.entries()) {
    const file = files[i]!;
    if (previousEnd !== undefined && previousEnd.next !== base) {
      result.damage = await damageFrom(files, i, {
        kind: 'corrupt',
        file: previousEnd.file,
        position: previousEnd.size,
        reason: `segment ends at offset ${previousEnd.next} but the next one starts at ${base}`,
        cutFile: previousEnd.file,
        cutAt: previousEnd.size,
        from: previousEnd.next,
        intact: 0,
        damagedOffset: previousEnd.next,
        restOfFile: 0,
      });
      return result;
    }
    const index = new SegmentIndex();
    const handle = await openForRead(file);
    try {
      const isLast = i === bases.length - 1;
      let scanned: Awaited<ReturnType<typeof scanSegment>>;
      try {
        scanned = await scanSegment(handle, file, base, isLast, index);
      } catch (err) {
        if (!SharqError.is(err, 'SHARQ_ERR_LOG_CORRUPT')) throw err;
        const position = Number(err.details.position ?? index.end);
        const keep = index.count > 0 && index.lastBatchEnd !== index.count - 1;
        const kept = keep ? index.lastBatchEnd + 1 : index.count;
        const size = (await handle.stat()).size;
        const rest = await readRest(handle, position, size, file);
        const after = intactFrames(rest, position === index.end ? 1 : 0);
        result.damage = await damageFrom(files, i + 1, {
          kind: 'corrupt',
          file,
          position,
          reason: String(err.details.reason ?? err.message),
          cutFile: file,
          cutAt: index.position(kept),
          from: base + kept,
          intact: index.count - kept + after.count,
          damagedOffset: Math.max(base + index.count, after.maxOffset),
          // Fill written ahead (preallocation.ts) held nothing: not counted as dropped.
          restOfFile: position + lengthWithoutTrailingFill(rest) - index.position(kept),
        });
        result.logEndOffset = base + kept;
        return result;
      }
      if (scanned.tail?.kind === 'damaged') {
        result.damage = {
          kind: 'damaged-tail',
          file,
          position: scanned.tail.position,
          reason: `a whole record at the end fails its check (${scanned.tail.reason}): not a torn write, it may have been confirmed`,
          cutFile: file,
          cutAt: index.end,
          deleteFiles: [],
          droppedOffsets: {
            from: base + index.count,
            to: scanned.damagedLastOffset ?? scanned.firstBadOffset,
          },
          droppedBytes: scanned.droppedBytes,
          intactRecordsDropped: scanned.firstBadOffset - (base + index.count),
        };
      } else {
        result.tornBytes += scanned.droppedBytes;
      }
      result.logEndOffset = base + index.count;
      previousEnd = { file, size: index.end, next: base + index.count };
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  return result;
}

interface DamageStart {
  kind: PartitionDamage['kind'];
  file: string;
  position: number;
  reason: string;
  cutFile: string;
  cutAt: number;
  /** First offset dropped. */
  from: number;
  /** Intact records dropped so far (in the damaged file). */
  intact: number;
  /** Highest offset known to be dropped so far. */
  damagedOffset: number;
  /** Bytes dropped from the damaged file. */
  restOfFile: number;
}

/** Completes a damage record with the segments from `firstDeleted` on, which repair deletes. */
async function damageFrom(
  files: string[],
  firstDeleted: number,
  start: DamageStart,
): Promise<PartitionDamage> {
  let intact = start.intact;
  let to = start.damagedOffset;
  let bytes = start.restOfFile;
  const deleteFiles = files.slice(firstDeleted);
  for (const file of deleteFiles) {
    const buf = await fsp.readFile(file).catch((err: unknown) => {
      throw ioError('read segment', file, err);
    });
    // The newest segment may end in fill written ahead (preallocation.ts), which holds nothing.
    bytes += lengthWithoutTrailingFill(buf);
    const frames = intactFrames(buf, 0);
    intact += frames.count;
    to = Math.max(to, frames.maxOffset);
  }
  return {
    kind: start.kind,
    file: start.file,
    position: start.position,
    reason: start.reason,
    cutFile: start.cutFile,
    cutAt: start.cutAt,
    deleteFiles,
    droppedOffsets: { from: start.from, to: Math.max(start.from, to) },
    droppedBytes: bytes,
    intactRecordsDropped: intact,
  };
}

/** Records in the frames with a good checksum anywhere in `buf` from `from`, skipping damage between them. */
function intactFrames(buf: Buffer, from: number): { count: number; maxOffset: number } {
  let count = 0;
  let maxOffset = -1;
  const wellFormed = (body: Buffer) => isWellFormedBody(body);
  let at = findFrame(buf, from, MAX_RECORD_BYTES_LIMIT, wellFormed);
  while (at >= 0) {
    const length = buf.readUInt32LE(at);
    const body = buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + length);
    count += bodyRecordCount(body);
    maxOffset = Math.max(maxOffset, bodyLastOffset(body));
    at = findFrame(buf, at + FRAME_HEADER_BYTES + length, MAX_RECORD_BYTES_LIMIT, wellFormed);
  }
  return { count, maxOffset };
}

async function openForRead(file: string): Promise<FileHandle> {
  try {
    return await fsp.open(file, 'r');
  } catch (err) {
    throw ioError('open segment', file, err);
  }
}

async function readRest(
  handle: FileHandle,
  position: number,
  size: number,
  file: string,
): Promise<Buffer> {
  const buf = Buffer.alloc(Math.max(0, size - position));
  try {
    return buf.subarray(0, await readFullyAt(handle, buf, 0, buf.length, position));
  } catch (err) {
    throw ioError('read segment', file, err);
  }
}
