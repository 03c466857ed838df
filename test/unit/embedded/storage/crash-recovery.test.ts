import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDirLock } from '../../../../src/embedded/storage/dir-lock.js';
import { PartitionLog } from '../../../../src/embedded/storage/partition-log.js';
import { useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();
const ROOT = path.resolve(import.meta.dirname, '../../../..');

describe('a writer killed with SIGKILL', () => {
  it('loses no acknowledged record, and its stale lock is taken over', async () => {
    const dir = await tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/fixtures/storage-log-writer.ts', dir],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    // Listen for the exit from the start, so it cannot slip past between kill and await.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let acked = -1;
    let killed = false;
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      void exited.then(() => {
        if (!killed) reject(new Error('writer exited before it was killed'));
      });
      child.stdout.on('data', (chunk: Buffer) => {
        if (killed) return;
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) acked = Math.max(acked, Number(line.slice(4)));
        // Enough acks to span several 16 KiB segments, then kill mid-stream.
        if (acked >= 3000) {
          killed = true;
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await exited;

    const lock = await acquireDirLock(dir);
    const log = await PartitionLog.open(path.join(dir, 'p0'));
    expect(log.logEndOffset).toBeGreaterThan(acked);
    for (let offset = 0; offset <= acked; offset += 1000) {
      const records = await log.read(offset, 1000);
      for (const [i, r] of records.entries())
        expect(r.value?.toString()).toBe(`value-${offset + i}`);
    }
    await log.close();
    await lock.release();
  });
});
