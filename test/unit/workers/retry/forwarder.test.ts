/**
 * The delay-tier forwarder against the embedded engine: a tier record whose lock the broker
 * lost while a forwarder held it (as a restarted `sharq server` loses every lock) is moved by
 * its new holder only.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { AckType } from '../../../../src/engine/types.js';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import {
  DELAY_TIERS,
  delayGroup,
  delayTierTopic,
  delayTierTopics,
} from '../../../../src/queue/names.js';
import { Queue } from '../../../../src/queue/queue.js';
import type { TimerClock } from '../../../../src/util/clock.js';
import { DelayForwarder } from '../../../../workers/retry/forwarder.js';
import { tempDir } from '../../../helpers/temp-dir.js';
import { until } from '../../../helpers/until.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A clock whose timers fire only when the test moves it on. */
function steppedClock(): TimerClock & { advance(ms: number): void } {
  let now = Date.now();
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimer(fn, ms) {
      const t = { at: now + Math.max(0, ms), fn };
      timers.add(t);
      return () => timers.delete(t);
    },
    advance(ms) {
      now += ms;
      for (const t of [...timers].sort((a, b) => a.at - b.at)) {
        if (t.at > now) continue;
        timers.delete(t);
        t.fn();
      }
    },
  };
}

/**
 * An engine whose clock the test can move ahead of the forwarder's (`skew`: its locks lapse
 * while the forwarder, on its own clock, still counts on its hold), with one job of queue
 * `name` waiting in its shortest delay tier, `tier`.
 */
async function delayedJob() {
  const t = await tempDir();
  cleanups.push(t.remove);
  const clock = { skew: 0 };
  const engine = new EmbeddedEngine({ dataDir: t.dir }, { now: () => Date.now() + clock.skew });
  cleanups.push(() => engine.close());
  const name = `fwd-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(name, { engine });
  cleanups.push(() => queue.close());
  await queue.add('later', { n: 1 }, { delay: 900 });
  // As a Worker does at setup: every tier topic, so the lanes poll without errors.
  for (const topic of delayTierTopics(name))
    await engine.admin.ensureTopic(topic, { partitions: 1 });
  return { engine, name, tier: delayTierTopic(name, DELAY_TIERS[0]), clock };
}

describe('DelayForwarder', () => {
  it('does not move a tier record whose lock the broker lost while it held it: the new holder does', async () => {
    const { engine, name, tier, clock: broker } = await delayedJob();

    const clock = steppedClock();
    const errors: Error[] = [];
    const forwarder = new DelayForwarder({
      engine,
      queue: name,
      deadLetterTopic: `dlq.${name}`,
      clock,
      pollMaxWaitMs: 50,
      // Holding its one record, the lane polls no more, so the other member gets it below.
      maxHeldPerTier: 1,
      onError: (err) => errors.push(err),
    });
    cleanups.push(() => forwarder.close());
    await forwarder.start();
    const acquired = async () =>
      (await engine.admin.describeGroup(delayGroup(name))).partitions.find((p) => p.topic === tier)
        ?.acquired === 1;
    await until(acquired, 'the forwarder to hold the tier record');

    // The broker loses the lock; another member of the tier group gets the record.
    broker.skew = 60_000;
    const other = engine.createShareConsumer({ groupId: delayGroup(name), topics: [tier] });
    cleanups.push(() => other.close());
    const [again, ...rest] = await other.poll({ maxRecords: 10, maxWaitMs: 1000 });
    expect(rest).toEqual([]);
    expect(again?.deliveryCount).toBe(2);

    // The first holder's release time comes: its renewal is refused, and it writes nothing.
    clock.advance(2000);
    await until(() => errors.length > 0, 'the first holder to give the record up');
    expect(errors).toHaveLength(1);
    expect(SharqError.is(errors[0], 'SHARQ_ERR_INVALID_RECORD_STATE')).toBe(true);
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(0);
    expect((await engine.admin.offsets(tier))[0]?.logEndOffset).toBe(1);
    // The record is still the new holder's to move.
    expect((await other.acknowledge([{ record: again!, type: AckType.Accept }])).failed).toEqual(
      [],
    );
  });

  it('a tier record delivered again to the lane that holds it is moved once', async () => {
    const { engine, name, tier, clock: broker } = await delayedJob();
    // What the lanes' polls hand out, seen through the engine they are given.
    const delivered: { topic: string; offset: number; deliveryCount: number }[] = [];
    const seen = new Proxy(engine, {
      get(target, key) {
        if (key === 'createShareConsumer') {
          return (options: Parameters<EmbeddedEngine['createShareConsumer']>[0]) => {
            const consumer = target.createShareConsumer(options);
            const poll = consumer.poll.bind(consumer);
            consumer.poll = async (o) => {
              const got = await poll(o);
              delivered.push(...got);
              return got;
            };
            return consumer;
          };
        }
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const clock = steppedClock();
    const errors: Error[] = [];
    const forwarder = new DelayForwarder({
      engine: seen,
      queue: name,
      deadLetterTopic: `dlq.${name}`,
      clock,
      pollMaxWaitMs: 50,
      onError: (err) => errors.push(err),
    });
    cleanups.push(() => forwarder.close());
    await forwarder.start();
    await until(() => delivered.some((r) => r.topic === tier), 'the first delivery');
    // The broker loses the lock; the same lane, still polling, gets the record again.
    broker.skew = 60_000;
    await until(
      () => delivered.some((r) => r.topic === tier && r.deliveryCount === 2),
      'the second delivery to the same lane',
    );
    clock.advance(2000);
    await until(
      async () =>
        (await engine.admin.describeGroup(delayGroup(name))).partitions.find(
          (p) => p.topic === tier,
        )?.startOffset === 1,
      'the tier record to be accepted',
    );
    // Moved once: one job on the queue, whatever the two deliveries' timers did.
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    expect(errors).toEqual([]);
  });
});
