import path from 'node:path';
import type {
  DirEntry,
  OpenMode,
  StorageFile,
  StorageFs,
} from '../../src/embedded/storage/fs-layer.js';
import { SECTOR_BYTES } from '../../src/embedded/storage/preallocation.js';

/**
 * A machine whose power can be cut: an in-memory file system for the embedded engine's storage
 * seam (src/embedded/storage/fs-layer.ts) that keeps, after a cut, only what POSIX says is
 * durable, and no more:
 *
 * - A file's contents are durable as of its last fsync/fdatasync. Writes and truncates after
 *   that are volatile.
 * - A directory entry (a create, mkdir, rename, link or unlink) is durable only once that
 *   directory is fsynced. A file whose name was never made durable is gone after a cut, however
 *   often its data was synced; so is everything under a directory whose own entry was not.
 * - `cut()` powers the machine off: every later call, and every call still in flight, fails
 *   with EIO, as if the process had died with the machine (nobody sees a reply after the power
 *   went). Volatile state is dropped. With `keepUnsynced` a random prefix of each file's and
 *   each directory's unsynced changes survives instead, the last write possibly torn part way:
 *   disks persist some unsynced data, in order per file (the data-before-size ordering that
 *   ext4's default `data=ordered` gives and recovery relies on). A write torn inside bytes the
 *   file already held (space written ahead, preallocation.ts) ends on a 512-byte sector
 *   boundary: there no size cuts it, only the disk.
 * - `boot()` powers it on again: a fresh `StorageFs` over what survived.
 *
 * Operations settle after a random number of event-loop turns, so concurrent calls interleave
 * as they do on a real disk. Every call is counted; `cutAt(n)` cuts the power just before call
 * number `n` runs, which picks a crash point without timers.
 *
 * Paths live under a root that the real file system refuses (it contains a NUL byte), so a
 * storage call that bypasses the seam fails loudly instead of touching the real disk.
 */

export const POWER_LOSS_ROOT = '/\u0000power-loss';

/**
 * A file or directory: its durable state, its current state, and the changes between them in
 * order, each numbered. A sync makes durable what was current when it was *called*, once it
 * *returns*: a cut in between leaves it undone, so code that confirms before its fsync returns
 * is caught.
 */
interface Versioned<State, Change> {
  durable: State;
  current: State;
  pending: { seq: number; change: Change }[];
  /** Number of the last change made, and of the last one that is durable. */
  seq: number;
  durableSeq: number;
}

interface FileNode extends Versioned<Buffer, FileChange> {
  kind: 'file';
}

type FileChange =
  | { op: 'write'; position: number; bytes: Buffer }
  | { op: 'truncate'; length: number };

interface DirNode extends Versioned<Map<string, Node>, DirChange> {
  kind: 'dir';
}

type DirChange =
  | { op: 'link'; name: string; node: Node }
  | { op: 'unlink'; name: string }
  | { op: 'rename'; from: string; to: string };

type Node = FileNode | DirNode;

/** A small seeded PRNG (mulberry32), so a failing trial replays from its seed. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

export interface PowerLossOptions {
  /** Keep a random prefix of unsynced changes at a cut (torn writes). Default true. */
  keepUnsynced?: boolean;
  /** Most event-loop turns an operation takes to settle. Default 2. */
  maxLatencyTurns?: number;
}

export class PowerLossMachine {
  private root: DirNode = newDir();
  private readonly nodes = new Set<Node>();
  private generation = 0;
  private on = false;
  private calls = 0;
  private cutAtCall = Number.POSITIVE_INFINITY;
  private readonly keepUnsynced: boolean;
  private readonly maxLatency: number;
  /** Counters for a test to check it exercised what it meant to. */
  readonly stats = {
    cuts: 0,
    fileSyncs: 0,
    dirSyncs: 0,
    tornWrites: 0,
    /** Torn writes that ended inside bytes the file already held (at a sector boundary). */
    tornOverwrites: 0,
    keptChanges: 0,
  };

  constructor(
    readonly random: Random,
    options: PowerLossOptions = {},
  ) {
    this.keepUnsynced = options.keepUnsynced ?? true;
    this.maxLatency = options.maxLatencyTurns ?? 2;
  }

  get powered(): boolean {
    return this.on;
  }

  /** Calls made so far, over every boot. */
  get callCount(): number {
    return this.calls;
  }

  /** Powers on and returns a file system over what survived the last cut. */
  boot(): StorageFs {
    if (this.on) throw new Error('the machine is already running');
    this.on = true;
    this.cutAtCall = Number.POSITIVE_INFINITY;
    return new PowerLossFs(this, ++this.generation);
  }

  /** Cuts the power just before call number `n` (counted over every boot) runs. */
  cutAt(n: number): void {
    this.cutAtCall = n;
  }

  /** Runs `listener` the moment the power goes (a test drops the machine's network with it). */
  onCut(listener: () => void): void {
    this.cutListeners.push(listener);
  }

  private readonly cutListeners: (() => void)[] = [];

  /** Cuts the power now. */
  cut(): void {
    if (!this.on) return;
    this.on = false;
    this.stats.cuts++;
    for (const listener of this.cutListeners.splice(0)) listener();
    for (const node of this.nodes) {
      if (node.kind === 'file') this.settleFile(node);
      else this.settleDir(node);
    }
    this.settleDir(this.root);
    // Forget nodes nothing durable refers to any more.
    this.nodes.clear();
    const walk = (dir: DirNode): void => {
      for (const child of dir.current.values()) {
        if (this.nodes.has(child)) continue;
        this.nodes.add(child);
        if (child.kind === 'dir') walk(child);
      }
    };
    walk(this.root);
  }

  /** Every path that survived, with file sizes: for failure messages. */
  listing(): string[] {
    const out: string[] = [];
    const walk = (dir: DirNode, at: string): void => {
      for (const [name, child] of [...dir.current].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const p = `${at}/${name}`;
        out.push(child.kind === 'dir' ? `${p}/` : `${p} (${child.current.length} B)`);
        if (child.kind === 'dir') walk(child, p);
      }
    };
    walk(this.root, '');
    return out;
  }

  // ---- used by PowerLossFs ----

  /** Counts a call; throws EIO when the power is (or now goes) off, or `generation` is over. */
  enter(generation: number, what: string): void {
    if (this.on && generation === this.generation && ++this.calls >= this.cutAtCall) this.cut();
    if (!this.on || generation !== this.generation) throw fsError('EIO', 'i/o error', what);
  }

  /**
   * Resolves after a random number of turns, unless the power went meanwhile; `complete` is
   * what the call does to the disk when it returns (a sync).
   */
  async settle<T>(generation: number, what: string, value: T, complete?: () => void): Promise<T> {
    this.inFlight++;
    try {
      const turns = this.random.int(0, this.maxLatency);
      for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
      if (!this.on || generation !== this.generation) throw fsError('EIO', 'i/o error', what);
      complete?.();
      return value;
    } finally {
      if (--this.inFlight === 0) for (const done of this.idleWaiters.splice(0)) done();
    }
  }

  /** Resolves once no call is in flight (say, the fdatasync a timer just started has returned). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];

  track(node: Node): void {
    this.nodes.add(node);
  }

  get rootDir(): DirNode {
    return this.root;
  }

  noteSync(kind: 'file' | 'dir'): void {
    if (kind === 'file') this.stats.fileSyncs++;
    else this.stats.dirSyncs++;
  }

  private settleFile(file: FileNode): void {
    let data = file.durable;
    const keep = this.keepUnsynced ? this.random.int(0, file.pending.length) : 0;
    for (let i = 0; i < file.pending.length; i++) {
      const change = file.pending[i]!.change;
      if (i < keep) {
        data = applyFileChange(data, change);
        this.stats.keptChanges++;
      } else {
        // The first change not kept may still be torn part way: a prefix of its bytes landed.
        if (change.op === 'write' && this.keepUnsynced && this.random.chance(0.5)) {
          const n = tornLength(change, data.length, this.random.int(0, change.bytes.length - 1));
          if (n > 0) {
            if (change.position + n <= data.length) this.stats.tornOverwrites++;
            data = applyFileChange(data, { ...change, bytes: change.bytes.subarray(0, n) });
            this.stats.tornWrites++;
          }
        }
        break;
      }
    }
    file.durable = data;
    file.current = Buffer.from(data);
    file.pending = [];
    file.durableSeq = file.seq;
  }

  private settleDir(dir: DirNode): void {
    const entries = new Map(dir.durable);
    const keep = this.keepUnsynced ? this.random.int(0, dir.pending.length) : 0;
    for (const { change } of dir.pending.slice(0, keep)) {
      applyDirChange(entries, change);
      this.stats.keptChanges++;
    }
    dir.durable = entries;
    dir.current = new Map(entries);
    dir.pending = [];
    dir.durableSeq = dir.seq;
  }
}

function newDir(): DirNode {
  return {
    kind: 'dir',
    durable: new Map(),
    current: new Map(),
    pending: [],
    seq: 0,
    durableSeq: 0,
  };
}

function newFile(): FileNode {
  const empty = Buffer.alloc(0);
  return { kind: 'file', durable: empty, current: empty, pending: [], seq: 0, durableSeq: 0 };
}

/**
 * Starts a sync of `node`: what is current now becomes durable when the returned function runs
 * (when the call returns), changes made in between staying pending.
 */
function startSync<S, C>(node: Versioned<S, C>, copy: (s: S) => S): () => void {
  const target = node.seq;
  const state = copy(node.current);
  return () => {
    if (target <= node.durableSeq) return;
    node.durable = state;
    node.pending = node.pending.filter((p) => p.seq > target);
    node.durableSeq = target;
  };
}

const copyBuffer = (b: Buffer): Buffer => Buffer.from(b);
const copyEntries = (m: Map<string, Node>): Map<string, Node> => new Map(m);

/**
 * How much of a torn `write` lands when `n` bytes would have: all `n` where it grows the file
 * (the data-before-size ordering), but only whole sectors where it overwrites bytes the file
 * already held (preallocated space), since the size says nothing there.
 */
function tornLength(
  change: { position: number; bytes: Buffer },
  fileLength: number,
  n: number,
): number {
  const end = change.position + n;
  if (end > fileLength) return n;
  return Math.max(0, Math.floor(end / SECTOR_BYTES) * SECTOR_BYTES - change.position);
}

function applyFileChange(data: Buffer, change: FileChange): Buffer {
  if (change.op === 'truncate') {
    if (change.length <= data.length) return Buffer.from(data.subarray(0, change.length));
    return Buffer.concat([data, Buffer.alloc(change.length - data.length)]);
  }
  const end = change.position + change.bytes.length;
  const out = Buffer.alloc(Math.max(data.length, end));
  data.copy(out);
  change.bytes.copy(out, change.position);
  return out;
}

function applyDirChange(entries: Map<string, Node>, change: DirChange): void {
  if (change.op === 'link') entries.set(change.name, change.node);
  else if (change.op === 'unlink') entries.delete(change.name);
  else {
    const node = entries.get(change.from);
    entries.delete(change.from);
    if (node !== undefined) entries.set(change.to, node);
  }
}

/** A Node-style system error (`code`, `syscall`, `path`), which storage-errors.ts reads. */
function fsError(code: string, text: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${text}, ${what}`), { code });
}

class PowerLossFs implements StorageFs {
  constructor(
    private readonly machine: PowerLossMachine,
    private readonly generation: number,
  ) {}

  async open(file: string, mode: OpenMode): Promise<StorageFile> {
    const what = `open '${file}'`;
    this.enter(what);
    const { dir, name } = this.parent(file, what);
    let node = dir.current.get(name);
    if (node === undefined) {
      if (mode === 'read') throw fsError('ENOENT', 'no such file or directory', what);
      node = this.createFile(dir, name);
    } else if (node.kind === 'dir') {
      throw fsError('EISDIR', 'illegal operation on a directory', what);
    } else if (mode === 'replace') {
      change(node, { op: 'truncate', length: 0 });
    }
    return this.settle(what, new PowerLossFile(this.machine, this.generation, node, file, mode));
  }

  async readFile(file: string): Promise<Buffer> {
    const what = `open '${file}'`;
    this.enter(what);
    const node = this.lookup(file, what);
    if (node.kind === 'dir') throw fsError('EISDIR', 'illegal operation on a directory', what);
    return this.settle(what, Buffer.from(node.current));
  }

  async writeFileExclusive(file: string, data: Uint8Array): Promise<void> {
    const what = `open '${file}'`;
    this.enter(what);
    const { dir, name } = this.parent(file, what);
    if (dir.current.has(name)) throw fsError('EEXIST', 'file already exists', what);
    const node = this.createFile(dir, name);
    change(node, { op: 'write', position: 0, bytes: Buffer.from(data) });
    this.machine.noteSync('file');
    return this.settle(what, undefined, startSync(node, copyBuffer));
  }

  async mkdir(dir: string): Promise<string | undefined> {
    const what = `mkdir '${dir}'`;
    this.enter(what);
    const parts = splitPath(dir);
    let at = this.machine.rootDir;
    let first: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]!;
      const next = at.current.get(name);
      if (next === undefined) {
        const created = newDir();
        this.machine.track(created);
        dirChange(at, { op: 'link', name, node: created });
        first ??= `/${parts.slice(0, i + 1).join('/')}`;
        at = created;
      } else if (next.kind === 'file') {
        throw fsError(i === parts.length - 1 ? 'EEXIST' : 'ENOTDIR', 'not a directory', what);
      } else {
        at = next;
      }
    }
    return this.settle(what, first);
  }

  async readdir(dir: string): Promise<string[]> {
    return (await this.readdirEntries(dir)).map((e) => e.name);
  }

  async readdirEntries(dir: string): Promise<DirEntry[]> {
    const what = `scandir '${dir}'`;
    this.enter(what);
    const node = this.lookup(dir, what);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'not a directory', what);
    const entries = [...node.current]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, n]) => ({ name, isDirectory: n.kind === 'dir' }));
    return this.settle(what, entries);
  }

  async stat(file: string): Promise<{ size: number; isDirectory: boolean }> {
    const what = `stat '${file}'`;
    this.enter(what);
    const node = this.lookup(file, what);
    const size = node.kind === 'file' ? node.current.length : 4096;
    return this.settle(what, { size, isDirectory: node.kind === 'dir' });
  }

  async rename(from: string, to: string): Promise<void> {
    const what = `rename '${from}' -> '${to}'`;
    this.enter(what);
    const source = this.parent(from, what);
    const target = this.parent(to, what);
    const node = source.dir.current.get(source.name);
    if (node === undefined) throw fsError('ENOENT', 'no such file or directory', what);
    const replaced = target.dir.current.get(target.name);
    if (replaced?.kind === 'dir' && replaced.current.size > 0) {
      throw fsError('ENOTEMPTY', 'directory not empty', what);
    }
    if (source.dir === target.dir) {
      dirChange(source.dir, { op: 'rename', from: source.name, to: target.name });
    } else {
      // Across directories: the new name first, so no prefix of the changes loses the node.
      dirChange(target.dir, { op: 'link', name: target.name, node });
      dirChange(source.dir, { op: 'unlink', name: source.name });
    }
    return this.settle(what, undefined);
  }

  async link(existing: string, name: string): Promise<void> {
    const what = `link '${existing}' -> '${name}'`;
    this.enter(what);
    const node = this.lookup(existing, what);
    if (node.kind === 'dir') throw fsError('EPERM', 'operation not permitted', what);
    const target = this.parent(name, what);
    if (target.dir.current.has(target.name)) throw fsError('EEXIST', 'file already exists', what);
    dirChange(target.dir, { op: 'link', name: target.name, node });
    return this.settle(what, undefined);
  }

  async rm(file: string, options: { recursive?: boolean } = {}): Promise<void> {
    const what = `rm '${file}'`;
    this.enter(what);
    const { dir, name } = this.parent(file, what, true);
    const node = dir?.current.get(name);
    if (dir === undefined || node === undefined) return this.settle(what, undefined);
    if (node.kind === 'dir') {
      if (options.recursive !== true) {
        throw fsError('EISDIR', 'is a directory', what);
      }
      // Children first, as `rm -r` does: a cut can leave a directory part emptied.
      const empty = (d: DirNode): void => {
        for (const [n, child] of [...d.current]) {
          if (child.kind === 'dir') empty(child);
          dirChange(d, { op: 'unlink', name: n });
        }
      };
      empty(node);
    }
    dirChange(dir, { op: 'unlink', name });
    return this.settle(what, undefined);
  }

  async realpath(file: string): Promise<string> {
    const what = `realpath '${file}'`;
    this.enter(what);
    this.lookup(file, what);
    return this.settle(what, `/${splitPath(file).join('/')}`);
  }

  async syncDir(dir: string): Promise<void> {
    const what = `fsync '${dir}'`;
    this.enter(what);
    const node = this.lookup(dir, what);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', 'not a directory', what);
    this.machine.noteSync('dir');
    return this.settle(what, undefined, startSync(node, copyEntries));
  }

  private enter(what: string): void {
    this.machine.enter(this.generation, what);
  }

  private settle<T>(what: string, value: T, complete?: () => void): Promise<T> {
    return this.machine.settle(this.generation, what, value, complete);
  }

  private createFile(dir: DirNode, name: string): FileNode {
    const node = newFile();
    this.machine.track(node);
    dirChange(dir, { op: 'link', name, node });
    return node;
  }

  private lookup(file: string, what: string): Node {
    let at: Node = this.machine.rootDir;
    for (const name of splitPath(file)) {
      if (at.kind !== 'dir') throw fsError('ENOTDIR', 'not a directory', what);
      const next: Node | undefined = at.current.get(name);
      if (next === undefined) throw fsError('ENOENT', 'no such file or directory', what);
      at = next;
    }
    return at;
  }

  private parent(file: string, what: string): { dir: DirNode; name: string };
  private parent(
    file: string,
    what: string,
    missingOk: true,
  ): { dir: DirNode | undefined; name: string };
  private parent(
    file: string,
    what: string,
    missingOk = false,
  ): { dir: DirNode | undefined; name: string } {
    const parts = splitPath(file);
    const name = parts.pop();
    if (name === undefined) throw fsError('EPERM', 'operation not permitted', what);
    let dir: DirNode | undefined;
    try {
      const node = this.lookup(`/${parts.join('/')}`, what);
      if (node.kind !== 'dir') throw fsError('ENOTDIR', 'not a directory', what);
      dir = node;
    } catch (err) {
      if (!missingOk) throw err;
    }
    return { dir, name };
  }
}

class PowerLossFile implements StorageFile {
  private closed = false;

  constructor(
    private readonly machine: PowerLossMachine,
    private readonly generation: number,
    private readonly node: FileNode,
    private readonly file: string,
    private readonly mode: OpenMode,
  ) {}

  async read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }> {
    const what = this.begin('read');
    const data = this.node.current;
    const n = Math.max(0, Math.min(length, data.length - position));
    if (n > 0) data.copy(buffer, offset, position, position + n);
    return this.machine.settle(this.generation, what, { bytesRead: n });
  }

  async stat(): Promise<{ size: number }> {
    const what = this.begin('fstat');
    return this.machine.settle(this.generation, what, { size: this.node.current.length });
  }

  async writev(buffers: Uint8Array[], position: number): Promise<{ bytesWritten: number }> {
    const what = this.begin('write');
    const bytesWritten = this.write(buffers, position, what);
    return this.machine.settle(this.generation, what, { bytesWritten });
  }

  writevSync(buffers: Uint8Array[], position: number): number {
    return this.write(buffers, position, this.begin('write'));
  }

  async truncate(length: number): Promise<void> {
    const what = this.begin('ftruncate');
    this.writable(what);
    change(this.node, { op: 'truncate', length });
    return this.machine.settle(this.generation, what, undefined);
  }

  async sync(): Promise<void> {
    const what = this.begin('fsync');
    this.machine.noteSync('file');
    return this.machine.settle(this.generation, what, undefined, startSync(this.node, copyBuffer));
  }

  async datasync(): Promise<void> {
    const what = this.begin('fdatasync');
    this.machine.noteSync('file');
    return this.machine.settle(this.generation, what, undefined, startSync(this.node, copyBuffer));
  }

  async close(): Promise<void> {
    const what = this.begin('close');
    this.closed = true;
    return this.machine.settle(this.generation, what, undefined);
  }

  private begin(op: string): string {
    const what = `${op} '${this.file}'`;
    this.machine.enter(this.generation, what);
    if (this.closed) throw fsError('EBADF', 'bad file descriptor', what);
    return what;
  }

  private writable(what: string): void {
    if (this.mode === 'read') throw fsError('EBADF', 'bad file descriptor', what);
  }

  private write(buffers: Uint8Array[], position: number, what: string): number {
    this.writable(what);
    const bytes = Buffer.concat(buffers);
    if (bytes.length > 0) change(this.node, { op: 'write', position, bytes });
    return bytes.length;
  }
}

function change(node: FileNode, c: FileChange): void {
  node.current = applyFileChange(node.current, c);
  node.pending.push({ seq: ++node.seq, change: c });
}

function dirChange(dir: DirNode, c: DirChange): void {
  // A fresh map: a sync in flight holds the entries as they were when it was called.
  const entries = new Map(dir.current);
  applyDirChange(entries, c);
  dir.current = entries;
  dir.pending.push({ seq: ++dir.seq, change: c });
}

function splitPath(file: string): string[] {
  return path
    .resolve(file)
    .split('/')
    .filter((p) => p.length > 0);
}
