/**
 * Kafka's default partitioning, so a key lands on the same partition whether the embedded
 * engine or a Kafka producer (Java, kafkajs) wrote it: murmur2 of the key bytes, seed
 * 0x9747b28c, sign bit cleared, modulo the partition count. Keyless records are spread round
 * robin.
 */
export function murmur2(data: Uint8Array): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export class Partitioner {
  private next = 0;

  partition(key: Uint8Array | null | undefined, partitions: number): number {
    if (key === null || key === undefined) {
      const p = this.next % partitions;
      this.next = (this.next + 1) % 0x7fffffff;
      return p;
    }
    return (murmur2(key) & 0x7fffffff) % partitions;
  }
}
