// Two processes redriving the same DLQ records at the same moment on a real Kafka broker: the
// DLQ ledger lets one of them enqueue each record, once.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { REDRIVE_HEADER } from '../../src/admin/dlq-record.js';
import type { StoredRecord } from '../../src/engine/types.js';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import type { RedriveChildConfig } from '../fixtures/redrive-child.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { type FixtureChild, startFixture } from '../helpers/processes.js';
import { until } from '../helpers/until.js';
import { queueName, queueWithDlq } from '../unit/admin/fixtures.js';

const childScript = path.resolve(import.meta.dirname, '../fixtures/redrive-child.ts');
const QUEUES = 6;
const RECORDS = 8;

type Child = FixtureChild;

function startChild(config: RedriveChildConfig): Child {
  return startFixture(childScript, config);
}

describeKafka('redrive race on Kafka', () => {
  let engine: KafkaEngine;
  const children: Child[] = [];
  beforeEach(async () => {
    engine = new KafkaEngine({
      brokers: kafkaBrokers()!,
      clientId: `sharq-redrive-race-${randomUUID().slice(0, 8)}`,
    });
    await engine.start();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.p.exitCode === null) c.p.kill('SIGKILL');
    await engine.close();
  });

  it('two processes redriving the same records at once enqueue each exactly once', async () => {
    const queues: RedriveChildConfig['queues'] = [];
    const dlqTopics = new Map<string, string>();
    for (let i = 0; i < QUEUES; i++) {
      const name = queueName();
      const q = await queueWithDlq(
        engine,
        name,
        Array.from({ length: RECORDS }, (_, j) => ({ partition: j % 2 })),
        { partitions: 2 },
      );
      dlqTopics.set(name, q.deadLetterTopic);
      const ids = (await engine.admin.offsets(q.deadLetterTopic)).flatMap((o) =>
        Array.from({ length: o.logEndOffset }, (_, offset) => ({ partition: o.partition, offset })),
      );
      expect(ids).toHaveLength(RECORDS);
      queues.push({ name, ids });
      await q.close();
    }
    for (const reverse of [false, true])
      children.push(startChild({ brokers: kafkaBrokers()!, queues, reverse }));
    await until(
      () => children.every((c) => c.output().includes('READY')),
      () => `the children to be ready; stderr: ${children.map((c) => c.errors()).join('\n')}`,
      { ms: 60_000, everyMs: 50 },
    );
    for (const c of children) c.p.stdin!.write('go\n');
    const codes = await Promise.all(children.map((c) => c.exited));
    expect(codes, children.map((c) => c.errors()).join('\n')).toEqual([0, 0]);
    const results = children.map(
      (c) =>
        JSON.parse(c.output().split('RESULT ')[1] ?? '{}') as Record<
          string,
          { matched: number; redriven: number; skipped: number }
        >,
    );
    for (const { name, ids } of queues) {
      const dlq = dlqTopics.get(name)!;
      const copies: StoredRecord[] = [];
      for (const o of await engine.admin.offsets(name))
        if (o.logEndOffset > o.logStartOffset)
          copies.push(...(await engine.read(name, o.partition, o.logStartOffset, o.logEndOffset)));
      const origins = copies.map((c) => c.headers[REDRIVE_HEADER.from]).sort();
      expect(origins, name).toEqual(ids.map((p) => `${dlq}/${p.partition}/${p.offset}`).sort());
      const [a, b] = results.map((r) => r[name]!);
      expect(a!.redriven + b!.redriven, name).toBe(RECORDS);
      expect(a!.skipped + b!.skipped, name).toBe(RECORDS);
    }
  }, 120_000);
});
