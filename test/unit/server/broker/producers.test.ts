import { describe, expect, it } from 'vitest';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { ProducerRegistry } from '../../../../src/server/broker/producers.js';

describe('idempotent producers', () => {
  /** A registry, one producer's batches of `recordCount` records, and a log counting its writes. */
  function producer(recordCount: number) {
    const reg = new ProducerRegistry(1000);
    const { producerId, producerEpoch } = reg.init();
    const log = { next: 0, writes: 0 };
    const write = async () => {
      log.writes++;
      const base = log.next;
      log.next += recordCount;
      return base;
    };
    const batch = (baseSequence: number, crc?: number) => ({
      producerId,
      producerEpoch,
      baseSequence,
      recordCount,
      ...(crc === undefined ? {} : { crc }),
    });
    return { reg, producerEpoch, write, batch, log };
  }

  it('follows a producer whose sequences wrap past 2^31 - 1 to 0, and still knows a retry across the wrap', async () => {
    const { reg, write, batch, log } = producer(2);
    const top = 2 ** 31 - 2;
    expect(await reg.append('t', 0, batch(top), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 0,
    });
    expect(await reg.append('t', 0, batch(0), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 2,
    });
    expect(await reg.append('t', 0, batch(top), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 0,
    });
    expect((await reg.append('t', 0, batch(5), write)).errorCode).toBe(
      E.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(log.writes).toBe(2);
  });

  it('answers a retry (same sequences, same CRC) as written, and refuses other records under the same sequences', async () => {
    const { reg, write, batch, log } = producer(2);
    expect(await reg.append('t', 0, batch(0, 0xaaaa), write)).toMatchObject({ errorCode: 0 });
    expect(await reg.append('t', 0, batch(0, 0xaaaa), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 0,
    });
    // A client that rolled its sequences back after a partial failure sends new jobs under 0..1:
    // confirming them as the old batch would lose them.
    const reused = await reg.append('t', 0, batch(0, 0xbbbb), write);
    expect(reused).toMatchObject({ errorCode: E.INVALID_RECORD, baseOffset: -1 });
    expect(reused.message).toMatch(/not a retry/);
    expect(log.writes).toBe(1);
  });

  it('writes a retried batch once and answers it with the original offset', async () => {
    const { reg, producerEpoch, write, batch, log } = producer(3);
    expect(await reg.append('t', 0, batch(0), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 0,
    });
    // The same batch again, twice at once (a retry racing on another connection).
    const [a, b] = await Promise.all([
      reg.append('t', 0, batch(0), write),
      reg.append('t', 0, batch(0), write),
    ]);
    expect([a.baseOffset, b.baseOffset]).toEqual([0, 0]);
    expect(log.writes).toBe(1);
    expect(await reg.append('t', 0, batch(3), write)).toMatchObject({
      errorCode: 0,
      baseOffset: 3,
    });
    expect(await reg.append('t', 0, batch(9), write)).toMatchObject({
      errorCode: E.OUT_OF_ORDER_SEQUENCE_NUMBER,
    });
    expect(
      await reg.append('t', 0, { ...batch(0), producerEpoch: producerEpoch - 1 }, write),
    ).toMatchObject({
      errorCode: E.INVALID_PRODUCER_EPOCH,
    });
    expect(log.writes).toBe(2);
  });

  it('checks and starts a pipelined batch while the one before waits to be durable', async () => {
    const reg = new ProducerRegistry(1000);
    const { producerId, producerEpoch } = reg.init();
    const batch = (baseSequence: number) => ({
      producerId,
      producerEpoch,
      baseSequence,
      recordCount: 3,
    });
    // Offsets are taken at the call; each write is durable when the test says so.
    let next = 0;
    const durable: { resolve: () => void; fail: (e: Error) => void }[] = [];
    const write = () => {
      const base = next;
      next += 3;
      return new Promise<number>((resolve, reject) => {
        durable.push({ resolve: () => resolve(base), fail: reject });
      });
    };
    const first = reg.append('t', 0, batch(0), write);
    const second = reg.append('t', 0, batch(3), write);
    // Both writes started at once (the second did not wait for the first to be durable).
    expect(durable).toHaveLength(2);
    // A retry of the first, racing it, is not written and gets the first's offset once durable.
    const retry = reg.append('t', 0, batch(0), write);
    expect(durable).toHaveLength(2);
    durable[1]!.resolve();
    durable[0]!.resolve();
    expect(await first).toMatchObject({ errorCode: 0, baseOffset: 0 });
    expect(await second).toMatchObject({ errorCode: 0, baseOffset: 3 });
    expect(await retry).toMatchObject({ errorCode: 0, baseOffset: 0 });

    // A batch whose write fails is forgotten: its retry is written.
    const failing = reg.append('t', 0, batch(6), write);
    durable[2]!.fail(new Error('disk full'));
    await expect(failing).rejects.toThrow('disk full');
    const again = reg.append('t', 0, batch(6), write);
    expect(durable).toHaveLength(4);
    durable[3]!.resolve();
    expect(await again).toMatchObject({ errorCode: 0, baseOffset: 9 });
  });

  it('hands out distinct producer ids and writes non-idempotent batches as they come', async () => {
    const reg = new ProducerRegistry(5);
    expect(reg.init().producerId).not.toBe(reg.init().producerId);
    let writes = 0;
    const plain = { producerId: -1, producerEpoch: -1, baseSequence: -1, recordCount: 1 };
    await reg.append('t', 0, plain, async () => writes++);
    await reg.append('t', 0, plain, async () => writes++);
    expect(writes).toBe(2);
  });
});
