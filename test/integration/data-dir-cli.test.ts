/**
 * `sharq data check` and `sharq data repair` as an operator runs them: the real CLI in a child
 * process on a data directory the embedded engine wrote, then damaged by hand.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { acquireDirLock } from '../../src/embedded/storage/dir-lock.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'src/cli/main.ts');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `sharq ...args`, with stdin closed (not a terminal, so nothing is asked). */
function sharq(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', main, ...args],
      { cwd: root },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** A closed directory: 50 jobs on `jobs` in batches of 10, 30 of them acknowledged. */
async function dataDir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.remove);
  const engine = new EmbeddedEngine({ dataDir: t.dir });
  await engine.admin.createTopic('jobs');
  for (let i = 0; i < 50; i += 10) {
    await engine.produce(
      'jobs',
      Array.from({ length: 10 }, (_, k) => ({ value: Buffer.from(`job-${i + k}`) })),
    );
  }
  await engine.close();
  return t.dir;
}

const segment = (dir: string) => path.join(dir, 'topics', 'jobs', '0', '00000000000000000000.log');

describe('sharq data check', () => {
  it('exits 0 on a clean directory, with a table or JSON', async () => {
    const dir = await dataDir();
    const human = await sharq('data', 'check', dir);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/jobs\s+0\s+1\s+50\s+0\.\.49\s+ok/);
    expect(human.stdout).toMatch(/^Clean/m);
    const json = await sharq('data', 'check', dir, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ dataDir: dir, damage: 0, findings: [] });
  });

  it('exits 2 on bad usage, a missing directory, or one open in another process', async () => {
    const dir = await dataDir();
    expect((await sharq('data')).code).toBe(2);
    expect((await sharq('data', 'check')).code).toBe(2);
    expect((await sharq('data', 'frob', dir)).code).toBe(2);
    expect((await sharq('data', 'check', dir, '--yes')).code).toBe(2);
    const missing = await sharq('data', 'check', path.join(dir, 'nope'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/SHARQ_ERR_IO/);
    const lock = await acquireDirLock(dir);
    const locked = await sharq('data', 'check', dir);
    await lock.release();
    expect(locked.code).toBe(2);
    expect(locked.stderr).toMatch(/SHARQ_ERR_DATA_DIR_LOCKED/);
  });
});

describe('sharq data repair', () => {
  it('lists what it drops, changes nothing without --yes, and cuts the damage with it', async () => {
    const dir = await dataDir();
    const file = segment(dir);
    const bytes = await readFile(file);
    // A byte inside the record at offset 25, of the batch 20..29.
    let at = 0;
    for (let i = 0; i < 25; i++) at += 8 + bytes.readUInt32LE(at);
    bytes[at + 12]! ^= 0xff;
    await writeFile(file, bytes);

    const check = await sharq('data', 'check', dir);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(
      /DAMAGE\s+topics\/jobs\/0\/0+\.log at byte \d+: checksum mismatch/,
    );
    expect(check.stdout).toMatch(
      /drops offsets 20\.\.49 of jobs\/0 \(30 record\(s\), 29 of them intact/,
    );

    const dry = await sharq('data', 'repair', dir);
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(
      /Repair would, in this order:\n {2}1\. cut topics\/jobs\/0\/0+\.log at byte/,
    );
    expect(dry.stdout).toMatch(/Nothing was changed/);
    expect(await readFile(file)).toEqual(bytes);
    const dryJson = await sharq('data', 'repair', dir, '--json');
    expect(dryJson.code).toBe(1);
    expect(JSON.parse(dryJson.stdout)).toMatchObject({
      applied: false,
      steps: [{ op: 'cut-log', droppedOffsets: { from: 20, to: 49 } }],
    });

    const done = await sharq('data', 'repair', dir, '--yes');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/Repaired/);
    expect((await sharq('data', 'check', dir)).code).toBe(0);
    const engine = new EmbeddedEngine({ dataDir: dir });
    const records = await engine.read('jobs', 0, 0, 100);
    expect(records.map((r) => r.value?.toString())).toEqual(
      Array.from({ length: 20 }, (_, i) => `job-${i}`),
    );
    await engine.close();
  });

  it('exits 0 with nothing to repair', async () => {
    const dir = await dataDir();
    const run = await sharq('data', 'repair', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Nothing to repair/);
  });
});
