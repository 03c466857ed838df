import type { ApiDef } from '../api.js';

/*
 * ListGroups (key 16) v5, Kafka 4.0+ (KIP-1043: group types). Flexible from v3. Schema: Apache
 * Kafka 4.4 `common/message/ListGroupsRequest.json` / `ListGroupsResponse.json` (validVersions
 * "0-5", flexibleVersions "3+"). No field is tagged. The broker that receives it answers for the
 * groups it coordinates only: on a multi-broker cluster, ask every broker and merge.
 *
 * ListGroups Request (Version: 5) => [states_filter] [types_filter] _tagged_fields
 *   states_filter => COMPACT_STRING                (versions 4+; [] = every state, e.g. "Stable",
 *                                                   "Empty")
 *   types_filter => COMPACT_STRING                 (versions 5+; [] = every type: "classic",
 *                                                   "consumer", "share", "streams")
 *
 * ListGroups Response (Version: 5) => throttle_time_ms error_code [groups] _tagged_fields
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   groups => group_id protocol_type group_state group_type _tagged_fields
 *     group_id => COMPACT_STRING
 *     protocol_type => COMPACT_STRING              ("" for consumer groups, "share" for share
 *                                                   groups)
 *     group_state => COMPACT_STRING                (versions 4+)
 *     group_type => COMPACT_STRING                 (versions 5+)
 */

export interface ListGroupsRequest {
  statesFilter: string[];
  typesFilter: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

export interface ListGroupsResponse {
  throttleTimeMs: number;
  errorCode: number;
  groups: ListedGroup[];
}

export const ListGroupsV5: ApiDef<ListGroupsRequest, ListGroupsResponse> = {
  name: 'ListGroups',
  apiKey: 16,
  version: 5,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.statesFilter, (w, s) => w.compactString(s));
    w.compactArray(req.typesFilter, (w, s) => w.compactString(s));
    w.tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const groups = r.requiredCompactArray((g): ListedGroup => {
      const group = {
        groupId: g.requiredCompactString(),
        protocolType: g.requiredCompactString(),
        groupState: g.requiredCompactString(),
        groupType: g.requiredCompactString(),
      };
      g.tags();
      return group;
    });
    r.tags();
    return { throttleTimeMs, errorCode, groups };
  },
};
