import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { tempDir } from '../helpers/temp-dir.js';
import { workerConformance } from './worker-suite.js';

workerConformance('embedded', async () => {
  const { dir, remove } = await tempDir();
  const engine = new EmbeddedEngine({ dataDir: dir });
  await engine.start();
  return {
    engine,
    async cleanup() {
      await engine.close();
      await remove();
    },
  };
});
