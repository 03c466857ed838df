import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader } from '../../../../src/kafka/protocol/reader.js';
import {
  decodeRecordBatches,
  encodeRecordBatch,
} from '../../../../src/kafka/protocol/record-batch.js';
import type { ApiSchema } from '../../../../src/kafka/protocol/schema/api.js';
import { CreateTopics } from '../../../../src/kafka/protocol/schema/apis/create-topics.js';
import { DeleteTopics } from '../../../../src/kafka/protocol/schema/apis/delete-topics.js';
import { DescribeConfigs } from '../../../../src/kafka/protocol/schema/apis/describe-configs.js';
import { Fetch } from '../../../../src/kafka/protocol/schema/apis/fetch.js';
import { FindCoordinator } from '../../../../src/kafka/protocol/schema/apis/find-coordinator.js';
import { InitProducerId } from '../../../../src/kafka/protocol/schema/apis/init-producer-id.js';
import { ListGroups } from '../../../../src/kafka/protocol/schema/apis/list-groups.js';
import { ListOffsets } from '../../../../src/kafka/protocol/schema/apis/list-offsets.js';
import { Metadata } from '../../../../src/kafka/protocol/schema/apis/metadata.js';
import { Produce } from '../../../../src/kafka/protocol/schema/apis/produce.js';
import { SaslHandshake } from '../../../../src/kafka/protocol/schema/apis/sasl-handshake.js';
import { SCHEMAS } from '../../../../src/kafka/protocol/schema/registry.js';
import { arbitraryValue, encodeBody } from './arbitrary.js';

// kafkajs 2.2.4 is one of the clients a local sharq broker serves, and it speaks the old
// versions no hand-written sharq codec covers (Metadata v0-6, Produce v3-7, Fetch v4-11,
// ListOffsets v0-3 ...), including the v0 layouts Kafka 4.0 deleted from its message files
// (ListOffsets v0, DescribeConfigs v0, CreateTopics v0-1, DeleteTopics v0). Its protocol code
// was written against real brokers, independently of Kafka's generator. For every version
// kafkajs knows of each API sharq defines: a request kafkajs encodes is byte for byte what the
// schema encodes for the same value, and a response the schema encodes is what kafkajs reads.

type Loose = Record<string, unknown>;
type Arr = Loose[];

const require = createRequire(import.meta.url);

interface KjsRequest {
  encode(): Promise<{ buffer: Buffer }>;
}
interface KjsResponse {
  decode(body: Buffer): Promise<Loose>;
}

function kafkajs(dir: string, version: number) {
  const base = `kafkajs/src/protocol/requests/${dir}/v${version}`;
  return {
    request: require(`${base}/request`) as (args: unknown) => KjsRequest,
    response: require(`${base}/response`) as KjsResponse,
  };
}

const UNSUPPORTED_VERSION = 35;
/** kafkajs throws on error 35 while decoding (it would downgrade); other codes it returns. */
const noVersionError = (x: Loose) =>
  x.errorCode === UNSUPPORTED_VERSION ? { ...x, errorCode: 0 } : x;
const s = (n: unknown) => String(n);

interface Case {
  api: ApiSchema;
  dir: string;
  versions: readonly number[];
  /** The schema value kafkajs can express (it sends [] as null, say) and the arguments for it. */
  request?: (x: Loose, v: number) => { value: Loose; args: unknown };
  /** The schema value to answer with and what kafkajs should read from it. */
  response?: (x: Loose, v: number) => { value: Loose; expected: Loose };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const CASES: Case[] = [
  {
    api: SCHEMAS.get(18)!,
    dir: 'apiVersions',
    versions: range(0, 2),
    request: (x) => ({ value: x, args: {} }),
    response: (x, v) => {
      const value = noVersionError(x);
      return {
        value,
        expected: {
          errorCode: value.errorCode,
          apiVersions: value.apiKeys,
          ...(v >= 1 ? { throttleTime: value.throttleTimeMs } : {}),
        },
      };
    },
  },
  {
    api: Metadata,
    dir: 'metadata',
    versions: range(0, 6),
    request: (x, v) => {
      // kafkajs writes an empty topic list as null (all topics) from v1 on.
      const value = v >= 1 && (x.topics as Arr | null)?.length === 0 ? { ...x, topics: null } : x;
      const topics = ((value.topics as Arr | null) ?? []).map((t) => t.name);
      return { value, args: { topics, allowAutoTopicCreation: value.allowAutoTopicCreation } };
    },
    response: (x, v) => ({
      value: x,
      expected: {
        brokers: (x.brokers as Arr).map((b) => ({
          nodeId: b.nodeId,
          host: b.host,
          port: b.port,
          ...(v >= 1 ? { rack: b.rack } : {}),
        })),
        ...(v >= 1 ? { controllerId: x.controllerId } : {}),
        ...(v >= 2 ? { clusterId: x.clusterId } : {}),
        ...(v >= 3 ? { throttleTime: x.throttleTimeMs } : {}),
        topicMetadata: (x.topics as Arr).map((t) => ({
          topicErrorCode: t.errorCode,
          topic: t.name,
          ...(v >= 1 ? { isInternal: t.isInternal } : {}),
          partitionMetadata: (t.partitions as Arr).map((p) => ({
            partitionErrorCode: p.errorCode,
            partitionId: p.partitionIndex,
            leader: p.leaderId,
            replicas: p.replicaNodes,
            isr: p.isrNodes,
            ...(v >= 5 ? { offlineReplicas: p.offlineReplicas } : {}),
          })),
        })),
      },
    }),
  },
  {
    api: Produce,
    dir: 'produce',
    versions: range(3, 7),
    // Requests: kafkajs builds the record batches itself; see the test below.
    response: (x, v) => ({
      value: x,
      expected: {
        topics: (x.responses as Arr).map((t) => ({
          topicName: t.name,
          partitions: (t.partitionResponses as Arr).map((p) => ({
            partition: p.index,
            errorCode: p.errorCode,
            baseOffset: s(p.baseOffset),
            logAppendTime: s(p.logAppendTimeMs),
            ...(v >= 5 ? { logStartOffset: s(p.logStartOffset) } : {}),
          })),
        })),
        throttleTime: x.throttleTimeMs,
      },
    }),
  },
  {
    api: InitProducerId,
    dir: 'initProducerId',
    versions: range(0, 1),
    request: (x) => ({
      value: x,
      args: { transactionalId: x.transactionalId, transactionTimeout: x.transactionTimeoutMs },
    }),
    response: (x) => {
      const value = noVersionError(x);
      return {
        value,
        expected: {
          throttleTime: value.throttleTimeMs,
          errorCode: value.errorCode,
          producerId: s(value.producerId),
          producerEpoch: value.producerEpoch,
        },
      };
    },
  },
  {
    api: FindCoordinator,
    dir: 'findCoordinator',
    versions: range(0, 2),
    request: (x, v) => ({
      value: x,
      args: v === 0 ? { groupId: x.key } : { coordinatorKey: x.key, coordinatorType: x.keyType },
    }),
    response: (x, v) => {
      const value = noVersionError(x);
      return {
        value,
        expected: {
          errorCode: value.errorCode,
          ...(v >= 1
            ? { throttleTime: value.throttleTimeMs, errorMessage: value.errorMessage }
            : {}),
          coordinator: { nodeId: value.nodeId, host: value.host, port: value.port },
        },
      };
    },
  },
  {
    api: CreateTopics,
    dir: 'createTopics',
    versions: range(0, 3),
    request: (x) => ({
      value: x,
      args: {
        topics: (x.topics as Arr).map((t) => ({
          topic: t.name,
          numPartitions: t.numPartitions,
          replicationFactor: t.replicationFactor,
          replicaAssignment: (t.assignments as Arr).map((a) => ({
            partition: a.partitionIndex,
            replicas: a.brokerIds,
          })),
          configEntries: t.configs,
        })),
        timeout: x.timeoutMs,
        validateOnly: x.validateOnly,
      },
    }),
    response: (x, v) => ({
      value: x,
      expected: {
        ...(v >= 2 ? { throttleTime: x.throttleTimeMs } : {}),
        topicErrors: (x.topics as Arr)
          .map((t) => ({
            topic: t.name as string,
            errorCode: t.errorCode,
            ...(v >= 1 ? { errorMessage: t.errorMessage } : {}),
          }))
          .sort((a, b) => a.topic.localeCompare(b.topic)),
      },
    }),
  },
  {
    api: DeleteTopics,
    dir: 'deleteTopics',
    versions: range(0, 1),
    request: (x) => ({ value: x, args: { topics: x.topicNames, timeout: x.timeoutMs } }),
    response: (x, v) => ({
      value: x,
      expected: {
        ...(v >= 1 ? { throttleTime: x.throttleTimeMs } : {}),
        topicErrors: (x.responses as Arr)
          .map((t) => ({ topic: t.name as string, errorCode: t.errorCode }))
          .sort((a, b) => a.topic.localeCompare(b.topic)),
      },
    }),
  },
  {
    api: DescribeConfigs,
    dir: 'describeConfigs',
    versions: range(0, 2),
    request: (x) => {
      // kafkajs writes an empty ConfigurationKeys list as null (all keys).
      const resources = (x.resources as Arr).map((r) =>
        (r.configurationKeys as unknown[] | null)?.length === 0
          ? { ...r, configurationKeys: null }
          : r,
      );
      return {
        value: { ...x, resources },
        args: {
          resources: resources.map((r) => ({
            type: r.resourceType,
            name: r.resourceName,
            configNames: r.configurationKeys ?? [],
          })),
          includeSynonyms: x.includeSynonyms,
        },
      };
    },
    response: (x, v) => ({
      value: x,
      expected: {
        throttleTime: x.throttleTimeMs,
        resources: (x.results as Arr).map((r) => ({
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          resourceType: r.resourceType,
          resourceName: r.resourceName,
          configEntries: (r.configs as Arr).map((c) => ({
            configName: c.name,
            configValue: c.value,
            readOnly: c.readOnly,
            isSensitive: c.isSensitive,
            ...(v === 0
              ? { isDefault: c.isDefault }
              : {
                  configSource: c.configSource,
                  configSynonyms: (c.synonyms as Arr).map((y) => ({
                    configName: y.name,
                    configValue: y.value,
                    configSource: y.source,
                  })),
                }),
          })),
        })),
      },
    }),
  },
  {
    api: ListOffsets,
    dir: 'listOffsets',
    versions: range(0, 3),
    request: (x) => ({
      value: x,
      args: {
        replicaId: x.replicaId,
        isolationLevel: x.isolationLevel,
        topics: (x.topics as Arr).map((t) => ({
          topic: t.name,
          partitions: (t.partitions as Arr).map((p) => ({
            partition: p.partitionIndex,
            timestamp: p.timestamp,
            maxNumOffsets: p.maxNumOffsets,
          })),
        })),
      },
    }),
    response: (x, v) => ({
      value: x,
      expected: {
        ...(v >= 2 ? { throttleTime: x.throttleTimeMs } : {}),
        responses: (x.topics as Arr).map((t) => ({
          topic: t.name,
          partitions: (t.partitions as Arr).map((p) => ({
            partition: p.partitionIndex,
            errorCode: p.errorCode,
            ...(v === 0
              ? { offsets: (p.oldStyleOffsets as number[]).map(s) }
              : { timestamp: s(p.timestamp), offset: s(p.offset) }),
          })),
        })),
      },
    }),
  },
  {
    api: ListGroups,
    dir: 'listGroups',
    versions: range(0, 2),
    request: (x) => ({ value: x, args: {} }),
    response: (x, v) => ({
      value: x,
      expected: {
        ...(v >= 1 ? { throttleTime: x.throttleTimeMs } : {}),
        errorCode: x.errorCode,
        groups: (x.groups as Arr).map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
        })),
      },
    }),
  },
  {
    api: SaslHandshake,
    dir: 'saslHandshake',
    versions: range(0, 1),
    request: (x) => ({ value: x, args: { mechanism: x.mechanism } }),
    response: (x) => {
      const value = noVersionError(x);
      return {
        value,
        expected: { errorCode: value.errorCode, enabledMechanisms: value.mechanisms },
      };
    },
  },
  {
    api: Fetch,
    dir: 'fetch',
    versions: range(4, 11),
    request: (x) => ({
      value: x,
      args: {
        replicaId: x.replicaId,
        maxWaitTime: x.maxWaitMs,
        minBytes: x.minBytes,
        maxBytes: x.maxBytes,
        isolationLevel: x.isolationLevel,
        sessionId: x.sessionId,
        sessionEpoch: x.sessionEpoch,
        rackId: x.rackId,
        forgottenTopics: x.forgottenTopicsData,
        topics: (x.topics as Arr).map((t) => ({
          topic: t.topic,
          partitions: (t.partitions as Arr).map((p) => ({
            partition: p.partition,
            currentLeaderEpoch: p.currentLeaderEpoch,
            fetchOffset: p.fetchOffset,
            logStartOffset: p.logStartOffset,
            maxBytes: p.partitionMaxBytes,
          })),
        })),
      },
    }),
    // Responses carry record batches, which kafkajs decodes: see the test below.
  },
];

/** kafkajs reports a throttle from v2-ish on as clientSideThrottleTime with throttleTime 0. */
function unthrottle(out: Loose): Loose {
  if (!('clientSideThrottleTime' in out)) return out;
  const { clientSideThrottleTime, ...rest } = out;
  return { ...rest, throttleTime: clientSideThrottleTime };
}

const rows = CASES.flatMap((c) => c.versions.map((v) => [`${c.api.name} v${v}`, c, v] as const));

describe('kafkajs 2.2.4 agreement', () => {
  it('covers only versions sharq defines', () => {
    for (const [, c, v] of rows) expect(c.api.request.hasVersion(v)).toBe(true);
  });

  describe.each(rows)('%s', (_name, c, v) => {
    const kjs = kafkajs(c.dir, v);
    const { request, response } = c;
    if (request !== undefined) {
      it('request: the bytes kafkajs writes', async () => {
        await fc.assert(
          fc.asyncProperty(arbitraryValue(c.api.request, v), async (x) => {
            const { value, args } = request(x, v);
            const written = (await kjs.request(args).encode()).buffer;
            expect(written).toEqual(encodeBody(c.api.request, v, value));
          }),
          { numRuns: 40 },
        );
      });
    }
    if (response !== undefined) {
      it('response: what kafkajs reads', async () => {
        await fc.assert(
          fc.asyncProperty(arbitraryValue(c.api.response, v), async (x) => {
            const { value, expected } = response(x, v);
            const read = await kjs.response.decode(encodeBody(c.api.response, v, value));
            expect(unthrottle(read)).toMatchObject(expected);
          }),
          { numRuns: 40 },
        );
      });
    }
  });

  describe.each(range(3, 7))('Produce v%i', (v) => {
    const kjs = kafkajs('produce', v);
    const message = fc.record({
      key: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
      value: fc.string({ maxLength: 12 }),
    });
    const topicData = fc.array(
      fc.record({
        topic: fc.string({ minLength: 1, maxLength: 6 }),
        partitions: fc.array(
          fc.record({
            partition: fc.nat(100),
            messages: fc.array(message, { minLength: 1, maxLength: 3 }),
          }),
          { maxLength: 2 },
        ),
      }),
      { maxLength: 2 },
    );

    it('request: the schema reads what kafkajs writes, record batches as bytes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            acks: fc.constantFrom(-1, 0, 1),
            timeout: fc.nat(60_000),
            transactionalId: fc.option(fc.string({ maxLength: 6 }), { nil: null }),
            topicData,
          }),
          async (args) => {
            const body = (await kjs.request(args).encode()).buffer;
            const r = new Reader(body);
            const req = Produce.request.decode(v, r);
            expect(r.remaining).toBe(0);
            expect(req).toMatchObject({
              transactionalId: args.transactionalId,
              acks: args.acks,
              timeoutMs: args.timeout,
            });
            expect(req.topicData.map((t) => t.name)).toEqual(args.topicData.map((t) => t.topic));
            req.topicData.forEach((t, i) => {
              const sent = args.topicData[i]!.partitions;
              expect(t.partitionData.map((p) => p.index)).toEqual(sent.map((p) => p.partition));
              t.partitionData.forEach((p, j) => {
                const { records } = decodeRecordBatches(p.records!);
                expect(
                  records.map((m) => [m.key?.toString() ?? null, m.value?.toString()]),
                ).toEqual(sent[j]!.messages.map((m) => [m.key, m.value]));
              });
            });
          },
        ),
        { numRuns: 30 },
      );
    });
  });

  describe.each(range(4, 11))('Fetch v%i', (v) => {
    const kjs = kafkajs('fetch', v);
    it('response: kafkajs reads the fields and the record batches sharq encodes', async () => {
      const records = fc.option(
        fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 3 }).chain((values) =>
          fc.nat(1000).map((baseOffset) => ({
            values,
            baseOffset,
            bytes: encodeRecordBatch(
              values.map((value) => ({ value, timestamp: 1_700_000_000_000 })),
              { baseOffset },
            ),
          })),
        ),
        { nil: null },
      );
      const arb = arbitraryValue(Fetch.response, v).chain((x) =>
        fc
          .array(records, {
            minLength: (x.responses as Arr).flatMap((t) => t.partitions as Arr).length,
            maxLength: (x.responses as Arr).flatMap((t) => t.partitions as Arr).length,
          })
          .map((batches) => ({ x, batches })),
      );
      await fc.assert(
        fc.asyncProperty(arb, async ({ x, batches }) => {
          let k = 0;
          const value = {
            ...x,
            responses: (x.responses as Arr).map((t) => ({
              ...t,
              partitions: (t.partitions as Arr).map((p) => ({
                ...p,
                records: batches[k++]?.bytes ?? null,
              })),
            })),
          };
          k = 0;
          const expected = {
            throttleTime: x.throttleTimeMs,
            ...(v >= 7 ? { errorCode: x.errorCode, sessionId: x.sessionId } : {}),
            responses: (x.responses as Arr).map((t) => ({
              topicName: t.topic,
              partitions: (t.partitions as Arr).map((p) => {
                const batch = batches[k++];
                return {
                  partition: p.partitionIndex,
                  errorCode: p.errorCode,
                  highWatermark: s(p.highWatermark),
                  lastStableOffset: s(p.lastStableOffset),
                  ...(v >= 5 ? { lastStartOffset: s(p.logStartOffset) } : {}),
                  abortedTransactions: ((p.abortedTransactions as Arr | null) ?? []).map((a) => ({
                    producerId: s(a.producerId),
                    firstOffset: s(a.firstOffset),
                  })),
                  ...(v >= 11 ? { preferredReadReplica: p.preferredReadReplica } : {}),
                  messages: (batch?.values ?? []).map((val, i) => ({
                    offset: s(batch!.baseOffset + i),
                    value: Buffer.from(val),
                  })),
                };
              }),
            })),
          };
          const read = await kjs.response.decode(encodeBody(Fetch.response, v, value));
          expect(unthrottle(read)).toMatchObject(expected);
        }),
        { numRuns: 30 },
      );
    });
  });
});
