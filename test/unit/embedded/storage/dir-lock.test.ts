import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { acquireDirLock } from '../../../../src/embedded/storage/dir-lock.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../../..');

/** Runs the lock fixture in a separate Node process and returns what it printed. */
async function lockFromChild(dir: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/storage-lock-child.ts', dir],
    { cwd: ROOT },
  );
  return stdout.trim();
}

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('acquireDirLock', () => {
  it('creates the directory and a LOCK naming this process', async () => {
    const dir = path.join(await tempDir(), 'nested', 'data');
    const lock = await acquireDirLock(dir);
    const owner = JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(owner).toMatchObject({ pid: process.pid, hostname: os.hostname() });
    expect(typeof owner.startedAt).toBe('string');
    await lock.release();
  });

  it('refuses a second acquire in the same process, also through a symlink', async () => {
    const dir = await tempDir();
    const lock = await acquireDirLock(dir);
    expect((await caught(() => acquireDirLock(dir))).code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    const alias = path.join(await tempDir(), 'alias');
    await symlink(dir, alias);
    const err = await caught(() => acquireDirLock(alias));
    expect(err.code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    expect(err.message).toContain(dir);
    expect(err.details?.ownerPid).toBe(process.pid);
    await lock.release();
  });

  it('refuses a second process while this one holds the directory', async () => {
    const dir = await tempDir();
    const lock = await acquireDirLock(dir);
    expect(await lockFromChild(dir)).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    await lock.release();
    expect(await lockFromChild(dir)).toBe('ACQUIRED');
  });

  it('refuses this process while a second process holds the directory', async () => {
    const dir = await tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/storage-lock-child.ts', dir, 'hold'],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const line = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d) => resolve(String(d))),
    );
    expect(line.trim()).toBe('ACQUIRED');
    const err = await caught(() => acquireDirLock(dir));
    expect(err.code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    expect(err.details?.ownerPid).toBe(child.pid);
    child.stdin.end();
    await new Promise((resolve) => child.on('exit', resolve));
    const lock = await acquireDirLock(dir);
    await lock.release();
  });

  it('takes over a stale LOCK of a dead pid, and an unparsable LOCK', async () => {
    for (const content of [
      JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), startedAt: 'x', token: 't' }),
      '{"pid":',
      '',
    ]) {
      const dir = await tempDir();
      await writeFile(path.join(dir, 'LOCK'), content);
      const lock = await acquireDirLock(dir);
      const owner = JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { pid: number };
      expect(owner.pid).toBe(process.pid);
      await lock.release();
    }
  });

  it('takes over after a claimant that crashed mid-takeover, before or after replacing the LOCK', async () => {
    const dead = async (token: string) =>
      JSON.stringify({ pid: await deadPid(), hostname: os.hostname(), startedAt: 'x', token });
    const claimOf = (bytes: string) =>
      `LOCK.takeover-${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}`;
    // Before: the dead owner's LOCK is still there, claimed by a process that died.
    const before = await tempDir();
    const stale = await dead('owner');
    await writeFile(path.join(before, 'LOCK'), stale);
    await writeFile(path.join(before, claimOf(stale)), await dead('claimant'));
    // After: the claimant had put its own LOCK in place, then died before cleaning up.
    const after = await tempDir();
    const claimant = await dead('claimant');
    await writeFile(path.join(after, 'LOCK'), claimant);
    await writeFile(path.join(after, claimOf(stale)), claimant);
    for (const dir of [before, after]) {
      const lock = await acquireDirLock(dir);
      const owner = JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { pid: number };
      expect(owner.pid).toBe(process.pid);
      expect(await readdir(dir)).toEqual(['LOCK']);
      await lock.release();
    }
  });

  it('refuses while a live process holds the claim on a dead owner’s LOCK', async () => {
    const dir = await tempDir();
    const stale = JSON.stringify({
      pid: await deadPid(),
      hostname: os.hostname(),
      startedAt: 'x',
      token: 'owner',
    });
    await writeFile(path.join(dir, 'LOCK'), stale);
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      const id = createHash('sha256').update(stale).digest('hex').slice(0, 32);
      await writeFile(
        path.join(dir, `LOCK.takeover-${id}`),
        JSON.stringify({ pid: live.pid, hostname: os.hostname(), startedAt: 'x', token: 'c' }),
      );
      const err = await caught(() => acquireDirLock(dir));
      expect(err.code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
      expect(err.details?.ownerPid).toBe(live.pid);
      expect(await readFile(path.join(dir, 'LOCK'), 'utf8')).toBe(stale);
    } finally {
      live.kill();
    }
  });

  it('treats a LOCK from another host as live', async () => {
    const dir = await tempDir();
    await writeFile(
      path.join(dir, 'LOCK'),
      JSON.stringify({
        pid: 1,
        hostname: `${os.hostname()}-elsewhere`,
        startedAt: 'x',
        token: 't',
      }),
    );
    const err = await caught(() => acquireDirLock(dir));
    expect(err.code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    expect(err.message).toMatch(/elsewhere/);
  });

  it('releases idempotently, after which the directory can be locked again', async () => {
    const dir = await tempDir();
    const lock = await acquireDirLock(dir);
    await Promise.all([lock.release(), lock.release()]);
    await expect(readFile(path.join(dir, 'LOCK'))).rejects.toMatchObject({ code: 'ENOENT' });
    const again = await acquireDirLock(dir);
    await again.release();
  });
});
