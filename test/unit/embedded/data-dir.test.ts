/**
 * Hardening of the embedded data directory at open and write (docs/design.md, "Data
 * directory"): every failure is a coded SharqError naming its path, a missing or incomplete
 * catalog never hides partitions, and a damaged record that may have been confirmed refuses the
 * open instead of passing for a torn write.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  appendFile,
  chmod,
  mkdir,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { repairDataDir } from '../../../src/embedded/storage/data-repair.js';
import { nodeFs, type StorageFs } from '../../../src/embedded/storage/fs-layer.js';
import { AckType } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { Worker } from '../../../workers/worker.js';
import { tempDir } from '../../helpers/temp-dir.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

function engineOn(dataDir: string): EmbeddedEngine {
  const engine = new EmbeddedEngine({ dataDir });
  cleanups.push(() => engine.close());
  return engine;
}

async function openError(dataDir: string): Promise<SharqError> {
  const err = await engineOn(dataDir)
    .start()
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  if (!SharqError.is(err)) throw new Error(`expected a SharqError, got ${String(err)}`);
  return err;
}

/** A closed directory with topic `jobs` of `partitions` partitions and `records` jobs. */
async function filled(records: number, partitions = 1): Promise<string> {
  const dataDir = await dir();
  const engine = new EmbeddedEngine({ dataDir });
  await engine.admin.createTopic('jobs', { partitions });
  for (let i = 0; i < records; i += 100) {
    const n = Math.min(100, records - i);
    await engine.produce(
      'jobs',
      Array.from({ length: n }, (_, k) => ({ value: Buffer.from(`job-${i + k}`) })),
    );
  }
  await engine.close();
  return dataDir;
}

async function readAll(engine: EmbeddedEngine, topic: string): Promise<string[]> {
  const values: string[] = [];
  for (const o of await engine.admin.offsets(topic)) {
    const records = await engine.read(topic, o.partition, o.logStartOffset, 1_000_000);
    for (const r of records) values.push(r.value!.toString());
  }
  return values;
}

function segmentOf(dataDir: string, topic = 'jobs', partition = 0): string {
  return path.join(dataDir, 'topics', topic, String(partition), '00000000000000000000.log');
}

describe('I/O failures at open are SHARQ_ERR_IO naming the path', () => {
  it('a data directory that is a regular file, or lies under one', async () => {
    const file = path.join(await dir(), 'not-a-dir');
    await writeFile(file, 'x');
    for (const dataDir of [file, path.join(file, 'data')]) {
      const err = await openError(dataDir);
      expect(err.code).toBe('SHARQ_ERR_IO');
      expect(err.retryable).toBe(false);
      expect(err.details.file).toBe(dataDir);
      expect(err.message).toContain(dataDir);
      expect(['EEXIST', 'ENOTDIR']).toContain(err.details.errno);
    }
  });

  it('a directory inside it replaced by a file: topics/, a partition, a group', async () => {
    const cases: [string, (d: string) => Promise<string>][] = [
      ['topics', async (d) => path.join(d, 'topics')],
      ['partition', async (d) => path.join(d, 'topics', 'jobs', '0')],
      ['group', async (d) => path.join(d, 'groups', 'workers')],
    ];
    for (const [, target] of cases) {
      const dataDir = await filled(10);
      const engine = new EmbeddedEngine({ dataDir });
      await engine.admin.configureGroup('workers', { deliveryCountLimit: 3 });
      await engine.close();
      const victim = await target(dataDir);
      await rm(victim, { recursive: true });
      await writeFile(victim, 'in the way');
      const err = await openError(dataDir);
      expect(err.code).toBe('SHARQ_ERR_IO');
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(victim);
    }
  });

  it('a catalog.json that is a directory', async () => {
    const dataDir = await dir();
    await mkdir(path.join(dataDir, 'catalog.json'));
    const err = await openError(dataDir);
    expect(err).toMatchObject({ code: 'SHARQ_ERR_IO', retryable: false });
    expect(err.details).toMatchObject({
      file: path.join(dataDir, 'catalog.json'),
      errno: 'EISDIR',
    });
  });

  it('a directory this user may not write (EACCES from the kernel, as an unprivileged user)', async () => {
    const base = await dir();
    await chmod(base, 0o755);
    const locked = path.join(base, 'read-only');
    await mkdir(locked, { mode: 0o555 });
    await chmod(locked, 0o555);
    // An existing data directory (made by someone else) and a new one inside a read-only parent.
    const existing = path.join(locked, 'existing');
    await mkdir(existing, { mode: 0o755 });
    const results: Record<string, unknown>[] = [];
    for (const dataDir of [existing, path.join(locked, 'new')]) {
      if (process.getuid?.() === 0) {
        // Root passes every permission check: ask as `nobody`, in a child process.
        const { stdout } = await run(
          process.execPath,
          ['--import', 'tsx', 'test/fixtures/engine-open-child.ts', dataDir],
          { cwd: ROOT, uid: 65534, gid: 65534 },
        );
        results.push(JSON.parse(stdout) as Record<string, unknown>);
      } else {
        results.push({ ...(await openError(dataDir)).toJSON() });
      }
    }
    for (const [i, r] of results.entries()) {
      expect(r).toMatchObject({ code: 'SHARQ_ERR_IO', retryable: false });
      expect(r.details).toMatchObject({ errno: 'EACCES' });
      expect(r.message).toContain(i === 0 ? existing : locked);
    }
  }, 30_000);

  it('Worker.waitUntilReady() rejects with it instead of retrying forever', async () => {
    const file = path.join(await dir(), 'not-a-dir');
    await writeFile(file, 'x');
    const worker = new Worker('jobs', () => undefined, {
      engine: { type: 'embedded', dataDir: path.join(file, 'data') },
    });
    cleanups.push(() => worker.close());
    const errors: unknown[] = [];
    worker.on('error', (e) => errors.push(e));
    const err = await worker.waitUntilReady().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'SHARQ_ERR_IO', retryable: false });
    expect((err as Error).message).toContain(path.join(file, 'data'));
    expect(errors[0]).toBe(err);
  });
});

describe('I/O failures at write are SHARQ_ERR_IO naming the path', () => {
  it.skipIf(!existsSync('/dev/full'))(
    'a segment on a full device: add() rejects, and later appends are refused until reopen',
    async () => {
      const dataDir = await filled(0);
      const segment = segmentOf(dataDir);
      await rm(segment);
      await symlink('/dev/full', segment);
      const engine = engineOn(dataDir);
      const err = await engine.produce('jobs', [{ value: Buffer.from('x') }]).catch((e) => e);
      expect(err).toMatchObject({ code: 'SHARQ_ERR_IO', details: { file: segment } });
      expect((err as Error).message).toContain('ENOSPC');
      const again = await engine.produce('jobs', [{ value: Buffer.from('y') }]).catch((e) => e);
      expect(again).toMatchObject({ code: 'SHARQ_ERR_IO' });
      expect((again as Error).message).toContain(path.dirname(segment));
    },
  );

  it('a catalog that can no longer be replaced: createTopic rejects, the catalog is unchanged', async () => {
    const dataDir = await filled(1);
    const engine = engineOn(dataDir);
    await engine.start();
    const catalog = path.join(dataDir, 'catalog.json');
    const before = await readFile(catalog, 'utf8');
    await rm(path.join(dataDir, 'topics'), { recursive: true });
    await writeFile(path.join(dataDir, 'topics'), 'in the way');
    const err = await engine.admin.createTopic('more').catch((e) => e);
    expect(err).toMatchObject({ code: 'SHARQ_ERR_IO', retryable: false });
    expect((err as Error).message).toContain(path.join(dataDir, 'topics'));
    expect(await readFile(catalog, 'utf8')).toBe(before);
  });
});

describe('a missing or incomplete catalog never hides partitions', () => {
  it('deleting catalog.json: all 1000 pending jobs over 3 partitions are still there', async () => {
    const dataDir = await filled(1000, 3);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.configureGroup('workers', { deliveryCountLimit: 3 });
    const before = await engine.admin.offsets('jobs');
    expect(before.every((p) => p.logEndOffset > 300)).toBe(true);
    await engine.close();
    await rm(path.join(dataDir, 'catalog.json'));

    const reopened = engineOn(dataDir);
    const notices: SharqError[] = [];
    reopened.onError((e) => notices.push(e as SharqError));
    expect(await reopened.admin.describeTopic('jobs')).toEqual({ name: 'jobs', partitions: 3 });
    const values = await readAll(reopened, 'jobs');
    expect(values).toHaveLength(1000);
    expect(new Set(values).size).toBe(1000);
    expect(await reopened.admin.offsets('jobs')).toEqual(before);
    // Said, not silent: the rebuild, and that the group's settings are gone.
    expect(notices.map((n) => [n.code, n.details.kind])).toEqual([
      ['SHARQ_ERR_RECOVERED', 'catalog-rebuilt'],
      ['SHARQ_ERR_RECOVERED', 'topic-added'],
    ]);
    expect(notices[0]!.message).toMatch(/Group settings could not be recovered: workers/);
    expect(await reopened.admin.listGroups()).toEqual(['workers']);
    expect((await reopened.admin.describeGroup('workers')).configured).toEqual([]);
    // The rebuilt catalog is on disk: the next open has nothing to say.
    await reopened.close();
    const third = engineOn(dataDir);
    const later: unknown[] = [];
    third.onError((e) => later.push(e));
    expect(await readAll(third, 'jobs')).toHaveLength(1000);
    expect(later).toEqual([]);
  });

  it('a catalog that lists fewer partitions, or not a topic, that holds records', async () => {
    const dataDir = await filled(30, 3);
    const other = new EmbeddedEngine({ dataDir });
    await other.admin.createTopic('audit');
    await other.produce('audit', [{ value: Buffer.from('a') }]);
    await other.admin.createTopic('empty');
    await other.close();
    // An old backup of the catalog: "jobs" had one partition then, "audit" did not exist.
    const catalog = path.join(dataDir, 'catalog.json');
    await writeFile(
      catalog,
      JSON.stringify({ version: 1, topics: [{ name: 'jobs', partitions: 1 }], groups: {} }),
    );
    const engine = engineOn(dataDir);
    const notices: SharqError[] = [];
    engine.onError((e) => notices.push(e as SharqError));
    expect(await engine.admin.listTopics()).toEqual([
      { name: 'jobs', partitions: 3 },
      { name: 'audit', partitions: 1 },
    ]);
    expect(notices.map((n) => [n.details.kind, n.details.topic])).toEqual([
      ['topic-added', 'audit'],
      ['partitions-added', 'jobs'],
    ]);
    expect(await readAll(engine, 'jobs')).toHaveLength(30);
    expect(await readAll(engine, 'audit')).toEqual(['a']);
  });

  it('a topic whose delete a crash cut short stays deleted', async () => {
    const dataDir = await filled(5);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.deleteTopic('jobs');
    await engine.close();
    expect(await readdir(path.join(dataDir, 'topics'))).toEqual([]);
    // The state a crash leaves between renaming the directory away and removing it.
    const again = await filled(5);
    await mkdir(path.join(again, 'topics', '.deleted-jobs-1'));
    await writeFile(path.join(again, 'topics', '.deleted-jobs-1', 'x'), 'x');
    const reopened = engineOn(again);
    expect((await reopened.admin.listTopics()).map((t) => t.name)).toEqual(['jobs']);
    expect(await readdir(path.join(again, 'topics'))).toEqual(['jobs']);
  });
});

describe('a damaged record at the tail is corruption, a torn write is not', () => {
  it('refuses a whole last record whose checksum fails, with the offsets it would drop', async () => {
    const dataDir = await filled(20);
    const segment = segmentOf(dataDir);
    const bytes = await readFile(segment);
    bytes[bytes.length - 3]! ^= 0x20;
    await writeFile(segment, bytes);
    const err = await openError(dataDir);
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({
      file: segment,
      damagedTail: true,
      damagedOffset: 19,
      // The record closed its producer batch of 100 (offsets 0..19 here): all of it would go.
      droppedOffset: 0,
      mayHaveBeenConfirmed: true,
      repair: `sharq data repair ${dataDir}`,
    });
    expect(err.message).toMatch(/may be a job whose add\(\) was confirmed/);
    expect(err.message).toContain(`sharq data repair ${dataDir}`);
    // Nothing was cut: put the byte back and every job is there.
    bytes[bytes.length - 3]! ^= 0x20;
    await writeFile(segment, bytes);
    expect(await readAll(engineOn(dataDir), 'jobs')).toHaveLength(20);
  });

  it('still cuts a short tail silently, with a notice', async () => {
    const dataDir = await filled(20);
    const segment = segmentOf(dataDir);
    const size = (await stat(segment)).size;
    await appendFile(segment, Buffer.from([7, 0, 0]));
    const engine = engineOn(dataDir);
    const notices: SharqError[] = [];
    engine.onError((e) => notices.push(e as SharqError));
    expect(await readAll(engine, 'jobs')).toHaveLength(20);
    expect(notices.map((n) => n.code)).toEqual(['SHARQ_ERR_RECOVERED']);
    expect(notices[0]!.details).toMatchObject({ kind: 'torn-write', droppedBytes: 3 });
    expect((await stat(segment)).size).toBe(size);
  });

  it('refuses a whole last journal entry whose checksum fails', async () => {
    const dataDir = await filled(5);
    const engine = new EmbeddedEngine({ dataDir });
    const consumer = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    await engine.admin.configureGroup('workers', { autoOffsetReset: 'earliest' });
    const batch = await consumer.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(batch.length).toBeGreaterThan(0);
    await consumer.close();
    await engine.close();
    const groupDir = path.join(dataDir, 'groups', 'workers');
    const [journal] = (await readdir(groupDir)).filter((f) => /^state\.journal\.\d+$/.test(f));
    const file = path.join(groupDir, journal!);
    const bytes = await readFile(file);
    expect(bytes.length).toBeGreaterThan(0);
    bytes[bytes.length - 1]! ^= 0x01;
    await writeFile(file, bytes);
    const err = await openError(dataDir);
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({ file, damagedTail: true, mayHaveBeenConfirmed: true });
    // A journal cut inside its last entry is a torn write: it opens.
    await truncate(file, bytes.length - 1);
    await engineOn(dataDir).start();
  });
});

describe('group state past the end of its log', () => {
  /** `filled(records)`, with group `workers` having accepted the first `accepted` jobs. */
  async function consumed(records: number, accepted: number): Promise<string> {
    const dataDir = await filled(records);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.configureGroup('workers', { autoOffsetReset: 'earliest' });
    const consumer = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await consumer.poll({ maxRecords: accepted, maxWaitMs: 1000 });
    expect(got).toHaveLength(accepted);
    await consumer.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
    await consumer.close();
    await engine.close();
    return dataDir;
  }

  it('refuses to open when a log lost records the group knows, and opens once repaired', async () => {
    const dataDir = await consumed(20, 10);
    // The segment emptied by hand: the group says offsets 0..9 are done, the log now ends at 0.
    await truncate(segmentOf(dataDir), 0);
    const err = await openError(dataDir);
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({
      groupAheadOfLog: true,
      groupId: 'workers',
      topic: 'jobs',
      partition: 0,
      logEndOffset: 0,
    });
    expect(err.details.stateEnd).toBeGreaterThanOrEqual(10);
    expect(err.message).toContain('would be taken for done and never run');
    expect(err.message).toContain(`sharq data repair ${dataDir}`);
    const outcome = await repairDataDir(dataDir, async () => true);
    expect(outcome.applied).toBe(true);
    // Repaired: new jobs at those offsets run.
    const engine = engineOn(dataDir);
    await engine.produce('jobs', [{ value: Buffer.from('after') }]);
    const consumer = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await consumer.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(got.map((r) => [r.offset, r.value?.toString()])).toEqual([[0, 'after']]);
    await consumer.close();
  });

  it('under fsync "interval" a lost log tail the group had worked is cut from its state at open, with a notice', async () => {
    // A power loss under "interval": offsets 0..14 were worked and their acceptance journaled,
    // and the log kept only 0..9 (its last fsync was before 10..19 were written).
    const dataDir = await dir();
    const first = new EmbeddedEngine({ dataDir, fsync: 'interval' });
    await first.admin.createTopic('jobs', { partitions: 1 });
    await first.admin.configureGroup('workers', { autoOffsetReset: 'earliest' });
    const job = (i: number) => ({ value: Buffer.from(`job-${i}`) });
    await first.produce(
      'jobs',
      Array.from({ length: 10 }, (_, i) => job(i)),
    );
    const keptBytes = (await stat(segmentOf(dataDir))).size;
    await first.produce(
      'jobs',
      Array.from({ length: 10 }, (_, i) => job(10 + i)),
    );
    const consumer = first.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const worked = [];
    while (worked.length < 15) {
      const got = await consumer.poll({ maxRecords: 15 - worked.length, maxWaitMs: 1000 });
      await consumer.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
      worked.push(...got);
    }
    await consumer.close();
    await first.close();
    await truncate(segmentOf(dataDir), keptBytes);

    const engine = new EmbeddedEngine({ dataDir, fsync: 'interval' });
    cleanups.push(() => engine.close());
    const notices: SharqError[] = [];
    engine.onError((e) => notices.push(e as SharqError));
    await engine.start();
    expect(notices.map((n) => [n.code, n.details.kind])).toEqual([
      ['SHARQ_ERR_RECOVERED', 'group-ahead-of-log'],
    ]);
    expect(notices[0]!.details).toMatchObject({
      groupId: 'workers',
      topic: 'jobs',
      partition: 0,
      logEndOffset: 10,
      stateEnd: 15,
    });
    expect(notices[0]!.message).toContain('so jobs written there run');
    // Jobs written at the lost offsets run once; the 10 worked jobs the log kept do not run again.
    await engine.produce('jobs', [job(100), job(101)]);
    const second = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await second.poll({ maxRecords: 50, maxWaitMs: 1000 });
    expect(got.map((r) => [r.offset, r.value?.toString(), r.deliveryCount])).toEqual([
      [10, 'job-100', 1],
      [11, 'job-101', 1],
    ]);
    await second.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
    await second.close();
    await engine.close();
    // The cut was made durable: the next open has nothing to say and nothing to run.
    const third = new EmbeddedEngine({ dataDir, fsync: 'interval' });
    cleanups.push(() => third.close());
    const later: unknown[] = [];
    third.onError((e) => later.push(e));
    const again = third.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    expect(await again.poll({ maxRecords: 50, maxWaitMs: 200 })).toEqual([]);
    await again.close();
    expect(later).toEqual([]);
    expect((await third.admin.describeGroup('workers')).partitions).toMatchObject([
      { topic: 'jobs', partition: 0, startOffset: 12 },
    ]);
  });

  it('a topic deleted and made again under its name is new to the groups, before and after a restart', async () => {
    const dataDir = await consumed(20, 10);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.start();
    await engine.admin.deleteTopic('jobs');
    await engine.admin.createTopic('jobs', { partitions: 1 });
    await engine.produce('jobs', [
      { value: Buffer.from('fresh-0') },
      { value: Buffer.from('fresh-1') },
    ]);
    const first = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await first.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(got.map((r) => r.value?.toString())).toEqual(['fresh-0', 'fresh-1']);
    await first.close();
    await engine.close();
    // Reopened: nothing of the old topic's state comes back.
    const again = engineOn(dataDir);
    await again.start();
    const second = again.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const back = await second.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(back.map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    await second.close();
  });

  /** The node file layer, with `rename` failing (EIO) where `fails(from, to)` says. */
  function failingRename(fails: (from: string, to: string) => boolean): StorageFs {
    return {
      ...nodeFs,
      rename: async (from, to) => {
        if (fails(from, to)) throw Object.assign(new Error(`EIO: rename ${from}`), { code: 'EIO' });
        return nodeFs.rename(from, to);
      },
    };
  }

  it('a delete cut short before its directory is renamed leaves the topic and the groups as they were', async () => {
    const dataDir = await consumed(20, 10);
    const topic = path.join(dataDir, 'topics', 'jobs');
    const fs = failingRename((from) => from === topic);
    const engine = new EmbeddedEngine({ dataDir }, undefined, { fs });
    await engine.start();
    const err = await engine.admin.deleteTopic('jobs').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SHARQ_ERR_IO' });
    // The topic is still there without a restart: listed, read and written.
    expect((await engine.admin.describeTopic('jobs')).partitions).toBe(1);
    expect((await engine.admin.offsets('jobs'))[0]?.logEndOffset).toBe(20);
    await engine.produce('jobs', [{ value: Buffer.from('after') }]);
    await engine.close();
    // The 10 accepted jobs stay done: the group did not forget the topic before it was gone.
    const again = engineOn(dataDir);
    const consumer = again.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await consumer.poll({ maxRecords: 50, maxWaitMs: 1000 });
    expect(got.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    await consumer.close();
  });

  it('a delete cut short after its directory is renamed is finished at the next open', async () => {
    const dataDir = await consumed(20, 10);
    // The catalog cannot be rewritten: the delete stops after the rename, as a crash would.
    const fs = failingRename((_from, to) => path.basename(to) === 'catalog.json');
    const engine = new EmbeddedEngine({ dataDir }, undefined, { fs });
    await engine.start();
    expect(await engine.admin.deleteTopic('jobs').catch((e: unknown) => e)).toMatchObject({
      code: 'SHARQ_ERR_IO',
    });
    await engine.close();
    expect(
      (await readdir(path.join(dataDir, 'topics'))).some((n) => n.startsWith('.deleted-')),
    ).toBe(true);
    const again = engineOn(dataDir);
    expect((await again.admin.listTopics()).map((t) => t.name)).not.toContain('jobs');
    expect(await readdir(path.join(dataDir, 'topics'))).toEqual([]);
    expect((await again.admin.describeGroup('workers')).partitions).toEqual([]);
    // Made again under its name, the topic is new to the group.
    await again.admin.createTopic('jobs', { partitions: 1 });
    await again.produce('jobs', [{ value: Buffer.from('fresh') }]);
    const consumer = again.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await consumer.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(got.map((r) => [r.offset, r.value?.toString(), r.deliveryCount])).toEqual([
      [0, 'fresh', 1],
    ]);
    await consumer.close();
  });

  it('a topic made again after a delete whose group snapshot failed is new to the group', async () => {
    const dataDir = await consumed(20, 10);
    // The group's snapshot without the topic cannot be written while the delete runs.
    let failing = true;
    const fs = failingRename((_from, to) => failing && to.endsWith('.snapshot'));
    const engine = new EmbeddedEngine({ dataDir }, undefined, { fs });
    cleanups.push(() => engine.close());
    await engine.start();
    // The group is open (a member joined), so the delete has its state to forget.
    const member = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    await member
      .poll({ maxRecords: 1, maxWaitMs: 50 })
      .then((got) => member.acknowledge(got.map((record) => ({ record, type: AckType.Release }))));
    await member.close();
    expect(await engine.admin.deleteTopic('jobs').catch((e: unknown) => e)).toMatchObject({
      code: 'SHARQ_ERR_IO',
    });
    // Made again while the snapshot still fails: refused, the topic not made.
    expect(await engine.admin.createTopic('jobs').catch((e: unknown) => e)).toMatchObject({
      code: 'SHARQ_ERR_IO',
    });
    expect((await engine.admin.listTopics()).map((t) => t.name)).not.toContain('jobs');
    failing = false;
    await engine.admin.createTopic('jobs', { partitions: 1 });
    await engine.produce(
      'jobs',
      ['a', 'b', 'c'].map((v) => ({ value: Buffer.from(v) })),
    );
    await engine.close();
    // After a restart the group meets the new topic's three jobs as new (it counted offsets
    // 0..9 of the old one as done).
    const again = engineOn(dataDir);
    const consumer = again.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await consumer.poll({ maxRecords: 10, maxWaitMs: 1000 });
    expect(got.map((r) => [r.offset, r.value?.toString(), r.deliveryCount])).toEqual([
      [0, 'a', 1],
      [1, 'b', 1],
      [2, 'c', 1],
    ]);
    await consumer.close();
  });

  it('forgets a deleted topic whose start offset is still 0 (its first job released, the rest done)', async () => {
    const dataDir = await filled(10);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.configureGroup('workers', { autoOffsetReset: 'earliest' });
    const c = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const got = await c.poll({ maxRecords: 10, maxWaitMs: 1000 });
    expect(got).toHaveLength(10);
    await c.acknowledge(
      got.map((record) => ({
        record,
        type: record.offset === 0 ? AckType.Release : AckType.Accept,
      })),
    );
    await c.close();
    await engine.admin.deleteTopic('jobs');
    await engine.close();
    const again = new EmbeddedEngine({ dataDir });
    await again.start();
    await again.admin.createTopic('jobs', { partitions: 1 });
    await again.produce(
      'jobs',
      Array.from({ length: 10 }, (_, i) => ({ value: Buffer.from(`new-${i}`) })),
    );
    await again.close();
    const third = engineOn(dataDir);
    await third.start();
    const d = third.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const fresh = await d.poll({ maxRecords: 20, maxWaitMs: 1000 });
    expect(fresh.map((r) => [r.value?.toString(), r.deliveryCount])).toEqual(
      Array.from({ length: 10 }, (_, i) => [`new-${i}`, 1]),
    );
    await d.close();
  });

  it('a member polling while its topic is deleted does not bring the old state back', async () => {
    const dataDir = await consumed(5, 5);
    const engine = new EmbeddedEngine({ dataDir, ackFsync: 'always' });
    await engine.start();
    const c = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const seen: number[] = [];
    // Polls as fast as it can until the delete is done, then once the topic is made again.
    let deleted = false;
    const deleting = engine.admin.deleteTopic('jobs').finally(() => {
      deleted = true;
    });
    while (!deleted) {
      for (const r of await c.poll({ maxRecords: 5, maxWaitMs: 0 }).catch(() => []))
        seen.push(r.offset);
      // Let the delete's I/O finish between polls.
      await new Promise((r) => setImmediate(r));
    }
    await deleting;
    // The five accepted jobs of the old topic never came back.
    expect(seen).toEqual([]);
    await engine.admin.createTopic('jobs', { partitions: 1 });
    await engine.produce('jobs', [{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
    await c.close();
    const next = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
    const fresh = await next.poll({ maxRecords: 5, maxWaitMs: 1000 });
    expect(fresh.map((r) => [r.value?.toString(), r.deliveryCount])).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
    await next.close();
    await engine.close();
    await engineOn(dataDir).start();
  });
});
