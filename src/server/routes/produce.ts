import type { ProduceRecord } from '../../engine/types.js';
import { SharqError } from '../../errors/sharq-error.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { decodeRecordBatches, type RecordBatch } from '../../kafka/protocol/record-batch.js';
import { InitProducerId } from '../../kafka/protocol/schema/apis/init-producer-id.js';
import { Produce, type ProduceResponse } from '../../kafka/protocol/schema/apis/produce.js';
import { decompressedSize } from '../broker/decompressed-size.js';
import type { ApiRoute } from '../connection.js';
import { type BrokerContext, errorOf, topicsByName } from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

type PartitionAnswer = ProduceResponse['responses'][number]['partitionResponses'][number];

const NO_TRANSACTIONS = 'sharq server does not support transactions (no transactional.id)';

/** What the record batches of one Produce request may decompress to, all partitions together. */
export const MAX_DECOMPRESSED_REQUEST_BYTES = 128 * 1024 * 1024;

/**
 * Produce (v3-11) and InitProducerId (v0-4). Each partition's record batches are decoded and
 * written with `engine.produce` (explicit partition, the records' own timestamps) through the
 * producer registry, so a retried batch of an idempotent producer is answered with its first
 * offset and not written twice. acks=0 writes and sends no response. Transactions are not
 * supported: a transactional id or batch is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
export function produceRoutes(ctx: BrokerContext): ApiRoute[] {
  const produce = schemaRoute(Produce, async (req, version) => {
    const acks = req.acks;
    // Before anything decompresses: partitions whose batches would take the request past
    // MAX_DECOMPRESSED_REQUEST_BYTES (a decompression bomb), or whose zstd/LZ4 headers are
    // malformed, are refused without being decoded.
    const refused = new Map<object, { errorCode: number; message: string }>();
    let budget = MAX_DECOMPRESSED_REQUEST_BYTES;
    for (const topic of req.topicData) {
      for (const pd of topic.partitionData) {
        if (pd.records === null) continue;
        let size: number;
        try {
          size = decompressedSize(pd.records, budget);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          refused.set(pd, { errorCode: E.CORRUPT_MESSAGE, message });
          continue;
        }
        if (size > budget) {
          refused.set(pd, {
            errorCode: E.MESSAGE_TOO_LARGE,
            message: `The record batches of the request decompress to more than ${MAX_DECOMPRESSED_REQUEST_BYTES} bytes`,
          });
          continue;
        }
        budget -= size;
      }
    }
    const existing = await topicsByName(ctx.engine);
    const responses = await Promise.all(
      req.topicData.map(async (topic) => {
        const partitions = existing.get(topic.name);
        let logStart: Map<number, number> | undefined;
        if (partitions !== undefined && version >= 5) {
          try {
            const offsets = await ctx.engine.admin.offsets(topic.name);
            logStart = new Map(offsets.map((o) => [o.partition, o.logStartOffset]));
          } catch {
            logStart = undefined;
          }
        }
        const partitionResponses = await Promise.all(
          topic.partitionData.map(async (pd): Promise<PartitionAnswer> => {
            const answer = (
              errorCode: number,
              baseOffset: number,
              errorMessage: string | null,
            ): PartitionAnswer => ({
              index: pd.index,
              errorCode,
              baseOffset,
              logAppendTimeMs: -1,
              logStartOffset: errorCode === 0 ? (logStart?.get(pd.index) ?? 0) : -1,
              recordErrors: [],
              errorMessage,
              currentLeader: { leaderId: -1, leaderEpoch: -1 },
            });
            if (acks !== 0 && acks !== 1 && acks !== -1)
              return answer(E.INVALID_REQUIRED_ACKS, -1, `acks must be -1, 0 or 1, got ${acks}`);
            if (req.transactionalId !== null)
              return answer(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, NO_TRANSACTIONS);
            if (partitions === undefined || pd.index < 0 || pd.index >= partitions) {
              return answer(
                E.UNKNOWN_TOPIC_OR_PARTITION,
                -1,
                `This server does not host ${topic.name}-${pd.index}`,
              );
            }
            const refusal = refused.get(pd);
            if (refusal !== undefined) return answer(refusal.errorCode, -1, refusal.message);
            let batches: RecordBatch[];
            try {
              if (pd.records === null || pd.records.length === 0)
                throw new SharqError('SHARQ_ERR_PROTOCOL', 'No record batch in the partition data');
              const decoded = decodeRecordBatches(pd.records);
              if (decoded.truncatedBytes > 0)
                throw new SharqError(
                  'SHARQ_ERR_PROTOCOL',
                  `${decoded.truncatedBytes} bytes of a partial record batch`,
                );
              batches = decoded.batches;
            } catch (err) {
              const message = err instanceof Error ? err.message : String(err);
              const code = SharqError.is(err, 'SHARQ_ERR_UNSUPPORTED')
                ? E.UNSUPPORTED_FOR_MESSAGE_FORMAT
                : E.CORRUPT_MESSAGE;
              return answer(code, -1, message);
            }
            if (batches.some((b) => b.transactional || b.control))
              return answer(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, NO_TRANSACTIONS);
            let baseOffset = -1;
            try {
              for (const batch of batches) {
                const r = await ctx.producers.append(
                  topic.name,
                  pd.index,
                  {
                    producerId: batch.producerId,
                    producerEpoch: batch.producerEpoch,
                    baseSequence: batch.baseSequence,
                    recordCount: batch.recordCount,
                  },
                  () => write(topic.name, pd.index, batch),
                );
                if (r.errorCode !== 0) return answer(r.errorCode, -1, r.message);
                if (baseOffset === -1) baseOffset = r.baseOffset;
              }
            } catch (err) {
              const e = errorOf(err);
              return answer(e.errorCode, -1, e.errorMessage);
            }
            return answer(0, baseOffset, null);
          }),
        );
        return { name: topic.name, partitionResponses };
      }),
    );
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };
  });

  /** Writes one batch's records to one partition; resolves with the first offset. */
  async function write(topic: string, partition: number, batch: RecordBatch): Promise<number> {
    const appendTime = batch.timestampType === 'log-append-time' ? Date.now() : undefined;
    const records: ProduceRecord[] = batch.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition,
      timestamp: appendTime ?? r.timestamp,
    }));
    if (records.length === 0) {
      const offsets = await ctx.engine.admin.offsets(topic);
      return offsets[partition]?.logEndOffset ?? 0;
    }
    const positions = await ctx.engine.produce(topic, records);
    return positions[0]!.offset;
  }

  const initProducerId = schemaRoute(InitProducerId, (req) => {
    if (req.transactionalId !== null) {
      return {
        throttleTimeMs: 0,
        errorCode: E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1,
        producerEpoch: -1,
      };
    }
    // An idempotent producer (v3+ may name its current id and epoch): as Kafka does without a
    // transactional id, it gets a new producer id.
    const { producerId, producerEpoch } = ctx.producers.init();
    return { throttleTimeMs: 0, errorCode: 0, producerId, producerEpoch };
  });

  return [produce, initProducerId];
}
