import { appendFile, copyFile, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type GroupSnapshot,
  type JournalEntry,
  StateJournal,
} from '../../../../src/embedded/storage/state-journal.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

function entry(partition: number, first: number, extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    topic: 'jobs',
    partition,
    startOffset: first,
    changes: [
      { firstOffset: first, lastOffset: first + 4, state: 'acknowledged', deliveryCount: 1 },
      { firstOffset: first + 5, lastOffset: first + 5, state: 'available', deliveryCount: 2 },
      { firstOffset: 2 ** 40, lastOffset: 2 ** 40 + 1, state: 'archived', deliveryCount: 5 },
    ],
    ...extra,
  };
}

const snapshot = (n: number): GroupSnapshot => ({
  config: { lockDurationMs: 30_000, nested: { n } },
  partitions: [
    {
      topic: 'jobs',
      partition: 0,
      startOffset: n,
      entries: [{ firstOffset: n, lastOffset: n + 2, state: 'available', deliveryCount: 1 }],
    },
  ],
});

async function journalFile(): Promise<string> {
  return path.join(await tempDir(), 'group', 'state.journal');
}

describe('StateJournal', () => {
  it('returns appended entries on reopen, in order, with multi-entry appends intact', async () => {
    const file = await journalFile();
    const opened = await StateJournal.open(file);
    expect(opened.snapshot).toBeUndefined();
    expect(opened.entries).toEqual([]);
    await opened.journal.append([entry(0, 0)]);
    await Promise.all([
      opened.journal.append([entry(1, 10), entry(2, 20)]),
      opened.journal.append([entry(0, 30)]),
    ]);
    expect(opened.journal.sizeBytes).toBeGreaterThan(0);
    await opened.journal.close();
    const again = await StateJournal.open(file);
    expect(again.entries).toEqual([entry(0, 0), entry(1, 10), entry(2, 20), entry(0, 30)]);
    await again.journal.close();
  });

  it('compacts into a snapshot; reopen yields the snapshot plus only later entries', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await journal.append([entry(0, 1)]);
    const before = journal.sizeBytes;
    const compacting = journal.compact(snapshot(1));
    const during = journal.append([entry(0, 100)]); // goes to the next generation
    await Promise.all([compacting, during]);
    expect(journal.sizeBytes).toBeLessThan(before);
    await journal.append([entry(0, 200)]);
    await journal.close();
    const again = await StateJournal.open(file);
    expect(again.snapshot).toEqual(snapshot(1));
    expect(again.entries).toEqual([entry(0, 100), entry(0, 200)]);
    const files = (await readdir(path.dirname(file))).sort();
    expect(files).toEqual(['state.journal.1', 'state.journal.snapshot']);
    await again.journal.close();
  });

  it('survives repeated compactions across reopens', async () => {
    const file = await journalFile();
    for (let round = 0; round < 3; round++) {
      const { journal, snapshot: snap, entries } = await StateJournal.open(file);
      expect(snap).toEqual(round === 0 ? undefined : snapshot(round));
      expect(entries).toEqual(round === 0 ? [] : [entry(0, round)]);
      await journal.compact(snapshot(round + 1));
      await journal.append([entry(0, round + 1)]);
      await journal.close();
    }
  });

  it('recovers a torn tail of the journal and keeps appending after it', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await journal.append([entry(0, 10)]);
    await journal.close();
    const current = `${file}.0`;
    const size = (await readFile(current)).length;
    await truncate(current, size - 3);
    const again = await StateJournal.open(file);
    expect(again.entries).toEqual([entry(0, 0)]);
    await again.journal.append([entry(0, 20)]);
    await again.journal.close();
    const third = await StateJournal.open(file);
    expect(third.entries).toEqual([entry(0, 0), entry(0, 20)]);
    await third.journal.close();
  });

  it('reports a flipped byte in the middle of the journal with file and position', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await journal.append([entry(0, 10)]);
    await journal.close();
    const current = `${file}.0`;
    const buf = await readFile(current);
    buf[12]! ^= 0xff;
    await writeFile(current, buf);
    const err = await caught(() => StateJournal.open(file));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details).toMatchObject({ file: current, position: 0 });
  });

  it('reports a damaged snapshot', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.compact(snapshot(1));
    await journal.close();
    const buf = await readFile(`${file}.snapshot`);
    buf[buf.length - 2]! ^= 0x10;
    await writeFile(`${file}.snapshot`, buf);
    const err = await caught(() => StateJournal.open(file));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details?.file).toBe(`${file}.snapshot`);
  });

  it('rejects invalid entries and calls after close', async () => {
    const { journal } = await StateJournal.open(await journalFile());
    const bad = entry(0, 5, {
      changes: [{ firstOffset: 5, lastOffset: 4, state: 'available', deliveryCount: 0 }],
    });
    expect((await caught(() => journal.append([bad]))).code).toBe('SHARQ_ERR_INVALID_ARGUMENT');
    await Promise.all([journal.close(), journal.close()]);
    expect((await caught(() => journal.append([entry(0, 0)]))).code).toBe('SHARQ_ERR_CLOSED');
    expect((await caught(() => journal.compact(snapshot(0)))).code).toBe('SHARQ_ERR_CLOSED');
  });
});

describe('StateJournal crash simulation', () => {
  it('ignores a leftover snapshot.tmp (crash while writing the snapshot)', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await journal.close();
    await writeFile(`${file}.snapshot.tmp`, 'half a snapshot');
    const again = await StateJournal.open(file);
    expect(again.snapshot).toBeUndefined();
    expect(again.entries).toEqual([entry(0, 0)]);
    expect(await readdir(path.dirname(file))).not.toContain('state.journal.snapshot.tmp');
    await again.journal.close();
  });

  it('replays old and new generations when the crash came before the snapshot rename', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await journal.close();
    // Keep generation 0 and the absence of a snapshot, as they were before compaction.
    await copyFile(`${file}.0`, `${file}.saved`);
    const second = await StateJournal.open(file);
    await second.journal.compact(snapshot(1));
    await second.journal.append([entry(0, 50)]);
    await second.journal.close();
    // Crash state: journal 0 and 1 on disk, snapshot rename lost.
    await copyFile(`${file}.saved`, `${file}.0`);
    await writeFile(`${file}.snapshot.tmp`, await readFile(`${file}.snapshot`));
    await rm(`${file}.snapshot`);
    const again = await StateJournal.open(file);
    expect(again.snapshot).toBeUndefined();
    expect(again.entries).toEqual([entry(0, 0), entry(0, 50)]);
    await again.journal.close();
  });

  it('never double-applies a journal the snapshot already covers (crash before its deletion)', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await copyFile(`${file}.0`, `${file}.saved`);
    await journal.compact(snapshot(1));
    await journal.append([entry(0, 70)]);
    await journal.close();
    await copyFile(`${file}.saved`, `${file}.0`); // the deletion of generation 0 was lost
    const again = await StateJournal.open(file);
    expect(again.snapshot).toEqual(snapshot(1));
    expect(again.entries).toEqual([entry(0, 70)]);
    expect(await readdir(path.dirname(file))).not.toContain('state.journal.0');
    await again.journal.close();
  });

  it('treats a torn tail in an older generation as corruption', async () => {
    const file = await journalFile();
    const { journal } = await StateJournal.open(file);
    await journal.append([entry(0, 0)]);
    await copyFile(`${file}.0`, `${file}.saved`);
    await journal.compact(snapshot(1));
    await journal.close();
    await copyFile(`${file}.saved`, `${file}.0`);
    await rm(`${file}.snapshot`);
    await appendFile(`${file}.0`, Buffer.from([9, 0, 0, 0, 1]));
    const err = await caught(() => StateJournal.open(file));
    expect(err.code).toBe('SHARQ_ERR_LOG_CORRUPT');
    expect(err.details?.file).toBe(`${file}.0`);
  });
});
