import { afterEach, describe, expect, it, vi } from 'vitest';
import { AckType, type AcquiredRecord } from '../../../src/engine/types.js';
import { systemClock } from '../../../src/util/clock.js';
import type { AckBatcher } from '../../../workers/ack-batcher.js';
import { type Locked, LockKeeper } from '../../../workers/lock-keeper.js';

const LOCK = 6000;

function fakeAcks(refuse = false) {
  const submitted: { offset: number; type: number }[] = [];
  const acks = {
    submit: vi.fn(async (ack: { record: { offset: number }; type: number }) => {
      submitted.push({ offset: ack.record.offset, type: ack.type });
      return refuse ? { error: new Error('lock lost') } : { renewedUntil: Date.now() + LOCK };
    }),
  } as unknown as AckBatcher;
  return { acks, submitted };
}

function entry(offset: number, lockDeadline: number): Locked {
  return {
    record: { topic: 't', partition: 0, offset } as AcquiredRecord,
    lockDeadline,
    settled: false,
    abandoned: false,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('LockKeeper', () => {
  it('renews a lock once more than half of it is used, on fake timers', async () => {
    vi.useFakeTimers({ now: 0 });
    const { acks, submitted } = fakeAcks();
    const keeper = new LockKeeper(acks, LOCK, systemClock, () => undefined);
    const e = entry(1, LOCK);
    keeper.add(e);
    await vi.advanceTimersByTimeAsync(2000);
    expect(submitted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(submitted).toEqual([{ offset: 1, type: AckType.Renew }]);
    expect(e.lockDeadline).toBe(3000 + LOCK);
    keeper.stop();
  });

  it('skips settled entries and reports a lock that expired before it could be renewed', async () => {
    vi.useFakeTimers({ now: 0 });
    const { acks, submitted } = fakeAcks();
    const lost: number[] = [];
    const keeper = new LockKeeper(acks, LOCK, systemClock, (e) => lost.push(e.record.offset));
    const settled = entry(1, 500);
    settled.settled = true;
    keeper.add(settled);
    keeper.add(entry(2, 500));
    await vi.advanceTimersByTimeAsync(1000);
    expect(lost).toEqual([2]);
    expect(submitted).toEqual([]);
    keeper.stop();
  });

  it('reports a renewal the engine refused as a lost lock', async () => {
    vi.useFakeTimers({ now: 0 });
    const { acks } = fakeAcks(true);
    const lost: number[] = [];
    const keeper = new LockKeeper(acks, LOCK, systemClock, (e) => lost.push(e.record.offset));
    const e = entry(7, LOCK);
    keeper.add(e);
    expect(await keeper.renew(e)).toBe(false);
    expect(lost).toEqual([7]);
    keeper.stop();
  });
});
