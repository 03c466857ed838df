import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppendFile, type FsyncPolicy } from '../../../../src/embedded/storage/append-file.js';
import { nodeFile, type StorageFile } from '../../../../src/embedded/storage/fs-layer.js';
import { until } from '../../../helpers/until.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

async function openAppendFile(fsync: FsyncPolicy, fsyncIntervalMs?: number, writeInline = false) {
  const file = path.join(await tempDir(), 'data.bin');
  const handle = nodeFile(await open(file, 'w+'));
  const flushedEnds: number[] = [];
  const appendFile = new AppendFile({
    path: file,
    handle,
    position: 0,
    fsync,
    ...(fsyncIntervalMs === undefined ? {} : { fsyncIntervalMs }),
    writeInline,
    onFlush: (end) => flushedEnds.push(end),
  });
  // The descriptor is taken from the handle promise; let it settle as an owner's open would.
  await appendFile.handle;
  return { file, appendFile, flushedEnds };
}

/**
 * An inline AppendFile under "always" over a real file, with the file's methods that `wrap`
 * returns put in front of the real ones, and the ends it published.
 */
async function inlineAlways(
  name: string,
  wrap: (inner: StorageFile) => Partial<StorageFile> = () => ({}),
  onFlush?: (end: number) => void,
) {
  const file = path.join(await tempDir(), name);
  const inner = nodeFile(await open(file, 'w+'));
  const flushed: number[] = [];
  const appendFile = new AppendFile({
    path: file,
    handle: Object.assign(Object.create(inner) as StorageFile, wrap(inner)),
    position: 0,
    fsync: 'always',
    writeInline: true,
    onFlush: onFlush ?? ((end) => flushed.push(end)),
  });
  await appendFile.handle;
  return { file, inner, appendFile, flushed };
}

/** Calls that wait until the test lets them go, one by one. */
function gates() {
  const waiting: (() => void)[] = [];
  return {
    pass: () => new Promise<void>((r) => waiting.push(r)),
    get count() {
      return waiting.length;
    },
    open: () => waiting.shift()!(),
  };
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

describe('AppendFile inline writes', () => {
  it('writes before resolving, without waiting for an fdatasync, then syncs on the interval', async () => {
    const { file, appendFile } = await openAppendFile('interval', 20, true);
    await appendFile.append([Buffer.from('ab')]);
    // In the file (the OS has it, a killed process cannot take it back), not yet synced.
    expect((await readFile(file)).toString()).toBe('ab');
    expect(appendFile.stats).toEqual({ flushes: 1, syncs: 0 });
    await until(() => appendFile.stats.syncs === 1, 'the interval fdatasync');
    await appendFile.close();
  });

  it('writes the appends of one microtask checkpoint together, in call order', async () => {
    const { file, appendFile, flushedEnds } = await openAppendFile('never', undefined, true);
    const chunks = Array.from({ length: 2000 }, (_, i) => Buffer.from(`${i};`));
    await Promise.all(chunks.map((c) => appendFile.append([c])));
    await Promise.all([
      appendFile.append([Buffer.from('x')]),
      appendFile.append([Buffer.from('y')]),
    ]);
    expect(appendFile.stats.flushes).toBe(2);
    expect(flushedEnds.at(-1)).toBe(Buffer.concat(chunks).length + 2);
    await appendFile.close();
    expect((await readFile(file)).toString()).toBe(`${Buffer.concat(chunks).toString()}xy`);
  });

  it('sync() makes everything appended before it durable, under any policy', async () => {
    const { appendFile } = await openAppendFile('never', undefined, true);
    const appended = appendFile.append([Buffer.from('a')]);
    await appendFile.sync();
    await appended;
    expect(appendFile.stats).toEqual({ flushes: 1, syncs: 1 });
    await appendFile.close();
  });

  it('under "always", resolves an append only after an fdatasync begun after its write; appends written during a sync share the next', async () => {
    const events: string[] = [];
    const syncs = gates();
    let written = 0;
    const { file, appendFile, flushed } = await inlineAlways('inline-always.bin', (inner) => ({
      writevSync(buffers: Uint8Array[], position: number) {
        const n = inner.writevSync(buffers, position);
        written = position + n;
        events.push(`write ${written}`);
        return n;
      },
      async datasync() {
        events.push(`sync from ${written}`);
        await syncs.pass();
        await inner.datasync();
      },
    }));
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>) => p.then(() => settled.push(name));
    const a = track('a', appendFile.append([Buffer.from('a')]));
    await until(() => syncs.count === 1, 'the first fdatasync');
    // Written at once while the first sync runs, and not settled by it.
    const b = track('b', appendFile.append([Buffer.from('bb')]));
    const c = track('c', appendFile.append([Buffer.from('ccc')]));
    await until(() => events.length === 3, 'the second write');
    expect(events).toEqual(['write 1', 'sync from 1', 'write 6']);
    syncs.open();
    await a;
    expect(settled).toEqual(['a']);
    expect(flushed).toEqual([1]);
    await until(() => syncs.count === 1, 'the second fdatasync');
    expect(events.at(-1)).toBe('sync from 6');
    expect(settled).toEqual(['a']);
    syncs.open();
    await Promise.all([b, c]);
    expect(flushed).toEqual([1, 6]);
    expect(appendFile.stats).toEqual({ flushes: 2, syncs: 2 });
    const closing = appendFile.close();
    await until(() => syncs.count === 1, 'the sync of close');
    syncs.open();
    await closing;
    expect((await readFile(file)).toString()).toBe('abbccc');
  });

  it('under "always", rejects the inline appends of a failed fdatasync, and those queued behind it, with SHARQ_ERR_IO, publishing nothing', async () => {
    const syncs = gates();
    const { inner, appendFile, flushed } = await inlineAlways('inline-always-eio.bin', () => ({
      async datasync() {
        await syncs.pass();
        throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
      },
    }));
    const first = [appendFile.append([Buffer.from('a')]), appendFile.append([Buffer.from('b')])];
    await until(() => syncs.count === 1, 'the failing fdatasync');
    // Written while the failing sync runs: it waits for the next one, which never comes.
    const queued = appendFile.append([Buffer.from('c')]);
    await new Promise((r) => setImmediate(r));
    syncs.open();
    const results = await Promise.allSettled([...first, queued]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) {
      expect(((r as PromiseRejectedResult).reason as { code: string }).code).toBe('SHARQ_ERR_IO');
    }
    expect(flushed).toEqual([]);
    expect((await caught(() => appendFile.append([Buffer.from('d')]))).message).toMatch(/reopen/);
    await inner.close();
  });

  it('never runs two fdatasyncs of one file at once: sync() and a large append wait their turn behind an inline sync', async () => {
    const syncs = gates();
    let running = 0;
    let most = 0;
    let poolWrites = 0;
    const { file, appendFile, flushed } = await inlineAlways('one-sync.bin', (inner) => ({
      writev(buffers: Uint8Array[], position: number) {
        poolWrites++;
        return inner.writev(buffers, position);
      },
      async datasync() {
        running++;
        most = Math.max(most, running);
        await syncs.pass();
        await inner.datasync();
        running--;
      },
    }));
    const small = appendFile.append([Buffer.from('a')]);
    await until(() => syncs.count === 1, 'the inline fdatasync');
    const barrier = appendFile.sync();
    // Larger than the inline limit: written on the pool, after 'a', synced after the others.
    const big = appendFile.append([Buffer.alloc(300 * 1024, 0x62)]);
    for (let released = 0; released < 3; released++) {
      await until(() => syncs.count === 1, `fdatasync ${released + 1}`);
      expect(running).toBe(1);
      syncs.open();
    }
    await Promise.all([small, barrier, big]);
    expect(most).toBe(1);
    expect(poolWrites).toBe(1);
    expect(flushed).toEqual([1, 1 + 300 * 1024]);
    const closing = appendFile.close();
    await until(() => syncs.count === 1, 'the sync of close');
    syncs.open();
    await closing;
    const bytes = await readFile(file);
    expect(bytes.length).toBe(1 + 300 * 1024);
    expect(bytes[0]).toBe(0x61);
    expect(bytes.at(-1)).toBe(0x62);
  });

  it('fails its appends with SHARQ_ERR_INTERNAL, and refuses later ones, when the owner throws from onFlush', async () => {
    const { appendFile } = await inlineAlways('throwing-owner.bin', undefined, () => {
      throw new Error('owner bug');
    });
    expect((await caught(() => appendFile.append([Buffer.from('a')]))).code).toBe(
      'SHARQ_ERR_INTERNAL',
    );
    expect((await caught(() => appendFile.append([Buffer.from('b')]))).code).toBe('SHARQ_ERR_IO');
  });

  it('queues appends made before the handle opened and writes them first', async () => {
    const file = path.join(await tempDir(), 'late.bin');
    let opened!: (h: ReturnType<typeof nodeFile>) => void;
    const appendFile = new AppendFile({
      path: file,
      handle: new Promise((r) => {
        opened = r;
      }),
      position: 0,
      fsync: 'never',
      writeInline: true,
    });
    const early = appendFile.append([Buffer.from('1')]);
    opened(nodeFile(await open(file, 'w+')));
    await early;
    await appendFile.append([Buffer.from('2')]);
    await appendFile.close();
    expect((await readFile(file)).toString()).toBe('12');
  });

  it('rejects a failed inline write with SHARQ_ERR_IO and refuses later appends', async () => {
    const file = path.join(await tempDir(), 'ro.bin');
    await writeFile(file, '');
    const appendFile = new AppendFile({
      path: file,
      handle: nodeFile(await open(file, 'r')),
      position: 0,
      fsync: 'interval',
      writeInline: true,
    });
    await appendFile.handle;
    const results = await Promise.allSettled([
      appendFile.append([Buffer.from('a')]),
      appendFile.append([Buffer.from('b')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(((results[0] as PromiseRejectedResult).reason as { code: string }).code).toBe(
      'SHARQ_ERR_IO',
    );
    expect((await caught(() => appendFile.append([Buffer.from('c')]))).message).toMatch(/reopen/);
    expect((await caught(() => appendFile.close())).code).toBe('SHARQ_ERR_IO');
  });
});

describe('AppendFile failures', () => {
  it('rejects every waiter of a failed write with SHARQ_ERR_IO and refuses later appends', async () => {
    const file = path.join(await tempDir(), 'ro.bin');
    await writeFile(file, '');
    const readOnly = nodeFile(await open(file, 'r'));
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
      handle: open('/nonexistent/dir/x', 'r+').then(nodeFile),
      position: 0,
      fsync: 'always',
    });
    expect((await caught(() => appendFile.append([Buffer.from('a')]))).code).toBe('SHARQ_ERR_IO');
  });
});
