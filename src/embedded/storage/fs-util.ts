import path from 'node:path';
import type { ReadableFile, StorageFile, StorageFs } from './fs-layer.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * Small file-system helpers with the durability steps spelled out once. POSIX only makes a
 * created, renamed or deleted name durable when the *directory* is fsynced, which is easy to
 * forget at each call site.
 */

/** Makes directory entries (creates, renames, unlinks) in `dir` durable. */
export async function fsyncDir(fs: StorageFs, dir: string): Promise<void> {
  try {
    await fs.syncDir(dir);
  } catch (err) {
    // Windows cannot open or fsync a directory; its rename is durable without it.
    const code = errnoCode(err);
    if (process.platform === 'win32' && (code === 'EISDIR' || code === 'EPERM')) return;
    throw ioError('fsync directory', dir, err);
  }
}

/**
 * `mkdir -p` whose result survives a crash: each directory it creates is only durable once its
 * parent is fsynced, so the parents of the new directories are synced, deepest first.
 */
export async function mkdirDurable(fs: StorageFs, dir: string): Promise<void> {
  let created: string | undefined;
  try {
    created = await fs.mkdir(dir);
  } catch (err) {
    const code = errnoCode(err);
    const hint =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way: the path and each parent must be a directory'
        : undefined;
    throw ioError('create directory', dir, err, hint);
  }
  if (created === undefined) return;
  const top = path.resolve(created);
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fsyncDir(fs, path.dirname(d));
    if (d === top || path.dirname(d) === d) break;
  }
}

let tmpCounter = 0;

/**
 * Replaces `file` with `data` so a crash leaves either the old or the new content, never a mix:
 * write a unique temp file, fsync it, rename over the target, fsync the directory.
 * `tmpPath` overrides the temp name (the journal uses a fixed name it cleans up on open).
 */
export async function writeFileAtomic(
  fs: StorageFs,
  file: string,
  data: Uint8Array,
  tmpPath = `${file}.${process.pid}.${++tmpCounter}.tmp`,
): Promise<void> {
  try {
    const handle = await fs.open(tmpPath, 'replace');
    try {
      await writeAllAt(handle, [data], 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmpPath, file);
  } catch (err) {
    await fs.rm(tmpPath).catch(() => undefined);
    throw ioError('atomic write', file, err);
  }
  await fsyncDir(fs, path.dirname(file));
}

/**
 * Writes all of `buffers` at `position` with as few `pwritev` calls as the kernel allows.
 * libuv already loops over short writes, but a short count is handled here too rather than
 * trusted, since losing bytes silently would corrupt the frame stream.
 */
export async function writeAllAt(
  handle: StorageFile,
  buffers: readonly Uint8Array[],
  position: number,
): Promise<number> {
  let pending = buffers.filter((b) => b.length > 0);
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending as Uint8Array[], at);
    if (bytesWritten <= 0) throw new Error(`writev wrote ${bytesWritten} bytes`);
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const b of pending) {
      if (skip >= b.length) {
        skip -= b.length;
      } else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    pending = rest;
  }
  return at - position;
}

/** Reads exactly `length` bytes at `position` (fewer only at end of file). */
export async function readFullyAt(
  handle: ReadableFile,
  target: Buffer,
  targetOffset: number,
  length: number,
  position: number,
): Promise<number> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(
      target,
      targetOffset + done,
      length - done,
      position + done,
    );
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
