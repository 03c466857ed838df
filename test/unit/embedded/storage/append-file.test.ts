import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendFile, type FsyncPolicy } from '../../../../src/embedded/storage/append-file.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

async function openAppendFile(fsync: FsyncPolicy, fsyncIntervalMs?: number) {
  const file = path.join(await tempDir(), 'data.bin');
  const handle = await open(file, 'w+');
  const flushedEnds: number[] = [];
  const appendFile = new AppendFile({
    path: file,
    handle,
    position: 0,
    fsync,
    ...(fsyncIntervalMs === undefined ? {} : { fsyncIntervalMs }),
    onFlush: (end) => flushedEnds.push(end),
  });
  return { file, appendFile, flushedEnds };
}

describe('AppendFile group commit', () => {
  it('writes concurrent appends in call order with far fewer flushes than appends', async () => {
    const { file, appendFile, flushedEnds } = await openAppendFile('always');
    // More buffers than IOV_MAX (1024) in one flush: the positional writev must still write all.
    const chunks = Array.from({ length: 3000 }, (_, i) =>
      Buffer.from(`${String(i).padStart(4, '0')};`),
    );
    await Promise.all(chunks.map((c) => appendFile.append([c])));
    expect(appendFile.stats.flushes).toBeLessThan(10);
    expect(appendFile.stats.syncs).toBe(appendFile.stats.flushes);
    expect(flushedEnds.at(-1)).toBe(15_000);
    await appendFile.close();
    expect((await readFile(file)).toString()).toBe(Buffer.concat(chunks).toString());
  });

  it('queues appends made during a flush for the next one', async () => {
    const { appendFile, flushedEnds } = await openAppendFile('always');
    const first = appendFile.append([Buffer.from('a')]);
    await new Promise((r) => setImmediate(r)); // the first flush is now in flight
    const second = appendFile.append([Buffer.from('bb')]);
    const third = appendFile.append([Buffer.from('ccc')]);
    await Promise.all([first, second, third]);
    expect(flushedEnds).toEqual([1, 6]);
    await appendFile.close();
  });

  it('resolves after the write under "never" and syncs on close', async () => {
    const { appendFile } = await openAppendFile('never');
    await appendFile.append([Buffer.from('x')]);
    expect(appendFile.stats).toEqual({ flushes: 1, syncs: 0 });
    await appendFile.close();
    expect(appendFile.stats.syncs).toBe(1);
  });

  it('syncs in the background under "interval"', async () => {
    const { appendFile } = await openAppendFile('interval', 20);
    await appendFile.append([Buffer.from('x')]);
    expect(appendFile.stats.syncs).toBe(0);
    const deadline = Date.now() + 2000;
    while (appendFile.stats.syncs === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(appendFile.stats.syncs).toBe(1);
    await appendFile.close();
  });

  it('refuses appends after seal', async () => {
    const { appendFile } = await openAppendFile('always');
    await appendFile.seal();
    expect((await caught(() => appendFile.append([Buffer.from('x')]))).code).toBe(
      'SHARQ_ERR_CLOSED',
    );
    await appendFile.close();
  });
});

describe('AppendFile failures', () => {
  it('rejects every waiter of a failed write with SHARQ_ERR_IO and refuses later appends', async () => {
    const file = path.join(await tempDir(), 'ro.bin');
    await writeFile(file, '');
    const readOnly = await open(file, 'r');
    const appendFile = new AppendFile({
      path: file,
      handle: readOnly,
      position: 0,
      fsync: 'always',
    });
    const results = await Promise.allSettled([
      appendFile.append([Buffer.from('a')]),
      appendFile.append([Buffer.from('b')]),
    ]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as {
        code: string;
        cause: { code: string };
      };
      expect(reason.code).toBe('SHARQ_ERR_IO');
      expect(reason.cause.code).toBe('EBADF');
    }
    const later = await caught(() => appendFile.append([Buffer.from('c')]));
    expect(later.code).toBe('SHARQ_ERR_IO');
    expect(later.message).toMatch(/reopen/);
    expect((await caught(() => appendFile.close())).code).toBe('SHARQ_ERR_IO');
  });

  it('fails its appends when the handle never opens', async () => {
    const appendFile = new AppendFile({
      path: '/nonexistent/x',
      handle: open('/nonexistent/dir/x', 'r+'),
      position: 0,
      fsync: 'always',
    });
    expect((await caught(() => appendFile.append([Buffer.from('a')]))).code).toBe('SHARQ_ERR_IO');
  });
});
