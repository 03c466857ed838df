import { defineApi } from '../api.js';
import { int16, int32, int64, string } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * InitProducerId (key 22), v0-4. From Kafka 4.4 `InitProducerIdRequest.json` /
 * `InitProducerIdResponse.json` (valid 0-6, flexible 2+). An idempotent producer asks with a null
 * TransactionalId and gets a producer id and epoch. v3 (KIP-360) lets a producer bump its epoch
 * by sending its current id and epoch; v4 only adds PRODUCER_FENCED to the answers. v5 (KIP-890)
 * and v6 (KIP-939 two-phase commit: Enable2Pc, KeepPreparedTxn, OngoingTxn*) are not defined.
 */

const InitProducerIdRequest = message({
  name: 'InitProducerIdRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: {
    transactionalId: string({ nullableVersions: '0+' }),
    transactionTimeoutMs: int32(),
    producerId: int64({ versions: '3+', default: -1 }),
    producerEpoch: int16({ versions: '3+', default: -1 }),
  },
});

const InitProducerIdResponse = message({
  name: 'InitProducerIdResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '2+',
  fields: {
    throttleTimeMs: int32({ ignorable: true }),
    errorCode: int16(),
    producerId: int64({ default: -1 }),
    producerEpoch: int16(),
  },
});

export const InitProducerId = defineApi({
  apiKey: 22,
  name: 'InitProducerId',
  request: InitProducerIdRequest,
  response: InitProducerIdResponse,
});
export type InitProducerIdRequest = MessageValue<typeof InitProducerIdRequest>;
export type InitProducerIdResponse = MessageValue<typeof InitProducerIdResponse>;
