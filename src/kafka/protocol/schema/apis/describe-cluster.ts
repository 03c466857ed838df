import { defineApi } from '../api.js';
import { array, bool, int8, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DescribeCluster (key 60), v0-1 (KIP-700). From Kafka 4.4 `DescribeClusterRequest.json` /
 * `DescribeClusterResponse.json` (valid 0-2, flexible 0+: flexible from its first version). v1
 * adds EndpointType (1 brokers, 2 controllers; KIP-919). v2 (IncludeFencedBrokers, IsFenced) is
 * not defined here.
 */

const DescribeClusterRequest = message({
  name: 'DescribeClusterRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: {
    includeClusterAuthorizedOperations: bool(),
    endpointType: int8({ versions: '1+', default: 1 }),
  },
});

const DescribeClusterBroker = struct('DescribeClusterBroker', {
  brokerId: int32(),
  host: string(),
  port: int32(),
  rack: string({ nullableVersions: '0+', default: null }),
});

const DescribeClusterResponse = message({
  name: 'DescribeClusterResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: {
    throttleTimeMs: int32(),
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+', default: null }),
    endpointType: int8({ versions: '1+', default: 1 }),
    clusterId: string(),
    controllerId: int32({ default: -1 }),
    brokers: array(DescribeClusterBroker),
    clusterAuthorizedOperations: int32({ default: -2147483648 }),
  },
});

export const DescribeCluster = defineApi({
  apiKey: 60,
  name: 'DescribeCluster',
  request: DescribeClusterRequest,
  response: DescribeClusterResponse,
});
export type DescribeClusterRequest = MessageValue<typeof DescribeClusterRequest>;
export type DescribeClusterResponse = MessageValue<typeof DescribeClusterResponse>;
