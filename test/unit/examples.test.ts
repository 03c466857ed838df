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
async function example(name: string, args: string[] = []): Promise<string> {
  const { dir, remove } = await tempDir('sharq-example-');
  cleanups.push(remove);
  const { stdout } = await run(
    process.execPath,
    ['--import', tsx, path.join(root, 'examples', name), ...args],
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

  it('email-sender.ts retries greylisted mail with growing backoff and dead-letters the rest', async () => {
    const out = await example('email-sender.ts');
    const sent = [...out.matchAll(/^sent +(\S+) on attempt (\d+): 250 /gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    // Every good address is sent exactly once; greylisted ones on their third attempt.
    expect(sent.sort()).toEqual([
      ['ada@example.com', 1],
      ['alan@example.org', 3],
      ['grace@example.com', 3],
      ['linus@example.com', 1],
    ]);
    const dlq = [...out.matchAll(/^ {2}(\S+) +reason=(\S+) attempts=(\d+) error=(\w+): (.*)$/gm)];
    expect(dlq.map((m) => [m[1], m[2], Number(m[3]), m[4]]).sort()).toEqual([
      ['ken@mail.example.net', 'attempts-exhausted', 4, 'SmtpError'],
      ['nobody.example.com', 'unrecoverable', 1, 'UnrecoverableError'],
    ]);
    expect(out).toMatch(/nobody\.example\.com .* 550 5\.1\.3 bad recipient address syntax/);
    expect(out).toMatch(/^dead +nobody\.example\.com: unrecoverable$/m);
    expect(out).toMatch(/^dead +ken@mail\.example\.net: attempts-exhausted$/m);

    // Backoff: retry n waits 100 ms * 2^(n-1), a quarter of it random; the SMTP server saw each
    // retry no earlier than its backoff.
    const delays = new Map<string, number[]>();
    for (const m of out.matchAll(/^retrying +(\S+) in (\d+) ms/gm))
      delays.set(m[1]!, [...(delays.get(m[1]!) ?? []), Number(m[2])]);
    const gaps = new Map(
      [...out.matchAll(/^ {2}(\S+) +\d+ × at [\d, ]+ \(gaps ([\d, ]+)\)$/gm)].map((m) => [
        m[1]!,
        m[2]!.split(', ').map(Number),
      ]),
    );
    const retried = { 'grace@example.com': 2, 'alan@example.org': 2, 'ken@mail.example.net': 3 };
    expect([...delays.keys()].sort()).toEqual(Object.keys(retried).sort());
    for (const [to, n] of Object.entries(retried)) {
      const d = delays.get(to)!;
      const seen = gaps.get(to)!;
      expect(d, to).toHaveLength(n);
      expect(seen, to).toHaveLength(n);
      for (const [i, ms] of d.entries()) {
        // 75–100, then 150–200, then 300–400 ms: each wait longer than the one before.
        const full = 100 * 2 ** i;
        expect(ms, `${to} retry ${i + 1}`).toBeGreaterThanOrEqual(full * 0.75);
        expect(ms, `${to} retry ${i + 1}`).toBeLessThanOrEqual(full);
        expect(seen[i], `${to} gap ${i + 1}`).toBeGreaterThanOrEqual(ms);
      }
    }
  }, 20_000);

  /** The table of calls per second, the 429 total and the jobs line of rate-limited-api.ts. */
  function rateReport(out: string) {
    const rows = [...out.matchAll(/^ +\d+ +(\d+) +(\d+)$/gm)].map((m) => ({
      calls: Number(m[1]),
      refused: Number(m[2]),
    }));
    const made = [...out.matchAll(/^photo (\d+): thumbnail made on attempt (\d+) of (\d+)$/gm)];
    return {
      rows,
      refused: Number(/^429s served: (\d+)$/m.exec(out)?.[1]),
      made: made.map((m) => Number(m[1])).sort((a, b) => a - b),
      attempts: new Set(made.map((m) => `${m[2]} of ${m[3]}`)),
      waited: new Set([...out.matchAll(/^photo (\d+): 429, waits \d+ ms/gm)].map((m) => m[1])),
    };
  }
  const tenJobs = Array.from({ length: 10 }, (_, i) => i);

  it('rate-limited-api.ts stays under the limit, and a 429 spends no attempt', async () => {
    const r = rateReport(await example('rate-limited-api.ts'));
    // The limiter starts at most 5 jobs a second: the API never sees more from the worker.
    expect(r.rows.length).toBeGreaterThan(1);
    for (const row of r.rows) expect(row.calls).toBeLessThanOrEqual(5);
    // The other client spends 2 of the 5 each second, so some calls meet a 429 (by design), and
    // those jobs wait for the reset and still complete on their one and only attempt.
    expect(r.refused).toBe(r.rows.reduce((n, row) => n + row.refused, 0));
    expect(r.refused).toBeGreaterThan(0);
    for (const row of r.rows) expect(row.calls - row.refused).toBeLessThanOrEqual(3);
    expect(r.waited.size).toBeGreaterThan(0);
    expect(r.made).toEqual(tenJobs);
    expect(r.attempts).toEqual(new Set(['1 of 1']));
  }, 20_000);

  it('rate-limited-api.ts --other 0 meets no 429 at all', async () => {
    const r = rateReport(await example('rate-limited-api.ts', ['--other', '0']));
    expect(r.rows.map((row) => row.calls)).toEqual([5, 5]);
    expect(r.refused).toBe(0);
    expect(r.waited.size).toBe(0);
    expect(r.made).toEqual(tenJobs);
  }, 20_000);
});
