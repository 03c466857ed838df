import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
/** The examples run from an empty directory, so tsx is named by its full path. */
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Runs an example as a user would, in an empty directory, and returns what it printed. */
async function example(name: string): Promise<string> {
  const { dir, remove } = await tempDir('sharq-example-');
  cleanups.push(remove);
  const { stdout } = await run(
    process.execPath,
    ['--import', tsx, path.join(root, 'examples', name)],
    {
      cwd: dir,
      env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
      timeout: 30_000,
    },
  );
  return stdout;
}
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

describe('examples', () => {
  it('quickstart.ts prints what the README shows', async () => {
    const out = await example('quickstart.ts');
    expect(out).toContain('sent "Welcome" to ada@example.com (delivery 1)');
    expect(out).toContain('dead-lettered: bad address: nobody');
  });
});
