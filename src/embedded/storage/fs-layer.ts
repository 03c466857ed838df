import { constants, promises as fsp, writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/**
 * Every file-system call the embedded engine's storage makes, behind one narrow interface.
 *
 * The engine runs on `nodeFs`, the real file system. The seam exists so a test can run the
 * engine over a file system that loses power (test/helpers/power-loss-fs.ts): one that keeps
 * only what was fsynced, and a directory entry only once its directory was fsynced. Crash tests
 * that kill the process cannot tell whether an fsync happened at all, since the page cache
 * outlives the process; this seam is what lets a test tell.
 *
 * It is internal: `EmbeddedEngine` takes it through its third constructor argument, which is
 * not part of the public surface. The operator tools (`sharq data check/repair`) read the real
 * disk directly.
 */

/**
 * `read`: read only. `append`: read-write, created if missing, never truncated (every
 * append-only file). `replace`: write, created or truncated (a temp file written then renamed).
 */
export type OpenMode = 'read' | 'append' | 'replace';

/** What a recovery scan needs of an open file. Node's `FileHandle` fits it as is. */
export interface ReadableFile {
  read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
}

export interface StorageFile extends ReadableFile {
  /** Positional `pwritev`; may write fewer bytes than given (the caller loops). */
  writev(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }>;
  /** The same on the calling thread (small appends on a hot path, see append-file.ts). */
  writevSync(buffers: Uint8Array[], position: number): number;
  truncate(length: number): Promise<void>;
  /** fsync: data and metadata. */
  sync(): Promise<void>;
  /** fdatasync: data, and the metadata needed to read it back (the size). */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface DirEntry {
  name: string;
  isDirectory: boolean;
}

export interface StorageFs {
  open(file: string, mode: OpenMode): Promise<StorageFile>;
  readFile(file: string): Promise<Buffer>;
  /** Creates `file` holding `data` and fsyncs it; EEXIST if the name exists. */
  writeFileExclusive(file: string, data: Uint8Array): Promise<void>;
  /** `mkdir -p`: the first directory it created, or undefined when `dir` existed. */
  mkdir(dir: string): Promise<string | undefined>;
  readdir(dir: string): Promise<string[]>;
  readdirEntries(dir: string): Promise<DirEntry[]>;
  stat(file: string): Promise<{ size: number; isDirectory: boolean }>;
  rename(from: string, to: string): Promise<void>;
  /** `link(2)`: EEXIST when `name` exists. */
  link(existing: string, name: string): Promise<void>;
  /** Removes a file (or, with `recursive`, a tree); a missing path is not an error. */
  rm(file: string, options?: { recursive?: boolean }): Promise<void>;
  realpath(file: string): Promise<string>;
  /** fsyncs a directory: makes the creates, renames and unlinks in it durable. */
  syncDir(dir: string): Promise<void>;
}

const OPEN_FLAGS: Record<OpenMode, string | number> = {
  read: 'r',
  append: constants.O_RDWR | constants.O_CREAT,
  replace: 'w',
};

class NodeFile implements StorageFile {
  constructor(private readonly handle: FileHandle) {}

  read(buffer: Buffer, offset: number, length: number, position: number) {
    return this.handle.read(buffer, offset, length, position);
  }

  stat() {
    return this.handle.stat();
  }

  writev(buffers: Uint8Array[], position: number) {
    return this.handle.writev(buffers, position);
  }

  writevSync(buffers: Uint8Array[], position: number): number {
    return writevSync(this.handle.fd, buffers, position);
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Wraps an open Node file handle (tests that open files themselves). */
export function nodeFile(handle: FileHandle): StorageFile {
  return new NodeFile(handle);
}

/** The real file system. */
export const nodeFs: StorageFs = Object.freeze({
  async open(file: string, mode: OpenMode): Promise<StorageFile> {
    return new NodeFile(await fsp.open(file, OPEN_FLAGS[mode]));
  },
  readFile: (file: string) => fsp.readFile(file),
  writeFileExclusive: (file: string, data: Uint8Array) =>
    fsp.writeFile(file, data, { flag: 'wx', flush: true }),
  mkdir: (dir: string) => fsp.mkdir(dir, { recursive: true }),
  readdir: (dir: string) => fsp.readdir(dir),
  async readdirEntries(dir: string): Promise<DirEntry[]> {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },
  async stat(file: string) {
    const s = await fsp.stat(file);
    return { size: s.size, isDirectory: s.isDirectory() };
  },
  rename: (from: string, to: string) => fsp.rename(from, to),
  link: (existing: string, name: string) => fsp.link(existing, name),
  rm: (file: string, options: { recursive?: boolean } = {}) =>
    fsp.rm(file, { force: true, recursive: options.recursive === true }),
  realpath: (file: string) => fsp.realpath(file),
  async syncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close().catch(() => undefined);
    }
  },
});
