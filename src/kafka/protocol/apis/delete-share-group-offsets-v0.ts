import type { ApiDef } from '../api.js';

/*
 * DeleteShareGroupOffsets (key 92) v0 (KIP-932). The group must be empty (NON_EMPTY_GROUP
 * otherwise). Flexible in every version. Schema: Apache Kafka 4.4
 * `common/message/DeleteShareGroupOffsetsRequest.json` / `DeleteShareGroupOffsetsResponse.json`
 * (validVersions "0", flexibleVersions "0+"). No tagged fields. Whole topics only: there is no
 * partition list in either direction.
 *
 * DeleteShareGroupOffsets Request (Version: 0) => group_id [topics] _tagged_fields
 *   group_id => COMPACT_STRING
 *   topics => topic_name _tagged_fields
 *     topic_name => COMPACT_STRING
 *
 * DeleteShareGroupOffsets Response (Version: 0) => throttle_time_ms error_code error_message
 *     [responses] _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   error_message => COMPACT_NULLABLE_STRING
 *   responses => topic_name topic_id error_code error_message _tagged_fields
 *     topic_name => COMPACT_STRING
 *     topic_id => UUID
 *     error_code => INT16
 *     error_message => COMPACT_NULLABLE_STRING
 */

export interface DeleteShareGroupOffsetsRequest {
  groupId: string;
  topics: { topicName: string }[];
}

export interface DeleteShareGroupOffsetsTopic {
  topicName: string;
  topicId: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface DeleteShareGroupOffsetsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  responses: DeleteShareGroupOffsetsTopic[];
}

export const DeleteShareGroupOffsetsV0: ApiDef<
  DeleteShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsResponse
> = {
  name: 'DeleteShareGroupOffsets',
  apiKey: 92,
  version: 0,
  flexible: true,

  encode(w, req) {
    w.compactString(req.groupId);
    w.compactArray(req.topics, (w, t) => {
      w.compactString(t.topicName).tags();
    });
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    const responses = r.requiredCompactArray((t): DeleteShareGroupOffsetsTopic => {
      const topic = {
        topicName: t.requiredCompactString(),
        topicId: t.uuid(),
        errorCode: t.int16(),
        errorMessage: t.compactString(),
      };
      t.tags();
      return topic;
    });
    r.tags();
    return { throttleTimeMs, errorCode, errorMessage, responses };
  },
};
