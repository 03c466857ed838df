import { defineApi } from '../api.js';
import { array, int16, int32, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DeleteTopics (key 20), v0-6. From Kafka 4.4 `DeleteTopicsRequest.json` /
 * `DeleteTopicsResponse.json` (valid 1-6, flexible 4+; v0 dropped from the list by Kafka 4.0,
 * its layout still in the file). kafkajs 2.2.4 sends v0-1. v1 adds ThrottleTimeMs, v5
 * ErrorMessage, v6 (KIP-516) replaces TopicNames with Topics naming each by name or id.
 */

const DeleteTopicState = struct('DeleteTopicState', {
  name: string({ versions: '6+', nullableVersions: '6+', default: null }),
  topicId: uuid({ versions: '6+' }),
});

const DeleteTopicsRequest = message({
  name: 'DeleteTopicsRequest',
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: {
    topics: array(DeleteTopicState, { versions: '6+' }),
    topicNames: array('string', { versions: '0-5', ignorable: true }),
    timeoutMs: int32(),
  },
});

const DeletableTopicResult = struct('DeletableTopicResult', {
  name: string({ nullableVersions: '6+' }),
  topicId: uuid({ versions: '6+', ignorable: true }),
  errorCode: int16(),
  errorMessage: string({ versions: '5+', nullableVersions: '5+', default: null, ignorable: true }),
});

const DeleteTopicsResponse = message({
  name: 'DeleteTopicsResponse',
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: {
    throttleTimeMs: int32({ versions: '1+', ignorable: true }),
    responses: array(DeletableTopicResult),
  },
});

export const DeleteTopics = defineApi({
  apiKey: 20,
  name: 'DeleteTopics',
  request: DeleteTopicsRequest,
  response: DeleteTopicsResponse,
});
export type DeleteTopicsRequest = MessageValue<typeof DeleteTopicsRequest>;
export type DeleteTopicsResponse = MessageValue<typeof DeleteTopicsResponse>;
