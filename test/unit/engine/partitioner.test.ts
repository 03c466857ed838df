import { describe, expect, it } from 'vitest';
import { murmur2, Partitioner } from '../../../src/engine/partitioner.js';

describe('partitioner', () => {
  it("computes murmur2 exactly as Kafka does (vectors from Kafka's own tests)", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [input, hash] of vectors) expect(murmur2(Buffer.from(input))).toBe(hash);
  });

  it('routes a key to a stable partition and spreads keyless records round robin', () => {
    const p = new Partitioner();
    const key = Buffer.from('customer-42');
    const first = p.partition(key, 12);
    for (let i = 0; i < 10; i++) expect(p.partition(key, 12)).toBe(first);
    expect([0, 1, 2, 3].map(() => p.partition(null, 3)).sort()).toEqual([0, 0, 1, 2]);
  });
});
