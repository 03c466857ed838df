import type { ProduceRecord, RecordPosition } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';

/** Sends one topic's records as one request and answers their positions in order. */
export type SendBatch = (
  topic: string,
  records: readonly ProduceRecord[],
) => Promise<RecordPosition[]>;

/** Most value and key bytes one coalesced request carries (a broker's default batch limit is 1 MiB). */
export const MAX_COALESCED_BYTES = 512 * 1024;

/** Kafka errors that mean the request was refused whole and nothing of it was written. */
const REFUSED_WHOLE = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_TIMESTAMP',
]);

interface Waiter {
  records: readonly ProduceRecord[];
  bytes: number;
  resolve: (positions: RecordPosition[]) => void;
  reject: (err: unknown) => void;
}

interface TopicQueue {
  waiting: Waiter[];
  sending: boolean;
}

/**
 * Concurrent produces to one topic share a request, as Kafka's Java producer batches what
 * accumulates while its previous request is in flight: the first call goes out at once, and the
 * calls made while it is on its way leave together when it returns. Sixty-four callers of
 * `Queue.add` then cost a few requests (and, on `sharq server` with `fsync: "always"`, a few
 * fsyncs) instead of sixty-four one after another. Requests of one topic go out one at a time,
 * in call order, so each key's jobs keep their order. A request is capped at
 * `MAX_COALESCED_BYTES` of keys and values (one call larger than that goes alone).
 *
 * After each answer the next request waits one turn of the event loop (setImmediate), as Java's
 * producer lingers (linger.ms). Without it the callers an answer wakes re-add a few microtask
 * hops later and miss the request already leaving: 64 callers of `Queue.add` alternated
 * requests of 1 and 63 jobs. With it each request carries all of them: bench:server, add() x 64,
 * 40,000 jobs, best of 4: Kafka 84,438 -> 132,344 jobs/s, sharq server (fsync "always")
 * 53,297 -> 72,721, in one run on 2026-12-02. A lone caller pays one turn per add.
 *
 * Each caller gets its own verdict: a request the broker refused whole for its content (a
 * record too large, an invalid record) is sent again call by call, so one bad call does not fail
 * the others. Any other failure (a lost connection, a timeout) fails every call in the request,
 * since the broker may have written it: sending it again could write jobs twice.
 *
 * One request per topic at a time, not more. Under kafkajs' producer two or four in flight were
 * slower (bench:server, add() from 64 callers on sharq server: 5,900 and 7,752 jobs/s against
 * 13,249; on Kafka 13,614 and 14,388 against 18,984): the requests only got smaller and more
 * numerous. Under sharq's producer, with the turn above, two and three in flight gained 14 and
 * 16 % on sharq server with fsync "always" (83,582 and 85,192 against 73,368 jobs/s; Kafka
 * 136,104 and 121,413 against 109,545, scratch build, 2026-12-02): too little for the in-flight
 * bookkeeping a pipelined retry needs (producer.ts relies on one batch per partition on the
 * wire).
 */
export class ProduceCoalescer {
  private readonly topics = new Map<string, TopicQueue>();

  constructor(private readonly send: SendBatch) {}

  produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      let q = this.topics.get(topic);
      if (q === undefined) {
        q = { waiting: [], sending: false };
        this.topics.set(topic, q);
      }
      q.waiting.push({ records, bytes: sizeOf(records), resolve, reject });
      if (!q.sending) void this.drain(topic, q);
    });
  }

  private async drain(topic: string, q: TopicQueue): Promise<void> {
    q.sending = true;
    try {
      while (q.waiting.length > 0) {
        await this.sendNext(topic, q);
        // One turn of the event loop, so the callers this request just answered, who add
        // their next job from a promise continuation, make the next request.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      q.sending = false;
      if (q.waiting.length === 0) this.topics.delete(topic);
    }
  }

  private async sendNext(topic: string, q: TopicQueue): Promise<void> {
    const batch = takeUpTo(q.waiting, MAX_COALESCED_BYTES);
    const records = batch.length === 1 ? batch[0]!.records : batch.flatMap((w) => w.records);
    try {
      const positions = await this.send(topic, records);
      let at = 0;
      for (const w of batch) {
        w.resolve(positions.slice(at, at + w.records.length));
        at += w.records.length;
      }
    } catch (err) {
      if (batch.length === 1 || !refusedWhole(err)) {
        for (const w of batch) w.reject(err);
        return;
      }
      for (const w of batch) {
        try {
          w.resolve(await this.send(topic, w.records));
        } catch (own) {
          w.reject(own);
        }
      }
    }
  }
}

/** The first waiters whose records fit in `limit` bytes (at least one). */
function takeUpTo(waiting: Waiter[], limit: number): Waiter[] {
  let n = 1;
  let bytes = waiting[0]!.bytes;
  while (n < waiting.length && bytes + waiting[n]!.bytes <= limit) bytes += waiting[n++]!.bytes;
  return waiting.splice(0, n);
}

function sizeOf(records: readonly ProduceRecord[]): number {
  let n = 0;
  for (const r of records) n += (r.key?.length ?? 0) + (r.value?.length ?? 0) + 64;
  return n;
}

function refusedWhole(err: unknown): boolean {
  if (!SharqError.is(err)) return false;
  const type = err.details.kafkaError;
  return typeof type === 'string' && REFUSED_WHOLE.has(type);
}
