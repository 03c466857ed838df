import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import { createEngine } from '../../../src/engine/resolve-engine.js';
import { Queue } from '../../../src/queue/queue.js';
import { Worker } from '../../../workers/worker.js';

const invalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string; details: { problems?: { option: string }[] } };
  }
  throw new Error('expected an error');
};

describe('option validation', () => {
  it('names the option and the rule, with SHARQ_ERR_INVALID_OPTION', () => {
    const err = invalid(() => new Worker('q', async () => 1, { concurrency: 0, autorun: false }));
    expect(err.code).toBe('SHARQ_ERR_INVALID_OPTION');
    expect(err.message).toMatch(/Worker options: concurrency: .*>=1/);
    expect(err.details.problems?.[0]?.option).toBe('concurrency');
  });

  it('rejects unknown options instead of ignoring a typo', () => {
    const err = invalid(() => new Queue('q', { partitons: 3 } as never));
    expect(err.code).toBe('SHARQ_ERR_INVALID_OPTION');
    expect(err.message).toMatch(/partitons/);
  });

  it('says what a union or a record key wanted, not "Invalid input"', async () => {
    expect(invalid(() => new Queue('q', { engine: { type: 'redis' } as never })).message).toBe(
      'Invalid Queue options: engine: type: Invalid option: expected one of "embedded"|"kafka"; or an engine options object ({ type: "embedded" | "kafka", ... }) or an Engine instance',
    );
    const q = new Queue('q', { engine: { type: 'embedded', dataDir: '/nonexistent-not-opened' } });
    const err = await q.add('n', {}, { headers: { 'sharq.id': 'x' } }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'Invalid job "n" options: headers.sharq.id: header names starting with "sharq." or "__dlq." are reserved',
    );
    const when = await q.add('n', {}, { runAt: new Date('nope') }).catch((e: unknown) => e);
    expect((when as Error).message).toBe(
      'Invalid job "n" options: runAt: a valid Date or epoch milliseconds (an integer >= 0)',
    );
    await q.close();
  });

  it('a number option given something else names it without failing on it', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [value, shown] of [
      [10n, '10n'],
      [cyclic, '[object Object]'],
      ['9'.repeat(100), `"${'9'.repeat(56)}...`],
    ] as const) {
      const err = invalid(() => new Queue('q', { partitions: value as never }));
      expect(err.code).toBe('SHARQ_ERR_INVALID_OPTION');
      expect(err.message).toBe(
        `Invalid Queue options: partitions: expected a number, got ${shown}`,
      );
    }
  });

  it('checks nested engine options', () => {
    const err = invalid(() => new EmbeddedEngine({ fsync: 'sometimes' as never }));
    expect(err.code).toBe('SHARQ_ERR_INVALID_OPTION');
    expect(err.message).toMatch(/fsync/);
    const k = invalid(() => createEngine({ type: 'kafka', brokers: ['no-port'] }));
    expect(k.code).toBe('SHARQ_ERR_INVALID_OPTION');
    expect(k.message).toMatch(/brokers\.0: each broker is "host:port"/);
  });

  it('checks queue names and handlers', () => {
    expect(invalid(() => new Queue('')).code).toBe('SHARQ_ERR_INVALID_OPTION');
    expect(invalid(() => new Queue('has space')).code).toBe('SHARQ_ERR_INVALID_OPTION');
    // Names sharq derives from a queue, or Kafka keeps, are not queue names.
    for (const name of [
      'dlq.orders',
      'delay.orders.1s',
      'sharq.control.orders',
      '__consumer_offsets',
    ]) {
      const q = invalid(() => new Queue(name));
      expect(q.code).toBe('SHARQ_ERR_INVALID_OPTION');
      expect(q.message).toMatch(/may not begin with "dlq\.", "delay\.", "sharq\." or "__"/);
      expect(invalid(() => new Worker(name, async () => 1, { autorun: false })).code).toBe(
        'SHARQ_ERR_INVALID_OPTION',
      );
    }
    expect(invalid(() => new Queue('dlq.orders')).message).toBe(
      'Invalid queue name "dlq.orders": that is the dead-letter topic of queue "orders"; a queue name may not begin with "dlq.", "delay.", "sharq." or "__"',
    );
    expect(invalid(() => new Worker('q', 42 as never, { autorun: false })).code).toBe(
      'SHARQ_ERR_INVALID_OPTION',
    );
    // A processor path that names no file fails at construction, not at the first job.
    expect(invalid(() => new Worker('q', './nope.js', { autorun: false })).message).toMatch(
      /nope\.js does not exist/,
    );
    expect(
      invalid(() => new Worker('q', async () => 1, { attempts: 1001, autorun: false })).message,
    ).toMatch(/attempts/);
  });

  it('accepts a zod schema for typed payloads', async () => {
    const q = new Queue('typed', {
      schema: z.object({ to: z.string() }),
      engine: { type: 'embedded', dataDir: '/nonexistent-not-opened' },
    });
    expect(q.name).toBe('typed');
    await q.close();
    expect(
      invalid(() => new Queue('typed2', { schema: { parse: () => 1 } as never })).message,
    ).toMatch(/schema/);
  });
});
