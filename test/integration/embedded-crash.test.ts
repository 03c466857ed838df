import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const child = path.resolve(import.meta.dirname, '../fixtures/crash-child.ts');

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function start(args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
  return { p, exited, output: () => out, errors: () => err };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('embedded engine crash safety', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('loses no job whose add() resolved when the process is SIGKILLed mid-run', async () => {
    const { dir, remove } = await tempDir('sharq-crash-');
    cleanup = remove;
    const data = path.join(dir, 'data');
    const total = 6000;
    const run = start(['run', data, dir, String(total)]);
    // Kill while both adding and processing are under way.
    await until(
      () =>
        lines(path.join(dir, 'added.log')).length >= 2500 &&
        lines(path.join(dir, 'done.run.log')).length >= 1000,
      60_000,
      'progress before the kill',
    );
    run.p.kill('SIGKILL');
    expect(await run.exited).toBe(null);

    const added = lines(path.join(dir, 'added.log'));
    const done1 = lines(path.join(dir, 'done.run.log'));
    const acked1 = new Set(lines(path.join(dir, 'acked.run.log')));
    expect(added.length).toBeLessThan(total);

    const drain = start(['drain', data, dir]);
    expect(await drain.exited, drain.errors()).toBe(0);
    expect(drain.output()).toContain('DRAINED');
    const done2 = lines(path.join(dir, 'done.drain.log'));

    const done = new Set([...done1, ...done2]);
    const lost = added.filter((id) => !done.has(id));
    expect(lost).toEqual([]);

    // Completed twice: only jobs in flight at the kill (handler finished, ACCEPT not yet confirmed).
    const twice = done2.filter((id) => done1.includes(id));
    const inFlight = new Set(done1.filter((id) => !acked1.has(id)));
    expect(twice.filter((id) => !inFlight.has(id))).toEqual([]);
    expect(new Set(done1).size).toBe(done1.length);
    expect(new Set(done2).size).toBe(done2.length);
  }, 120_000);
});
