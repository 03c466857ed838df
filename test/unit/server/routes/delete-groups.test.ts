import { readdir } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { groupsDir } from '../../../../src/embedded/storage/data-dir-layout.js';
import { AckType } from '../../../../src/engine/types.js';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { DeleteGroups } from '../../../../src/kafka/protocol/schema/apis/delete-groups.js';
import type { ApiRoute } from '../../../../src/server/connection.js';
import type { BrokerContext } from '../../../../src/server/routes/context.js';
import { deleteGroupsRoute } from '../../../../src/server/routes/delete-groups.js';
import { brokerHarness, call, versionsOf } from './harness.js';

let engine: EmbeddedEngine;
let ctx: BrokerContext;
let close: () => Promise<void>;
let routes: ApiRoute[];
let coordinatorMembers: Map<string, number>;
const deleted: string[] = [];

beforeEach(async () => {
  ({ engine, ctx, close } = await brokerHarness());
  coordinatorMembers = new Map();
  deleted.length = 0;
  routes = [
    deleteGroupsRoute(ctx, {
      memberCount: (g) => coordinatorMembers.get(g) ?? 0,
      onGroupDeleted: (g) => void deleted.push(g),
    }),
  ];
  await engine.admin.createTopic('jobs', { partitions: 1 });
  await engine.produce('jobs', [{ value: Buffer.from('a') }, { value: Buffer.from('b') }]);
});
afterEach(() => close());

/** A group that took one record and acknowledged it: start offset 1, auto.offset.reset earliest. */
async function usedGroup(groupId: string): Promise<void> {
  await engine.admin.configureGroup(groupId, { autoOffsetReset: 'earliest', lockDurationMs: 5000 });
  const c = engine.createShareConsumer({ groupId, topics: ['jobs'] });
  const [r] = await c.poll({ maxRecords: 1, maxWaitMs: 1000 });
  await c.acknowledge([{ record: r!, type: AckType.Accept }]);
  await c.close();
  const d = await engine.admin.describeGroup(groupId);
  expect(d.partitions[0]!.startOffset).toBe(1);
}

describe('DeleteGroups', () => {
  it.each(versionsOf(DeleteGroups))(
    'v%i deletes an empty share group; NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when unknown',
    async (v) => {
      await usedGroup('g');
      await usedGroup('busy');
      coordinatorMembers.set('busy', 2);
      const res = await call(routes, DeleteGroups, v, {
        groupsNames: ['g', 'busy', 'nope', 'g'],
      });
      expect(res.results.map((r) => [r.groupId, r.errorCode])).toEqual([
        ['g', 0],
        ['busy', E.NON_EMPTY_GROUP],
        ['nope', E.GROUP_ID_NOT_FOUND],
      ]);
      // v3 carries the reason; earlier versions drop it (ignorable).
      if (v >= 3) expect(res.results[1]!.errorMessage).toMatch(/2 member/);
      else expect(res.results[1]!.errorMessage).toBeNull();
      expect(res.results[0]!.errorMessage).toBeNull();
      expect(deleted).toEqual(['g']);
      expect(await engine.admin.listGroups()).toEqual(['busy']);
      // Deleted again: gone.
      const again = await call(routes, DeleteGroups, v, { groupsNames: ['g'] });
      expect(again.results[0]!.errorCode).toBe(E.GROUP_ID_NOT_FOUND);
    },
  );

  it('refuses a group whose member the engine holds (joined through the engine, not the coordinator)', async () => {
    await usedGroup('g');
    const c = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    await c.poll({ maxRecords: 1, maxWaitMs: 10 });
    const res = await call(routes, DeleteGroups, 2, { groupsNames: ['g'] });
    expect(res.results[0]!.errorCode).toBe(E.NON_EMPTY_GROUP);
    await c.close();
    expect(
      (await call(routes, DeleteGroups, 2, { groupsNames: ['g'] })).results[0]!.errorCode,
    ).toBe(0);
  });
});

describe('embedded engine deleteGroup', () => {
  it('forgets start offsets, record states and configs: a group of the same id starts afresh, also after a restart', async () => {
    await usedGroup('g');
    await engine.admin.deleteGroup('g');
    expect(await engine.admin.listGroups()).toEqual([]);
    // No directory left behind, renamed or not.
    expect(await readdir(groupsDir(engine.dataDir))).toEqual([]);
    await expect(engine.admin.describeGroup('g')).rejects.toThrow(/does not exist/);
    // The same id again: defaults (latest), not the old config or start offset.
    const c = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    expect(await c.poll({ maxRecords: 5, maxWaitMs: 10 })).toEqual([]);
    await c.close();
    const d = await engine.admin.describeGroup('g');
    expect(d.config.autoOffsetReset).toBe('latest');
    expect(d.configured).toEqual([]);
    expect(d.partitions[0]!.startOffset).toBe(2);
    // And a restart does not bring back the deleted state.
    await engine.admin.deleteGroup('g');
    const dataDir = engine.dataDir;
    await engine.close();
    engine = new EmbeddedEngine({ dataDir, fsync: 'never' });
    ctx.engine = engine;
    await engine.start();
    expect(await engine.admin.listGroups()).toEqual([]);
  });

  it('throws SHARQ_ERR_UNKNOWN_GROUP and SHARQ_ERR_GROUP_NOT_EMPTY', async () => {
    const unknown = await engine.admin.deleteGroup('nope').catch((e: unknown) => e);
    expect(SharqError.is(unknown, 'SHARQ_ERR_UNKNOWN_GROUP')).toBe(true);
    await usedGroup('g');
    const c = engine.createShareConsumer({ groupId: 'g', topics: ['jobs'] });
    await c.poll({ maxRecords: 1, maxWaitMs: 10 });
    const busy = await engine.admin.deleteGroup('g').catch((e: unknown) => e);
    expect(SharqError.is(busy, 'SHARQ_ERR_GROUP_NOT_EMPTY')).toBe(true);
    expect((busy as SharqError).details).toMatchObject({ groupId: 'g', members: 1 });
    await c.close();
    expect(await engine.admin.listGroups()).toEqual(['g']);
  });
});
