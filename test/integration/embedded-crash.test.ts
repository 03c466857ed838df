import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { decodeJob } from '../../src/job/envelope.js';
import { queueGroup } from '../../src/queue/names.js';
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

interface Delivery {
  id: string;
  count: number;
  position: string;
}

/** `deliveries.<mode>.log`: one line per handler start. */
function deliveries(file: string): Delivery[] {
  return lines(file).map((line) => {
    const [id, count, partition, offset] = line.split(' ');
    return { id: id!, count: Number(count), position: `${partition}@${offset}` };
  });
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

    // Delivery counts never go back: a job delivered again after the kill has a higher count
    // than every delivery of it before, and no job's ACCEPT that was confirmed is delivered again.
    const before = new Map<string, number>();
    for (const d of deliveries(path.join(dir, 'deliveries.run.log'))) {
      before.set(d.id, Math.max(before.get(d.id) ?? 0, d.count));
    }
    const after = deliveries(path.join(dir, 'deliveries.drain.log'));
    expect(after.filter((d) => d.count <= (before.get(d.id) ?? 0))).toEqual([]);
    expect(after.filter((d) => acked1.has(d.id))).toEqual([]);
    // The jobs whose handler never returns in the run were delivered before the kill and come
    // back after it, so the count check above has something to check.
    const hung = ['job-0', 'job-1', 'job-2', 'job-3', 'job-4'];
    expect(hung.filter((id) => !before.has(id) || !after.some((d) => d.id === id))).toEqual([]);

    // Read the log back: every added job is there once, where the worker saw it, and the group
    // has every record finished (its start offset at the log end, nothing pending).
    const engine = new EmbeddedEngine({ dataDir: data });
    try {
      const stored = new Map<string, string[]>();
      for (const { partition, logEndOffset } of await engine.admin.offsets('crash')) {
        for (let o = 0; o < logEndOffset; ) {
          const records = await engine.read('crash', partition, o, 500);
          for (const r of records) {
            const id = decodeJob(r).id;
            stored.set(id, [...(stored.get(id) ?? []), `${partition}@${r.offset}`]);
          }
          o += records.length;
        }
      }
      expect(added.filter((id) => stored.get(id)?.length !== 1)).toEqual([]);
      const seenAt = [...deliveries(path.join(dir, 'deliveries.run.log')), ...after];
      expect(seenAt.filter((d) => stored.get(d.id)?.[0] !== d.position)).toEqual([]);
      const group = await engine.admin.describeGroup(queueGroup('crash'));
      for (const p of group.partitions) {
        expect(p).toMatchObject({ lag: 0, available: 0, acquired: 0 });
        expect(p.startOffset).toBe(p.logEndOffset);
      }
    } finally {
      await engine.close();
    }
  }, 120_000);
});
