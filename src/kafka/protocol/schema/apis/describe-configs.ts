import { defineApi } from '../api.js';
import { array, bool, int8, int16, int32, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * DescribeConfigs (key 32), v0-4. From Kafka 4.4 `DescribeConfigsRequest.json` /
 * `DescribeConfigsResponse.json` (valid 1-4, flexible 4+), plus v0, which Kafka 4.0 removed with
 * its v0-only IsDefault (a BOOLEAN between ReadOnly and IsSensitive, in place of the v1+
 * ConfigSource); kafkajs 2.2.4 sends v0-2. v1 adds IncludeSynonyms, ConfigSource and Synonyms,
 * v3 IncludeDocumentation, ConfigType and Documentation. ResourceType: 2 TOPIC, 4 BROKER,
 * 8 BROKER_LOGGER, 16 CLIENT_METRICS, 32 GROUP.
 */

const DescribeConfigsResource = struct('DescribeConfigsResource', {
  resourceType: int8(),
  resourceName: string(),
  configurationKeys: array('string', { nullableVersions: '0+' }),
});

const DescribeConfigsRequest = message({
  name: 'DescribeConfigsRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: {
    resources: array(DescribeConfigsResource),
    includeSynonyms: bool({ versions: '1+', default: false, ignorable: false }),
    includeDocumentation: bool({ versions: '3+', default: false, ignorable: false }),
  },
});

const DescribeConfigsSynonym = struct('DescribeConfigsSynonym', {
  name: string({ versions: '1+' }),
  value: string({ versions: '1+', nullableVersions: '0+' }),
  source: int8({ versions: '1+' }),
});

const DescribeConfigsResourceResult = struct('DescribeConfigsResourceResult', {
  name: string(),
  value: string({ nullableVersions: '0+' }),
  readOnly: bool(),
  isDefault: bool({ versions: '0', ignorable: true }),
  configSource: int8({ versions: '1+', default: -1, ignorable: true }),
  isSensitive: bool(),
  synonyms: array(DescribeConfigsSynonym, { versions: '1+', ignorable: true }),
  configType: int8({ versions: '3+', default: 0, ignorable: true }),
  documentation: string({ versions: '3+', nullableVersions: '0+', ignorable: true }),
});

const DescribeConfigsResult = struct('DescribeConfigsResult', {
  errorCode: int16(),
  errorMessage: string({ nullableVersions: '0+' }),
  resourceType: int8(),
  resourceName: string(),
  configs: array(DescribeConfigsResourceResult),
});

const DescribeConfigsResponse = message({
  name: 'DescribeConfigsResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: {
    throttleTimeMs: int32(),
    results: array(DescribeConfigsResult),
  },
});

export const DescribeConfigs = defineApi({
  apiKey: 32,
  name: 'DescribeConfigs',
  request: DescribeConfigsRequest,
  response: DescribeConfigsResponse,
});
export type DescribeConfigsRequest = MessageValue<typeof DescribeConfigsRequest>;
export type DescribeConfigsResponse = MessageValue<typeof DescribeConfigsResponse>;

/** DescribeConfigsResponse ConfigSource values. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;
