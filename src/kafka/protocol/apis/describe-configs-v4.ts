import type { ApiDef } from '../api.js';

/*
 * DescribeConfigs (key 32) v4, the first flexible version. sharq reads group configs back with
 * resource type GROUP (32); any broker answers for groups and topics.
 *
 * DescribeConfigs Request (Version: 4) => [resources] include_synonyms include_documentation
 *                                         _tagged_fields
 *   resources => resource_type resource_name [configuration_keys] _tagged_fields
 *     resource_type => INT8
 *     resource_name => COMPACT_STRING
 *     configuration_keys => COMPACT_STRING (COMPACT_ARRAY, nullable: null lists every key)
 *   include_synonyms => BOOLEAN
 *   include_documentation => BOOLEAN
 *
 * DescribeConfigs Response (Version: 4) => throttle_time_ms [results] _tagged_fields
 *   throttle_time_ms => INT32
 *   results => error_code error_message resource_type resource_name [configs] _tagged_fields
 *     error_code => INT16
 *     error_message => COMPACT_NULLABLE_STRING
 *     resource_type => INT8
 *     resource_name => COMPACT_STRING
 *     configs => name value read_only config_source is_sensitive [synonyms] config_type
 *                documentation _tagged_fields
 *       name => COMPACT_STRING
 *       value => COMPACT_NULLABLE_STRING
 *       read_only => BOOLEAN
 *       config_source => INT8
 *       is_sensitive => BOOLEAN
 *       synonyms => name value source _tagged_fields
 *         name => COMPACT_STRING
 *         value => COMPACT_NULLABLE_STRING
 *         source => INT8
 *       config_type => INT8
 *       documentation => COMPACT_NULLABLE_STRING
 */

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

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: readonly string[] | null;
}

export interface DescribeConfigsRequest {
  resources: readonly DescribeConfigsResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribeConfigsEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsSynonym[];
  configType: number;
  documentation: string | null;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsEntry[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

export const DescribeConfigsV4: ApiDef<DescribeConfigsRequest, DescribeConfigsResponse> = {
  name: 'DescribeConfigs',
  apiKey: 32,
  version: 4,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.resources, (rw, resource) => {
      rw.int8(resource.resourceType)
        .compactString(resource.resourceName)
        .compactArray(resource.configurationKeys, (kw, key) => {
          kw.compactString(key);
        })
        .tags();
    });
    w.bool(req.includeSynonyms).bool(req.includeDocumentation).tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const results = r.requiredCompactArray((e): DescribeConfigsResult => {
      const errorCode = e.int16();
      const errorMessage = e.compactString();
      const resourceType = e.int8();
      const resourceName = e.requiredCompactString();
      const configs = e.requiredCompactArray((c): DescribeConfigsEntry => {
        const name = c.requiredCompactString();
        const value = c.compactString();
        const readOnly = c.bool();
        const configSource = c.int8();
        const isSensitive = c.bool();
        const synonyms = c.requiredCompactArray((s): DescribeConfigsSynonym => {
          const synonym = {
            name: s.requiredCompactString(),
            value: s.compactString(),
            source: s.int8(),
          };
          s.tags();
          return synonym;
        });
        const configType = c.int8();
        const documentation = c.compactString();
        c.tags();
        return {
          name,
          value,
          readOnly,
          configSource,
          isSensitive,
          synonyms,
          configType,
          documentation,
        };
      });
      e.tags();
      return { errorCode, errorMessage, resourceType, resourceName, configs };
    });
    r.tags();
    return { throttleTimeMs, results };
  },
};
