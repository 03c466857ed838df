import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const ROOT = path.resolve(import.meta.dirname, '../../../..');
const PROCESSES = 8;
const ROUNDS = 6;

interface Racer {
  child: ChildProcessByStdio<Writable, Readable, null>;
  lines: Interface;
  pending: ((line: string) => void)[];
}

const racers: Racer[] = [];

function ask(racer: Racer, command: string): Promise<string> {
  return new Promise((resolve) => {
    racer.pending.push(resolve);
    racer.child.stdin.write(`${command}\n`);
  });
}

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

beforeAll(async () => {
  for (let i = 0; i < PROCESSES; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/lock-race-child.ts'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const racer: Racer = { child, lines: createInterface({ input: child.stdout }), pending: [] };
    racer.lines.on('line', (line) => racer.pending.shift()?.(line));
    racers.push(racer);
  }
  // Each answers once it is up, so the first race does not wait on module loading.
  const scratch = await tempDir();
  for (const r of racers) {
    expect(await ask(r, `go ${scratch} 0`)).toBe('ACQUIRED');
    expect(await ask(r, 'release')).toBe('RELEASED');
  }
}, 60_000);

afterAll(() => {
  for (const r of racers) r.child.kill();
});

describe('taking over a dead owner’s lock', () => {
  it(`lets exactly one of ${PROCESSES} processes win when they race for it, round after round`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dir = await tempDir();
      const stale = JSON.stringify({
        pid: await deadPid(),
        hostname: os.hostname(),
        startedAt: 'x',
        token: `dead-${round}`,
      });
      await writeFile(path.join(dir, 'LOCK'), stale);
      const start = Date.now() + 150;
      const results = await Promise.all(racers.map((r) => ask(r, `go ${dir} ${start}`)));
      const winners = racers.filter((_, i) => results[i] === 'ACQUIRED');
      expect(results.filter((r) => r !== 'ACQUIRED')).toEqual(
        Array(PROCESSES - 1).fill('SHARQ_ERR_DATA_DIR_LOCKED'),
      );
      expect(winners).toHaveLength(1);
      const owner = JSON.parse(await readFile(path.join(dir, 'LOCK'), 'utf8')) as { pid: number };
      expect(owner.pid).toBe(winners[0]!.child.pid);
      // The winner cleaned up: no claim or temp file is left beside the LOCK.
      expect(await readdir(dir)).toEqual(['LOCK']);
      for (const w of winners) await ask(w, 'release');
      expect(await readdir(dir)).toEqual([]);
    }
  }, 60_000);
});
