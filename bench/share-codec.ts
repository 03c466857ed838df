/**
 * Encode and decode cost of the two share APIs on the job loop, ShareFetch v2 and
 * ShareAcknowledge v2, through the schema codec (src/kafka/protocol/schema/) and, while it
 * exists, the hand-written codec it replaces (src/kafka/protocol/apis/). A microbenchmark for
 * deciding which one the client uses; not part of the test suite.
 *
 * Payloads as a worker sees them: a fetch carrying acknowledgements for 3 partitions (50 ranges
 * each); an answer with 3 partitions of 64 KiB of record batches and 50 acquired ranges each,
 * and one node endpoint; an acknowledgement of 3 x 50 ranges and its small answer. Rounds
 * alternate the codecs; the best of each is shown (the machine is shared).
 *
 *   npx tsx bench/share-codec.ts [--ms 300] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import type { ApiDef } from '../src/kafka/protocol/api.js';
import { ShareAcknowledgeV2 } from '../src/kafka/protocol/apis/share-acknowledge-v2.js';
import { ShareFetchV2 } from '../src/kafka/protocol/apis/share-fetch-v2.js';
import { Reader } from '../src/kafka/protocol/reader.js';
import { toApiDef } from '../src/kafka/protocol/schema/api.js';
import { ShareAcknowledge } from '../src/kafka/protocol/schema/apis/share-acknowledge.js';
import { ShareFetch } from '../src/kafka/protocol/schema/apis/share-fetch.js';
import { Writer } from '../src/kafka/protocol/writer.js';

const { values } = parseArgs({
  options: { ms: { type: 'string', default: '300' }, rounds: { type: 'string', default: '5' } },
});
const MS = Number(values.ms);
const ROUNDS = Number(values.rounds);

const topicId = '0123456789abcdef0123456789abcdef';
const ackBatches = Array.from({ length: 50 }, (_, i) => ({
  firstOffset: 1000 + i * 2,
  lastOffset: 1000 + i * 2,
  acknowledgeTypes: [1],
}));
const ackTopics = [
  {
    topicId,
    partitions: [0, 1, 2].map((p) => ({ partitionIndex: p, acknowledgementBatches: ackBatches })),
  },
];
const fetchRequest = {
  groupId: 'jobs',
  memberId: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  shareSessionEpoch: 12,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52_428_800,
  maxRecords: 500,
  batchSize: 500,
  shareAcquireMode: 1,
  isRenewAck: false,
  topics: ackTopics,
  forgottenTopicsData: [],
};
const endpoints = [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }];
/**
 * A ShareFetch or ShareAcknowledge answer: no error, partitions 0 to 2 of one topic, each with
 * the fields `more` adds, and the one node endpoint.
 */
const shareResponse = <T>(more: () => T) => ({
  throttleTimeMs: 0,
  errorCode: 0,
  errorMessage: null,
  acquisitionLockTimeoutMs: 30_000,
  responses: [
    {
      topicId,
      partitions: [0, 1, 2].map((p) => ({
        partitionIndex: p,
        errorCode: 0,
        errorMessage: null,
        ...more(),
      })),
    },
  ],
  nodeEndpoints: endpoints,
});
const fetchResponse = shareResponse(() => ({
  acknowledgeErrorCode: 0,
  acknowledgeErrorMessage: null,
  currentLeader: { leaderId: 1, leaderEpoch: 0 },
  records: Buffer.alloc(64 * 1024, 7),
  acquiredRecords: Array.from({ length: 50 }, (_, i) => ({
    firstOffset: i * 10,
    lastOffset: i * 10 + 9,
    deliveryCount: 1,
  })),
}));
const ackRequest = {
  groupId: 'jobs',
  memberId: 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
  shareSessionEpoch: 13,
  isRenewAck: false,
  topics: ackTopics,
};
const ackResponse = shareResponse(() => ({ currentLeader: { leaderId: 1, leaderEpoch: 0 } }));

type Def = ApiDef<unknown, unknown>;
const loose = (d: unknown) => d as Def;

function encodeBody(def: Def, req: unknown): Buffer {
  const w = new Writer(256);
  def.encode(w, req);
  return w.toBuffer();
}

/** Operations per second of `fn` over about MS milliseconds. */
function rate(fn: () => void): number {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < MS) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

interface Case {
  name: string;
  codecs: Record<string, () => void>;
}

const codecs = (
  name: string,
  hand: Def | undefined,
  schema: Def,
  value: unknown,
  kind: 'encode' | 'decode',
  body: Buffer,
): Case => {
  const run = (def: Def) =>
    kind === 'encode' ? () => void encodeBody(def, value) : () => void def.decode(new Reader(body));
  return {
    name,
    codecs: {
      ...(hand === undefined ? {} : { 'hand-written': run(hand) }),
      schema: run(schema),
    },
  };
};

const fetchSchema = loose(toApiDef(ShareFetch, 2));
const ackSchema = loose(toApiDef(ShareAcknowledge, 2));
const fetchBody = (() => {
  const w = new Writer(256);
  ShareFetch.response.encode(2, w, fetchResponse);
  return w.toBuffer();
})();
const ackBody = (() => {
  const w = new Writer(256);
  ShareAcknowledge.response.encode(2, w, ackResponse);
  return w.toBuffer();
})();
const hand = { fetch: loose(ShareFetchV2), ack: loose(ShareAcknowledgeV2) };

const cases: Case[] = [
  codecs(
    'ShareFetch v2 request encode',
    hand.fetch,
    fetchSchema,
    fetchRequest,
    'encode',
    fetchBody,
  ),
  codecs('ShareFetch v2 response decode', hand.fetch, fetchSchema, undefined, 'decode', fetchBody),
  codecs('ShareAcknowledge v2 request encode', hand.ack, ackSchema, ackRequest, 'encode', ackBody),
  codecs('ShareAcknowledge v2 response decode', hand.ack, ackSchema, undefined, 'decode', ackBody),
];

const best = new Map<string, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) {
    const names = Object.keys(c.codecs);
    if (round % 2 === 1) names.reverse();
    for (const name of names) {
      const key = `${c.name}\u0000${name}`;
      best.set(key, Math.max(best.get(key) ?? 0, rate(c.codecs[name]!)));
    }
  }
}
console.log(`best of ${ROUNDS} rounds of ${MS} ms, operations per second (and µs per operation)`);
for (const c of cases) {
  const cells = Object.keys(c.codecs).map((name) => {
    const ops = best.get(`${c.name}\u0000${name}`)!;
    return `${name} ${Math.round(ops).toLocaleString('en')} (${(1e6 / ops).toFixed(2)} µs)`;
  });
  console.log(`${c.name.padEnd(38)} ${cells.join('   ')}`);
}
