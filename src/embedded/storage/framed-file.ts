import { crc32c } from '../../util/crc32c.js';
import type { ReadableFile } from './fs-layer.js';
import { readFullyAt } from './fs-util.js';
import { allFill, isTornIntoFill, lengthWithoutTrailingFill } from './preallocation.js';
import { corruptError, ioError } from './storage-errors.js';

/**
 * The frame format shared by log segments and state journals, and the recovery scan over it.
 *
 * A frame is `[u32 LE body length][u32 LE crc32c(body)][body]`. The length is never 0 (bodies
 * always carry a version byte), so runs of zeros, which is what a crash usually leaves after the
 * last page that reached the disk, never parse as a frame.
 *
 * Recovery rule: a bad frame in the last file of a sequence is a torn tail (the crash cut the
 * final write) only when no valid frame exists anywhere after it, and only when it is short: its
 * header or body runs past the end of the file, or its length is zero (the zeros a file system
 * leaves past the last page that reached the disk). A bad frame followed by a good one is damage
 * in the middle of data that was once durable; dropping everything after it would silently lose
 * acknowledged records, so that is reported as SHARQ_ERR_LOG_CORRUPT instead.
 *
 * A frame at the tail that is whole (all of its length is in the file) but fails its checksum is
 * neither. A write cut short leaves a short file, not a long one with wrong bytes (appends grow
 * the file only with the data they wrote, on a file system that orders data before size, as
 * ext4's default does), so this is most likely damage to a record that reached the disk and
 * whose append may have been confirmed. It is reported as a `damaged` tail: by default
 * SHARQ_ERR_LOG_CORRUPT, and callers that want to say more (which offsets) ask for it back.
 *
 * A log segment may end in fill written ahead (preallocation.ts, option `fill`): 0xFF bytes from
 * the last valid frame to the end are free space (`freeBytes`), in any segment, and a whole last
 * frame followed only by fill, one of whose sectors is all fill, is a write cut short
 * (`isTornIntoFill`).
 */

export const FRAME_HEADER_BYTES = 8;

/** Encodes one body as a frame. */
export function encodeFrame(body: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.set(body, FRAME_HEADER_BYTES);
  writeFrameHeader(frame, 0, body.length);
  return frame;
}

/**
 * Fills in the header of a frame whose body already sits at `at + 8` in `target`. Lets an
 * encoder lay out many frames in one buffer and checksum them in place.
 */
export function writeFrameHeader(target: Buffer, at: number, bodyLength: number): void {
  const bodyStart = at + FRAME_HEADER_BYTES;
  target.writeUInt32LE(bodyLength, at);
  target.writeUInt32LE(crc32c(target, 0, bodyStart, bodyStart + bodyLength), at + 4);
}

export interface ScanOptions {
  /** Path shown in errors. */
  file: string;
  /** Whether a torn tail is allowed here (only the newest file of a log or journal). */
  isLastFile: boolean;
  /** Larger lengths are treated as damage, so garbage cannot make the scan read gigabytes. */
  maxBodyBytes: number;
  /**
   * Structural check of a body whose CRC matched; false makes the frame invalid. For a frame
   * that passes, `onFrame` is the next call, so a check may leave what it learned for it.
   */
  validate?: (body: Buffer) => boolean;
  /** Called for each valid frame in order. `body` is only valid during the call. May throw. */
  onFrame?: (body: Buffer, position: number) => void;
  /**
   * A whole frame at the tail that fails its checksum: `throw` (default) SHARQ_ERR_LOG_CORRUPT,
   * or `report` it in the result's `tail` (with `droppedBytes` set) for the caller to judge.
   */
  damagedTail?: 'throw' | 'report';
  /** The file may end in fill written ahead (log segments, preallocation.ts). */
  fill?: boolean;
}

/** What follows the last valid frame of the last file, when anything does. */
export interface ScanTail {
  /** `torn`: a write cut short, safe to cut. `damaged`: a whole frame that fails its check. */
  kind: 'torn' | 'damaged';
  position: number;
  reason: string;
}

export interface ScanResult {
  /** Position just after the last valid frame: where the next frame belongs. */
  validEnd: number;
  fileSize: number;
  /** Bytes of torn tail after `validEnd` that the caller should truncate (0 when clean). */
  droppedBytes: number;
  /**
   * Fill written ahead at the end (preallocation.ts): free space after `validEnd`, or after the
   * torn tail `droppedBytes` counts.
   */
  freeBytes: number;
  frames: number;
  tail?: ScanTail;
}

/** A view of the source with the bytes of one frame guaranteed present. */
interface Window {
  buf: Buffer;
  /** File position of `buf[0]`. */
  start: number;
}

const SCAN_CHUNK_BYTES = 1 << 20;

/**
 * Walks the frames of a whole buffer or an open file (read in 1 MiB chunks) and applies the
 * recovery rule above. Throws SHARQ_ERR_LOG_CORRUPT with `{file, position}`; returns the torn
 * tail to drop otherwise.
 */
export async function scanFrames(
  source: Uint8Array | ReadableFile,
  options: ScanOptions,
): Promise<ScanResult> {
  const inMemory = source instanceof Uint8Array;
  const fileSize = inMemory ? source.length : await statSize(source, options.file);
  const win: Window = inMemory
    ? { buf: toBuffer(source), start: 0 }
    : { buf: Buffer.alloc(0), start: 0 };
  // Only the file path ever awaits, and only when a frame crosses the current chunk.
  const load = async (pos: number, len: number): Promise<void> => {
    if (inMemory || (pos >= win.start && pos + len <= win.start + win.buf.length)) return;
    const size = Math.min(Math.max(len, SCAN_CHUNK_BYTES), fileSize - pos);
    const buf = Buffer.allocUnsafe(size);
    const got = await readAt(source, buf, size, pos, options.file);
    win.buf = buf.subarray(0, got);
    win.start = pos;
  };

  let pos = 0;
  let frames = 0;
  while (pos < fileSize) {
    let problem: string | undefined;
    /** Bytes the failed frame claims, header included, when it is whole (all of it in the file). */
    let wholeBytes = 0;
    if (fileSize - pos < FRAME_HEADER_BYTES) {
      problem = 'incomplete frame header';
    } else {
      await load(pos, FRAME_HEADER_BYTES);
      const at = pos - win.start;
      const length = win.buf.readUInt32LE(at);
      problem = checkLength(length, pos, fileSize, options.maxBodyBytes);
      if (length > 0 && pos + FRAME_HEADER_BYTES + length <= fileSize) {
        wholeBytes = FRAME_HEADER_BYTES + length;
      }
      if (problem === undefined) {
        await load(pos, FRAME_HEADER_BYTES + length);
        problem = checkBody(win.buf, pos - win.start, length, options.validate);
        if (problem === undefined) {
          const bodyStart = pos - win.start + FRAME_HEADER_BYTES;
          options.onFrame?.(win.buf.subarray(bodyStart, bodyStart + length), pos);
          pos += FRAME_HEADER_BYTES + length;
          frames++;
          continue;
        }
      }
    }
    // Fill written ahead (preallocation.ts) starts where a frame header would: four 0xFF bytes.
    const mayBeFill =
      options.fill === true &&
      fileSize - pos >= FRAME_HEADER_BYTES &&
      (await fillAt(win, pos, load));
    if (!options.isLastFile && !mayBeFill) throw corruptError(options.file, pos, problem);
    const rest = Buffer.allocUnsafe(fileSize - pos);
    await readTail(source, rest, pos, options.file);
    const dataEnd = options.fill === true ? pos + lengthWithoutTrailingFill(rest) : fileSize;
    if (dataEnd === pos) {
      // Space written ahead: the data ends here.
      return { validEnd: pos, fileSize, droppedBytes: 0, freeBytes: fileSize - pos, frames };
    }
    if (!options.isLastFile) throw corruptError(options.file, pos, problem);
    const next = findFrame(rest, 1, options.maxBodyBytes, options.validate);
    if (next >= 0) {
      throw corruptError(
        options.file,
        pos,
        `${problem}, but a valid frame follows at byte ${pos + next}`,
        { nextValidFrame: pos + next },
      );
    }
    const intoFill =
      wholeBytes > 0 && options.fill === true && isTornIntoFill(pos, wholeBytes, rest);
    const whole = wholeBytes > 0 && !intoFill;
    const tail: ScanTail = {
      kind: whole ? 'damaged' : 'torn',
      position: pos,
      reason: intoFill ? `${problem}, cut short in space written ahead` : problem,
    };
    if (whole && options.damagedTail !== 'report') {
      throw corruptError(
        options.file,
        pos,
        `the last frame is whole but fails its check (${problem}): not a torn write`,
        { droppedBytes: dataEnd - pos, damagedTail: true },
      );
    }
    // A whole frame (damaged, or a write cut short in the fill): what is cut counts its data
    // only (the fill after it goes too, but held nothing). A short tail is counted whole.
    const cutEnd = wholeBytes > 0 ? dataEnd : fileSize;
    return {
      validEnd: pos,
      fileSize,
      droppedBytes: cutEnd - pos,
      freeBytes: fileSize - cutEnd,
      frames,
      tail,
    };
  }
  return { validEnd: pos, fileSize, droppedBytes: 0, freeBytes: 0, frames };
}

/** Whether the 8 bytes at `pos` are fill (`pos` + 8 is within the file). */
async function fillAt(
  win: Window,
  pos: number,
  load: (pos: number, len: number) => Promise<void>,
): Promise<boolean> {
  await load(pos, FRAME_HEADER_BYTES);
  const at = pos - win.start;
  return allFill(win.buf, at, at + FRAME_HEADER_BYTES);
}

function checkLength(
  length: number,
  pos: number,
  fileSize: number,
  max: number,
): string | undefined {
  if (length === 0) return 'zero frame length';
  // Past the end before over the limit: a garbage length in a torn header usually runs past it.
  if (pos + FRAME_HEADER_BYTES + length > fileSize) return 'frame extends past end of file';
  if (length > max) return `frame length ${length} exceeds the limit of ${max}`;
  return undefined;
}

function checkBody(
  buf: Buffer,
  at: number,
  length: number,
  validate: ((body: Buffer) => boolean) | undefined,
): string | undefined {
  const bodyStart = at + FRAME_HEADER_BYTES;
  if (crc32c(buf, 0, bodyStart, bodyStart + length) !== buf.readUInt32LE(at + 4)) {
    return 'checksum mismatch';
  }
  if (validate !== undefined && !validate(buf.subarray(bodyStart, bodyStart + length))) {
    return 'malformed frame body';
  }
  return undefined;
}

/**
 * First index >= `from` in `buf` where a complete valid frame starts, or -1. Byte by byte, with
 * the length prechecks first so most positions cost one integer read; the CRC runs only for
 * plausible lengths, and never past the end of `buf`.
 */
export function findFrame(
  buf: Buffer,
  from: number,
  maxBodyBytes: number,
  validate?: (body: Buffer) => boolean,
): number {
  const last = buf.length - FRAME_HEADER_BYTES - 1;
  for (let at = from; at <= last; at++) {
    const length = buf.readUInt32LE(at);
    if (length === 0 || length > maxBodyBytes || at + FRAME_HEADER_BYTES + length > buf.length) {
      continue;
    }
    if (checkBody(buf, at, length, validate) === undefined) return at;
  }
  return -1;
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

async function statSize(handle: ReadableFile, file: string): Promise<number> {
  try {
    return (await handle.stat()).size;
  } catch (err) {
    throw ioError('stat', file, err);
  }
}

async function readAt(
  source: Uint8Array | ReadableFile,
  target: Buffer,
  length: number,
  position: number,
  file: string,
): Promise<number> {
  if (source instanceof Uint8Array) {
    target.set(source.subarray(position, position + length));
    return Math.min(length, Math.max(0, source.length - position));
  }
  try {
    return await readFullyAt(source, target, 0, length, position);
  } catch (err) {
    throw ioError('read', file, err);
  }
}

async function readTail(
  source: Uint8Array | ReadableFile,
  target: Buffer,
  position: number,
  file: string,
): Promise<void> {
  const got = await readAt(source, target, target.length, position, file);
  // The file shrank under us: someone else is writing to it, which the dir lock should prevent.
  if (got !== target.length) throw ioError('read', file, new Error('file shrank during recovery'));
}

export { AppendFile, type AppendFileOptions, type FsyncPolicy } from './append-file.js';
