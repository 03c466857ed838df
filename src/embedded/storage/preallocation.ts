/**
 * Space written ahead at the end of a log segment, and how a recovery scan tells it from a torn
 * write.
 *
 * Under `fsync: "always"` every produce waits for an fdatasync. On a file that grows with each
 * append, that fdatasync must also commit the new size and block allocation to the file system's
 * journal: on ext4 here it costs about twice one into space already allocated (200-230 us
 * against 90-130 us p50, 4-32 KiB appends). So the active segment of a partition log keeps fill
 * bytes, written and fdatasynced beforehand, ahead of its writes (append-file.ts), and the
 * appends overwrite them. Seal and close cut the fill off again.
 *
 * The fill is 0xFF, not zeros, because no frame ever ends in that byte, so a scan can tell the
 * fill from data exactly:
 * - A frame starts with its body length, a u32 below 64 MiB: its first bytes are never four
 *   0xFF. Fill from the end of the last valid frame to the end of the file is free space: nothing
 *   is cut and nothing is reported.
 * - The last byte of a frame body is never 0xFF: a record frame ends with its header count (a
 *   u16) or its last header, a batch frame with a record's header count (a varint) or its last
 *   header, and header names and values are valid UTF-8, where 0xFF never occurs.
 * - An append into the fill does not change the file's size, so a power loss can keep a frame's
 *   header and lose the sectors after it: a frame of full length whose check fails. Where the
 *   frame's bytes are fill from a sector boundary inside it to the end of the file, that is such
 *   a write cut short (the rule etcd's write-ahead log applies to its preallocated segments,
 *   made exact by the fill byte), and it is cut like any torn tail. A whole frame that fails its
 *   check in any other way is damage that may have been confirmed, as in a file that only grows.
 *
 * What the rule cannot tell: a disk that keeps a later sector of the last unsynced write but not
 * an earlier one leaves a hole with frames after it. That looks like damage in the middle of the
 * log, and recovery refuses it (SHARQ_ERR_LOG_CORRUPT; `sharq data repair` cuts it, after saying
 * what it drops) rather than guess.
 */

/** The byte space written ahead holds. */
export const FILL_BYTE = 0xff;

/** Fill is written in runs that end on a multiple of this. */
export const PREALLOCATION_ALIGN = 64 * 1024;

/**
 * Most fill written ahead at once: one synchronous write on the event loop, kept to the size
 * append-file.ts still writes inline.
 */
export const MAX_PREALLOCATION_BYTES = 256 * 1024;

/** The unit a disk writes whole: a torn write ends on a multiple of it. */
export const SECTOR_BYTES = 512;

/** Length of `buf` without its trailing fill bytes. */
export function lengthWithoutTrailingFill(buf: Uint8Array): number {
  let n = buf.length;
  while (n > 0 && buf[n - 1] === FILL_BYTE) n--;
  return n;
}

/**
 * For a frame at file position `position` of `frameBytes` (header included) that fails its
 * check, with `rest` the bytes from it to the end of the file: whether it is a write into the
 * fill cut short (see above).
 */
export function isTornIntoFill(position: number, frameBytes: number, rest: Uint8Array): boolean {
  const fillFrom = position + lengthWithoutTrailingFill(rest);
  const frameEnd = position + frameBytes;
  // A whole sector of the frame (or its last part, cut at a sector boundary) is fill, and so is
  // everything after it.
  const sectorStart = Math.ceil(fillFrom / SECTOR_BYTES) * SECTOR_BYTES;
  return sectorStart < frameEnd;
}

/** How much fill to keep ahead of a file whose data ends at `end`: as much again, within bounds. */
export function preallocationChunk(end: number): number {
  return Math.min(MAX_PREALLOCATION_BYTES, Math.max(PREALLOCATION_ALIGN, alignUp(end)));
}

/** `n` rounded up to the alignment. */
export function alignUp(n: number): number {
  return Math.ceil(n / PREALLOCATION_ALIGN) * PREALLOCATION_ALIGN;
}
