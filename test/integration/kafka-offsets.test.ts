// Offsets read on a real broker after another topic was deleted under the same engine.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { until } from '../helpers/until.js';

describeKafka('Kafka offsets', () => {
  let engine: KafkaEngine;
  beforeEach(async () => {
    engine = new KafkaEngine({
      brokers: kafkaBrokers()!,
      clientId: `sharq-offsets-${randomUUID().slice(0, 8)}`,
    });
    await engine.start();
  });
  afterEach(() => engine.close());

  it('reads earliest, latest and by-timestamp offsets of a topic after another topic is deleted', async () => {
    const a = `offsets-a-${randomUUID().slice(0, 8)}`;
    const b = `offsets-b-${randomUUID().slice(0, 8)}`;
    await engine.admin.createTopic(a, { partitions: 2 });
    await engine.admin.createTopic(b, { partitions: 3 });
    const t0 = Date.now() - 60_000;
    await engine.produce(a, [{ key: null, value: Buffer.from('a'), partition: 1 }]);
    await engine.produce(b, [
      { key: null, value: Buffer.from('b0'), partition: 2, timestamp: t0 },
      { key: null, value: Buffer.from('b1'), partition: 2, timestamp: t0 + 1000 },
      { key: null, value: Buffer.from('b2'), partition: 0, timestamp: t0 + 2000 },
    ]);
    expect(await engine.admin.offsets(a)).toEqual([
      { partition: 0, logStartOffset: 0, logEndOffset: 0 },
      { partition: 1, logStartOffset: 0, logEndOffset: 1 },
    ]);
    const expected = [
      { partition: 0, logStartOffset: 0, logEndOffset: 1 },
      { partition: 1, logStartOffset: 0, logEndOffset: 0 },
      { partition: 2, logStartOffset: 0, logEndOffset: 2 },
    ];
    expect(await engine.admin.offsets(b)).toEqual(expected);

    // Deleted by another process: this engine's clients still know the topic.
    const other = new KafkaEngine({ brokers: kafkaBrokers()!, clientId: `sharq-offsets-other` });
    await other.start();
    try {
      await other.admin.deleteTopic(a);
    } finally {
      await other.close();
    }
    await until(
      async () => !(await engine.admin.listTopics()).some((t) => t.name === a),
      `topic ${a} to be gone`,
      { ms: 30_000, everyMs: 50 },
    );

    expect(await engine.admin.offsets(b)).toEqual(expected);
    // A share group reset by timestamp reads offsets too, and the group's lag reads log ends.
    const group = `offsets-g-${randomUUID().slice(0, 8)}`;
    await engine.admin.resetGroupOffsets(group, b, { timestamp: t0 + 500 });
    const described = await engine.admin.describeGroup(group);
    expect(
      described.partitions.map((p) => [p.partition, p.startOffset, p.logEndOffset, p.lag]),
    ).toEqual([
      // Partition 0's only record is after the timestamp, 1 has none (its log end), 2 from its second.
      [0, 0, 1, 1],
      [1, 0, 0, 0],
      [2, 1, 2, 1],
    ]);
    await engine.admin.resetGroupOffsets(group, b, 'latest');
    expect((await engine.admin.describeGroup(group)).partitions.map((p) => p.startOffset)).toEqual([
      1, 0, 2,
    ]);
    await expect(engine.admin.offsets(a)).rejects.toMatchObject({
      code: 'SHARQ_ERR_UNKNOWN_TOPIC',
    });
    await engine.admin.deleteTopic(b);
  });
});
