// examples/rate-limited-api.ts with its fleet-wide limiter on the Redis at 127.0.0.1:6379.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describe('examples/rate-limited-api.ts --redis', () => {
  it('keeps the calls under the limit with the limiter on Redis; a 429 spends no attempt', async () => {
    const { dir, remove } = await tempDir('sharq-example-redis-');
    let stdout: string;
    try {
      ({ stdout } = await run(
        process.execPath,
        [
          '--import',
          tsx,
          path.join(root, 'examples/rate-limited-api.ts'),
          '--redis',
          'redis://127.0.0.1:6379',
        ],
        {
          cwd: dir,
          env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
          timeout: 30_000,
        },
      ));
    } finally {
      await remove();
    }
    expect(stdout).toContain('worker limiter 5 per 1000 ms on redis://127.0.0.1:6379');
    // A Redis limit is fleet-wide: no per-process notice.
    expect(stdout).not.toContain('rate limit is per process');
    const rows = [...stdout.matchAll(/^ +\d+ +(\d+) +(\d+)$/gm)].map((m) => Number(m[1]));
    expect(rows.length).toBeGreaterThan(1);
    for (const calls of rows) expect(calls).toBeLessThanOrEqual(5);
    expect(Number(/^429s served: (\d+)$/m.exec(stdout)?.[1])).toBeGreaterThan(0);
    const made = [...stdout.matchAll(/^photo (\d+): thumbnail made on attempt 1 of 1$/gm)];
    expect(made.map((m) => Number(m[1])).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i),
    );
  }, 40_000);
});
