import { defineApi } from '../api.js';
import { array, int16, int32, string, struct, uuid } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DeleteShareGroupOffsets (key 92), v0 (KIP-932). From Kafka 4.4
 * `DeleteShareGroupOffsetsRequest.json` / `...Response.json` (valid 0, flexible 0+). Deletes a
 * group's offsets for whole topics; the group must be empty.
 */

const DeleteShareGroupOffsetsRequestTopic = struct('DeleteShareGroupOffsetsRequestTopic', {
  topicName: string(),
});

const DeleteShareGroupOffsetsRequest = message({
  name: 'DeleteShareGroupOffsetsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    groupId: string(),
    topics: array(DeleteShareGroupOffsetsRequestTopic),
  },
});

const DeleteShareGroupOffsetsResponseTopic = struct('DeleteShareGroupOffsetsResponseTopic', {
  topicName: string(),
  topicId: uuid(),
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+', default: null }),
});

const DeleteShareGroupOffsetsResponse = message({
  name: 'DeleteShareGroupOffsetsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    responses: array(DeleteShareGroupOffsetsResponseTopic),
  },
});

export const DeleteShareGroupOffsets = defineApi({
  apiKey: 92,
  name: 'DeleteShareGroupOffsets',
  request: DeleteShareGroupOffsetsRequest,
  response: DeleteShareGroupOffsetsResponse,
});
export type DeleteShareGroupOffsetsRequest = MessageValue<typeof DeleteShareGroupOffsetsRequest>;
export type DeleteShareGroupOffsetsResponse = MessageValue<typeof DeleteShareGroupOffsetsResponse>;
