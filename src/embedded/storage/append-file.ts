import { SharqError } from '../../errors/sharq-error.js';
import type { StorageFile } from './fs-layer.js';
import { writeAllAt } from './fs-util.js';
import {
  alignUp,
  FILL_BYTE,
  MAX_PREALLOCATION_BYTES,
  PREALLOCATION_ALIGN,
  preallocationChunk,
} from './preallocation.js';
import { closedError, ioError } from './storage-errors.js';

/**
 * An append-only file with group commit: every `append` queues its buffers; one flush at a time
 * takes everything queued, writes it with a single positional `pwritev` on the libuv pool, runs
 * `fdatasync` as the policy says, and then settles all of that flush's waiters. While a flush is
 * in flight new appends queue for the next one, so N concurrent appenders cost about one
 * write + one fdatasync per disk round trip instead of N of each.
 *
 * Policies:
 * - `always`: an append resolves only after an fdatasync that covers it.
 * - `interval`: resolves after the write; fdatasync runs at most every `fsyncIntervalMs`.
 * - `never`: resolves after the write; the OS flushes when it likes.
 * `seal()` and `close()` fdatasync under every policy, so a clean shutdown and a segment roll
 * always leave complete files (recovery relies on only the newest file having a torn tail).
 * `sync()` is a barrier: it resolves once everything appended before it is on disk.
 *
 * `writeInline` skips the pool for the write once the file is open: the appends of one
 * microtask checkpoint are written together with one synchronous `pwritev` on the calling
 * thread, right after the code that made them. Under `interval` and `never` they resolve then.
 * Under `always` they wait for an fdatasync begun after their write: one runs at a time on the
 * pool, and the appends written while it runs share the next one, so the writes never wait for
 * a sync and the syncs follow each other back to back. That is for files on
 * a hot path (the state journal, the partition logs): copying a few hundred bytes into the page
 * cache costs a microsecond or two, a round trip through the libuv pool tens of them, and a
 * written append survives the process being killed just the same. A 1000-job batch (120 KiB)
 * takes tens of microseconds, still less than the round trip.
 *
 * After a failed write or fdatasync the file refuses every later append. A failed write may have
 * reached the disk partially, and a failed fdatasync is worse: Linux marks the dirty pages clean
 * and forgets the error, so a retried fdatasync can "succeed" while data is gone. The only known
 * state is what a reopen rebuilds by scanning the file, so the owner must close and reopen.
 */

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface AppendFileOptions {
  /** Path shown in errors. */
  path: string;
  /**
   * The open file, or a promise of it. The first write waits for it, which lets a caller order
   * this file's creation after another file is sealed (a log segment roll).
   */
  handle: StorageFile | Promise<StorageFile>;
  /** Byte position the next append is written at: the size of the valid data. */
  position: number;
  fsync: FsyncPolicy;
  /** For `interval`: the longest a written byte waits for fdatasync. Default 100. */
  fsyncIntervalMs?: number;
  /**
   * Called after a flush is written (and synced under `always`) but before its waiters settle,
   * with the new durable end position. Owners use it to publish data that is now safe to read.
   */
  onFlush?: (end: number) => void;
  /** Write appends on the calling thread at once (see above). */
  writeInline?: boolean;
  /**
   * A background fdatasync (`interval`) failed. Nobody waits on it, so this is the only place
   * it shows before the next append is refused.
   */
  onSyncError?: (err: SharqError) => void;
  /**
   * Keep fill written and fdatasynced ahead of the appends (preallocation.ts), so that an
   * fdatasync after an append that lands in it commits no new size or blocks; seal and close
   * cut it off. Only with `writeInline`.
   */
  preallocate?: boolean;
  /** Size of the file now, when it is larger than `position` (fill written ahead earlier). */
  fileBytes?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class AppendFile {
  readonly path: string;
  readonly handle: Promise<StorageFile>;
  private readonly policy: FsyncPolicy;
  private readonly intervalMs: number;
  private readonly onFlush: ((end: number) => void) | undefined;
  private readonly onSyncError: ((err: SharqError) => void) | undefined;
  private readonly inline: boolean;
  private inlineFrames: Uint8Array[] = [];
  private inlineBytes = 0;
  private inlineWaiters: Waiter[] = [];
  private inlineScheduled = false;
  /** Under `always`: inline appends written, each waiting for an fdatasync begun after it. */
  private syncWaiters: Waiter[] = [];
  private inlineSyncing: Promise<void> | undefined;
  private syncChain: Promise<void> = Promise.resolve();
  private publishedEnd: number;
  /** The file once it has opened, for inline writes. */
  private file: StorageFile | undefined;
  private written: number;
  private queuedBytes = 0;
  private queue: Uint8Array[] = [];
  private waiters: Waiter[] = [];
  private flushing = false;
  private idle: Promise<void> = Promise.resolve();
  private failure: SharqError | undefined;
  private sealed: Promise<void> | undefined;
  private closed: Promise<void> | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private intervalSync: Promise<void> | undefined;
  private lastSyncAt = Date.now();
  private flushCount = 0;
  private syncCount = 0;
  private readonly preallocate: boolean;
  private sealing = false;
  /** The file's size: `written` plus the fill written ahead of it. */
  private allocated: number;

  constructor(options: AppendFileOptions) {
    this.path = options.path;
    this.handle = Promise.resolve(options.handle);
    // A failed open surfaces through the first flush; don't let it also be "unhandled".
    this.handle.catch(() => undefined);
    this.written = options.position;
    this.publishedEnd = options.position;
    this.policy = options.fsync;
    this.intervalMs = options.fsyncIntervalMs ?? 100;
    this.onFlush = options.onFlush;
    this.onSyncError = options.onSyncError;
    this.inline = options.writeInline === true;
    this.preallocate = this.inline && options.preallocate === true;
    this.allocated = Math.max(options.position, options.fileBytes ?? 0);
    if (this.inline) {
      this.handle.then(
        (h) => {
          this.file = h;
        },
        () => undefined,
      );
    }
  }

  /** End position including bytes queued but not yet written. */
  get end(): number {
    return this.written + this.queuedBytes + this.inlineBytes;
  }

  /** End of the bytes written (and, under `always`, synced unless written inline). */
  get writtenEnd(): number {
    return this.written;
  }

  /** The error that made this file refuse appends, if any. */
  get error(): SharqError | undefined {
    return this.failure;
  }

  get stats(): { flushes: number; syncs: number } {
    return { flushes: this.flushCount, syncs: this.syncCount };
  }

  /** Queues `frames` for the next flush; resolves when they are written/durable per policy. */
  append(frames: readonly Uint8Array[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.refusal());
    if (this.sealed !== undefined) return Promise.reject(closedError(`Append file ${this.path}`));
    if (frames.length === 0) return Promise.resolve();
    // Inline once open, unless a pool flush (of appends made before the open, or of a large
    // one) is still running. A large append goes to the pool: a synchronous write of a
    // megabyte would hold the event loop, and the kernel may make it wait for writeback.
    if (this.file !== undefined && !this.flushing && bytesOf(frames) <= MAX_INLINE_BYTES) {
      return new Promise<void>((resolve, reject) => {
        for (const f of frames) {
          this.inlineFrames.push(f);
          this.inlineBytes += f.length;
        }
        this.inlineWaiters.push({ resolve, reject });
        if (!this.inlineScheduled) {
          this.inlineScheduled = true;
          queueMicrotask(() => this.writeInlineQueue());
        }
      });
    }
    return new Promise<void>((resolve, reject) => {
      for (const f of frames) {
        this.queue.push(f);
        this.queuedBytes += f.length;
      }
      this.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /**
   * Resolves once every append made before the call is written and fdatasynced, whatever the
   * policy: a barrier for an owner about to do something a lost append must not see (deleting
   * data the appends say is done with).
   */
  async sync(): Promise<void> {
    // Sealing syncs everything, and after it nothing more can be appended.
    if (this.sealed !== undefined) return this.sealed;
    this.writeInlineQueue();
    await this.idle;
    if (this.failure !== undefined) throw this.refusal();
    const handle = await this.handle.catch((err: unknown) => {
      throw SharqError.is(err) ? err : ioError('open', this.path, err);
    });
    await this.datasync(handle);
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Writes everything queued, fdatasyncs (whatever the policy) and refuses further appends.
   * The handle stays open for reads. Rejects if any write or sync of this file failed.
   */
  seal(): Promise<void> {
    this.sealing = true;
    this.writeInlineQueue();
    this.sealed ??= (async () => {
      await this.idle;
      await this.inlineSyncing;
      this.clearSyncTimer();
      await this.intervalSync;
      if (this.failure !== undefined) throw this.failure;
      const handle = await this.handle.catch((err: unknown) => {
        throw SharqError.is(err) ? err : ioError('open', this.path, err);
      });
      await this.syncChain;
      if (this.allocated > this.written) {
        // The fill written ahead goes: a sealed file ends with its data.
        try {
          await handle.truncate(this.written);
          this.allocated = this.written;
        } catch (err) {
          this.fail(ioError('truncate', this.path, err));
          throw this.failure;
        }
      }
      await this.datasync(handle);
      if (this.failure !== undefined) throw this.failure;
    })();
    return this.sealed;
  }

  /** Seals, then closes the handle. Idempotent; rejects with the failure, if any, each time. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      let sealError: unknown;
      await this.seal().catch((err: unknown) => {
        sealError = err;
      });
      const handle = await this.handle.catch(() => undefined);
      await handle?.close().catch(() => undefined);
      if (sealError !== undefined) throw sealError;
    })();
    return this.closed;
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = true;
    // setImmediate, not a microtask: appenders woken by the previous flush re-append from
    // promise continuations several microtask hops deep, and all of them should make this flush.
    this.idle = new Promise<void>((done) => {
      setImmediate(() => {
        void this.flushLoop().finally(done);
      });
    });
  }

  private async flushLoop(): Promise<void> {
    let handle: StorageFile;
    try {
      handle = await this.handle;
    } catch (err) {
      this.fail(SharqError.is(err) ? err : ioError('open', this.path, err));
      this.flushing = false;
      return;
    }
    while (this.queue.length > 0 && this.failure === undefined) {
      const buffers = this.queue;
      const waiters = this.waiters;
      const bytes = this.queuedBytes;
      this.queue = [];
      this.waiters = [];
      this.queuedBytes = 0;
      try {
        await writeAllAt(handle, buffers, this.written);
      } catch (err) {
        this.fail(ioError('write', this.path, err), waiters);
        break;
      }
      this.written += bytes;
      this.flushCount++;
      if (this.policy === 'always') {
        await this.datasync(handle);
        if (this.failure !== undefined) {
          this.rejectAll(waiters, this.failure);
          break;
        }
      } else if (this.policy === 'interval') {
        this.scheduleIntervalSync();
      }
      try {
        this.publish(this.written);
      } catch (err) {
        this.fail(publishError(this.path, err), waiters);
        break;
      }
      for (const w of waiters) w.resolve();
    }
    this.flushing = false;
  }

  /** Writes the queued inline appends with synchronous positional writes and settles them. */
  private writeInlineQueue(): void {
    this.inlineScheduled = false;
    const waiters = this.inlineWaiters;
    if (waiters.length === 0) return;
    let pending = this.inlineFrames;
    let left = this.inlineBytes;
    this.inlineFrames = [];
    this.inlineWaiters = [];
    this.inlineBytes = 0;
    if (this.failure !== undefined) {
      this.rejectAll(waiters, this.refusal());
      return;
    }
    const file = this.file!;
    const from = this.written;
    let at = this.written;
    pending = pending.filter((f) => f.length > 0);
    try {
      while (left > 0) {
        const n = file.writevSync(pending, at);
        if (n <= 0) throw new Error(`writev wrote ${n} bytes`);
        at += n;
        left -= n;
        if (left > 0) pending = dropFront(pending, n);
      }
    } catch (err) {
      this.fail(ioError('write', this.path, err), waiters);
      return;
    }
    this.written = at;
    this.flushCount++;
    if (this.preallocate) {
      this.writeAhead(file, at - from);
      if (this.failure !== undefined) {
        this.rejectAll(waiters, this.failure);
        return;
      }
    }
    if (this.policy === 'always') {
      for (const w of waiters) this.syncWaiters.push(w);
      this.inlineSyncing ??= this.syncInlineWrites(file);
      return;
    }
    if (this.policy === 'interval') this.scheduleIntervalSync();
    try {
      this.publish(this.written);
    } catch (err) {
      this.fail(publishError(this.path, err), waiters);
      return;
    }
    for (const w of waiters) w.resolve();
  }

  /**
   * Writes fill from the end of the file (or of the data, past it) to the next aligned size a
   * chunk ahead, on the calling thread (so no write of data can run beside it; at most 320 KiB,
   * about what an inline append may be), and fdatasyncs it next in line: the appends
   * that land there later change neither size nor blocks. Only the inline path calls it, right
   * after its own write of `appended` bytes. A pool flush writes at `written` while `flushing`,
   * so the fill waits for the next inline write then; a file being sealed gets none (seal cuts
   * it off). Nothing is written while half a chunk is still ahead, nor after a large append:
   * its fdatasync is mostly its own data, and fill would double what reaches the disk for little.
   */
  private writeAhead(file: StorageFile, appended: number): void {
    if (this.flushing || this.sealing || appended > PREALLOCATE_UP_TO) return;
    if (this.allocated - this.written >= preallocationChunk(this.written) / 2) return;
    const from = Math.max(this.allocated, this.written);
    const to = alignUp(this.written + preallocationChunk(this.written));
    if (to <= from) return;
    try {
      let at = from;
      while (at < to) {
        const n = Math.min(FILL.length, to - at);
        const wrote = file.writevSync([FILL.subarray(0, n)], at);
        if (wrote <= 0) throw new Error(`writev wrote ${wrote} bytes`);
        at += wrote;
      }
    } catch (err) {
      this.fail(ioError('preallocate', this.path, err));
      return;
    }
    this.allocated = to;
    void this.datasync(file);
  }

  /**
   * Under `always`: fdatasyncs until no inline append waits, each sync covering everything
   * written before it began; then publishes that end and settles its waiters.
   */
  private async syncInlineWrites(file: StorageFile): Promise<void> {
    try {
      while (this.syncWaiters.length > 0 && this.failure === undefined) {
        const end = this.written;
        const waiters = this.syncWaiters;
        this.syncWaiters = [];
        await this.datasync(file);
        if (this.failure !== undefined) {
          this.rejectAll(waiters, this.failure);
          break;
        }
        try {
          this.publish(end);
        } catch (err) {
          this.fail(publishError(this.path, err), waiters);
          break;
        }
        for (const w of waiters) w.resolve();
      }
    } finally {
      this.inlineSyncing = undefined;
    }
  }

  /**
   * fdatasync, one at a time per file: the flush loop, the inline loop, the interval timer,
   * `sync()` and `seal()` take turns. Two concurrent fdatasyncs of one file may split a
   * writeback error between them (Linux reports it to one caller only), and the other would
   * confirm data that is gone.
   */
  private datasync(handle: StorageFile): Promise<void> {
    const run = this.syncChain.then(() => this.datasyncNow(handle));
    this.syncChain = run;
    return run;
  }

  private async datasyncNow(handle: StorageFile): Promise<void> {
    try {
      await handle.datasync();
      this.syncCount++;
      this.lastSyncAt = Date.now();
    } catch (err) {
      this.fail(ioError('fdatasync', this.path, err));
    }
  }

  /** Tells the owner the durable end moved; never backwards (pool and inline flushes mix). */
  private publish(end: number): void {
    if (end <= this.publishedEnd) return;
    this.publishedEnd = end;
    this.onFlush?.(end);
  }

  private scheduleIntervalSync(): void {
    if (this.syncTimer !== undefined) return;
    const delay = Math.max(0, this.lastSyncAt + this.intervalMs - Date.now());
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.intervalSync = this.handle
        .then(async (h) => {
          const before = this.failure;
          await this.datasync(h);
          if (before === undefined && this.failure !== undefined) this.onSyncError?.(this.failure);
        })
        .catch(() => undefined);
    }, delay);
    // A pending background sync must not keep the process alive; close() syncs anyway.
    this.syncTimer.unref();
  }

  private clearSyncTimer(): void {
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
  }

  /** Records the first failure and rejects the given waiters plus everything still queued. */
  private fail(error: SharqError, waiters: Waiter[] = []): void {
    this.failure ??= error;
    this.clearSyncTimer();
    this.rejectAll(waiters, error);
    const queued = [...this.waiters, ...this.inlineWaiters, ...this.syncWaiters];
    this.syncWaiters = [];
    this.queue = [];
    this.waiters = [];
    this.queuedBytes = 0;
    this.inlineFrames = [];
    this.inlineWaiters = [];
    this.inlineBytes = 0;
    this.rejectAll(queued, this.refusal());
  }

  private rejectAll(waiters: readonly Waiter[], error: Error): void {
    for (const w of waiters) w.reject(error);
  }

  private refusal(): SharqError {
    return new SharqError(
      'SHARQ_ERR_IO',
      `${this.path} refuses appends after an earlier I/O failure; reopen to recover`,
      { cause: this.failure, details: { file: this.path } },
    );
  }
}

/** Appends larger than this leave no fill behind them (writeAhead). */
const PREALLOCATE_UP_TO = 32 * 1024;

/** What `writeAhead` writes, a slice at a time. */
const FILL = new Uint8Array(MAX_PREALLOCATION_BYTES + PREALLOCATION_ALIGN).fill(FILL_BYTE);

/** Appends larger than this are written on the libuv pool even when `writeInline` is set. */
const MAX_INLINE_BYTES = 256 * 1024;

function bytesOf(frames: readonly Uint8Array[]): number {
  let n = 0;
  for (const f of frames) n += f.length;
  return n;
}

/** The owner's onFlush threw: the file can no longer say what it published. */
function publishError(path: string, err: unknown): SharqError {
  return new SharqError(
    'SHARQ_ERR_INTERNAL',
    `Publishing the appends of ${path} failed: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, details: { file: path } },
  );
}

/** `buffers` without their first `bytes` bytes (after a short write). */
function dropFront(buffers: readonly Uint8Array[], bytes: number): Uint8Array[] {
  let skip = bytes;
  let i = 0;
  while (i < buffers.length && skip >= buffers[i]!.length) skip -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (skip > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(skip);
  return rest;
}
