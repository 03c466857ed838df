import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { tempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function filledEngine(records = 50): Promise<{ dir: string; segment: string }> {
  const { dir, remove } = await tempDir();
  cleanups.push(remove);
  const engine = new EmbeddedEngine({ dataDir: dir });
  await engine.admin.createTopic('jobs');
  for (let i = 0; i < records; i += 10) {
    await engine.produce(
      'jobs',
      Array.from({ length: 10 }, (_, n) => ({ value: Buffer.from(`job-${i + n}`) })),
    );
  }
  await engine.close();
  const partDir = path.join(dir, 'topics', 'jobs', '0');
  const [file] = (await readdir(partDir)).filter((f) => f.endsWith('.log'));
  return { dir, segment: path.join(partDir, file!) };
}

describe('embedded engine', () => {
  it('refuses a second engine on an open data directory, and the first keeps working', async () => {
    const { dir, remove } = await tempDir();
    cleanups.push(remove);
    const first = new EmbeddedEngine({ dataDir: dir });
    cleanups.push(() => first.close());
    await first.admin.createTopic('t');
    const second = new EmbeddedEngine({ dataDir: dir });
    const err = await second.start().catch((e: unknown) => e);
    expect(SharqError.is(err, 'SHARQ_ERR_DATA_DIR_LOCKED')).toBe(true);
    await expect(first.produce('t', [{ value: Buffer.from('x') }])).resolves.toHaveLength(1);
    await first.close();
    // Once the owner is gone the directory opens again, with its data.
    const third = new EmbeddedEngine({ dataDir: dir });
    cleanups.push(() => third.close());
    expect((await third.read('t', 0, 0, 10)).map((r) => r.value?.toString())).toEqual(['x']);
  });

  it('refuses to start on a corrupted segment, naming the file and position', async () => {
    const { dir, segment } = await filledEngine();
    const bytes = await readFile(segment);
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    await writeFile(segment, bytes);
    const engine = new EmbeddedEngine({ dataDir: dir });
    const err = await engine.start().catch((e: unknown) => e);
    expect(SharqError.is(err, 'SHARQ_ERR_LOG_CORRUPT')).toBe(true);
    expect((err as SharqError).message).toContain(segment);
    expect((err as SharqError).details).toMatchObject({ file: segment });
    // A failed start leaves the directory unlocked for a fixed-up retry.
    bytes[Math.floor(bytes.length / 3)]! ^= 0xff;
    await writeFile(segment, bytes);
    await engine.start();
    expect(await engine.read('jobs', 0, 0, 100)).toHaveLength(50);
    await engine.close();
  });

  it('recovers a torn tail, reports it, and keeps every complete record', async () => {
    const { dir, segment } = await filledEngine();
    const bytes = await readFile(segment);
    await writeFile(segment, bytes.subarray(0, bytes.length - 7));
    const engine = new EmbeddedEngine({ dataDir: dir });
    const reported: SharqError[] = [];
    engine.onError((e) => reported.push(e as SharqError));
    await engine.start();
    cleanups.push(() => engine.close());
    expect(reported).toHaveLength(1);
    expect(reported[0]!.code).toBe('SHARQ_ERR_RECOVERED');
    expect(reported[0]!.details).toMatchObject({ kind: 'torn-write', file: segment });
    expect(reported[0]!.message).toMatch(/torn write/);
    // The last producer batch (10 records) was cut: it is dropped whole.
    const records = await engine.read('jobs', 0, 0, 100);
    expect(records).toHaveLength(40);
    expect(records.at(-1)!.value?.toString()).toBe('job-39');
    const [next] = await engine.produce('jobs', [{ value: Buffer.from('after') }]);
    expect(next!.offset).toBe(40);
  });

  it('refuses a damaged catalog with a coded error', async () => {
    const { dir } = await filledEngine(10);
    await writeFile(path.join(dir, 'catalog.json'), '{"version":1,"topics":[{"name":');
    const err = await new EmbeddedEngine({ dataDir: dir }).start().catch((e: unknown) => e);
    expect(SharqError.is(err, 'SHARQ_ERR_CATALOG_CORRUPT')).toBe(true);
    expect((err as Error).message).toContain('catalog.json');
    expect((err as Error).message).toContain(`sharq data repair ${dir}`);
  });
});
