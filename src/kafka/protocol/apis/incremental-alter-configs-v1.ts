import type { ApiDef } from '../api.js';

/*
 * IncrementalAlterConfigs (key 44) v1, the first flexible version. Group configs
 * (`share.auto.offset.reset`, `share.record.lock.duration.ms`, ...) use resource type GROUP (32)
 * with the group id as name; like topic configs they may go to any broker, which forwards them to
 * the controller (only BROKER_LOGGER resources must go to the broker they name).
 *
 * IncrementalAlterConfigs Request (Version: 1) => [resources] validate_only _tagged_fields
 *   resources => resource_type resource_name [configs] _tagged_fields
 *     resource_type => INT8
 *     resource_name => COMPACT_STRING
 *     configs => name config_operation value _tagged_fields
 *       name => COMPACT_STRING
 *       config_operation => INT8                  (0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT)
 *       value => COMPACT_NULLABLE_STRING
 *   validate_only => BOOLEAN
 *
 * IncrementalAlterConfigs Response (Version: 1) => throttle_time_ms [responses] _tagged_fields
 *   throttle_time_ms => INT32
 *   responses => error_code error_message resource_type resource_name _tagged_fields
 *     error_code => INT16
 *     error_message => COMPACT_NULLABLE_STRING
 *     resource_type => INT8
 *     resource_name => COMPACT_STRING
 */

/** ConfigResource.Type in Kafka. */
export const ConfigResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;
export type ConfigResourceType = (typeof ConfigResourceType)[keyof typeof ConfigResourceType];

export const ConfigOperation = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
export type ConfigOperation = (typeof ConfigOperation)[keyof typeof ConfigOperation];

export interface AlterableConfig {
  name: string;
  configOperation: ConfigOperation;
  value: string | null;
}

export interface AlterConfigsResource {
  resourceType: number;
  resourceName: string;
  configs: readonly AlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  resources: readonly AlterConfigsResource[];
  validateOnly: boolean;
}

export interface AlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

export const IncrementalAlterConfigsV1: ApiDef<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
> = {
  name: 'IncrementalAlterConfigs',
  apiKey: 44,
  version: 1,
  flexible: true,

  encode(w, req) {
    w.compactArray(req.resources, (rw, resource) => {
      rw.int8(resource.resourceType)
        .compactString(resource.resourceName)
        .compactArray(resource.configs, (cw, config) => {
          cw.compactString(config.name).int8(config.configOperation).compactString(config.value);
          cw.tags();
        })
        .tags();
    });
    w.bool(req.validateOnly).tags();
  },

  decode(r) {
    const throttleTimeMs = r.int32();
    const responses = r.requiredCompactArray((e): AlterConfigsResourceResponse => {
      const response = {
        errorCode: e.int16(),
        errorMessage: e.compactString(),
        resourceType: e.int8(),
        resourceName: e.requiredCompactString(),
      };
      e.tags();
      return response;
    });
    r.tags();
    return { throttleTimeMs, responses };
  },
};
