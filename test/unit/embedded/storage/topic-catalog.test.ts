import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TopicCatalog } from '../../../../src/embedded/storage/topic-catalog.js';
import { caught, useTempDirs } from './temp-dir.js';

const tempDir = useTempDirs();

describe('TopicCatalog', () => {
  it('starts empty without a file and persists topics and group configs', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'catalog.json');
    const catalog = await TopicCatalog.load(file);
    expect(catalog.listTopics()).toEqual([]);
    await Promise.all([catalog.addTopic('jobs', 3), catalog.addTopic('jobs.dlq', 1)]);
    await catalog.setGroupConfig('workers', {
      lockDurationMs: 30_000,
      autoOffsetReset: 'earliest',
    });
    expect(catalog.getTopic('jobs')).toEqual({ name: 'jobs', partitions: 3 });

    const reloaded = await TopicCatalog.load(file);
    expect(reloaded.listTopics()).toEqual([
      { name: 'jobs', partitions: 3 },
      { name: 'jobs.dlq', partitions: 1 },
    ]);
    expect(reloaded.listGroups()).toEqual(['workers']);
    expect(reloaded.getGroupConfig('workers')).toEqual({
      lockDurationMs: 30_000,
      autoOffsetReset: 'earliest',
    });
    await reloaded.removeTopic('jobs');
    await reloaded.removeGroup('workers');
    const third = await TopicCatalog.load(file);
    expect(third.listTopics().map((t) => t.name)).toEqual(['jobs.dlq']);
    expect(third.listGroups()).toEqual([]);
    expect(await readdir(dir)).toEqual(['catalog.json']);
  });

  it('leaves memory and disk unchanged when a change is rejected', async () => {
    const file = path.join(await tempDir(), 'catalog.json');
    const catalog = await TopicCatalog.load(file);
    await catalog.addTopic('jobs', 2);
    expect((await caught(() => catalog.addTopic('jobs', 5))).code).toBe('SHARQ_ERR_TOPIC_EXISTS');
    expect((await caught(() => catalog.addTopic('other', 0))).code).toBe(
      'SHARQ_ERR_INVALID_ARGUMENT',
    );
    expect(catalog.listTopics()).toEqual([{ name: 'jobs', partitions: 2 }]);
    expect(JSON.parse(await readFile(file, 'utf8')).topics).toEqual([
      { name: 'jobs', partitions: 2 },
    ]);
  });

  it('fails with SHARQ_ERR_CATALOG_CORRUPT naming the file on bad JSON or a bad shape', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'catalog.json');
    for (const text of [
      '{"version": 1, "topics": [',
      '[]',
      '{"version": 2, "topics": [], "groups": {}}',
      '{"version": 1, "topics": [{"name": "a", "partitions": 0}], "groups": {}}',
      '{"version": 1, "topics": [{"name": "a", "partitions": 1}, {"name": "a", "partitions": 1}], "groups": {}}',
      '{"version": 1, "topics": [], "groups": {"g": 3}}',
    ]) {
      await writeFile(file, text);
      const err = await caught(() => TopicCatalog.load(file));
      expect(err.code).toBe('SHARQ_ERR_CATALOG_CORRUPT');
      expect(err.message).toContain(file);
      expect(err.details?.file).toBe(file);
    }
  });

  it('removes temp files left by an interrupted write', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'catalog.json');
    await writeFile(`${file}.1234.1.tmp`, '{"partial');
    await TopicCatalog.load(file);
    expect(await readdir(dir)).toEqual([]);
  });
});
