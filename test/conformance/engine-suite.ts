import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DLQ_HEADER } from '../../src/dlq/dead-letter.js';
import {
  AckType,
  type AcquiredRecord,
  type Engine,
  type ShareConsumer,
  type SharePartitionStats,
} from '../../src/engine/types.js';
import { SharqError } from '../../src/errors/sharq-error.js';

/**
 * The behaviour every engine must show, written once. An engine joins by calling
 * `engineConformance` with a factory; `restart` (when the engine keeps state across a restart,
 * as both the embedded engine and Kafka do) closes the engine and opens a new one on the same
 * storage.
 */
export interface EngineFixture {
  engine: Engine;
  restart(): Promise<Engine>;
  cleanup(): Promise<void>;
}

/** Lock duration the suite configures; engines must accept it (Kafka's minimum can be set to 1000). */
export const LOCK_MS = 1000;

export interface ConformanceOptions {
  /** Tests this engine cannot pass, each with the reason (shown in the skipped test's name). */
  known?: {
    resetWhileCached?: string;
    /** The reported start offset trails the acknowledgements (only `lag` is current). */
    startOffsetTrails?: string;
  };
}

export function engineConformance(
  name: string,
  create: () => Promise<EngineFixture>,
  options: ConformanceOptions = {},
): void {
  describe(`engine conformance: ${name}`, () => {
    let fx: EngineFixture;
    let engine: Engine;
    const consumers: ShareConsumer[] = [];

    beforeEach(async () => {
      fx = await create();
      engine = fx.engine;
    });
    afterEach(async () => {
      await Promise.allSettled(consumers.splice(0).map((c) => c.close()));
      await fx.cleanup();
    });

    const trails = options.known?.startOffsetTrails !== undefined;
    const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
    const value = (s: string) => Buffer.from(s);
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (SharqError.is(e) ? e.code : String(e)),
      );
    async function topicWith(n: number, partitions = 1): Promise<string> {
      const t = unique('t');
      await engine.admin.createTopic(t, { partitions });
      if (n > 0) {
        await engine.produce(
          t,
          Array.from({ length: n }, (_, i) => ({
            value: value(`v${i}`),
            partition: i % partitions,
          })),
        );
      }
      return t;
    }
    async function newGroup(
      config: { deliveryCountLimit?: number; deadLetterTopic?: string | null } = {},
    ): Promise<string> {
      const g = unique('g');
      await engine.admin.configureGroup(g, {
        autoOffsetReset: 'earliest',
        lockDurationMs: LOCK_MS,
        ...config,
      });
      return g;
    }
    function consumer(groupId: string, topic: string): ShareConsumer {
      const c = engine.createShareConsumer({ groupId, topics: [topic] });
      consumers.push(c);
      return c;
    }
    async function pollAll(
      c: ShareConsumer,
      want: number,
      maxWaitMs = 5000,
    ): Promise<AcquiredRecord[]> {
      const out: AcquiredRecord[] = [];
      const deadline = Date.now() + maxWaitMs;
      while (out.length < want && Date.now() < deadline) {
        out.push(
          ...(await c.poll({
            maxRecords: want - out.length,
            maxWaitMs: Math.max(1, deadline - Date.now()),
          })),
        );
      }
      return out;
    }
    /**
     * A group's partition stats once `ok` holds. Kafka persists share-partition state
     * asynchronously, so its reported start offset and lag settle shortly after the acks.
     */
    async function statsWhen(
      g: string,
      t: string,
      ok: (p: SharePartitionStats) => boolean,
    ): Promise<SharePartitionStats | undefined> {
      const deadline = Date.now() + 10_000;
      let p: SharePartitionStats | undefined;
      for (;;) {
        p = (await engine.admin.describeGroup(g)).partitions.find((x) => x.topic === t);
        if ((p !== undefined && ok(p)) || Date.now() > deadline) return p;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const ack = (records: readonly AcquiredRecord[], type: AckType) =>
      records.map((record) => ({ record, type }));

    describe('produce and read', () => {
      it('reads back what was produced, in order, with keys, headers and null values', async () => {
        const t = await topicWith(0);
        const positions = await engine.produce(t, [
          { key: value('k1'), value: value('a'), headers: { h: 'x', 'sharq.id': '1' } },
          { value: null },
          { key: value('k1'), value: value('c'), timestamp: 1_700_000_000_000 },
        ]);
        expect(positions.map((p) => p.offset)).toEqual([0, 1, 2]);
        const read = await engine.read(t, 0, 0, 10);
        expect(read.map((r) => r.offset)).toEqual([0, 1, 2]);
        expect(read[0]!.key?.toString()).toBe('k1');
        expect(read[0]!.value?.toString()).toBe('a');
        expect(read[0]!.headers).toEqual({ h: 'x', 'sharq.id': '1' });
        expect(read[1]!.value).toBeNull();
        expect(read[1]!.key).toBeNull();
        expect(read[2]!.timestamp).toBe(1_700_000_000_000);
        expect((await engine.read(t, 0, 1, 1)).map((r) => r.value?.toString())).toEqual([
          undefined,
        ]);
      });

      it('sends one key to one partition and honours an explicit partition', async () => {
        const t = await topicWith(0, 4);
        const keyed = await engine.produce(
          t,
          Array.from({ length: 20 }, () => ({ key: value('same'), value: value('x') })),
        );
        expect(new Set(keyed.map((p) => p.partition)).size).toBe(1);
        const [explicit] = await engine.produce(t, [{ value: value('y'), partition: 3 }]);
        expect(explicit!.partition).toBe(3);
        const offsets = await engine.admin.offsets(t);
        expect(offsets.reduce((s, o) => s + o.logEndOffset, 0)).toBe(21);
      });

      it('gives coded errors for unknown topics and partitions', async () => {
        const t = await topicWith(1);
        await expect(
          engine.produce(unique('missing'), [{ value: value('x') }]),
        ).rejects.toMatchObject({
          code: 'SHARQ_ERR_UNKNOWN_TOPIC',
        });
        await expect(
          engine.produce(t, [{ value: value('x'), partition: 7 }]),
        ).rejects.toMatchObject({
          code: 'SHARQ_ERR_UNKNOWN_TOPIC',
        });
        await expect(engine.read(t, 0, 5, 1)).rejects.toMatchObject({
          code: 'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
        });
      });
    });

    describe('share groups', () => {
      it('acquires with delivery count 1 and a lock deadline, never more than maxRecords', async () => {
        const t = await topicWith(10);
        const c = consumer(await newGroup(), t);
        const before = Date.now();
        const first = await c.poll({ maxRecords: 3, maxWaitMs: 5000 });
        expect(first.length).toBeGreaterThan(0);
        expect(first.length).toBeLessThanOrEqual(3);
        for (const r of first) {
          expect(r.deliveryCount).toBe(1);
          expect(r.lockDeadline).toBeGreaterThan(before);
          expect(r.topic).toBe(t);
        }
      });

      it('hands each record to one consumer at a time across consumers sharing a partition', async () => {
        const t = await topicWith(40);
        const g = await newGroup();
        const a = consumer(g, t);
        const b = consumer(g, t);
        const seen: number[] = [];
        const drain = async (c: ShareConsumer) => {
          for (let i = 0; i < 20 && seen.length < 40; i++) {
            const rs = await c.poll({ maxRecords: 5, maxWaitMs: 200 });
            seen.push(...rs.map((r) => r.offset));
            await c.acknowledge(ack(rs, AckType.Accept));
          }
        };
        await Promise.all([drain(a), drain(b)]);
        expect(seen.length).toBe(40);
        expect(new Set(seen).size).toBe(40);
      });

      it('ACCEPT finishes a record: never redelivered, the start offset moves past it', async () => {
        const t = await topicWith(3);
        const g = await newGroup();
        const c = consumer(g, t);
        const rs = await pollAll(c, 3);
        const res = await c.acknowledge(ack(rs, AckType.Accept));
        expect(res.failed).toEqual([]);
        expect(await c.poll({ maxRecords: 10, maxWaitMs: 100 })).toEqual([]);
        const p = await statsWhen(g, t, (x) => x.lag === 0 && (trails || x.startOffset === 3));
        expect(p?.lag).toBe(0);
        if (trails) expect(p?.startOffset).toBeLessThanOrEqual(3);
        else expect(p?.startOffset).toBe(3);
      });

      it('RELEASE redelivers with a higher delivery count', async () => {
        const t = await topicWith(1);
        const c = consumer(await newGroup(), t);
        const [r1] = await pollAll(c, 1);
        await c.acknowledge(ack([r1!], AckType.Release));
        const [r2] = await pollAll(c, 1);
        expect(r2!.offset).toBe(r1!.offset);
        expect(r2!.deliveryCount).toBe(2);
      });

      it('REJECT archives a record without another delivery', async () => {
        const t = await topicWith(2);
        const g = await newGroup();
        const c = consumer(g, t);
        const rs = await pollAll(c, 2);
        await c.acknowledge([
          { record: rs[0]!, type: AckType.Reject },
          { record: rs[1]!, type: AckType.Accept },
        ]);
        expect(await c.poll({ maxRecords: 10, maxWaitMs: 100 })).toEqual([]);
        const p = await statsWhen(g, t, (x) => x.lag === 0 && (trails || x.startOffset === 2));
        expect(p?.lag).toBe(0);
        if (trails) expect(p?.startOffset).toBeLessThanOrEqual(2);
        else expect(p?.startOffset).toBe(2);
      });

      it('an expired lock makes the record available again to another consumer', async () => {
        const t = await topicWith(1);
        const g = await newGroup();
        const a = consumer(g, t);
        const b = consumer(g, t);
        const [r1] = await pollAll(a, 1);
        expect(await b.poll({ maxRecords: 1, maxWaitMs: 100 })).toEqual([]);
        const [r2] = await pollAll(b, 1, LOCK_MS * 6);
        expect(r2!.offset).toBe(r1!.offset);
        expect(r2!.deliveryCount).toBe(2);
        const late = await a.acknowledge(ack([r1!], AckType.Accept));
        expect(late.failed).toHaveLength(1);
        expect(SharqError.is(late.failed[0]!.error, 'SHARQ_ERR_INVALID_RECORD_STATE')).toBe(true);
      });

      it('RENEW keeps a record locked past its first deadline', async () => {
        const t = await topicWith(1);
        const g = await newGroup();
        const a = consumer(g, t);
        const b = consumer(g, t);
        const [r] = await pollAll(a, 1);
        const until = Date.now() + LOCK_MS * 2.5;
        while (Date.now() < until) {
          const res = await a.acknowledge(ack([r!], AckType.Renew));
          expect(res.failed).toEqual([]);
          expect(await b.poll({ maxRecords: 1, maxWaitMs: LOCK_MS / 3 })).toEqual([]);
        }
        expect((await a.acknowledge(ack([r!], AckType.Accept))).failed).toEqual([]);
      });

      it('refuses acknowledgements for records the consumer does not hold', async () => {
        const t = await topicWith(2);
        const g = await newGroup();
        const a = consumer(g, t);
        const b = consumer(g, t);
        const [r] = await pollAll(a, 1);
        const res = await b.acknowledge(ack([r!], AckType.Accept));
        expect(res.failed).toHaveLength(1);
        expect(SharqError.is(res.failed[0]!.error, 'SHARQ_ERR_INVALID_RECORD_STATE')).toBe(true);
        expect((await a.acknowledge(ack([r!], AckType.Accept))).failed).toEqual([]);
      });

      it('archives at the delivery limit and copies the record to the group dead-letter topic', async () => {
        const t = await topicWith(1);
        const dlq = `dlq.${t}`;
        await engine.admin.createTopic(dlq);
        const g = await newGroup({ deliveryCountLimit: 2, deadLetterTopic: dlq });
        const c = consumer(g, t);
        const [r1] = await pollAll(c, 1);
        await c.acknowledge(ack([r1!], AckType.Release));
        const [r2] = await pollAll(c, 1);
        expect(r2!.deliveryCount).toBe(2);
        await c.acknowledge(ack([r2!], AckType.Release));
        expect(await c.poll({ maxRecords: 1, maxWaitMs: 200 })).toEqual([]);
        const copies = await engine.read(dlq, 0, 0, 10);
        expect(copies).toHaveLength(1);
        expect(copies[0]!.value?.toString()).toBe('v0');
        expect(copies[0]!.headers[DLQ_HEADER.topic]).toBe(t);
        expect(copies[0]!.headers[DLQ_HEADER.offset]).toBe('0');
        expect(copies[0]!.headers[DLQ_HEADER.group]).toBe(g);
        expect(copies[0]!.headers[DLQ_HEADER.deliveryCount]).toBe('2');
      });

      it('starts a new group at the log end with autoOffsetReset latest', async () => {
        const t = await topicWith(5);
        const g = unique('g');
        await engine.admin.configureGroup(g, {
          autoOffsetReset: 'latest',
          lockDurationMs: LOCK_MS,
        });
        const c = consumer(g, t);
        expect(await c.poll({ maxRecords: 10, maxWaitMs: 200 })).toEqual([]);
        // "latest" is the log end when the group first takes the partition: give the member
        // time to join and fetch before producing.
        expect(await c.poll({ maxRecords: 10, maxWaitMs: 2500 })).toEqual([]);
        await engine.produce(t, [{ value: value('new') }]);
        const [r] = await pollAll(c, 1);
        expect(r!.offset).toBe(5);
      });

      const resetReason = options.known?.resetWhileCached;
      it.skipIf(resetReason !== undefined)(
        `resets a group to a timestamp or to the earliest offset${resetReason === undefined ? '' : ` (skipped: ${resetReason})`}`,
        async () => {
          const t = await topicWith(0);
          await engine.produce(t, [
            { value: value('old'), timestamp: 1000 },
            { value: value('new'), timestamp: 5000 },
          ]);
          const g = await newGroup();
          const c = consumer(g, t);
          await c.acknowledge(ack(await pollAll(c, 2), AckType.Accept));
          await c.close();
          await engine.admin.resetGroupOffsets(g, t, { timestamp: 4000 });
          const c2 = consumer(g, t);
          const again = await pollAll(c2, 1);
          expect(again.map((r) => r.value?.toString())).toEqual(['new']);
          await c2.acknowledge(ack(again, AckType.Accept));
          await c2.close();
          await engine.admin.resetGroupOffsets(g, t, 'earliest');
          const c3 = consumer(g, t);
          expect((await pollAll(c3, 2)).map((r) => r.offset)).toEqual([0, 1]);
        },
      );

      it('releases the records of a consumer that closes', async () => {
        const t = await topicWith(2);
        const g = await newGroup();
        const a = consumer(g, t);
        const held = await pollAll(a, 2);
        expect(held).toHaveLength(2);
        await a.close();
        const b = consumer(g, t);
        const again = await pollAll(b, 2, 2000);
        expect(again.map((r) => r.offset).sort()).toEqual([0, 1]);
      });

      it('lists members and lag in describeGroup', async () => {
        const t = await topicWith(4);
        const g = await newGroup();
        const c = consumer(g, t);
        await pollAll(c, 1);
        const p = await statsWhen(g, t, (x) => x.lag === 4);
        const d = await engine.admin.describeGroup(g);
        expect(d.members.map((m) => m.memberId)).toContain(c.memberId);
        expect(await engine.admin.listGroups()).toContain(g);
        expect(p?.logEndOffset).toBe(4);
        expect(p?.lag).toBe(4);
        expect(d.config.lockDurationMs).toBe(LOCK_MS);
      });
    });

    it('describes a group after one of its topics was deleted', async () => {
      const kept = await topicWith(2);
      const gone = await topicWith(2);
      const g = await newGroup();
      const a = consumer(g, kept);
      const b = consumer(g, gone);
      await a.acknowledge(ack(await pollAll(a, 1), AckType.Accept));
      await b.acknowledge(ack(await pollAll(b, 1), AckType.Accept));
      // The group describes both topics before one goes.
      expect(await statsWhen(g, gone, () => true)).toBeDefined();
      await a.close();
      await b.close();
      await engine.admin.deleteTopic(gone);
      // A delete is seen by every reader once it has resolved.
      expect(await codeOf(engine.admin.describeTopic(gone))).toBe('SHARQ_ERR_UNKNOWN_TOPIC');
      expect((await engine.admin.listTopics()).map((x) => x.name)).not.toContain(gone);
      // Kafka drops a deleted topic from the group's offsets a while after the topic goes:
      // every description in between succeeds too, and none waits on the deleted topic (a
      // Kafka broker asked in the moment after the delete spent ~26 s retrying its state).
      const until = Date.now() + 3000;
      do {
        const asked = Date.now();
        const d = await engine.admin.describeGroup(g);
        expect(Date.now() - asked).toBeLessThan(10_000);
        expect(d.partitions.filter((x) => x.topic === gone)).toEqual([]);
        expect(d.partitions.find((x) => x.topic === kept)?.logEndOffset).toBe(2);
        await new Promise((r) => setTimeout(r, 100));
      } while (Date.now() < until);
    });

    describe('deleting a group', () => {
      it('deletes a group without members; refuses one with members, and unknown groups', async () => {
        const t = await topicWith(2);
        const g = await newGroup();
        const c = consumer(g, t);
        const got = await pollAll(c, 1);
        await c.acknowledge(ack(got, AckType.Accept));
        expect(await codeOf(engine.admin.deleteGroup(g))).toBe('SHARQ_ERR_GROUP_NOT_EMPTY');
        expect(await engine.admin.listGroups()).toContain(g);
        await c.close();
        // The member has left; a broker may take a moment to see the group empty.
        const deadline = Date.now() + 10_000;
        let result = await codeOf(engine.admin.deleteGroup(g));
        while (result === 'SHARQ_ERR_GROUP_NOT_EMPTY' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          result = await codeOf(engine.admin.deleteGroup(g));
        }
        expect(result).toBe('resolved');
        expect(await engine.admin.listGroups()).not.toContain(g);
        expect(await codeOf(engine.admin.deleteGroup(g))).toBe('SHARQ_ERR_UNKNOWN_GROUP');
        expect(await codeOf(engine.admin.deleteGroup(unique('never')))).toBe(
          'SHARQ_ERR_UNKNOWN_GROUP',
        );
      });
    });

    describe('restart durability', () => {
      it('keeps acknowledged, archived and delivery counts across a restart', async () => {
        const t = await topicWith(4);
        const g = await newGroup({ deliveryCountLimit: 3 });
        const c = consumer(g, t);
        const rs = await pollAll(c, 4);
        expect(rs).toHaveLength(4);
        await c.acknowledge([
          { record: rs[0]!, type: AckType.Accept },
          { record: rs[1]!, type: AckType.Reject },
          { record: rs[2]!, type: AckType.Release },
          // rs[3] stays acquired: the restart must not forget this delivery either.
        ]);
        consumers.splice(0);
        engine = await fx.restart();
        const c2 = consumer(g, t);
        const again = await pollAll(c2, 2, 3000);
        const byOffset = new Map(again.map((r) => [r.offset, r.deliveryCount]));
        expect([...byOffset.keys()].sort()).toEqual([2, 3]);
        expect(byOffset.get(2)).toBe(2);
        expect(byOffset.get(3)).toBe(2);
        expect(await c2.poll({ maxRecords: 5, maxWaitMs: 100 })).toEqual([]);
        const read = await engine.read(t, 0, 0, 10);
        expect(read).toHaveLength(4);
      });
    });
  });
}
