/**
 * The delay-tier forwarder against the embedded engine: a tier record whose lock the broker
 * lost while a forwarder held it (as a restarted `sharq server` loses every lock) is moved by
 * its new holder only.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { AckType, type AcquiredRecord } from '../../../../src/engine/types.js';
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

/**
 * `engine` as the forwarder's lanes see it: what their polls hand out (`delivered`), writes to
 * `gated` topics held until `open()`, and an ACCEPT of a record `refuseAccept` names refused
 * once, as a broker that lost the lock (restarted) refuses it.
 */
function watched(engine: EmbeddedEngine) {
  const delivered: AcquiredRecord[] = [];
  const gated = new Set<string>();
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => {
    open = r;
  });
  let parked = 0;
  const refuseAccept = new Set<string>();
  const refused: string[] = [];
  const keyOf = (r: Pick<AcquiredRecord, 'topic' | 'offset'>) => `${r.topic}@${r.offset}`;
  const seen = new Proxy(engine, {
    get(target, key) {
      if (key === 'produce') {
        return async (topic: string, records: Parameters<EmbeddedEngine['produce']>[1]) => {
          if (gated.has(topic)) {
            parked++;
            await gate;
          }
          return target.produce(topic, records);
        };
      }
      if (key === 'createShareConsumer') {
        return (options: Parameters<EmbeddedEngine['createShareConsumer']>[0]) => {
          const consumer = target.createShareConsumer(options);
          const poll = consumer.poll.bind(consumer);
          const acknowledge = consumer.acknowledge.bind(consumer);
          consumer.poll = async (o) => {
            const got = await poll(o);
            delivered.push(...got);
            return got;
          };
          consumer.acknowledge = async (acks) => {
            const refuse = acks.filter(
              (a) => a.type === AckType.Accept && refuseAccept.delete(keyOf(a.record)),
            );
            const result = await acknowledge(acks.filter((a) => !refuse.includes(a)));
            for (const a of refuse) refused.push(keyOf(a.record));
            const error = new SharqError('SHARQ_ERR_INVALID_RECORD_STATE', 'lock lost (test)');
            return {
              ...result,
              failed: [...result.failed, ...refuse.map((ack) => ({ ack, error }))],
            };
          };
          return consumer;
        };
      }
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return {
    seen,
    delivered,
    refused,
    gate: (topic: string) => {
      gated.add(topic);
      gate = new Promise<void>((r) => {
        open = r;
      });
    },
    open: () => {
      gated.clear();
      open();
    },
    /** Writes that have come to the gate. */
    parked: () => parked,
    refuseAccept: (topic: string, offset: number) => refuseAccept.add(`${topic}@${offset}`),
  };
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
    const { engine, name, tier, broker, w, clock, errors } = await heldByForwarder();
    const delivered = w.delivered;
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

  /** A forwarder on a stepped clock, seen through `watched`, holding the job's tier record. */
  async function heldByForwarder() {
    const { engine, name, tier, clock: broker } = await delayedJob();
    const w = watched(engine);
    const clock = steppedClock();
    const errors: Error[] = [];
    const forwarder = new DelayForwarder({
      engine: w.seen,
      queue: name,
      deadLetterTopic: `dlq.${name}`,
      clock,
      pollMaxWaitMs: 50,
      onError: (err) => errors.push(err),
    });
    cleanups.push(() => forwarder.close());
    await forwarder.start();
    await until(() => w.delivered.some((r) => r.topic === tier), 'the first delivery');
    return { engine, name, tier, broker, w, clock, errors };
  }

  /**
   * The lane holds the record; its move to the queue is under way (the write held) when the
   * broker loses the lock and gives the record back to the same lane, `deliveries` - 1 times.
   * Then the write goes through.
   */
  async function deliveredWhileMoving(deliveries: number, refuseFirstAccept: boolean) {
    const { engine, name, tier, broker, w, clock, errors } = await heldByForwarder();
    if (refuseFirstAccept) w.refuseAccept(tier, 0);
    w.gate(name);
    clock.advance(2000);
    await until(() => w.parked() === 1, 'the move to be writing');
    for (let n = 2; n <= deliveries; n++) {
      broker.skew += 60_000;
      await until(
        () => w.delivered.some((r) => r.topic === tier && r.deliveryCount === n),
        `delivery ${n} to the same lane`,
      );
    }
    w.open();
    await until(
      async () =>
        (await engine.admin.describeGroup(delayGroup(name))).partitions.find(
          (p) => p.topic === tier,
        )?.startOffset === 1,
      'the tier record to be accepted',
    );
    // Renewals of what the lane still held would have come by now (its locks run on the
    // broker's clock, up to two minutes ahead).
    for (let i = 0; i < 40; i++) {
      clock.advance(5000);
      await new Promise((r) => setTimeout(r, 10));
    }
    return { engine, name, errors, refused: w.refused };
  }

  it('a delivery that comes while the record moves is settled by that move, and written once', async () => {
    const { engine, name, errors, refused } = await deliveredWhileMoving(2, false);
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a move whose ACCEPT is refused leaves the job written once: the next delivery is only accepted', async () => {
    const { engine, name, errors, refused } = await deliveredWhileMoving(2, true);
    expect(refused).toHaveLength(1);
    // Written once, not again by the delivery that came during the move.
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    // The refused ACCEPT is reported, nothing else.
    expect(errors.map((e) => e.message)).toEqual(['lock lost (test)']);
  });

  it('a third delivery during one move replaces the second, which is not left held', async () => {
    const { engine, name, errors } = await deliveredWhileMoving(3, false);
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    // The replaced delivery is not renewed until refused (a spurious lost-lock error).
    expect(errors).toEqual([]);
  });

  it('a record whose ACCEPT was refused after its move comes back to the lane and is only accepted', async () => {
    const { engine, name, tier, broker, w, clock, errors } = await heldByForwarder();
    w.refuseAccept(tier, 0);
    clock.advance(2000);
    await until(() => w.refused.length === 1, 'the ACCEPT to be refused');
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    // The lock lapses on the broker and the record comes back to the same lane.
    broker.skew += 60_000;
    await until(
      async () =>
        (await engine.admin.describeGroup(delayGroup(name))).partitions.find(
          (p) => p.topic === tier,
        )?.startOffset === 1,
      'the tier record to be accepted',
    );
    expect(w.delivered.filter((r) => r.topic === tier).map((r) => r.deliveryCount)).toEqual([1, 2]);
    expect((await engine.admin.offsets(name))[0]?.logEndOffset).toBe(1);
    expect(errors.map((e) => e.message)).toEqual(['lock lost (test)']);
  });
});
