// The Kafka example, run as a user runs it: examples/image-fleet/run.ts against the integration
// broker, which starts four `sharq worker` processes on a 1-partition queue.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { createEngine } from '../../src/engine/resolve-engine.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

describeKafka('examples/image-fleet', () => {
  it('four worker processes share a 1-partition queue: each handles images, each exits 0', async () => {
    const brokers = kafkaBrokers()!;
    const { dir, remove } = await tempDir('sharq-example-fleet-');
    // Only SHARQ_BROKERS reaches the example (and its workers), as in a clean shell.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SHARQ_')),
    );
    let stdout: string;
    try {
      ({ stdout } = await run(
        process.execPath,
        ['--import', tsx, path.join(root, 'examples/image-fleet/run.ts')],
        {
          cwd: dir,
          env: {
            ...env,
            SHARQ_BROKERS: brokers.join(','),
            TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json'),
          },
          timeout: 100_000,
        },
      ));
    } finally {
      await remove();
    }

    const queue = /^queue (images-[0-9a-f]{8}) on /m.exec(stdout)?.[1];
    expect(queue, stdout).toBeDefined();
    expect(stdout).toContain('1 partition, 4 worker processes');
    expect(stdout).toContain('all 4 processes took images from the 1-partition queue');
    const handled = [...stdout.matchAll(/^ {2}worker (\d) \(pid (\d+)\): (\d+) images$/gm)];
    expect(handled.map((m) => m[1])).toEqual(['1', '2', '3', '4']);
    // Four processes, four pids, and every one of them got work from the one partition.
    expect(new Set(handled.map((m) => m[2])).size).toBe(4);
    for (const m of handled) expect(Number(m[3]), `worker ${m[1]}`).toBeGreaterThan(0);
    // Every image done once: as many results as images.
    expect(stdout).toMatch(/^all 100 images done in \d+ ms \(100 results\)$/m);
    expect(handled.reduce((n, m) => n + Number(m[3]), 0)).toBe(100);
    for (const n of [1, 2, 3, 4]) expect(stdout).toContain(`worker ${n} exited 0`);

    // It deleted the topics it made: the queue, its DLQ and its delay tiers.
    const engine = createEngine({ type: 'kafka', brokers, clientId: 'sharq-test-example-fleet' });
    try {
      const left = (await engine.admin.listTopics()).filter((t) => t.name.includes(queue!));
      expect(left.map((t) => t.name)).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 110_000);
});
