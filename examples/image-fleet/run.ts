/**
 * An image-processing fleet on Kafka with more worker processes than partitions.
 *
 * A Kafka consumer group gives each partition to one member, so a 1-partition topic keeps all
 * but one consumer idle. A share group (KIP-932) hands records, not partitions, to its members:
 * here four `sharq worker` processes share one partition and each gets a part of the images,
 * while the broker's acquisition locks keep an image from going to two of them at once.
 *
 *   SHARQ_BROKERS=127.0.0.1:9092 node --import tsx examples/image-fleet/run.ts
 *
 * It creates a fresh queue (a topic named `images-<random>`), starts the worker processes with
 * the sharq CLI and waits for each one's ready line, adds the images, waits until every image
 * is done (each process appends to a results file), prints how many each process handled, then
 * stops them with SIGTERM (a graceful stop: exit code 0) and deletes the queue's topics.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'sharq';
import type { Image } from './worker.js';

const PROCESSES = 4;
const PARTITIONS = 1;
const IMAGES = 100;

const brokers = process.env.SHARQ_BROKERS ?? '';
if (brokers === '') {
  console.error(
    'Set SHARQ_BROKERS to the Kafka bootstrap servers, e.g. SHARQ_BROKERS=127.0.0.1:9092',
  );
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, '../..');
const name = `images-${randomUUID().slice(0, 8)}`;
const dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-image-fleet-'));
const results = path.join(dir, 'results.log');

const queue = new Queue<Image>(name, {
  engine: { type: 'kafka', brokers: brokers.split(','), clientId: 'image-fleet-run' },
  partitions: PARTITIONS,
});
await queue.ensureTopic();
console.log(
  `queue ${name} on ${brokers}: ${PARTITIONS} partition${PARTITIONS === 1 ? '' : 's'}, ${PROCESSES} worker processes`,
);

interface WorkerProcess {
  n: number;
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Starts `sharq worker examples/image-fleet/worker.ts` and watches for its ready line. */
function startWorker(n: number): WorkerProcess {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/cli/main.ts'),
      'worker',
      path.join(root, 'examples/image-fleet/worker.ts'),
      '--brokers',
      brokers,
      '--client-id',
      `image-fleet-worker-${n}`,
    ],
    {
      cwd: root,
      env: { ...process.env, IMAGE_QUEUE: name, IMAGE_RESULTS: results },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // stderr carries JSON lines of the events an operator acts on (failed, error, ...).
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${n} not ready in 60 s:\n${stderr}`)),
      60_000,
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{') && (JSON.parse(line) as { event?: string }).event === 'ready') {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker ${n} exited ${code}:\n${stderr}`));
    });
  });
  return { n, child, ready, exited, stderr: () => stderr };
}

/** `<pid> <job id> <size>` lines of the results file. */
function readResults(): { pid: number; id: string }[] {
  if (!existsSync(results)) return [];
  return readFileSync(results, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid = '', id = ''] = line.split(' ');
      return { pid: Number(pid), id };
    });
}

const fleet = Array.from({ length: PROCESSES }, (_, i) => startWorker(i + 1));
try {
  // Every process joins the share group before the images arrive, so none drains the backlog
  // alone while the others are still starting.
  await Promise.all(fleet.map((w) => w.ready));
  for (const w of fleet) console.log(`worker ${w.n} ready (pid ${w.child.pid})`);

  const started = Date.now();
  await queue.addBulk(
    Array.from({ length: IMAGES }, (_, i) => ({
      name: 'resize',
      data: { url: `https://img.example.com/${i}.jpg`, width: 1600 + i, height: 1200 },
    })),
  );
  console.log(`added ${IMAGES} images`);

  for (let done = 0; done < IMAGES; done = new Set(readResults().map((r) => r.id)).size) {
    if (Date.now() - started > 60_000) throw new Error(`only ${done} of ${IMAGES} images done`);
    await sleep(50);
  }
  const lines = readResults();
  console.log(`all ${IMAGES} images done in ${Date.now() - started} ms (${lines.length} results)`);
  for (const w of fleet) {
    const handled = lines.filter((r) => r.pid === w.child.pid).length;
    console.log(`  worker ${w.n} (pid ${w.child.pid}): ${handled} images`);
  }
  const idle = fleet.filter((w) => !lines.some((r) => r.pid === w.child.pid));
  if (idle.length === 0)
    console.log(`all ${PROCESSES} processes took images from the ${PARTITIONS}-partition queue`);
  else {
    console.log(`${idle.length} process(es) got no image`);
    process.exitCode = 1;
  }

  // SIGTERM: stop taking images, finish running ones, leave the group, exit 0.
  for (const w of fleet) w.child.kill('SIGTERM');
  for (const w of fleet) {
    const code = await w.exited;
    console.log(`worker ${w.n} exited ${code}`);
    if (code !== 0) {
      console.error(w.stderr());
      process.exitCode = 1;
    }
  }
} finally {
  for (const w of fleet) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  const admin = queue.engine.admin;
  // The queue's topics: the queue, its dead-letter topic and its delay tiers.
  for (const t of await admin.listTopics())
    if (t.name === name || t.name.endsWith(`.${name}`) || t.name.includes(`.${name}.`))
      await admin.deleteTopic(t.name);
  await queue.close();
  await rm(dir, { recursive: true, force: true });
}
