import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../../src/kafka/cluster.js';
import { listOffsets } from '../../../src/kafka/list-offsets.js';
import { KafkaErrors, kafkaError } from '../../../src/kafka/protocol/error-codes.js';

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
});
