// Smoke test of the integration tests' Kafka broker: it answers, and offers share groups
// (KIP-932) at the API versions sharq needs.
import { expect, it } from 'vitest';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { KafkaTools, runKafkaTool } from '../helpers/kafka-tools.js';

/** "ShareFetch(78): 1 to 2 [usable: 2]" → key 78 → { min: 1, max: 2 }. */
function parseApiVersions(out: string): Map<number, { name: string; min: number; max: number }> {
  const apis = new Map<number, { name: string; min: number; max: number }>();
  for (const m of out.matchAll(/(\w+)\((\d+)\): (\d+)(?: to (\d+))? \[usable/g)) {
    const min = Number(m[3]);
    apis.set(Number(m[2]), { name: m[1]!, min, max: m[4] === undefined ? min : Number(m[4]) });
  }
  return apis;
}

describeKafka('Kafka test broker', () => {
  const bootstrap = () => kafkaBrokers()!.join(',');

  it('offers the share-group APIs at the versions sharq uses', async () => {
    const r = await runKafkaTool(KafkaTools.brokerApiVersions, ['--bootstrap-server', bootstrap()]);
    expect(r.code, r.stderr).toBe(0);
    const apis = parseApiVersions(r.stdout);
    const maxOf = (key: number) => apis.get(key)?.max ?? -1;
    expect(apis.get(78)?.name).toBe('ShareFetch');
    expect(maxOf(76), 'ShareGroupHeartbeat').toBeGreaterThanOrEqual(1);
    expect(maxOf(77), 'ShareGroupDescribe').toBeGreaterThanOrEqual(1);
    expect(maxOf(78), 'ShareFetch (v2: RENEW, record_limit)').toBeGreaterThanOrEqual(2);
    expect(maxOf(79), 'ShareAcknowledge (v2: RENEW)').toBeGreaterThanOrEqual(2);
    expect(maxOf(90), 'DescribeShareGroupOffsets').toBeGreaterThanOrEqual(1);
    expect(maxOf(91), 'AlterShareGroupOffsets').toBeGreaterThanOrEqual(0);
    expect(maxOf(92), 'DeleteShareGroupOffsets').toBeGreaterThanOrEqual(0);
    expect(maxOf(10), 'FindCoordinator').toBeGreaterThanOrEqual(6);
  });

  it('has share groups enabled (share.version >= 1)', async () => {
    const r = await runKafkaTool(KafkaTools.features, [
      '--bootstrap-server',
      bootstrap(),
      'describe',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const level = /Feature: share\.version\s.*?FinalizedVersionLevel: (\d+)/.exec(r.stdout)?.[1];
    expect(Number(level ?? 0)).toBeGreaterThanOrEqual(1);
  });
});
