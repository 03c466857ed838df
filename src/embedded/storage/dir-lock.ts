import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { nodeFs, type StorageFs } from './fs-layer.js';
import { mkdirDurable } from './fs-util.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * One process owns a data directory: two writers appending to the same segments would
 * interleave frames and corrupt the log. Ownership is a `LOCK` file holding the owner's pid,
 * host and a random token per acquisition; a LOCK whose pid is dead on this host is stale (the
 * owner crashed) and is taken over.
 *
 * Node exposes no flock(2) or fcntl(2) locks, so everything rests on the one atomic primitive
 * every local file system has: exclusive creation. `link(tmp, name)` (like `open(O_EXCL)`, but
 * the file is complete before it has the name) succeeds for exactly one of any number of
 * processes racing for the same name, and fails with EEXIST for the rest.
 *
 * - Free directory: `link(tmp, LOCK)`. A reader never sees a half-written LOCK.
 * - Stale LOCK: it cannot simply be removed and re-created. Two processes that both saw the dead
 *   owner would each remove "the" LOCK, and the second would remove the first one's new LOCK;
 *   both would then hold the directory. Renaming over it and reading back (what this file did
 *   before) has the same hole: both renames succeed, and each reads its own bytes if it reads
 *   quickly enough. POSIX has no "replace only if unchanged". So the right to replace one
 *   particular LOCK is itself a name created exclusively:
 *
 *     LOCK.takeover-<id>    id = sha256 of the stale LOCK's bytes; holds the claimant's identity
 *
 *   The process whose link creates it is the only one that may rename over that LOCK. It reads
 *   LOCK again first and gives up if the bytes changed. Nobody else can change them meanwhile:
 *   a LOCK that exists only ever changes by such a rename, and the claim is exclusive.
 * - A claimant that is alive means a takeover is under way: SHARQ_ERR_DATA_DIR_LOCKED. A dead
 *   claimant (crashed mid-takeover) is taken over the same way, one level down: its claim file
 *   holds exactly the bytes it would have put in LOCK, so `LOCK.takeover-<id of its claim>` is
 *   also the claim on the LOCK it may have installed before dying. Whoever holds the last claim
 *   of such a chain may replace LOCK while LOCK still holds any of the chain's contents.
 * - Claims are about contents that never come back (every acquisition has a new token), so a
 *   leftover claim is harmless: acting on it needs LOCK to still hold what it was made for.
 *   The new owner deletes the claims it finds once its LOCK is in place.
 *
 * The one assumption: liveness is judged from pid (and on Linux the process start time) on one
 * host. A LOCK or claim from another host counts as live, so a data directory on a shared
 * (network) file system is never taken over automatically; the error says how to clear it.
 */

export interface DirLock {
  /** Absolute, symlink-resolved path of the locked directory. */
  readonly dir: string;
  /** Removes the LOCK if it is still ours. Idempotent. */
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  hostname: string;
  startedAt: string;
  /** Random per acquisition: tells our LOCK from one a reused pid wrote. */
  token: string;
  /** Linux only: the process start time from /proc, to detect a recycled pid. */
  procStart?: string;
}

/** Directories this process holds; the file alone cannot tell our own pid apart from a reuse. */
const held = new Set<string>();

export async function acquireDirLock(dir: string, fs: StorageFs = nodeFs): Promise<DirLock> {
  let real: string;
  await mkdirDurable(fs, dir);
  try {
    real = await fs.realpath(dir);
  } catch (err) {
    throw ioError('resolve data directory', dir, err);
  }
  const file = path.join(real, 'LOCK');
  // Checked and claimed with no await in between, so concurrent calls in this process can't both pass.
  if (held.has(real)) throw lockedError(real, file, { pid: process.pid, hostname: os.hostname() });
  held.add(real);
  try {
    const me: LockOwner = {
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: new Date().toISOString(),
      token: randomBytes(12).toString('hex'),
    };
    const procStart = await processStartTime(process.pid);
    if (procStart !== undefined) me.procStart = procStart;
    await claim(fs, file, me);
    return new HeldLock(fs, real, file, me.token);
  } catch (err) {
    held.delete(real);
    throw err;
  }
}

class HeldLock implements DirLock {
  private released: Promise<void> | undefined;

  constructor(
    private readonly fs: StorageFs,
    readonly dir: string,
    private readonly file: string,
    private readonly token: string,
  ) {}

  release(): Promise<void> {
    this.released ??= (async () => {
      held.delete(this.dir);
      const owner = await readOwner(this.fs, this.file);
      // Someone took the directory over (only possible if they judged us dead): leave theirs.
      if (owner === 'missing' || owner?.token !== this.token) return;
      await this.fs.rm(this.file).catch((err: unknown) => {
        throw ioError('remove lock', this.file, err);
      });
    })();
    return this.released;
  }
}

/** How often a LOCK that vanishes or changes hands while we look at it is tried again. */
const ATTEMPTS = 8;
/** Longest chain of crashed claimants followed before giving up as "another process". */
const MAX_CHAIN = 8;

async function claim(fs: StorageFs, file: string, me: LockOwner): Promise<void> {
  const dir = path.dirname(file);
  const tmp = `${file}.${me.token}.tmp`;
  try {
    await fs.writeFileExclusive(tmp, Buffer.from(JSON.stringify(me)));
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await linkExclusive(fs, tmp, file)) return;
      const current = await readLockFile(fs, file);
      if (current === 'missing') continue;
      if (current.owner !== undefined && (await isAlive(current.owner))) {
        throw lockedError(dir, file, current.owner);
      }
      if (await takeOver(fs, file, tmp, current)) return;
    }
    throw lockedError(dir, file, undefined);
  } catch (err) {
    throw SharqError.is(err) ? err : ioError('lock data directory', dir, err);
  } finally {
    await fs.rm(tmp).catch(() => undefined);
  }
}

/**
 * Replaces the dead owner's `stale` LOCK with ours (the bytes in `tmp`), if this process wins
 * the exclusive claim on it (see the top of the file). False: LOCK changed meanwhile, look again.
 * Throws SHARQ_ERR_DATA_DIR_LOCKED when a live process is taking it over.
 */
async function takeOver(
  fs: StorageFs,
  file: string,
  tmp: string,
  stale: LockFile,
): Promise<boolean> {
  const dir = path.dirname(file);
  const chain = [contentId(stale.bytes)];
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    const claimFile = takeoverPath(file, chain[chain.length - 1]!);
    if (await linkExclusive(fs, tmp, claimFile)) {
      const now = await readLockFile(fs, file);
      if (now === 'missing' || !chain.includes(contentId(now.bytes))) {
        // Someone else's LOCK now, or none: our claim is about contents that are gone.
        await fs.rm(claimFile);
        return false;
      }
      await fs.rename(tmp, file);
      await removeClaims(fs, file);
      return true;
    }
    const claimant = await readLockFile(fs, claimFile);
    if (claimant === 'missing') return false;
    if (claimant.owner !== undefined && (await isAlive(claimant.owner))) {
      throw lockedError(dir, file, claimant.owner);
    }
    chain.push(contentId(claimant.bytes));
  }
  return false;
}

/** Deletes every takeover claim: run by the owner once its LOCK is in place. */
async function removeClaims(fs: StorageFs, file: string): Promise<void> {
  const prefix = `${path.basename(file)}.takeover-`;
  const names = await fs.readdir(path.dirname(file));
  for (const name of names) {
    if (name.startsWith(prefix)) {
      await fs.rm(path.join(path.dirname(file), name));
    }
  }
}

function takeoverPath(file: string, id: string): string {
  return `${file}.takeover-${id}`;
}

/** Names one acquisition: its LOCK bytes carry a random token, so equal ids mean the same LOCK. */
function contentId(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}

/** `link(2)`: true if we created `name`, false if it already existed. */
async function linkExclusive(fs: StorageFs, existing: string, name: string): Promise<boolean> {
  try {
    await fs.link(existing, name);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
}

interface LockFile {
  bytes: Buffer;
  /** `undefined` when unparsable: stale by definition (sharq never writes a partial LOCK). */
  owner: LockOwner | undefined;
}

/** A LOCK or claim file and its owner; 'missing' when absent. */
async function readLockFile(fs: StorageFs, file: string): Promise<LockFile | 'missing'> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw ioError('read lock', file, err);
  }
  return { bytes, owner: parseOwner(bytes.toString('utf8')) };
}

async function readOwner(fs: StorageFs, file: string): Promise<LockOwner | undefined | 'missing'> {
  const read = await readLockFile(fs, file);
  return read === 'missing' ? read : read.owner;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== 'object' || v === null) return undefined;
    const o = v as Record<string, unknown>;
    const { pid, hostname, startedAt, token, procStart } = o;
    if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
    if (typeof hostname !== 'string' || typeof token !== 'string') return undefined;
    const owner: LockOwner = { pid, hostname, token, startedAt: String(startedAt) };
    if (typeof procStart === 'string') owner.procStart = procStart;
    return owner;
  } catch {
    return undefined;
  }
}

/**
 * Whether the LOCK's owner may still be running. A LOCK from another host cannot be checked, so
 * it counts as live: a shared (network) data directory must never get two writers; the error
 * tells the operator to remove the LOCK if that host is gone. Our own pid is stale here
 * (`held` was checked first): a container restart often gives the new process the same pid.
 */
async function isAlive(owner: LockOwner): Promise<boolean> {
  if (owner.hostname !== os.hostname()) return true;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
    // EPERM: the process exists under another user.
  }
  if (owner.procStart === undefined) return true;
  const start = await processStartTime(owner.pid);
  return start === undefined || start === owner.procStart;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); undefined off Linux. */
async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = await fsp.readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function lockedError(
  dir: string,
  file: string,
  owner: Pick<LockOwner, 'pid' | 'hostname'> | undefined,
): SharqError {
  const who =
    owner === undefined
      ? 'another process'
      : owner.pid === process.pid && owner.hostname === os.hostname()
        ? `this process (pid ${owner.pid})`
        : `pid ${owner.pid} on host ${owner.hostname}`;
  return new SharqError(
    'SHARQ_ERR_DATA_DIR_LOCKED',
    `Data directory ${dir} is locked by ${who}. Stop that process or use another dataDir; if it is no longer running, delete ${file}.`,
    { details: { dir, lockFile: file, ownerPid: owner?.pid, ownerHostname: owner?.hostname } },
  );
}
