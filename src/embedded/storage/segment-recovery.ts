import path from 'node:path';
import type { SharqError } from '../../errors/sharq-error.js';
import { BATCH_FRAME_VERSION, claimedLastOffset, isWellFormedBody } from './batch-frame.js';
import { FRAME_HEADER_BYTES, type ScanTail, scanFrames } from './framed-file.js';
import { nodeFs, type ReadableFile, type StorageFile, type StorageFs } from './fs-layer.js';
import { readFullyAt } from './fs-util.js';
import { isBatchEnd, recordOffset, recordTimestamp } from './record-codec.js';
import { MAX_RECORD_BYTES_LIMIT, openNewSegmentFile, Segment, segmentFileName } from './segment.js';
import type { SegmentIndex } from './segment-index.js';
import { corruptError, ioError } from './storage-errors.js';

/**
 * Startup recovery of a partition: scan every segment in offset order, rebuild the in-memory
 * indexes, prove the offsets run without gap or repeat across files, and cut the torn tail of
 * the newest segment. Anything else that is wrong is SHARQ_ERR_LOG_CORRUPT, including a whole
 * record at the tail that fails its checksum (see framed-file.ts): it may have been confirmed,
 * so only an operator (`sharq data repair`) drops it.
 */

const SEGMENT_NAME = /^(\d{20})\.log$/;

/** A type alias (not an interface) so it also fits `Record<string, unknown>` error details. */
export type TornTailInfo = {
  file: string;
  position: number;
  droppedBytes: number;
};

/** Recovers every segment in `dir` (creating the first when there is none). */
export async function recoverPartition(
  fs: StorageFs,
  dir: string,
  onTornTail: ((info: TornTailInfo) => void) | undefined,
): Promise<Segment[]> {
  const bases = await listSegments(dir, fs);
  const segments: Segment[] = [];
  try {
    if (bases.length === 0) {
      const first = new Segment(dir, 0, openNewSegmentFile(fs, dir, 0));
      segments.push(first);
      await first.handle.catch((err: unknown) => {
        throw ioError('create segment', first.file, err);
      });
    }
    for (const [i, base] of bases.entries()) {
      const previous = segments[segments.length - 1];
      if (previous !== undefined && previous.nextOffset !== base) {
        throw corruptError(
          previous.file,
          previous.index.end,
          `segment ends at offset ${previous.nextOffset} but the next one starts at ${base}`,
        );
      }
      const { segment, droppedBytes } = await recoverSegment(fs, dir, base, i === bases.length - 1);
      segments.push(segment);
      if (droppedBytes > 0) {
        onTornTail?.({ file: segment.file, position: segment.index.end, droppedBytes });
      }
    }
  } catch (err) {
    await Promise.all(segments.map((s) => s.handle.then((h) => h.close()).catch(() => undefined)));
    throw err;
  }
  return segments;
}

/** Base offsets of the segment files in `dir`, ascending. Other files are ignored. */
export async function listSegments(dir: string, fs: StorageFs = nodeFs): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw ioError('list segments', dir, err);
  }
  const bases: number[] = [];
  for (const name of names) {
    const match = SEGMENT_NAME.exec(name);
    if (match?.[1] !== undefined) bases.push(Number(match[1]));
  }
  return bases.sort((a, b) => a - b);
}

interface RecoveredSegment {
  segment: Segment;
  /** Bytes cut from the end (torn tail plus any half-written batch); 0 when clean. */
  droppedBytes: number;
}

/** What scanning one segment found, before anything is cut. */
export interface SegmentScan {
  fileSize: number;
  /** Bytes recovery cuts from the end: a torn tail plus a half-written batch before it. */
  droppedBytes: number;
  /** Fill written ahead after the data (preallocation.ts), kept for the next appends. */
  freeBytes: number;
  /** Set when something follows the last valid frame (only in the last segment). */
  tail?: ScanTail;
  /** Offset of the first frame that did not make it into the index (the next offset). */
  firstBadOffset: number;
  /**
   * With a damaged tail: the last offset its frame says it holds (`claimedLastOffset`), at
   * least `firstBadOffset`. A batch frame holds a whole producer batch.
   */
  damagedLastOffset?: number;
}

/**
 * Opens and scans one segment. A damaged tail (a whole last record failing its checksum) is
 * refused: it may be a confirmed job, see framed-file.ts. A torn tail is cut.
 */
async function recoverSegment(
  fs: StorageFs,
  dir: string,
  baseOffset: number,
  isLastFile: boolean,
): Promise<RecoveredSegment> {
  const file = path.join(dir, segmentFileName(baseOffset));
  let handle: StorageFile;
  try {
    handle = await fs.open(file, 'append');
  } catch (err) {
    throw ioError('open segment', file, err);
  }
  try {
    const segment = new Segment(dir, baseOffset, Promise.resolve(handle));
    const scan = await scanSegment(handle, file, baseOffset, isLastFile, segment.index);
    if (scan.tail?.kind === 'damaged') throw damagedTailError(file, baseOffset, scan, segment);
    // What the writer finds on disk: a cut below takes any fill with it.
    segment.fileBytes = scan.droppedBytes > 0 ? segment.index.end : scan.fileSize;
    if (scan.droppedBytes > 0) {
      try {
        // Cuts any fill written ahead too: the writer writes it again.
        await handle.truncate(segment.index.end);
        // The cut must be durable before new frames land after it, or a second crash could
        // resurrect the old tail bytes behind them.
        await handle.datasync();
      } catch (err) {
        throw ioError('truncate torn tail', file, err);
      }
    }
    return { segment, droppedBytes: scan.droppedBytes };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Scans one open segment into `index` without changing the file: offsets must run
 * consecutively from the base offset, and a non-last segment must be complete and end on a
 * batch end. In the last segment a trailing batch without its batch-end record is taken out of
 * the index (that append never resolved; dropping it keeps producer batches all-or-nothing).
 * Throws SHARQ_ERR_LOG_CORRUPT for damage, except a damaged tail, which is returned in `tail`
 * for the caller to judge. Shared by recovery and `sharq data check`.
 */
export async function scanSegment(
  handle: ReadableFile,
  file: string,
  baseOffset: number,
  isLastFile: boolean,
  index: SegmentIndex,
): Promise<SegmentScan> {
  const timestamps: number[] = [];
  const scan = await scanFrames(handle, {
    file,
    isLastFile,
    maxBodyBytes: MAX_RECORD_BYTES_LIMIT,
    // A batch frame's timestamps come from the walk that checks it, which scanFrames runs on
    // each frame just before handing it to onFrame: the frame is walked once.
    validate: (body) => {
      timestamps.length = 0;
      return isWellFormedBody(body, timestamps);
    },
    damagedTail: 'report',
    fill: true,
    onFrame: (body, position) => {
      const expected = baseOffset + index.count;
      const offset = recordOffset(body);
      if (offset !== expected) {
        throw corruptError(file, position, `record has offset ${offset}, expected ${expected}`, {
          expectedOffset: expected,
          foundOffset: offset,
        });
      }
      const frameBytes = FRAME_HEADER_BYTES + body.length;
      if (body[0] !== BATCH_FRAME_VERSION) {
        index.add(position, frameBytes, recordTimestamp(body), isBatchEnd(body));
        return;
      }
      // A batch frame: its records share the frame's position, the last ends the batch.
      for (let i = 0; i < timestamps.length; i++)
        index.add(position, frameBytes, timestamps[i]!, i === timestamps.length - 1);
    },
  });
  const firstBadOffset = baseOffset + index.count;
  if (index.count > 0 && index.lastBatchEnd !== index.count - 1) {
    if (!isLastFile) throw corruptError(file, index.end, 'segment ends inside a producer batch');
    index.truncate(index.lastBatchEnd + 1);
  }
  const dataEnd = scan.fileSize - scan.freeBytes;
  const result: SegmentScan = {
    fileSize: scan.fileSize,
    droppedBytes: dataEnd - index.end,
    freeBytes: scan.freeBytes,
    firstBadOffset,
  };
  if (scan.tail !== undefined) result.tail = scan.tail;
  if (scan.tail?.kind === 'damaged')
    result.damagedLastOffset = await damagedFrameLastOffset(
      handle,
      file,
      scan.tail.position,
      firstBadOffset,
    );
  return result;
}

/** What the whole frame at `position`, which fails its check, says its last offset is. */
async function damagedFrameLastOffset(
  handle: ReadableFile,
  file: string,
  position: number,
  firstOffset: number,
): Promise<number> {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  try {
    await readFullyAt(handle, head, 0, FRAME_HEADER_BYTES, position);
    const body = Buffer.alloc(Math.min(head.readUInt32LE(0), MAX_RECORD_BYTES_LIMIT));
    const got = await readFullyAt(handle, body, 0, body.length, position + FRAME_HEADER_BYTES);
    return claimedLastOffset(body.subarray(0, got), firstOffset);
  } catch (err) {
    throw ioError('read segment', file, err);
  }
}

function damagedTailError(
  file: string,
  baseOffset: number,
  scan: SegmentScan,
  segment: Segment,
): SharqError {
  const tail = scan.tail!;
  const droppedOffset = baseOffset + segment.index.count;
  const last = scan.damagedLastOffset ?? scan.firstBadOffset;
  const what =
    last > scan.firstBadOffset
      ? `the batch at offsets ${scan.firstBadOffset}..${last} (as its own header says) is whole but fails its check (${tail.reason}), so it is not a torn write: it may hold jobs whose add() was confirmed`
      : `the record at offset ${scan.firstBadOffset} is whole but fails its check (${tail.reason}), so it is not a torn write: it may be a job whose add() was confirmed`;
  return corruptError(
    file,
    tail.position,
    `${what}. Cutting it would drop offsets ${droppedOffset}..${last} and ${scan.droppedBytes} bytes`,
    {
      damagedTail: true,
      droppedBytes: scan.droppedBytes,
      droppedOffset,
      damagedOffset: scan.firstBadOffset,
      damagedLastOffset: last,
      mayHaveBeenConfirmed: true,
    },
  );
}
