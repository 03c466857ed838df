import { defineApi } from '../api.js';
import { array, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ListGroups (key 16), v0-5. From Kafka 4.4 `ListGroupsRequest.json` / `ListGroupsResponse.json`
 * (valid 0-5, flexible 3+). v1 adds ThrottleTimeMs, v4 (KIP-518) StatesFilter and GroupState,
 * v5 (KIP-848) TypesFilter and GroupType ("classic", "consumer", "share", "streams"). The filters
 * are not ignorable: an older version cannot carry a filter, so asking for one there throws.
 */

const ListGroupsRequest = message({
  name: 'ListGroupsRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: {
    statesFilter: array('string', { versions: '4+' }),
    typesFilter: array('string', { versions: '5+' }),
  },
});

const ListedGroup = struct('ListedGroup', {
  groupId: string(),
  protocolType: string(),
  groupState: string({ versions: '4+', ignorable: true }),
  groupType: string({ versions: '5+', ignorable: true }),
});

const ListGroupsResponse = message({
  name: 'ListGroupsResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: {
    throttleTimeMs: int32({ versions: '1+', ignorable: true }),
    errorCode: int16(),
    groups: array(ListedGroup),
  },
});

export const ListGroups = defineApi({
  apiKey: 16,
  name: 'ListGroups',
  request: ListGroupsRequest,
  response: ListGroupsResponse,
});
export type ListGroupsRequest = MessageValue<typeof ListGroupsRequest>;
export type ListGroupsResponse = MessageValue<typeof ListGroupsResponse>;
