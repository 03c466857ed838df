/**
 * Space written ahead at the end of a log segment, and how a recovery scan tells it from a torn
 * write.
 *
 * Under `fsync: "always"` every produce waits for an fdatasync. On a file that grows with each
 * append, that fdatasync must also commit the new size and block allocation to the file system's
 * journal: on ext4 here it costs about twice one into space already written (186-294 us
 * against 92-147 us p50, 1-32 KiB appends, scratch loop). So the active segment of a partition
 * log keeps fill bytes, written and fdatasynced beforehand, ahead of its writes
 * (append-file.ts), and the appends overwrite them. Seal and close cut the fill off again.
 *
 * The fill is 0xFF, not zeros, because no frame ever ends in that byte (every record without
 * headers ends in zeros), so a scan can tell the fill from data:
 * - A frame starts with its body length, a u32 below 64 MiB: its first bytes are never four
 *   0xFF. Fill from the end of the last valid frame to the end of the file is free space: nothing
 *   is cut and nothing is reported.
 * - The last byte of a frame body is never 0xFF: a record frame ends with its header count (a
 *   u16) or its last header, a batch frame with a record's header count (a varint) or its last
 *   header, and header names and values are valid UTF-8, where 0xFF never occurs.
 * - An append into the fill does not change the file's size, so a power loss can keep a frame's
 *   header and lose other sectors of it, in any order (a drive destages its cache as it likes,
 *   and ext4 orders only new blocks before a size): a frame of full length whose check fails.
 *   Where nothing but fill follows it and one of its sectors is all fill, that is such a write
 *   cut short (etcd's rule for its preallocated write-ahead log, `isTornIntoFill`), and it is cut
 *   like any torn tail. A whole frame that fails its check in any other way is damage that may
 *   have been confirmed, as in a file that only grows.
 *
 * What the rule cannot tell:
 * - A damaged confirmed record that also holds a whole sector of 0xFF in its value (binary data;
 *   JSON never holds the byte) is cut as torn.
 * - A hole in an earlier frame of the last write, with later frames of it kept whole, looks like
 *   damage before the end: recovery refuses it (SHARQ_ERR_LOG_CORRUPT; `sharq data repair` cuts
 *   it, after saying what it drops) rather than guess.
 */

/** The byte space written ahead holds. */
export const FILL_BYTE = 0xff;

/** Fill is written in runs that end on a multiple of this. */
export const PREALLOCATION_ALIGN = 64 * 1024;

/**
 * Most fill kept ahead: written with one synchronous write on the event loop (up to 64 KiB more,
 * to end aligned), about the size append-file.ts still writes inline.
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
 * Shortest last part of a frame (past its last sector boundary) that counts as a lost sector
 * when it is all fill. A frame's last byte is never 0xFF, but damage can make it so; the bytes
 * before it are never 0xFF either (a count, a length or UTF-8), so one damaged byte cannot
 * pass for eight.
 */
export const MIN_FILL_TAIL_BYTES = 8;

/**
 * For a whole frame at file position `position` of `frameBytes` (header included) that fails
 * its check, with `rest` the bytes from it to the end of the file: whether it is a write into
 * the fill cut short (see above). Nothing but fill may follow the frame, and one of its sectors
 * must be all fill: a whole one anywhere in it (a disk may keep a later sector of a write and
 * lose an earlier one, and etcd's rule allows for that), or its last part past a sector
 * boundary when that is at least `MIN_FILL_TAIL_BYTES` long.
 */
export function isTornIntoFill(position: number, frameBytes: number, rest: Uint8Array): boolean {
  if (lengthWithoutTrailingFill(rest) > frameBytes) return false;
  const frameEnd = position + frameBytes;
  let chunkStart = Math.ceil(position / SECTOR_BYTES) * SECTOR_BYTES;
  while (chunkStart < frameEnd) {
    const chunkEnd = Math.min(frameEnd, chunkStart + SECTOR_BYTES);
    if (
      chunkEnd - chunkStart >= MIN_FILL_TAIL_BYTES &&
      allFill(rest, chunkStart - position, chunkEnd - position)
    ) {
      return true;
    }
    chunkStart = chunkEnd;
  }
  return false;
}

/** Whether `buf[from, to)` is all fill. */
export function allFill(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== FILL_BYTE) return false;
  return true;
}

/** How much fill to keep ahead of a file whose data ends at `end`: as much again, within bounds. */
export function preallocationChunk(end: number): number {
  return Math.min(MAX_PREALLOCATION_BYTES, Math.max(PREALLOCATION_ALIGN, alignUp(end)));
}

/** `n` rounded up to the alignment. */
export function alignUp(n: number): number {
  return Math.ceil(n / PREALLOCATION_ALIGN) * PREALLOCATION_ALIGN;
}
