import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DlqLedger } from '../../../src/admin/dlq-ledger.js';
import type { EmbeddedEngine } from '../../../src/embedded/embedded-engine.js';
import type { PartitionOffsets } from '../../../src/engine/types.js';
import { dlqStateTopic } from '../../../src/queue/names.js';
import { embedded, queueName } from './fixtures.js';

let engine: EmbeddedEngine;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ engine, close } = await embedded());
});
afterEach(() => close());

/** A discard step as another process writes it to the ledger topic. */
function discardStep(id: string, at: number) {
  return {
    key: Buffer.from(id),
    value: Buffer.from(JSON.stringify({ v: 1, op: 'discard', id, at, by: null, rid: `d-${at}` })),
    partition: 0,
  };
}

/**
 * A ledger on a made topic, read once, whose next read of the log offsets is held until
 * `release()`: taken at once and then held (`after`), or held and then failed (`fail`).
 * `taken()` counts the offset reads since.
 */
async function heldFirstRead(mode: 'after' | 'fail') {
  const queue = queueName();
  const ledger = new DlqLedger(engine, queue);
  await engine.admin.createTopic(dlqStateTopic(queue), { partitions: 1 });
  await ledger.refresh();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const offsets = engine.admin.offsets.bind(engine.admin);
  let taken = 0;
  vi.spyOn(engine.admin, 'offsets').mockImplementation(async (topic: string) => {
    if (taken++ > 0) return offsets(topic);
    if (mode === 'fail') {
      await gate;
      throw new Error('read failed');
    }
    const o: PartitionOffsets[] = await offsets(topic);
    await gate;
    return o;
  });
  return { queue, ledger, release, taken: () => taken };
}

describe('DlqLedger.refresh', () => {
  it('a refresh called while a read is under way reads again, past what was written before it', async () => {
    // The next read takes the log end, then waits: a read that began before the write below.
    const { queue, ledger, release, taken } = await heldFirstRead('after');
    const first = ledger.refresh();
    await vi.waitFor(() => expect(taken()).toBe(1));
    await engine.produce(dlqStateTopic(queue), [discardStep('0:5', 111)]);
    const second = ledger.refresh();
    release();
    await first;
    expect(ledger.get('0:5')).toBeUndefined();
    await second;
    expect(ledger.get('0:5')).toMatchObject({ discardedAt: 111 });
    expect(taken()).toBe(2);
  });

  it('callers that come during one read share the next; a failed read does not fail them', async () => {
    const { queue, ledger, release, taken } = await heldFirstRead('fail');
    const first = ledger.refresh();
    await vi.waitFor(() => expect(taken()).toBe(1));
    await engine.produce(dlqStateTopic(queue), [discardStep('0:1', 1), discardStep('0:2', 2)]);
    const waiting = [ledger.refresh(), ledger.refresh(), ledger.refresh()];
    release();
    await expect(first).rejects.toThrow('read failed');
    await Promise.all(waiting);
    expect(taken()).toBe(2);
    expect(ledger.totals()).toEqual({ discarded: 2, redriven: 0 });
  });

  it('a view of a ledger never written creates nothing; the first append makes its topic', async () => {
    const queue = queueName();
    const names = async () => (await engine.admin.listTopics()).map((t) => t.name);
    const ledger = new DlqLedger(engine, queue, async (t) => (await names()).includes(t));
    await ledger.refresh();
    expect(ledger.totals()).toEqual({ discarded: 0, redriven: 0 });
    expect(await names()).not.toContain(dlqStateTopic(queue));
    await ledger.append([{ op: 'discard', id: '0:1', at: 1, by: null, rid: 'd-1' }]);
    expect(await names()).toContain(dlqStateTopic(queue));
    expect(ledger.totals()).toEqual({ discarded: 1, redriven: 0 });
  });

  it('a read for a write never takes a ledger the topic names do not list yet for empty', async () => {
    // Another process made the ledger and wrote a step; this process's names are stale.
    const queue = queueName();
    await engine.admin.createTopic(dlqStateTopic(queue), { partitions: 1 });
    await engine.produce(dlqStateTopic(queue), [discardStep('0:4', 1)]);
    const ledger = new DlqLedger(engine, queue, async () => false);
    await ledger.refresh();
    expect(ledger.get('0:4')).toBeUndefined();
    await ledger.refreshToWrite();
    expect(ledger.get('0:4')?.discardedAt).toBe(1);
    // Written once, it reads without asking the names again.
    await engine.produce(dlqStateTopic(queue), [discardStep('0:5', 2)]);
    await ledger.refresh();
    expect(ledger.get('0:5')?.discardedAt).toBe(2);
  });

  it('append resolves with its own steps applied, in the ledger order', async () => {
    const ledger = new DlqLedger(engine, queueName());
    await ledger.append([
      { op: 'discard', id: '0:3', at: 5, by: 'ops', rid: 'd-1' },
      { op: 'discard', id: '0:3', at: 9, by: 'ops', rid: 'd-2' },
    ]);
    expect(ledger.get('0:3')).toMatchObject({ discardedAt: 5, discardRid: 'd-1' });
  });
});
