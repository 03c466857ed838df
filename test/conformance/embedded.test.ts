import { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { tempDir } from '../helpers/temp-dir.js';
import { engineConformance } from './engine-suite.js';

engineConformance('embedded', async () => {
  const { dir, remove } = await tempDir();
  let engine = new EmbeddedEngine({ dataDir: dir });
  await engine.start();
  return {
    engine,
    async restart() {
      await engine.close();
      engine = new EmbeddedEngine({ dataDir: dir });
      await engine.start();
      return engine;
    },
    async cleanup() {
      await engine.close();
      await remove();
    },
  };
});
