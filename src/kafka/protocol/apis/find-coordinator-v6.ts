import type { ApiDef } from '../api.js';

/*
 * FindCoordinator (key 10) v6: batched keys (KIP-699, v4+), share groups (KIP-932, v6). Flexible.
 * A share consumer looks up its group coordinator with key type 0 (GROUP) and the group id; key
 * type 2 (SHARE, "groupId:topicId:partition") is for brokers talking to the share coordinator.
 *
 * FindCoordinator Request (Version: 6) => key_type [coordinator_keys] _tagged_fields
 *   key_type => INT8
 *   coordinator_keys => COMPACT_STRING (COMPACT_ARRAY)
 *
 * FindCoordinator Response (Version: 6) => throttle_time_ms [coordinators] _tagged_fields
 *   throttle_time_ms => INT32
 *   coordinators => key node_id host port error_code error_message _tagged_fields
 *     key => COMPACT_STRING
 *     node_id => INT32
 *     host => COMPACT_STRING
 *     port => INT32
 *     error_code => INT16
 *     error_message => COMPACT_NULLABLE_STRING
 */

export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1, SHARE: 2 } as const;
export type CoordinatorKeyType = (typeof CoordinatorKeyType)[keyof typeof CoordinatorKeyType];

export interface FindCoordinatorRequest {
  keyType: CoordinatorKeyType;
  coordinatorKeys: readonly string[];
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  coordinators: Coordinator[];
}

export const FindCoordinatorV6: ApiDef<FindCoordinatorRequest, FindCoordinatorResponse> = {
  name: 'FindCoordinator',
  apiKey: 10,
  version: 6,
  flexible: true,

  encode(w, req) {
    w.int8(req.keyType)
      .compactArray(req.coordinatorKeys, (k, key) => {
        k.compactString(key);
      })
      .tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const coordinators = r.requiredCompactArray((c): Coordinator => {
      const coordinator = {
        key: c.requiredCompactString(),
        nodeId: c.int32(),
        host: c.requiredCompactString(),
        port: c.int32(),
        errorCode: c.int16(),
        errorMessage: c.compactString(),
      };
      c.tags();
      return coordinator;
    });
    r.tags();
    return { throttleTimeMs, coordinators };
  },
};
