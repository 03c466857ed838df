/**
 * Preallocated space at the end of a log segment, and how a recovery scan tells it from a torn
 * write.
 *
 * Under `fsync: "always"` every produce waits for an fdatasync. On a file that grows with each
 * append that fdatasync must also commit the new size and block allocation to the file system's
 * journal: on ext4 here it costs about twice one into space already allocated (200-230 us
 * against 90-130 us p50, 4-32 KiB appends). So the active segment of a partition log is kept
 * ahead of its writes with zeros that were written and fdatasynced beforehand (append-file.ts),
 * and the appends overwrite them. Seal and close cut the zeros off again.
 *
 * Two facts let recovery read such a file as exactly as one that only grows:
 * - A preallocated file always ends on a `PREALLOCATION_ALIGN` boundary, and a file that only
 *   grows with its appends almost never does (its size is wherever the last frame ended). Zeros
 *   from the last valid frame to an aligned end are free space, not a torn write: nothing is cut
 *   and nothing is reported. Zeros up to any other end are a torn tail, as before.
 * - An append into preallocated space does not change the file's size, so a power loss can keep
 *   the frame's header and lose the rest: a frame of full length whose check fails. Where it is
 *   followed only by zeros, from a sector boundary inside the frame to the aligned end, that is a
 *   write cut short (the rule etcd's write-ahead log uses for its preallocated segments), and it
 *   is cut like any torn tail. A full-length frame that fails its check any other way is damage
 *   that may have been confirmed, as in a file that only grows.
 *
 * What the rule cannot tell: a disk that keeps a later sector of the last unsynced write but not
 * an earlier one leaves a hole with frames after it. That looks like damage in the middle of the
 * log, and recovery refuses it (SHARQ_ERR_LOG_CORRUPT; `sharq data repair` cuts it, after saying
 * what it drops) rather than guess.
 */

/** A preallocated file's size is a multiple of this. */
export const PREALLOCATION_ALIGN = 64 * 1024;

/** Smallest and largest run of zeros written ahead at once. */
export const MIN_PREALLOCATION_BYTES = 64 * 1024;
export const MAX_PREALLOCATION_BYTES = 1024 * 1024;

/** The unit a disk writes whole: a torn write ends on a multiple of it. */
export const SECTOR_BYTES = 512;

/** Whether `fileSize` is one a preallocating writer leaves. */
export function isPreallocatedSize(fileSize: number): boolean {
  return fileSize > 0 && fileSize % PREALLOCATION_ALIGN === 0;
}

/** Length of `buf` without its trailing zeros. */
export function lengthWithoutTrailingZeros(buf: Uint8Array): number {
  let n = buf.length;
  while (n > 0 && buf[n - 1] === 0) n--;
  return n;
}

/**
 * For a frame at file position `position` of `frameBytes` (header included) that fails its
 * check, with `rest` the bytes from it to the end of the file: whether it is a write into
 * preallocated space cut short (see above).
 */
export function isTornIntoZeros(
  position: number,
  frameBytes: number,
  rest: Uint8Array,
  fileSize: number,
): boolean {
  if (!isPreallocatedSize(fileSize)) return false;
  const zerosFrom = position + lengthWithoutTrailingZeros(rest);
  const frameEnd = position + frameBytes;
  // A whole sector of the frame (or its last part, cut at a sector boundary) is zeros, and so
  // is everything after it.
  const sectorStart = Math.ceil(zerosFrom / SECTOR_BYTES) * SECTOR_BYTES;
  return zerosFrom < frameEnd && sectorStart < frameEnd;
}

/** How many zero bytes to write ahead of a file whose data ends at `end`. */
export function preallocationChunk(end: number): number {
  return Math.min(MAX_PREALLOCATION_BYTES, Math.max(MIN_PREALLOCATION_BYTES, alignUp(end)));
}

/** `n` rounded up to the alignment. */
export function alignUp(n: number): number {
  return Math.ceil(n / PREALLOCATION_ALIGN) * PREALLOCATION_ALIGN;
}
