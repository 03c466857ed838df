import { defineApi } from '../api.js';
import { array, bool, int8, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * IncrementalAlterConfigs (key 44), v0-1 (KIP-339). From Kafka 4.4
 * `IncrementalAlterConfigsRequest.json` / `...Response.json` (valid 0-1, flexible 1+; v1 only
 * becomes flexible). ConfigOperation: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT. ResourceType 32
 * (GROUP) sets group configs such as share.auto.offset.reset.
 */

const AlterableConfig = struct('AlterableConfig', {
  name: string(),
  configOperation: int8(),
  value: string({ nullableVersions: '0+' }),
});

const AlterConfigsResource = struct('AlterConfigsResource', {
  resourceType: int8(),
  resourceName: string(),
  configs: array(AlterableConfig),
});

const IncrementalAlterConfigsRequest = message({
  name: 'IncrementalAlterConfigsRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: {
    resources: array(AlterConfigsResource),
    validateOnly: bool(),
  },
});

const AlterConfigsResourceResponse = struct('AlterConfigsResourceResponse', {
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+' }),
  resourceType: int8(),
  resourceName: string(),
});

const IncrementalAlterConfigsResponse = message({
  name: 'IncrementalAlterConfigsResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: {
    throttleTimeMs: int32(),
    responses: array(AlterConfigsResourceResponse),
  },
});

export const IncrementalAlterConfigs = defineApi({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  request: IncrementalAlterConfigsRequest,
  response: IncrementalAlterConfigsResponse,
});
export type IncrementalAlterConfigsRequest = MessageValue<typeof IncrementalAlterConfigsRequest>;
export type IncrementalAlterConfigsResponse = MessageValue<typeof IncrementalAlterConfigsResponse>;

/** ConfigResource.Type in Kafka (also DescribeConfigs' ResourceType). */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;
export type ConfigResourceType = (typeof ConfigResourceType)[keyof typeof ConfigResourceType];

/** AlterableConfig ConfigOperation values. */
export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
export type ConfigOperation = (typeof ConfigOperation)[keyof typeof ConfigOperation];
