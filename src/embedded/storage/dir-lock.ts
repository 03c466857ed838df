import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { mkdirDurable } from './fs-util.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * One process owns a data directory: two writers appending to the same segments would
 * interleave frames and corrupt the log. Ownership is a `LOCK` file holding the owner's pid and
 * host; a LOCK whose pid is dead on this host is stale (the owner crashed) and is taken over.
 *
 * The LOCK is created with `link(tmp, LOCK)`, which is atomic and fails when LOCK exists, so a
 * reader never sees a half-written LOCK of a live owner. Taking over a stale LOCK renames a temp
 * file over it and re-reads it to confirm; two processes taking over the very same stale LOCK
 * at the same instant is the one race this cannot fully close without OS file locks, which Node
 * does not expose. The re-read makes the loser see the winner and fail.
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

export async function acquireDirLock(dir: string): Promise<DirLock> {
  let real: string;
  await mkdirDurable(dir);
  try {
    real = await fsp.realpath(dir);
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
    await claim(file, me);
    return new HeldLock(real, file, me.token);
  } catch (err) {
    held.delete(real);
    throw err;
  }
}

class HeldLock implements DirLock {
  private released: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    private readonly file: string,
    private readonly token: string,
  ) {}

  release(): Promise<void> {
    this.released ??= (async () => {
      held.delete(this.dir);
      const owner = await readOwner(this.file);
      // Someone took the directory over (only possible if they judged us dead): leave theirs.
      if (owner === 'missing' || owner?.token !== this.token) return;
      await fsp.rm(this.file, { force: true }).catch((err: unknown) => {
        throw ioError('remove lock', this.file, err);
      });
    })();
    return this.released;
  }
}

async function claim(file: string, me: LockOwner): Promise<void> {
  const tmp = `${file}.${me.token}.tmp`;
  try {
    await fsp.writeFile(tmp, JSON.stringify(me), { flag: 'wx', flush: true });
    // A few rounds cover a LOCK that vanishes or changes hands while we look at it.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await fsp.link(tmp, file);
        return;
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      const owner = await readOwner(file);
      if (owner === 'missing') continue;
      if (owner !== undefined && (await isAlive(owner))) {
        throw lockedError(path.dirname(file), file, owner);
      }
      await fsp.rename(tmp, file);
      const now = await readOwner(file);
      if (now !== 'missing' && now?.token === me.token) return;
      await fsp.writeFile(tmp, JSON.stringify(me), { flag: 'wx', flush: true });
    }
    throw lockedError(path.dirname(file), file, undefined);
  } catch (err) {
    throw SharqError.is(err) ? err : ioError('lock data directory', path.dirname(file), err);
  } finally {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** The LOCK's owner; `undefined` when unparsable (stale by definition), 'missing' when absent. */
async function readOwner(file: string): Promise<LockOwner | undefined | 'missing'> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw ioError('read lock', file, err);
  }
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
