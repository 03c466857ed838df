import { createHash } from 'node:crypto';

/**
 * Kafka names topics by id in the share APIs (and Metadata v10+). The embedded engine keys
 * topics by name, so `sharq server` derives each topic's id from its name: the first 16 bytes
 * of SHA-256("sharq.topic:" + name), version and variant bits set as UUIDv8, written as the
 * protocol code reads UUIDs (32 lowercase hex digits).
 * Stable across restarts without storing anything. One difference from Kafka: a topic deleted
 * and created again keeps its id.
 */
export class TopicIds {
  private readonly byName = new Map<string, string>();
  private readonly byId = new Map<string, string>();

  idOf(topic: string): string {
    let id = this.byName.get(topic);
    if (id === undefined) {
      const h = createHash('sha256').update(`sharq.topic:${topic}`).digest();
      h[6] = (h[6]! & 0x0f) | 0x80;
      h[8] = (h[8]! & 0x3f) | 0x80;
      id = h.subarray(0, 16).toString('hex');
      this.byName.set(topic, id);
      this.byId.set(id, topic);
    }
    return id;
  }

  /** Learns the ids of these topics (after a restart a client may name one first). */
  learn(topics: Iterable<string>): void {
    for (const t of topics) this.idOf(t);
  }

  /** The topic of an id this server has handed out or learnt. */
  topicOf(id: string): string | undefined {
    return this.byId.get(id);
  }
}
