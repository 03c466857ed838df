import { describe, expect, it } from 'vitest';
import type { ProduceRecord, RecordPosition } from '../../../src/engine/types.js';
import { SharqError } from '../../../src/errors/sharq-error.js';
import { MAX_COALESCED_BYTES, ProduceCoalescer } from '../../../src/kafka/produce-coalescer.js';

/** A one-partition log behind a send that answers when told to. */
function fakeBroker() {
  const log: string[] = [];
  const requests: string[][] = [];
  const gates: (() => void)[] = [];
  let failNext: ((records: readonly ProduceRecord[]) => Error | undefined) | undefined;
  const send = async (_topic: string, records: readonly ProduceRecord[]) => {
    const values = records.map((r) => r.value!.toString());
    requests.push(values);
    await new Promise<void>((resolve) => gates.push(resolve));
    const err = failNext?.(records);
    if (err !== undefined) throw err;
    const base = log.length;
    log.push(...values);
    return records.map((_, i): RecordPosition => ({ partition: 0, offset: base + i }));
  };
  return {
    log,
    requests,
    send,
    /** Answers the oldest request waiting. */
    answer: () => gates.shift()?.(),
    failWith(f: (records: readonly ProduceRecord[]) => Error | undefined) {
      failNext = f;
    },
  };
}

const rec = (v: string): ProduceRecord => ({ value: Buffer.from(v) });
const immediate = () => new Promise((r) => setImmediate(r));
/** Two event-loop turns: the coalescer waits one after each answer before the next request. */
const turn = async () => {
  await immediate();
  await immediate();
};

describe('ProduceCoalescer', () => {
  it('sends the first call at once and the calls made meanwhile together, each with its own positions in order', async () => {
    const b = fakeBroker();
    const c = new ProduceCoalescer(b.send);
    const first = c.produce('t', [rec('a')]);
    const rest = [c.produce('t', [rec('b'), rec('c')]), c.produce('t', [rec('d')])];
    await turn();
    expect(b.requests).toEqual([['a']]);
    b.answer();
    expect(await first).toEqual([{ partition: 0, offset: 0 }]);
    await turn();
    expect(b.requests).toEqual([['a'], ['b', 'c', 'd']]);
    b.answer();
    expect(await Promise.all(rest)).toEqual([
      [
        { partition: 0, offset: 1 },
        { partition: 0, offset: 2 },
      ],
      [{ partition: 0, offset: 3 }],
    ]);
    expect(b.log).toEqual(['a', 'b', 'c', 'd']);
  });

  it('waits one turn after an answer, so callers it answered who add again make the next request', async () => {
    const b = fakeBroker();
    const c = new ProduceCoalescer(b.send);
    // Callers that add their next job from a continuation, several hops deep, as Queue.add does.
    const again = (p: Promise<RecordPosition[]>, v: string) =>
      p.then(async () => {
        await Promise.resolve();
        await Promise.resolve();
        return c.produce('t', [rec(v)]);
      });
    const first = again(c.produce('t', [rec('a')]), 'a2');
    const queued = [c.produce('t', [rec('b')]), c.produce('t', [rec('c')])];
    await turn();
    expect(b.requests).toEqual([['a']]);
    b.answer();
    await turn();
    expect(b.requests).toEqual([['a'], ['b', 'c', 'a2']]);
    b.answer();
    expect(await first).toEqual([{ partition: 0, offset: 3 }]);
    await Promise.all(queued);
    expect(b.log).toEqual(['a', 'b', 'c', 'a2']);
  });

  it('keeps topics apart and caps a request by size (a large call goes alone)', async () => {
    const b = fakeBroker();
    const c = new ProduceCoalescer(b.send);
    const big = 'x'.repeat(MAX_COALESCED_BYTES);
    const calls = [
      c.produce('t', [rec('a')]),
      c.produce('u', [rec('u1')]),
      c.produce('t', [rec(big)]),
      c.produce('t', [rec('b')]),
    ];
    await turn();
    expect(b.requests).toEqual([['a'], ['u1']]);
    b.answer();
    b.answer();
    await turn();
    expect(b.requests.slice(2)).toEqual([[big]]);
    b.answer();
    await turn();
    expect(b.requests.slice(3)).toEqual([['b']]);
    b.answer();
    await Promise.all(calls);
  });

  it('a request refused whole for its content is sent again call by call: only the bad call fails', async () => {
    const b = fakeBroker();
    const c = new ProduceCoalescer(b.send);
    const first = c.produce('t', [rec('a')]);
    const good = c.produce('t', [rec('good')]);
    const bad = c.produce('t', [rec('bad')]);
    await turn();
    b.failWith((records) =>
      records.some((r) => r.value!.toString() === 'bad')
        ? new SharqError('SHARQ_ERR_KAFKA', 'Kafka produce failed: too large', {
            details: { kafkaError: 'MESSAGE_TOO_LARGE' },
          })
        : undefined,
    );
    b.answer(); // 'a'
    await first;
    await turn();
    b.answer(); // ['good', 'bad'] refused whole
    await turn();
    b.answer(); // 'good' alone
    await turn();
    b.answer(); // 'bad' alone
    expect(await good).toEqual([{ partition: 0, offset: 1 }]);
    await expect(bad).rejects.toMatchObject({ details: { kafkaError: 'MESSAGE_TOO_LARGE' } });
    expect(b.log).toEqual(['a', 'good']);
  });

  it('a failure that may have written the request fails every call in it and sends nothing again', async () => {
    const b = fakeBroker();
    const c = new ProduceCoalescer(b.send);
    const first = c.produce('t', [rec('a')]);
    const calls = [c.produce('t', [rec('b')]), c.produce('t', [rec('c')])];
    await turn();
    b.answer();
    await first;
    b.failWith(() => new SharqError('SHARQ_ERR_CONNECTION', 'Kafka produce failed: timeout'));
    await turn();
    b.answer();
    for (const p of calls) await expect(p).rejects.toMatchObject({ code: 'SHARQ_ERR_CONNECTION' });
    expect(b.requests).toEqual([['a'], ['b', 'c']]);
    // The topic goes on serving calls after the failure.
    b.failWith(() => undefined);
    const after = c.produce('t', [rec('d')]);
    await turn();
    b.answer();
    expect(await after).toEqual([{ partition: 0, offset: 1 }]);
  });
});
