import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDataCommand } from '../../../../src/cli/data-command.js';
import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { checkDataDir } from '../../../../src/embedded/storage/data-check.js';
import { repairDataDir } from '../../../../src/embedded/storage/data-repair.js';
import { acquireDirLock } from '../../../../src/embedded/storage/dir-lock.js';
import { StateJournal } from '../../../../src/embedded/storage/state-journal.js';
import { AckType } from '../../../../src/engine/types.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

/**
 * A closed directory: topic `jobs` with 200 jobs on partition 0 (batches of 10, small segments
 * so there are three) and one on partition 1; group `workers` has acknowledged the first 150.
 */
async function worked(): Promise<string> {
  const dataDir = await tempDir();
  const engine = new EmbeddedEngine({ dataDir, segmentBytes: 4096 });
  await engine.admin.createTopic('jobs', { partitions: 2 });
  for (let i = 0; i < 200; i += 10) {
    await engine.produce(
      'jobs',
      Array.from({ length: 10 }, (_, k) => ({ value: Buffer.from(`job-${i + k}`), partition: 0 })),
    );
  }
  await engine.produce('jobs', [{ value: Buffer.from('p1'), partition: 1 }]);
  await engine.admin.configureGroup('workers', { autoOffsetReset: 'earliest' });
  await acceptAll(engine, 150);
  await engine.close();
  return dataDir;
}

/** Acknowledges jobs of `workers` until `n` are done; returns their values. */
async function acceptAll(engine: EmbeddedEngine, n: number): Promise<string[]> {
  const consumer = engine.createShareConsumer({ groupId: 'workers', topics: ['jobs'] });
  const done: string[] = [];
  try {
    while (done.length < n) {
      const got = await consumer.poll({
        maxRecords: Math.min(50, n - done.length),
        maxWaitMs: 500,
      });
      if (got.length === 0) break;
      await consumer.acknowledge(got.map((record) => ({ record, type: AckType.Accept })));
      for (const r of got) done.push(r.value!.toString());
    }
  } finally {
    await consumer.close();
  }
  return done;
}

function segment(dataDir: string, base: number, partition = 0): string {
  return path.join(
    dataDir,
    'topics',
    'jobs',
    String(partition),
    `${String(base).padStart(20, '0')}.log`,
  );
}

async function flip(file: string, at: number): Promise<void> {
  const bytes = await readFile(file);
  bytes[at < 0 ? bytes.length + at : at]! ^= 0x5a;
  await writeFile(file, bytes);
}

const yes = async () => true;

describe('sharq data check', () => {
  it('finds nothing in a directory that was used and closed', async () => {
    const dataDir = await worked();
    const report = await checkDataDir(dataDir);
    expect(report.damage).toBe(0);
    expect(report.findings).toEqual([]);
    expect(report.catalog).toMatchObject({ status: 'ok', topics: 1, groups: 1 });
    expect(
      report.partitions.map((p) => [p.partition, p.segments, p.logEndOffset, p.status]),
    ).toEqual([
      [0, 3, 200, 'ok'],
      [1, 1, 1, 'ok'],
    ]);
    expect(report.groups).toMatchObject([{ groupId: 'workers', status: 'ok', partitions: 2 }]);
    // Read-only: nothing but the files that were there (the lock it took is gone again).
    expect(await readdir(dataDir)).toEqual(['catalog.json', 'groups', 'topics']);
  });

  it('reports what the engine mends by itself as notes, not damage', async () => {
    const dataDir = await worked();
    await writeFile(
      segment(dataDir, 0, 1),
      Buffer.concat([await readFile(segment(dataDir, 0, 1)), Buffer.from([9, 0])]),
    );
    await rm(path.join(dataDir, 'catalog.json'));
    const report = await checkDataDir(dataDir);
    expect(report.damage).toBe(0);
    expect(report.catalog.status).toBe('missing');
    expect(report.findings.map((f) => f.kind)).toEqual([
      'catalog-rebuilt',
      'topic-added',
      'torn-write',
    ]);
    expect(report.findings[0]!.message).toMatch(/Group settings could not be recovered: workers/);
    // The verdict does not call it clean: group settings are lost.
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await runDataCommand(['check', dataDir], io)).toBe(0);
    expect(out.join('')).toContain('No damage: the engine opens this directory and loses no job');
    expect(out.join('')).not.toContain('loses nothing');
  });

  it('a listed group whose journal was deleted is named: its jobs would run again', async () => {
    const dataDir = await worked();
    // A group made and never used has a journal (empty): no note for it.
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.configureGroup('idle', { autoOffsetReset: 'earliest' });
    await engine.close();
    for (const f of await readdir(path.join(dataDir, 'groups', 'workers')))
      await rm(path.join(dataDir, 'groups', 'workers', f));
    const report = await checkDataDir(dataDir);
    expect(report.findings.map((f) => [f.kind, f.message.slice(0, 30)])).toEqual([
      ['group-state-missing', 'group "workers" is listed with'],
    ]);
    expect(report.findings[0]!.message).toContain('every retained job runs again');
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    expect(await runDataCommand(['check', dataDir], io)).toBe(0);
    expect(out.join('')).toContain('a note above names group state that is gone');
    expect(out.join('')).not.toContain('loses nothing');
  });

  it('refuses a directory that is in use, missing, or not a data directory', async () => {
    const dataDir = await worked();
    const lock = await acquireDirLock(dataDir);
    expect((await caught(() => checkDataDir(dataDir))).code).toBe('SHARQ_ERR_DATA_DIR_LOCKED');
    await lock.release();
    expect((await caught(() => checkDataDir(path.join(dataDir, 'nope')))).code).toBe(
      'SHARQ_ERR_IO',
    );
    expect(
      (await caught(() => checkDataDir(path.join(dataDir, 'topics', 'jobs')))).message,
    ).toMatch(/not a sharq data directory/);
    // A typo must not become an empty directory that checks clean.
    await expect(stat(path.join(dataDir, 'nope'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('sharq data repair', () => {
  it('cuts a log at damage in an older segment, and the group runs jobs written after it', async () => {
    const dataDir = await worked();
    await flip(segment(dataDir, 90), 1000);
    const before = await checkDataDir(dataDir);
    expect(before.findings.map((f) => [f.severity, f.kind])).toEqual([
      ['damage', 'corrupt'],
      ['damage', 'group-ahead-of-log'],
    ]);
    const cut = before.findings[0]!.repair!;
    expect(cut).toMatchObject({
      op: 'cut-log',
      file: segment(dataDir, 90),
      deleteFiles: [segment(dataDir, 180)],
      droppedOffsets: { from: 110, to: 199 },
      intactRecordsDropped: 89,
    });
    expect(cut.drops).toMatch(/drops offsets 110\.\.199 of jobs\/0/);
    expect((await new EmbeddedEngine({ dataDir }).start().catch((e) => e)).code).toBe(
      'SHARQ_ERR_LOG_CORRUPT',
    );

    // Declined: nothing changes.
    const declined = await repairDataDir(dataDir, async () => false);
    expect(declined.applied).toBe(false);
    expect((await checkDataDir(dataDir)).damage).toBe(2);

    const outcome = await repairDataDir(dataDir, yes);
    expect(outcome.applied).toBe(true);
    expect(outcome.after!.damage).toBe(0);
    const engine = new EmbeddedEngine({ dataDir });
    expect((await engine.admin.offsets('jobs'))[0]).toMatchObject({ logEndOffset: 110 });
    // Offset 110 is written again: without the group fix it would pass for done (the group had
    // acknowledged up to 149) and never run.
    await engine.produce('jobs', [{ value: Buffer.from('after-repair'), partition: 0 }]);
    // (p1, on partition 1, may or may not have been among the 150 acknowledged.)
    expect((await acceptAll(engine, 10)).filter((v) => v !== 'p1')).toEqual(['after-repair']);
    await engine.close();
  });

  it('cuts a damaged tail record after listing it', async () => {
    const dataDir = await worked();
    await flip(segment(dataDir, 180), -2);
    const report = await checkDataDir(dataDir);
    expect(report.findings.map((f) => f.kind)).toEqual(['damaged-tail']);
    expect(report.findings[0]!.repair).toMatchObject({
      op: 'cut-log',
      deleteFiles: [],
      droppedOffsets: { from: 190, to: 199 },
      intactRecordsDropped: 9,
    });
    expect((await repairDataDir(dataDir, yes)).after!.damage).toBe(0);
    const engine = new EmbeddedEngine({ dataDir });
    expect((await engine.admin.offsets('jobs'))[0]!.logEndOffset).toBe(190);
    await engine.close();
  });

  it('rebuilds a damaged catalog and keeps the damaged file', async () => {
    const dataDir = await worked();
    await writeFile(path.join(dataDir, 'catalog.json'), '{"version":1,"topics":[');
    const report = await checkDataDir(dataDir);
    expect(report.catalog.status).toBe('damaged');
    expect(report.findings.map((f) => f.kind)).toEqual(['catalog-corrupt']);
    expect(report.findings[0]!.repair!.drops).toMatch(/settings of group\(s\) workers are lost/);
    expect((await repairDataDir(dataDir, yes)).after!.damage).toBe(0);
    expect(
      (await readdir(dataDir)).filter((n) => n.startsWith('catalog.json.damaged-')),
    ).toHaveLength(1);
    const engine = new EmbeddedEngine({ dataDir });
    expect(await engine.admin.listTopics()).toEqual([{ name: 'jobs', partitions: 2 }]);
    expect(await engine.admin.listGroups()).toEqual(['workers']);
    await engine.close();
  });

  it('cuts a damaged journal entry and deletes a damaged snapshot', async () => {
    const dataDir = await worked();
    const base = path.join(dataDir, 'groups', 'workers', 'state.journal');
    await flip(`${base}.0`, 20);
    const report = await checkDataDir(dataDir);
    expect(report.findings.map((f) => f.kind)).toContain('journal-corrupt');
    expect((await repairDataDir(dataDir, yes)).after!.damage).toBe(0);
    const opened = new EmbeddedEngine({ dataDir });
    await opened.start();
    await opened.close();

    // A snapshot (written by compaction) that went bad: repair deletes it.
    const { journal } = await StateJournal.open(base);
    await journal.compact({
      config: {},
      partitions: [{ topic: 'jobs', partition: 0, startOffset: 5, entries: [] }],
    });
    await journal.close();
    await flip(`${base}.snapshot`, 12);
    const withSnapshot = await checkDataDir(dataDir);
    expect(withSnapshot.findings.map((f) => [f.kind, f.repair?.op])).toEqual([
      ['snapshot-corrupt', 'cut-journal'],
    ]);
    expect(withSnapshot.findings[0]!.repair).toMatchObject({ at: 'delete' });
    expect((await repairDataDir(dataDir, yes)).after!.damage).toBe(0);
    const engine = new EmbeddedEngine({ dataDir });
    await engine.start();
    await engine.close();
  });

  it('finds a group that would skip the jobs of a log whose records were removed by hand', async () => {
    const dataDir = await worked();
    // Every segment of partition 0 deleted: the group's start offset is 149, the log ends at 0.
    const p0 = path.dirname(segment(dataDir, 0));
    for (const f of await readdir(p0)) await rm(path.join(p0, f));
    const report = await checkDataDir(dataDir);
    expect(new Set(report.findings.map((f) => f.kind))).toEqual(new Set(['group-ahead-of-log']));
    expect(report.findings[0]!.message).toMatch(/on jobs\/0 .*but the log ends at 0:/);
    expect((await repairDataDir(dataDir, yes)).after!.damage).toBe(0);
    const reopened = new EmbeddedEngine({ dataDir });
    await reopened.produce('jobs', [{ value: Buffer.from('new'), partition: 0 }]);
    expect(await acceptAll(reopened, 1)).toEqual(['new']);
    await reopened.close();
  });

  it('a topic deleted and created again leaves the directory clean: the groups forgot it', async () => {
    const dataDir = await worked();
    const engine = new EmbeddedEngine({ dataDir });
    await engine.admin.deleteTopic('jobs');
    await engine.admin.createTopic('jobs', { partitions: 2 });
    await engine.produce('jobs', [{ value: Buffer.from('new'), partition: 0 }]);
    await engine.close();
    expect((await checkDataDir(dataDir)).findings.filter((f) => f.severity === 'damage')).toEqual(
      [],
    );
    const reopened = new EmbeddedEngine({ dataDir });
    expect(await acceptAll(reopened, 1)).toEqual(['new']);
    await reopened.close();
  });
});

describe('sharq data repair on a terminal', () => {
  it('asks before cutting, and only "yes" proceeds', async () => {
    const dataDir = await worked();
    await flip(segment(dataDir, 180), -2);
    const file = segment(dataDir, 180);
    const bytes = await readFile(file);
    const out: string[] = [];
    const questions: string[] = [];
    const io = (answer: string) => ({
      stdout: (t: string) => out.push(t),
      stderr: (t: string) => out.push(t),
      ask: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    expect(await runDataCommand(['repair', dataDir], io('no'))).toBe(1);
    expect(await readFile(file)).toEqual(bytes);
    expect(out.join('')).toMatch(/drops offsets 190\.\.199 of jobs\/0/);
    expect(await runDataCommand(['repair', dataDir], io('yes'))).toBe(0);
    expect(questions).toHaveLength(2);
    expect((await readFile(file)).length).toBeLessThan(bytes.length);
    expect(await runDataCommand(['check', dataDir], io(''))).toBe(0);
  });
});
