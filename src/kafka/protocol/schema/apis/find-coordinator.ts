import { defineApi } from '../api.js';
import { array, int8, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * FindCoordinator (key 10), v0-6. From Kafka 4.4 `FindCoordinatorRequest.json` /
 * `FindCoordinatorResponse.json` (valid 0-6, flexible 3+). v1 adds KeyType (0 GROUP,
 * 1 TRANSACTION; not ignorable, so v0 can only ask for a group coordinator) and ErrorMessage;
 * v4 (KIP-699) replaces the one Key with CoordinatorKeys and answers one Coordinator per key,
 * dropping the v0-3 top-level fields; v5 and v6 only widen the meaning (v6: KeyType 2 SHARE,
 * KIP-932), the layout stays that of v4. v5-6 are defined although a local broker needs only
 * v0-4: sharq's own client sends v6 (src/kafka/protocol/client-apis.ts).
 *
 * Converting between Key and CoordinatorKeys for old versions is the caller's business, as in
 * Kafka's own FindCoordinatorRequest builder.
 */

const FindCoordinatorRequest = message({
  name: 'FindCoordinatorRequest',
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: {
    key: string({ versions: '0-3' }),
    keyType: int8({ versions: '1+', default: 0, ignorable: false }),
    coordinatorKeys: array('string', { versions: '4+' }),
  },
});

const Coordinator = struct('Coordinator', {
  key: string({ versions: '4+' }),
  nodeId: int32({ versions: '4+' }),
  host: string({ versions: '4+' }),
  port: int32({ versions: '4+' }),
  errorCode: int16({ versions: '4+' }),
  errorMessage: string({ versions: '4+', nullableVersions: '4+', ignorable: true }),
});

const FindCoordinatorResponse = message({
  name: 'FindCoordinatorResponse',
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: {
    throttleTimeMs: int32({ versions: '1+', ignorable: true }),
    errorCode: int16({ versions: '0-3' }),
    errorMessage: string({ versions: '1-3', nullableVersions: '1-3', ignorable: true }),
    nodeId: int32({ versions: '0-3' }),
    host: string({ versions: '0-3' }),
    port: int32({ versions: '0-3' }),
    coordinators: array(Coordinator, { versions: '4+' }),
  },
});

export const FindCoordinator = defineApi({
  apiKey: 10,
  name: 'FindCoordinator',
  request: FindCoordinatorRequest,
  response: FindCoordinatorResponse,
});
export type FindCoordinatorRequest = MessageValue<typeof FindCoordinatorRequest>;
export type FindCoordinatorResponse = MessageValue<typeof FindCoordinatorResponse>;

/** KeyType values (v1+): a share consumer looks up its group coordinator with GROUP. */
export const CoordinatorKeyType = { GROUP: 0, TRANSACTION: 1, SHARE: 2 } as const;
export type CoordinatorKeyType = (typeof CoordinatorKeyType)[keyof typeof CoordinatorKeyType];
