/**
 * A record over the server's size limit through the Kafka engine: refused as Kafka refuses one
 * over max.message.bytes (MESSAGE_TOO_LARGE, nothing written), and reported as the embedded
 * engine reports it (SHARQ_ERR_RECORD_TOO_LARGE), not as a write in doubt.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '../../../src/engine/resolve-engine.js';
import type { Engine } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { Queue } from '../../../src/queue/queue.js';
import { startServer } from '../../../src/server/index.js';
import { tempDir } from '../../helpers/temp-dir.js';

let server: Awaited<ReturnType<typeof startServer>>;
let engine: Engine;
let remove: () => Promise<void>;

beforeAll(async () => {
  const t = await tempDir('sharq-too-large-');
  remove = t.remove;
  server = await startServer({
    port: 0,
    engine: { dataDir: t.dir, fsync: 'never', maxRecordBytes: 4096 },
    logger: { info: () => undefined, warn: () => undefined },
  });
  engine = createEngine({ type: 'kafka', brokers: [`127.0.0.1:${server.address.port}`] });
});

afterAll(async () => {
  await engine?.close();
  await server?.close();
  await remove?.();
});

it('a record over --max-record-bytes is SHARQ_ERR_RECORD_TOO_LARGE and writes nothing; the others of its request go in', async () => {
  const queue = new Queue('big', { engine });
  try {
    const err = await queue.add('big', { s: 'x'.repeat(8192) }).catch((e: unknown) => e);
    expect(SharqError.is(err, 'SHARQ_ERR_RECORD_TOO_LARGE')).toBe(true);
    expect((err as SharqError).message).toContain(
      "the record is larger than the broker's limit (Kafka: max.message.bytes, a batch; sharq server: --max-record-bytes, a record); nothing of it was written",
    );
    // One record over the limit among several of one call: the message does not send the
    // caller to split a call whose one record is too large in any case.
    const bulk = await queue
      .addBulk([
        { name: 'small', data: { n: 0 } },
        { name: 'big', data: { s: 'z'.repeat(8192) } },
      ])
      .catch((e: unknown) => e);
    expect(SharqError.is(bulk, 'SHARQ_ERR_RECORD_TOO_LARGE')).toBe(true);
    expect((bulk as SharqError).message).toMatch(
      /a record of this call, or its 2 records as one batch \(\d+ bytes of keys and values, headers not counted\), are over the broker's limit .*if no record is over the limit, add fewer per call$/,
    );
    expect((err as SharqError).details.kafkaError).toBe('MESSAGE_TOO_LARGE');
    // Calls that shared a request with it are sent again without it.
    const results = await Promise.allSettled([
      queue.add('small', { n: 1 }),
      queue.add('big', { s: 'y'.repeat(8192) }),
      queue.add('small', { n: 2 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const offsets = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.offset] : []));
    // Nothing of the refused records took an offset.
    expect(offsets.sort()).toEqual([0, 1]);
  } finally {
    await queue.close();
  }
});
