import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/kafka/cluster.js';
import { listOffsets, listOffsetsAt } from '../../../src/kafka/list-offsets.js';
import { KafkaErrors, kafkaError } from '../../../src/kafka/protocol/error-codes.js';

/** A partition of a ListOffsets request, as the stub broker reads it. */
interface AskedPartition {
  partitionIndex: number;
  timestamp: number;
}

describe('listOffsets', () => {
  it('fails with LEADER_NOT_AVAILABLE for a topic still being created, rather than answering no partitions', async () => {
    let asked = 0;
    const cluster = {
      isClosed: false,
      describeTopic: async () => {
        asked++;
        throw kafkaError(KafkaErrors.LEADER_NOT_AVAILABLE, null, { api: 'Metadata' });
      },
    } as unknown as Cluster;
    await expect(listOffsets(cluster, 'jobs', -1)).rejects.toMatchObject({
      details: { kafkaError: 'LEADER_NOT_AVAILABLE', topic: 'jobs' },
    });
    expect(asked).toBeGreaterThan(1);
  }, 15_000);

  it('reads several timestamps with one Metadata lookup, a request per leader and timestamp', async () => {
    let lookups = 0;
    const asked: { leader: number; timestamp: number; partitions: number[] }[] = [];
    let failOnce = true;
    const cluster = {
      isClosed: false,
      describeTopic: async () => {
        lookups++;
        return {
          partitions: [
            { partition: 0, leaderId: 1 },
            { partition: 1, leaderId: 2 },
            { partition: 2, leaderId: 1 },
          ],
        };
      },
      connectionTo: async (leader: number) => ({
        send: async (
          _api: unknown,
          req: { topics: { name: string; partitions: AskedPartition[] }[] },
        ) => {
          const t = req.topics[0]!;
          const timestamp = t.partitions[0]!.timestamp;
          asked.push({ leader, timestamp, partitions: t.partitions.map((p) => p.partitionIndex) });
          return {
            topics: [
              {
                name: t.name,
                partitions: t.partitions.map((p) => {
                  // Partition 1's log end: its leader moved, once.
                  const moved = failOnce && p.partitionIndex === 1 && timestamp === -1;
                  if (moved) failOnce = false;
                  return {
                    partitionIndex: p.partitionIndex,
                    errorCode: moved ? KafkaErrors.NOT_LEADER_OR_FOLLOWER : 0,
                    offset: (timestamp === -2 ? 10 : 100) + p.partitionIndex,
                    timestamp: -1,
                    leaderEpoch: 0,
                  };
                }),
              },
            ],
          };
        },
      }),
    } as unknown as Cluster;
    const [starts, ends] = await listOffsetsAt(cluster, 'jobs', [-2, -1]);
    expect(starts).toEqual([
      { partition: 0, offset: 10 },
      { partition: 1, offset: 11 },
      { partition: 2, offset: 12 },
    ]);
    expect(ends).toEqual([
      { partition: 0, offset: 100 },
      { partition: 1, offset: 101 },
      { partition: 2, offset: 102 },
    ]);
    // Round 1: one lookup, four requests; round 2: the one answer still missing.
    expect(lookups).toBe(2);
    expect(asked).toEqual([
      { leader: 1, timestamp: -2, partitions: [0, 2] },
      { leader: 1, timestamp: -1, partitions: [0, 2] },
      { leader: 2, timestamp: -2, partitions: [1] },
      { leader: 2, timestamp: -1, partitions: [1] },
      { leader: 2, timestamp: -1, partitions: [1] },
    ]);
  });
});
