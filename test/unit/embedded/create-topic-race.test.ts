import { expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { tempDir } from '../../helpers/temp-dir.js';

it('concurrent creates of one topic: one wins, the others get SHARQ_ERR_TOPIC_EXISTS, the topic works', async () => {
  const { dir, remove } = await tempDir();
  const engine = new EmbeddedEngine({ dataDir: dir });
  await engine.start();
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => engine.admin.createTopic('t', { partitions: 2 })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'SHARQ_ERR_TOPIC_EXISTS' });
    }
    expect(await engine.admin.ensureTopic('t')).toEqual({ name: 't', partitions: 2 });
    const [pos] = await engine.produce('t', [{ value: Buffer.from('x'), partition: 1 }]);
    expect(pos).toEqual({ partition: 1, offset: 0 });
  } finally {
    await engine.close();
    await remove();
  }
});
