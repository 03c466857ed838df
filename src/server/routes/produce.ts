import type { LogRecordInput } from '../../embedded/storage/partition-log.js';
import { SharqError } from '../../errors/sharq-error.js';
import { decompressedSizeOffLoop } from '../../kafka/protocol/decompressed-size.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { decodeRecordBatches, type RecordBatch } from '../../kafka/protocol/record-batch.js';
import { InitProducerId } from '../../kafka/protocol/schema/apis/init-producer-id.js';
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from '../../kafka/protocol/schema/apis/produce.js';
import { checkProduceRecords } from '../broker/produce-batches.js';
import type { AppendAnswer } from '../broker/producers.js';
import type { ApiRoute } from '../connection.js';
import { partitionCounts } from '../topic-lookup.js';
import { type BrokerContext, errorOf } from './context.js';
import { schemaRoute } from './schema-route.js';

const E = KafkaErrors;

type PartitionAnswer = ProduceResponse['responses'][number]['partitionResponses'][number];
type PartitionData = ProduceRequest['topicData'][number]['partitionData'][number];

const NO_TRANSACTIONS = 'sharq server does not support transactions (no transactional.id)';

/** What the record batches of one Produce request may decompress to, all partitions together. */
export const MAX_DECOMPRESSED_REQUEST_BYTES = 128 * 1024 * 1024;

/**
 * Produce (v3-11) and InitProducerId (v0-4). Each partition's record batch (one, as Kafka
 * requires: more is INVALID_RECORD) is decoded and written with `engine.appendNow` (the
 * records' own timestamps) through the producer registry, so a retried batch of an idempotent
 * producer is answered with its first offset and not written twice. A partition is answered
 * once its batch is durable per the engine's fsync policy, as `engine.produce` would be. acks=0 writes and sends no response. Transactions are not
 * supported: a transactional id or batch is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
export function produceRoutes(ctx: BrokerContext): ApiRoute[] {
  const produce = schemaRoute(Produce, async (req, version, request) => {
    const acks = req.acks;
    // As Kafka's ProduceRequest.validateRecords: one batch a partition, so that a partition's
    // answer speaks for all it holds (a later batch refused after an earlier one was written
    // would answer "nothing written").
    const ONE_BATCH = `Produce requests with version ${version} are only allowed to contain exactly one record batch per partition`;
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
          // Awaited only when a gzip payload has to be inflated to be measured.
          const measured = decompressedSizeOffLoop(pd.records, budget);
          size = typeof measured === 'number' ? measured : await measured;
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
    const existing = await partitionCounts(
      ctx.engine,
      req.topicData.map((t) => t.name),
    );
    // Every partition's batches are checked and their writes started (offsets taken) before the
    // connection may start its next request: a client's pipelined produce requests reach the
    // log in the order sent and share a group-commit fsync; each answer still waits for its own
    // batches to be durable, and answers go out in request order.
    const started = req.topicData.map((topic) => ({
      name: topic.name,
      partitions: topic.partitionData.map((pd) =>
        startPartition(topic.name, existing.get(topic.name), pd),
      ),
    }));
    request.pipeline();
    const responses = await Promise.all(
      started.map(async (topic) => {
        const partitionResponses = await Promise.all(topic.partitions);
        let logStart: Map<number, number> | undefined;
        if (existing.has(topic.name) && version >= 5) {
          try {
            const offsets = await ctx.engine.admin.offsets(topic.name);
            logStart = new Map(offsets.map((o) => [o.partition, o.logStartOffset]));
          } catch {
            logStart = undefined;
          }
        }
        for (const p of partitionResponses)
          p.logStartOffset = p.errorCode === 0 ? (logStart?.get(p.index) ?? 0) : -1;
        return { name: topic.name, partitionResponses };
      }),
    );
    if (acks === 0) return null;
    return { responses, throttleTimeMs: 0, nodeEndpoints: [] };

    /**
     * One partition's answer; its batches' writes are started before this returns (nothing
     * before them awaits).
     */
    function startPartition(
      topic: string,
      partitions: number | undefined,
      pd: PartitionData,
    ): Promise<PartitionAnswer> {
      const answer = (
        errorCode: number,
        baseOffset: number,
        errorMessage: string | null,
      ): PartitionAnswer => ({
        index: pd.index,
        errorCode,
        baseOffset,
        logAppendTimeMs: -1,
        logStartOffset: -1,
        recordErrors: [],
        errorMessage,
        currentLeader: { leaderId: -1, leaderEpoch: -1 },
      });
      const refuse = (errorCode: number, message: string) =>
        Promise.resolve(answer(errorCode, -1, message));
      if (acks !== 0 && acks !== 1 && acks !== -1)
        return refuse(E.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, got ${acks}`);
      if (req.transactionalId !== null)
        return refuse(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, NO_TRANSACTIONS);
      if (partitions === undefined || pd.index < 0 || pd.index >= partitions)
        return refuse(
          E.UNKNOWN_TOPIC_OR_PARTITION,
          `This server does not host ${topic}-${pd.index}`,
        );
      const refusal = refused.get(pd);
      if (refusal !== undefined) return refuse(refusal.errorCode, refusal.message);
      // The common case (a plain uncompressed batch) is kept as it came, one frame a batch.
      const checked = pd.records === null ? null : checkProduceRecords(pd.records);
      if (checked !== null && checked.length > 1) return refuse(E.INVALID_RECORD, ONE_BATCH);
      if (checked !== null)
        return settle(
          checked.map(({ header, input }) =>
            ctx.producers.append(topic, pd.index, header, () =>
              ctx.engine.appendNow(topic, pd.index, input).then((r) => r.baseOffset),
            ),
          ),
        );
      let batches: RecordBatch[];
      try {
        if (pd.records === null || pd.records.length === 0)
          throw new SharqError('SHARQ_ERR_PROTOCOL', 'No record batch in the partition data');
        // Sized above against the request's budget: the per-batch cap is that budget.
        const decoded = decodeRecordBatches(pd.records, {
          maxDecompressedBatchBytes: MAX_DECOMPRESSED_REQUEST_BYTES,
        });
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
        return refuse(code, message);
      }
      if (batches.length > 1) return refuse(E.INVALID_RECORD, ONE_BATCH);
      if (batches.some((b) => b.transactional || b.control))
        return refuse(E.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, NO_TRANSACTIONS);
      return settle(
        batches.map((batch) =>
          ctx.producers.append(
            topic,
            pd.index,
            {
              producerId: batch.producerId,
              producerEpoch: batch.producerEpoch,
              baseSequence: batch.baseSequence,
              recordCount: batch.recordCount,
              crc: batch.crc,
            },
            () => write(topic, pd.index, batch),
          ),
        ),
      );

      /** The partition's answer from its batches' writes, started in order. */
      function settle(writes: Promise<AppendAnswer>[]): Promise<PartitionAnswer> {
        return Promise.all(writes).then(
          (results) => {
            // As one batch after another would: the first refusal answers for the partition.
            const failed = results.find((r) => r.errorCode !== 0);
            if (failed !== undefined) return answer(failed.errorCode, -1, failed.message);
            return answer(0, results[0]!.baseOffset, null);
          },
          (err: unknown) => {
            const e = errorOf(err);
            return answer(e.errorCode, -1, e.errorMessage);
          },
        );
      }
    }
  });

  /**
   * Starts writing one batch's records to one partition (offsets taken now); resolves with the
   * first offset once durable.
   */
  function write(topic: string, partition: number, batch: RecordBatch): Promise<number> {
    if (batch.records.length === 0)
      return ctx.engine.admin.offsets(topic).then((o) => o[partition]?.logEndOffset ?? 0);
    const appendTime = batch.timestampType === 'log-append-time' ? Date.now() : undefined;
    const records: LogRecordInput[] = batch.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: r.headers,
      timestamp: appendTime ?? r.timestamp,
    }));
    return ctx.engine.appendNow(topic, partition, records).then((r) => r.baseOffset);
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
