/**
 * The share-group messages as the share coordinator handles them, taken from the protocol
 * schemas (src/kafka/protocol/schema/apis/share-*.ts) rather than written a second time:
 * requests as the schema decodes them, responses as its encoder takes them.
 */
import type { ShareAcknowledge } from '../../kafka/protocol/schema/apis/share-acknowledge.js';
import type { ShareFetch } from '../../kafka/protocol/schema/apis/share-fetch.js';
import type { ShareGroupHeartbeat } from '../../kafka/protocol/schema/apis/share-group-heartbeat.js';
import type { MessageInput, MessageValue } from '../../kafka/protocol/schema/message.js';

type Req<A extends { request: unknown }> = MessageValue<A['request']>;
type Res<A extends { response: unknown }> = MessageInput<A['response']>;

export type ShareGroupHeartbeatRequest = Req<typeof ShareGroupHeartbeat>;
export type ShareGroupHeartbeatResponse = Res<typeof ShareGroupHeartbeat>;
export type ShareFetchRequest = Req<typeof ShareFetch>;
export type ShareFetchResponse = Res<typeof ShareFetch>;
export type ShareAcknowledgeRequest = Req<typeof ShareAcknowledge>;
export type ShareAcknowledgeResponse = Res<typeof ShareAcknowledge>;

export type AckPartitionIn = ShareFetchRequest['topics'][number]['partitions'][number];
export type AcknowledgementBatch = AckPartitionIn['acknowledgementBatches'][number];
export type SharePartitionOut = MessageValue<
  (typeof ShareFetch)['response']
>['responses'][number]['partitions'][number];
