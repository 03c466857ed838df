import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { AppendFile, type FsyncPolicy } from './append-file.js';
import { DecodeError } from './byte-codec.js';
import { encodeFrame, FRAME_HEADER_BYTES, scanFrames, writeFrameHeader } from './framed-file.js';
import { nodeFs, type StorageFile, type StorageFs } from './fs-layer.js';
import { fsyncDir, mkdirDurable, writeFileAtomic } from './fs-util.js';
import {
  decodeEntries,
  decodeSnapshot,
  encodeEntries,
  encodeSnapshot,
  type GroupSnapshot,
  isWellFormedEntries,
  type JournalEntry,
} from './journal-codec.js';
import { closedError, corruptError, errnoCode, ioError } from './storage-errors.js';

export type { ChangeState, GroupSnapshot, JournalEntry, StateChange } from './journal-codec.js';

/**
 * Durable share-group state: a snapshot plus journals of the changes after it.
 *
 * Files, for a base path `<file>`:
 *   <file>.snapshot      one frame: the state as of the start of generation G (G is inside)
 *   <file>.<n>           journal of generation n: frames of entries, appended with group commit
 *   <file>.snapshot.tmp  a snapshot being written; never read, removed on open
 *
 * Recovery loads the snapshot (generation G, or 0 without one), deletes journals below G (a
 * crash after the snapshot rename but before their deletion leaves them; their entries are
 * already in the snapshot, so replaying them would double-apply), and replays journals >= G in
 * order. Compaction keeps that rule true at every step:
 *   1. seal journal G (flush + fdatasync); later appends already queue for journal G+1
 *   2. create journal G+1 and fsync the directory
 *   3. write the snapshot (generation G+1) to .tmp, fsync, rename over .snapshot, fsync dir
 *   4. delete journals <= G
 * A crash before 3 completes leaves the old snapshot, which replays G and G+1 (nothing lost);
 * after 3 the new snapshot skips G (nothing applied twice). Only the newest non-empty journal
 * can have a torn tail, since G is sealed before G+1 gets data.
 */

export interface StateJournalOptions {
  /**
   * `always`: an append resolves once fdatasynced. `interval` and `never`: once written to the
   * OS (synchronously, on the calling thread: appends are small), which a killed process cannot
   * undo; `interval` fdatasyncs within `fsyncIntervalMs`. Default `always`.
   */
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** A background fdatasync failed (`interval`); the next append will be refused too. */
  onSyncError?: (err: SharqError) => void;
  /** The file system (internal: tests pass a simulated one). Default: the real one. */
  fs?: StorageFs;
}

export interface OpenedJournal {
  journal: StateJournal;
  /** The latest snapshot, if one was ever written. Apply it first. */
  snapshot: GroupSnapshot | undefined;
  /** Entries appended after that snapshot, in order. Apply them after it. */
  entries: JournalEntry[];
}

/** Guards against garbage lengths; a journal body is one append call's entries. */
export const MAX_JOURNAL_FRAME_BYTES = 256 * 1024 * 1024;

export class StateJournal {
  private writer: AppendFile;
  private generation: number;
  /** Journal generations on disk that the next successful compaction may delete. */
  private obsolete: number[] = [];
  private compacting: Promise<void> = Promise.resolve();
  /** The seal of the generation the latest compaction closed: `sync()` waits for it too. */
  private lastSeal: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    readonly file: string,
    private readonly policy: {
      fsync: FsyncPolicy;
      fsyncIntervalMs: number;
      onSyncError: ((err: SharqError) => void) | undefined;
    },
    private readonly fs: StorageFs,
    generation: number,
    handle: StorageFile,
    position: number,
  ) {
    this.generation = generation;
    this.writer = this.newWriter(generation, handle, position);
  }

  static async open(file: string, options: StateJournalOptions = {}): Promise<OpenedJournal> {
    const policy = {
      fsync: options.fsync ?? 'always',
      fsyncIntervalMs: options.fsyncIntervalMs ?? 100,
      onSyncError: options.onSyncError,
    };
    const fs = options.fs ?? nodeFs;
    const dir = path.dirname(file);
    await mkdirDurable(fs, dir);
    try {
      await fs.rm(`${file}.snapshot.tmp`);
    } catch (err) {
      throw ioError('remove stale snapshot temp', dir, err);
    }
    const loaded = await readSnapshot(`${file}.snapshot`, fs);
    const first = loaded?.generation ?? 0;
    const generations = await listGenerations(file, fs);
    for (const g of generations.filter((n) => n < first)) {
      await fs.rm(journalPath(file, g)).catch((err: unknown) => {
        throw ioError('delete obsolete journal', journalPath(file, g), err);
      });
    }
    const live = generations.filter((n) => n >= first);
    const entries: JournalEntry[] = [];
    let handle: StorageFile | undefined;
    let position = 0;
    for (const [i, g] of live.entries()) {
      const isLast = i === live.length - 1;
      const scanned = await replayJournal(fs, journalPath(file, g), isLast, entries);
      if (isLast) ({ handle, position } = scanned);
    }
    const generation = live[live.length - 1] ?? first;
    handle ??= await createJournalFile(fs, journalPath(file, generation));
    return {
      journal: new StateJournal(file, policy, fs, generation, handle, position),
      snapshot: loaded?.snapshot,
      entries,
    };
  }

  /** Bytes in the current journal generation (including queued appends); drives compaction. */
  get sizeBytes(): number {
    return this.writer.end;
  }

  /**
   * Appends entries as one atomic frame; resolves when durable per the fsync policy (under
   * `interval` and `never`: once written to the OS).
   */
  append(entries: readonly JournalEntry[]): Promise<void> {
    if (this.closing !== undefined)
      return Promise.reject(closedError(`State journal ${this.file}`));
    if (entries.length === 0) return Promise.resolve();
    try {
      const frame = encodeEntries(entries, FRAME_HEADER_BYTES);
      writeFrameHeader(frame, 0, frame.length - FRAME_HEADER_BYTES);
      return this.writer.append([frame]);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Writes and fdatasyncs of the current generation's file. */
  get stats(): { flushes: number; syncs: number } {
    return this.writer.stats;
  }

  /** Resolves once every entry appended before the call is fdatasynced, whatever the policy. */
  async sync(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    const seal = this.lastSeal;
    await this.writer.sync();
    await seal;
  }

  /**
   * Replaces the journal with `snapshot`, which must reflect every entry appended before this
   * call. Entries appended while it runs go to the next generation and replay after it.
   */
  compact(snapshot: GroupSnapshot): Promise<void> {
    if (this.closing !== undefined)
      return Promise.reject(closedError(`State journal ${this.file}`));
    let body: Buffer;
    try {
      body = encodeFrame(encodeSnapshot(this.generation + 1, snapshot));
    } catch (err) {
      return Promise.reject(err);
    }
    const old = this.writer;
    const oldGeneration = this.generation;
    const next = oldGeneration + 1;
    const nextPath = journalPath(this.file, next);
    const sealed = old.seal();
    this.lastSeal = sealed.catch((err: unknown) => {
      throw SharqError.is(err)
        ? err
        : ioError('seal journal', journalPath(this.file, oldGeneration), err);
    });
    this.lastSeal.catch(() => undefined);
    this.generation = next;
    const writer = this.newWriter(
      next,
      sealed.then(() => createJournalFile(this.fs, nextPath)),
      0,
    );
    this.writer = writer;
    const run = this.compacting.then(async () => {
      await sealed;
      await writer.handle;
      await writeFileAtomic(this.fs, `${this.file}.snapshot`, body, `${this.file}.snapshot.tmp`);
      this.obsolete.push(oldGeneration);
      const doomed = this.obsolete;
      this.obsolete = [];
      await old.close().catch(() => undefined);
      for (const g of doomed) await this.fs.rm(journalPath(this.file, g));
    });
    // A failed compaction leaves the old snapshot and every journal in place; a later one retries.
    this.compacting = run.catch(() => {
      this.obsolete.push(oldGeneration);
    });
    return run.catch((err: unknown) => {
      throw SharqError.is(err) ? err : ioError('compact journal', this.file, err);
    });
  }

  /** Waits for a running compaction, flushes pending appends and closes. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.compacting;
      await this.writer.close();
    })();
    return this.closing;
  }

  private newWriter(
    generation: number,
    handle: StorageFile | Promise<StorageFile>,
    position: number,
  ): AppendFile {
    return new AppendFile({
      path: journalPath(this.file, generation),
      handle,
      position,
      fsync: this.policy.fsync,
      fsyncIntervalMs: this.policy.fsyncIntervalMs,
      writeInline: true,
      ...(this.policy.onSyncError === undefined ? {} : { onSyncError: this.policy.onSyncError }),
    });
  }
}

export function journalPath(file: string, generation: number): string {
  return `${file}.${generation}`;
}

export async function listGenerations(file: string, fs: StorageFs = nodeFs): Promise<number[]> {
  const prefix = `${path.basename(file)}.`;
  let names: string[];
  try {
    names = await fs.readdir(path.dirname(file));
  } catch (err) {
    throw ioError('list journals', path.dirname(file), err);
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length)))
    .map((n) => Number(n.slice(prefix.length)))
    .sort((a, b) => a - b);
}

async function createJournalFile(fs: StorageFs, file: string): Promise<StorageFile> {
  let handle: StorageFile;
  try {
    handle = await fs.open(file, 'append');
  } catch (err) {
    throw ioError('create journal', file, err);
  }
  try {
    await fsyncDir(fs, path.dirname(file));
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return handle;
}

/** Scans one journal into `out`. The last one stays open (torn tail cut) for appending. */
async function replayJournal(
  fs: StorageFs,
  file: string,
  isLastFile: boolean,
  out: JournalEntry[],
): Promise<{ handle: StorageFile; position: number }> {
  let handle: StorageFile;
  try {
    handle = await fs.open(file, 'append');
  } catch (err) {
    throw ioError('open journal', file, err);
  }
  try {
    const scan = await scanFrames(handle, {
      file,
      isLastFile,
      maxBodyBytes: MAX_JOURNAL_FRAME_BYTES,
      validate: isWellFormedEntries,
      damagedTail: 'report',
      onFrame: (body) => {
        for (const entry of decodeEntries(body)) out.push(entry);
      },
    });
    if (scan.tail?.kind === 'damaged') {
      throw corruptError(
        file,
        scan.tail.position,
        `the last entry is whole but fails its check (${scan.tail.reason}), so it is not a torn write: it may hold state changes that were confirmed (acknowledgements, delivery counts). Cutting it would drop ${scan.droppedBytes} bytes`,
        { damagedTail: true, droppedBytes: scan.droppedBytes, mayHaveBeenConfirmed: true },
      );
    }
    if (scan.droppedBytes > 0) {
      await handle.truncate(scan.validEnd);
      await handle.datasync();
    }
    if (!isLastFile) await handle.close();
    return { handle, position: scan.validEnd };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw SharqError.is(err) ? err : ioError('recover journal', file, err);
  }
}

/** The snapshot is written by rename, so it is whole or absent: any damage is corruption. */
export async function readSnapshot(
  file: string,
  fs: StorageFs = nodeFs,
): Promise<{ generation: number; snapshot: GroupSnapshot } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw ioError('read snapshot', file, err);
  }
  let body: Buffer | undefined;
  await scanFrames(bytes, {
    file,
    isLastFile: false,
    maxBodyBytes: bytes.length,
    onFrame: (b, position) => {
      if (body !== undefined) {
        throw corruptError(file, position, 'snapshot holds more than one frame');
      }
      body = Buffer.from(b);
    },
  });
  if (body === undefined) throw corruptError(file, 0, 'snapshot file is empty');
  try {
    return decodeSnapshot(body);
  } catch (err) {
    if (err instanceof DecodeError) {
      throw corruptError(file, 8, `malformed snapshot: ${err.message}`);
    }
    throw err;
  }
}
