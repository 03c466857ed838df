import { defineApi } from '../api.js';
import { array, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DeleteGroups (key 42), v0-3. From Kafka 4.4 `DeleteGroupsRequest.json` / `...Response.json`
 * (valid 0-3, flexible 2+; v1 is v0, v3 adds ErrorMessage to each result):
 *
 *   DeleteGroupsRequest  => GroupsNames: []string
 *   DeleteGroupsResponse => ThrottleTimeMs: int32
 *                           Results: []DeletableGroupResult {
 *                             GroupId: string, ErrorCode: int16,
 *                             ErrorMessage: string (3+, nullable 3+, ignorable, default null) }
 *
 * Kafka's `kafka-share-groups.sh --delete` sends it for share groups: a group with members
 * answers NON_EMPTY_GROUP (68), an unknown one GROUP_ID_NOT_FOUND (69).
 */

const DeleteGroupsRequest = message({
  name: 'DeleteGroupsRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: {
    groupsNames: array('string'),
  },
});

const DeletableGroupResult = struct('DeletableGroupResult', {
  groupId: string(),
  errorCode: int16(),
  errorMessage: string({
    versions: '3+',
    nullableVersions: '3+',
    ignorable: true,
    default: null,
  }),
});

const DeleteGroupsResponse = message({
  name: 'DeleteGroupsResponse',
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: {
    throttleTimeMs: int32(),
    results: array(DeletableGroupResult),
  },
});

export const DeleteGroups = defineApi({
  apiKey: 42,
  name: 'DeleteGroups',
  request: DeleteGroupsRequest,
  response: DeleteGroupsResponse,
});
export type DeleteGroupsRequest = MessageValue<typeof DeleteGroupsRequest>;
export type DeleteGroupsResponse = MessageValue<typeof DeleteGroupsResponse>;
