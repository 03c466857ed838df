import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../../src/kafka/cluster.js';
import { FetchV12, ListGroupsV5 } from '../../../src/kafka/protocol/client-apis.js';
import { Reader } from '../../../src/kafka/protocol/reader.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
} from '../../../src/kafka/protocol/record-batch.js';
import { IsolationLevel } from '../../../src/kafka/protocol/schema/apis/fetch.js';
import type {
  ListGroupsRequest,
  ListGroupsResponse,
} from '../../../src/kafka/protocol/schema/apis/list-groups.js';
import { readPartition } from '../../../src/kafka/read-partition.js';
import {
  DEFAULT_API_VERSIONS,
  FakeBroker,
  type FakeReply,
  type FakeRequest,
  isFlexible,
} from '../../helpers/fake-broker.js';
import {
  bytesArb,
  type CodecCase,
  codecCase,
  describeCodecCases,
  int8,
  int16,
  int32,
  int64,
  list,
  text,
} from '../../helpers/fuzz-decoder.js';
import {
  hexBytes as bytes,
  decodeResponse,
  encodeRequest,
  readAll,
  writeAll,
} from '../../helpers/kafka-codec.js';
import {
  readFetchRequest,
  readListGroupsRequest,
  readListOffsetsRequest,
  writeFetchResponse,
  writeListGroupsResponse,
  writeListOffsetsResponse,
} from '../../helpers/kafka-codec-fetch.js';
import type {
  FetchPartitionData,
  FetchRequest,
  FetchResponse,
  MetadataTopic,
} from './client-types.js';
import { encodeMetadataResponse } from './wire-mirror.js';

const fetchRequest: fc.Arbitrary<FetchRequest> = fc
  .record({
    clusterId: fc.option(text, { nil: undefined }),
    replicaId: int32,
    maxWaitMs: int32,
    minBytes: int32,
    maxBytes: int32,
    isolationLevel: int8,
    sessionId: int32,
    sessionEpoch: int32,
    topics: list(
      fc.record({
        topic: text,
        partitions: list(
          fc.record({
            partition: int32,
            currentLeaderEpoch: int32,
            fetchOffset: int64,
            lastFetchedEpoch: int32,
            logStartOffset: int64,
            partitionMaxBytes: int32,
          }),
        ),
      }),
    ),
    forgottenTopicsData: list(fc.record({ topic: text, partitions: list(int32) })),
    rackId: text,
  })
  // An absent ClusterId is not sent (and reads back absent); exactOptionalPropertyTypes wants the
  // key gone rather than undefined.
  .map(
    ({ clusterId, ...rest }): FetchRequest =>
      clusterId === undefined ? rest : { ...rest, clusterId },
  );

const fetchPartition: fc.Arbitrary<FetchPartitionData> = fc.record({
  partitionIndex: int32,
  errorCode: int16,
  highWatermark: int64,
  lastStableOffset: int64,
  logStartOffset: int64,
  // Tagged structs: the schema codec reads an absent one as its defaults, never null (the
  // hand-built bodies below cover absence).
  divergingEpoch: fc.record({ epoch: int32, endOffset: int64 }),
  currentLeader: fc.record({ leaderId: int32, leaderEpoch: int32 }),
  snapshotId: fc.record({ endOffset: int64, epoch: int32 }),
  abortedTransactions: fc.option(list(fc.record({ producerId: int64, firstOffset: int64 })), {
    nil: null,
  }),
  preferredReadReplica: int32,
  records: fc.option(bytesArb, { nil: null }),
});

const fetchResponse: fc.Arbitrary<FetchResponse> = fc.record({
  throttleTimeMs: int32,
  errorCode: int16,
  sessionId: int32,
  responses: list(fc.record({ topic: text, partitions: list(fetchPartition) })),
});

const listGroupsRequest: fc.Arbitrary<ListGroupsRequest> = fc.record({
  statesFilter: list(text),
  typesFilter: list(text),
});

const listGroupsResponse: fc.Arbitrary<ListGroupsResponse> = fc.record({
  throttleTimeMs: int32,
  errorCode: int16,
  groups: list(fc.record({ groupId: text, protocolType: text, groupState: text, groupType: text })),
});

// One table row per API ------------------------------------------------------------------------

const CASES: readonly CodecCase<unknown, unknown>[] = [
  codecCase({
    api: FetchV12,
    apiKey: 1,
    version: 12,
    request: fetchRequest,
    readRequest: readFetchRequest,
    response: fetchResponse,
    writeResponse: writeFetchResponse,
  }),
  codecCase({
    api: ListGroupsV5,
    apiKey: 16,
    version: 5,
    request: listGroupsRequest,
    readRequest: readListGroupsRequest,
    response: listGroupsResponse,
    writeResponse: writeListGroupsResponse,
  }),
];

describeCodecCases(CASES, 'has the key and version Kafka 4.x serves, flexible');

// Hand-built byte sequences from the schemas ---------------------------------------------------

const CONSUMER_FETCH: FetchRequest = {
  replicaId: -1,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 1048576,
  isolationLevel: IsolationLevel.ReadCommitted,
  sessionId: 0,
  sessionEpoch: -1,
  topics: [
    {
      topic: 'jobs',
      partitions: [
        {
          partition: 2,
          currentLeaderEpoch: -1,
          fetchOffset: 42,
          lastFetchedEpoch: -1,
          logStartOffset: -1,
          partitionMaxBytes: 65536,
        },
      ],
    },
  ],
  forgottenTopicsData: [],
  rackId: '',
};

describe('Fetch v12 request bytes', () => {
  it('matches the schema byte for byte', () => {
    const expected = bytes(`
      ffffffff                                // ReplicaId -1 (consumer; versions 0-14)
      000001f4                                // MaxWaitMs 500
      00000001                                // MinBytes 1
      00100000                                // MaxBytes 1 MiB
      01                                      // IsolationLevel read_committed
      00000000                                // SessionId 0
      ffffffff                                // SessionEpoch -1 (no fetch session)
      02                                      // Topics: COMPACT_ARRAY of 1
      05 6a6f6273                             //   Topic: COMPACT_STRING "jobs" (versions 0-12)
      02                                      //   Partitions: 1
      00000002                                //     Partition 2
      ffffffff                                //     CurrentLeaderEpoch -1
      000000000000002a                        //     FetchOffset 42
      ffffffff                                //     LastFetchedEpoch -1 (versions 12+)
      ffffffffffffffff                        //     LogStartOffset -1
      00010000                                //     PartitionMaxBytes 64 KiB
      00                                      //     partition tagged fields
      00                                      //   topic tagged fields
      01                                      // ForgottenTopicsData: empty
      01                                      // RackId "" (length + 1)
      00                                      // request tagged fields: no ClusterId
    `);
    expect(encodeRequest(FetchV12, CONSUMER_FETCH).toString('hex')).toBe(expected.toString('hex'));
  });

  it('sends ClusterId as tagged field 0 when given', () => {
    const body = encodeRequest(FetchV12, { ...CONSUMER_FETCH, clusterId: 'abc' });
    const plain = encodeRequest(FetchV12, CONSUMER_FETCH);
    // The same prefix; the tagged section "00" becomes: 1 field, tag 0, 4 bytes, "abc" + 1.
    expect(body.subarray(0, plain.length - 1).equals(plain.subarray(0, -1))).toBe(true);
    expect(body.subarray(plain.length - 1).toString('hex')).toBe(
      '01 00 04 04616263'.replace(/ /g, ''),
    );
  });

  it('leaves a null ClusterId out', () => {
    expect(encodeRequest(FetchV12, { ...CONSUMER_FETCH, clusterId: null })).toEqual(
      encodeRequest(FetchV12, CONSUMER_FETCH),
    );
  });
});

describe('Fetch v12 response', () => {
  const records = encodeRecordBatch(
    [
      { key: 'k1', value: 'v1', timestamp: 1000 },
      { key: null, value: 'v2', timestamp: 1001, headers: { h: 'x' } },
    ],
    { baseOffset: 40 },
  );

  function partitionBytes(tagged: string): Buffer {
    return Buffer.concat([
      bytes(`
        00000000                              // ThrottleTimeMs
        0000                                  // ErrorCode
        00000000                              // SessionId 0
        02                                    // Responses: 1
        05 6a6f6273                           //   Topic "jobs"
        02                                    //   Partitions: 1
        00000002                              //     PartitionIndex 2
        0000                                  //     ErrorCode
        000000000000002a                      //     HighWatermark 42
        0000000000000028                      //     LastStableOffset 40
        0000000000000003                      //     LogStartOffset 3
        00                                    //     AbortedTransactions null
        ffffffff                              //     PreferredReadReplica -1
      `),
      Buffer.from([records.length + 1]), //        Records: COMPACT_RECORDS, length + 1
      records,
      bytes(tagged),
      bytes(`
        00                                    //   topic tagged fields
        00                                    // response tagged fields
      `),
    ]);
  }

  it('decodes a hand-built body; the records decode as batches', () => {
    const res = decodeResponse(FetchV12, partitionBytes('00'));
    expect(res).toMatchObject({ throttleTimeMs: 0, errorCode: 0, sessionId: 0 });
    expect(res.responses[0]!.topic).toBe('jobs');
    const p = res.responses[0]!.partitions[0]!;
    expect(p).toMatchObject({
      partitionIndex: 2,
      errorCode: 0,
      highWatermark: 42,
      lastStableOffset: 40,
      logStartOffset: 3,
      abortedTransactions: null,
      preferredReadReplica: -1,
      // Absent tagged structs read as their defaults.
      divergingEpoch: { epoch: -1, endOffset: -1 },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1, epoch: -1 },
    });
    const decoded = decodeRecordBatches(p.records!);
    expect(
      decoded.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString()]),
    ).toEqual([
      [40, 'k1', 'v1'],
      [41, null, 'v2'],
    ]);
    expect(decoded.records[1]!.headers).toEqual({ h: 'x' });
  });

  it('parses DivergingEpoch, CurrentLeader and SnapshotId and skips unknown tags', () => {
    const res = decodeResponse(
      FetchV12,
      partitionBytes(`
        04                                    // 4 tagged fields
        00 0d 00000005 0000000000000020 00    // tag 0 DivergingEpoch {epoch 5, endOffset 32}
        01 09 00000003 00000007 00            // tag 1 CurrentLeader {leader 3, epoch 7}
        02 0d 0000000000000011 00000002 00    // tag 2 SnapshotId {endOffset 17, epoch 2}
        09 02 abcd                            // tag 9: unknown, skipped
      `),
    );
    expect(res.responses[0]!.partitions[0]).toMatchObject({
      divergingEpoch: { epoch: 5, endOffset: 32 },
      currentLeader: { leaderId: 3, leaderEpoch: 7 },
      snapshotId: { endOffset: 17, epoch: 2 },
    });
  });

  it('rejects a tagged struct shorter than its fields with SHARQ_ERR_PROTOCOL', () => {
    expect(() => decodeResponse(FetchV12, partitionBytes('01 01 03 000000'))).toThrowError(
      expect.objectContaining({
        code: 'SHARQ_ERR_PROTOCOL',
        message: expect.stringMatching(/currentLeader/i),
      }),
    );
  });

  it('skips response-level tags (NodeEndpoints, tag 0, is v16+ only)', () => {
    const res = decodeResponse(
      FetchV12,
      bytes(`
        00000000 0000 00000000                // ThrottleTimeMs, ErrorCode, SessionId
        01                                    // Responses: empty
        01 00 02 abcd                         // one tagged field: tag 0, 2 bytes
      `),
    );
    expect(res.responses).toEqual([]);
  });
});

describe('ListGroups v5 bytes', () => {
  it('writes the request filters as compact string arrays', () => {
    expect(
      encodeRequest(ListGroupsV5, { statesFilter: [], typesFilter: ['share'] }).toString('hex'),
    ).toBe(
      bytes(`
        01                                    // StatesFilter: empty (versions 4+)
        02 06 7368617265                      // TypesFilter: ["share"] (versions 5+)
        00                                    // tagged fields
      `).toString('hex'),
    );
  });

  it('decodes a hand-built response', () => {
    const body = bytes(`
      00000000 0000                           // ThrottleTimeMs, ErrorCode
      02                                      // Groups: 1
      02 67                                   //   GroupId "g"
      06 7368617265                           //   ProtocolType "share"
      07 537461626c65                         //   GroupState "Stable"
      06 7368617265                           //   GroupType "share"
      00                                      //   group tagged fields
      00                                      // response tagged fields
    `);
    expect(decodeResponse(ListGroupsV5, body)).toEqual({
      throttleTimeMs: 0,
      errorCode: 0,
      groups: [{ groupId: 'g', protocolType: 'share', groupState: 'Stable', groupType: 'share' }],
    });
  });
});

// readPartition against a scripted broker -------------------------------------------------------

const TOPIC_ID = '00112233445566778899aabbccddeeff';

interface LogBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Buffer;
}

/**
 * A one-node fake cluster holding one partition of topic "jobs": log start 2, high watermark 12.
 * Batches: 2-4 (3 records), 5-7 (gzip), 8 (a transaction marker), 9-11. A Fetch returns at most
 * two whole batches from the fetch offset, then the start of the next one (as a broker cut at
 * MaxBytes would).
 */
class FakeLog {
  broker!: FakeBroker;
  logStartOffset = 2;
  highWatermark = 12;
  /** Partition error codes to answer the next Fetches with, in order. */
  fetchErrors: number[] = [];
  readonly fetches: FetchRequest[] = [];
  readonly listOffsets: number[] = [];
  metadataRequests = 0;
  readonly batches: LogBatch[] = [
    batch(2, [{ value: 'r2' }, { value: 'r3' }, { value: 'r4' }]),
    batch(5, [{ value: 'r5' }, { value: 'r6' }, { value: 'r7' }], 'gzip'),
    {
      baseOffset: 8,
      lastOffset: 8,
      bytes: encodeRecordBatch([{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(6) }], {
        baseOffset: 8,
        control: true,
        transactional: true,
      }),
    },
    batch(9, [{ value: 'r9' }, { value: 'r10' }, { value: 'r11', key: 'k' }]),
  ];

  static async start(): Promise<FakeLog> {
    const log = new FakeLog();
    log.broker = await FakeBroker.start({
      handler: (req) => log.answer(req),
      apiVersions: [...DEFAULT_API_VERSIONS, [1, 4, 18], [2, 1, 11], [16, 0, 5]],
    });
    return log;
  }

  private answer(req: FakeRequest): FakeReply {
    const body = requestBody(req);
    const reply = (b: Buffer): FakeReply => ({ kind: 'body', body: b, flexibleHeader: true });
    switch (req.apiKey) {
      case 3: {
        this.metadataRequests++;
        const jobs: MetadataTopic = {
          errorCode: 0,
          name: 'jobs',
          topicId: TOPIC_ID,
          isInternal: false,
          topicAuthorizedOperations: -2147483648,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 3,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
        };
        const asked = new Reader(body).compactArray((t) => {
          t.uuid();
          const name = t.compactString();
          t.tags();
          return name;
        });
        return reply(
          encodeMetadataResponse({
            throttleTimeMs: 0,
            brokers: [{ nodeId: 1, host: this.broker.host, port: this.broker.port, rack: null }],
            clusterId: 'fake',
            controllerId: 1,
            topics: (asked ?? ['jobs']).map(
              (name): MetadataTopic =>
                name === 'jobs'
                  ? jobs
                  : {
                      errorCode: 3,
                      name,
                      topicId: '0'.repeat(32),
                      isInternal: false,
                      partitions: [],
                      topicAuthorizedOperations: -2147483648,
                    },
            ),
          }),
        );
      }
      case 1: {
        expect(req.apiVersion).toBe(12);
        const fetch = readAll(body, readFetchRequest);
        this.fetches.push(fetch);
        const t = fetch.topics[0]!;
        const p = t.partitions[0]!;
        return reply(
          writeAll((w) =>
            writeFetchResponse(w, this.fetchResponse(t.topic, p.partition, p.fetchOffset)),
          ),
        );
      }
      case 2: {
        const q = readAll(body, readListOffsetsRequest);
        const p = q.topics[0]!.partitions[0]!;
        this.listOffsets.push(p.timestamp);
        return reply(
          writeAll((w) =>
            writeListOffsetsResponse(w, [
              {
                name: q.topics[0]!.name,
                partitions: [
                  {
                    partitionIndex: p.partitionIndex,
                    errorCode: 0,
                    timestamp: -1,
                    offset: p.timestamp === -2 ? this.logStartOffset : this.highWatermark,
                    leaderEpoch: 3,
                  },
                ],
              },
            ]),
          ),
        );
      }
      default:
        return { kind: 'close' };
    }
  }

  private fetchResponse(topic: string, partition: number, offset: number): FetchResponse {
    const part = (
      errorCode: number,
      records: Buffer | null,
      known: boolean,
    ): FetchPartitionData => ({
      partitionIndex: partition,
      errorCode,
      highWatermark: known ? this.highWatermark : -1,
      lastStableOffset: known ? this.highWatermark : -1,
      logStartOffset: known ? this.logStartOffset : -1,
      divergingEpoch: null,
      currentLeader: errorCode === 6 ? { leaderId: 1, leaderEpoch: 4 } : null,
      snapshotId: null,
      abortedTransactions: null,
      preferredReadReplica: -1,
      records,
    });
    const res = (p: FetchPartitionData): FetchResponse => ({
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [{ topic, partitions: [p] }],
    });
    const injected = this.fetchErrors.shift();
    if (injected !== undefined) return res(part(injected, Buffer.alloc(0), false));
    if (topic !== 'jobs' || partition !== 0) return res(part(3, Buffer.alloc(0), false));
    if (offset < this.logStartOffset || offset > this.highWatermark) {
      return res(part(1, Buffer.alloc(0), false));
    }
    const from = this.batches.filter((b) => b.lastOffset >= offset);
    const whole = from.slice(0, 2).map((b) => b.bytes);
    const partial = from[2]?.bytes.subarray(0, 20) ?? Buffer.alloc(0);
    return res(part(0, Buffer.concat([...whole, partial]), true));
  }
}

function batch(
  baseOffset: number,
  records: { key?: string; value: string }[],
  compression: 'none' | 'gzip' = 'none',
): LogBatch {
  return {
    baseOffset,
    lastOffset: baseOffset + records.length - 1,
    bytes: encodeRecordBatch(
      records.map((r, i) => ({ ...r, timestamp: 1000 + baseOffset + i })),
      { baseOffset, compression },
    ),
  };
}

/** The request body after the header. The fake broker skips the header's tagged fields only for
 * the APIs it knows to be flexible; Fetch v12 and ListOffsets v6 are flexible too. */
function requestBody(req: FakeRequest): Buffer {
  if (isFlexible(req.apiKey, req.apiVersion)) return req.body;
  const r = new Reader(req.body);
  r.tags();
  return req.body.subarray(r.offset);
}

const logs: FakeLog[] = [];
const clusters: Cluster[] = [];

afterEach(async () => {
  await Promise.all(clusters.splice(0).map((c) => c.close()));
  await Promise.all(logs.splice(0).map((l) => l.broker.stop()));
});

async function setup(): Promise<{ log: FakeLog; cluster: Cluster }> {
  const log = await FakeLog.start();
  logs.push(log);
  const cluster = new Cluster({
    brokers: [log.broker.address],
    clientId: 'sharq-test',
    requestTimeoutMs: 2_000,
  });
  clusters.push(cluster);
  return { log, cluster };
}

const values = (records: { value: Buffer | null }[]): (string | undefined)[] =>
  records.map((r) => r.value?.toString());

describe('readPartition', () => {
  it('reads from the middle of a batch, skips transaction markers and fetches again', async () => {
    const { log, cluster } = await setup();
    const res = await readPartition(cluster, 'jobs', 0, 3, 100);
    expect(res.records.map((r) => r.offset)).toEqual([3, 4, 5, 6, 7, 9, 10, 11]);
    expect(values(res.records)).toEqual(['r3', 'r4', 'r5', 'r6', 'r7', 'r9', 'r10', 'r11']);
    expect(res.records.at(-1)!.key?.toString()).toBe('k');
    expect(res).toMatchObject({ logStartOffset: 2, highWatermark: 12 });
    // 3 → batches 2-4 and 5-7; 8 → the marker and 9-11, which reaches the high watermark.
    expect(log.fetches.map((f) => f.topics[0]!.partitions[0]!.fetchOffset)).toEqual([3, 8]);
    expect(log.fetches[0]).toMatchObject({
      replicaId: -1,
      maxWaitMs: 0,
      minBytes: 0,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      forgottenTopicsData: [],
      rackId: '',
    });
    expect(log.fetches[0]!.topics[0]!.partitions[0]).toMatchObject({
      partition: 0,
      currentLeaderEpoch: -1,
      lastFetchedEpoch: -1,
      logStartOffset: -1,
    });
  });

  it('keeps at most maxRecords and stops fetching once it has them', async () => {
    const { log, cluster } = await setup();
    const res = await readPartition(cluster, 'jobs', 0, 2, 2, { maxBytes: 4096 });
    expect(res.records.map((r) => r.offset)).toEqual([2, 3]);
    expect(log.fetches).toHaveLength(1);
    expect(log.fetches[0]).toMatchObject({ maxBytes: 4096 });
    expect(log.fetches[0]!.topics[0]!.partitions[0]!.partitionMaxBytes).toBe(4096);
  });

  it('returns no records at the high watermark, without an error', async () => {
    const { cluster } = await setup();
    const res = await readPartition(cluster, 'jobs', 0, 12, 10);
    expect(res).toEqual({ records: [], logStartOffset: 2, highWatermark: 12 });
  });

  it('checks the range but returns nothing for maxRecords 0', async () => {
    const { cluster } = await setup();
    expect((await readPartition(cluster, 'jobs', 0, 5, 0)).records).toEqual([]);
    await expect(readPartition(cluster, 'jobs', 0, 13, 0)).rejects.toMatchObject({
      code: 'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
    });
  });

  it.each([
    [13, 'past the high watermark'],
    [1, 'below the log start'],
    [-1, 'negative'],
  ])('names the range for offset %i (%s), looked up with ListOffsets', async (offset) => {
    const { log, cluster } = await setup();
    const err = await readPartition(cluster, 'jobs', 0, offset, 10).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'SHARQ_ERR_OFFSET_OUT_OF_RANGE',
      details: { topic: 'jobs', partition: 0, offset, logStartOffset: 2, logEndOffset: 12 },
    });
    expect((err as Error).message).toContain(`Offset ${offset} is outside [2, 12]`);
    expect([...log.listOffsets].sort((a, b) => a - b)).toEqual([-2, -1]);
  });

  it('maps an unknown topic and an unknown partition to SHARQ_ERR_UNKNOWN_TOPIC', async () => {
    const { log, cluster } = await setup();
    await expect(readPartition(cluster, 'nope', 0, 0, 10)).rejects.toMatchObject({
      code: 'SHARQ_ERR_UNKNOWN_TOPIC',
      details: { topic: 'nope' },
    });
    await expect(readPartition(cluster, 'jobs', 4, 0, 10)).rejects.toMatchObject({
      code: 'SHARQ_ERR_UNKNOWN_TOPIC',
      details: { topic: 'jobs', partition: 4 },
    });
    expect(log.fetches).toHaveLength(0);
  });

  it('refreshes metadata and retries once after NOT_LEADER_OR_FOLLOWER', async () => {
    const { log, cluster } = await setup();
    await cluster.metadata(['jobs']);
    const before = log.metadataRequests;
    log.fetchErrors = [6];
    const res = await readPartition(cluster, 'jobs', 0, 9, 10);
    expect(values(res.records)).toEqual(['r9', 'r10', 'r11']);
    expect(log.fetches).toHaveLength(2);
    expect(log.metadataRequests).toBe(before + 1);
  });

  it('gives up after one retry, and reports other errors as SHARQ_ERR_KAFKA', async () => {
    const { log, cluster } = await setup();
    log.fetchErrors = [6, 6];
    await expect(readPartition(cluster, 'jobs', 0, 9, 10)).rejects.toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      details: { kafkaError: 'NOT_LEADER_OR_FOLLOWER', topic: 'jobs', partition: 0 },
    });
    log.fetchErrors = [29];
    await expect(readPartition(cluster, 'jobs', 0, 9, 10)).rejects.toMatchObject({
      code: 'SHARQ_ERR_KAFKA',
      details: { kafkaError: 'TOPIC_AUTHORIZATION_FAILED' },
    });
    log.fetchErrors = [3, 3];
    await expect(readPartition(cluster, 'jobs', 0, 9, 10)).rejects.toMatchObject({
      code: 'SHARQ_ERR_UNKNOWN_TOPIC',
    });
  });

  it('rejects a bad maxRecords or option before sending anything', async () => {
    const { log, cluster } = await setup();
    for (const [max, opts] of [
      [-1, {}],
      [1.5, {}],
      [10, { maxBytes: 0 }],
      [10, { maxWaitMs: -5 }],
    ] as const) {
      await expect(readPartition(cluster, 'jobs', 0, 2, max, opts)).rejects.toMatchObject({
        code: 'SHARQ_ERR_INVALID_ARGUMENT',
      });
    }
    expect(log.fetches).toHaveLength(0);
  });
});
