import type { ApiDef } from '../api.js';
import { Reader } from '../reader.js';

/*
 * ApiVersions (key 18) v3, the first flexible version. The response header stays v0 (no tagged
 * fields) so that a broker of any age can answer it.
 *
 * ApiVersions Request (Version: 3) => client_software_name client_software_version _tagged_fields
 *   client_software_name => COMPACT_STRING
 *   client_software_version => COMPACT_STRING
 *
 * ApiVersions Response (Version: 3) => error_code [api_keys] throttle_time_ms _tagged_fields
 *   error_code => INT16
 *   api_keys => api_key min_version max_version _tagged_fields
 *     api_key => INT16
 *     min_version => INT16
 *     max_version => INT16
 *   throttle_time_ms => INT32
 *   tagged fields:
 *     0 supported_features => [name min_version max_version _tagged_fields]
 *         (COMPACT_ARRAY of COMPACT_STRING INT16 INT16)
 *     1 finalized_features_epoch => INT64 (-1 when unknown)
 *     2 finalized_features => [name max_version_level min_version_level _tagged_fields]
 *     3 zk_migration_ready => BOOLEAN (ignored)
 *
 * When the broker does not support the requested version it answers UNSUPPORTED_VERSION (35) in
 * the v0 layout, so that any client can read it (KIP-511), listing its own ApiVersions range:
 *   error_code => INT16, api_keys => ARRAY(INT32 count) of api_key min_version max_version (INT16
 *   each), no throttle time, no tagged fields.
 * ClientSoftwareName and ClientSoftwareVersion must match [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
 * or the broker answers INVALID_REQUEST.
 */

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface SupportedFeature {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface FinalizedFeature {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
  supportedFeatures: SupportedFeature[];
  /** -1 when the broker does not know the finalized features. */
  finalizedFeaturesEpoch: number;
  /** Cluster-wide enabled features, e.g. `share.version` (share groups are on when ≥ 1). */
  finalizedFeatures: FinalizedFeature[];
}

const UNSUPPORTED_VERSION = 35;

export const ApiVersionsV3: ApiDef<ApiVersionsRequest, ApiVersionsResponse> = {
  name: 'ApiVersions',
  apiKey: 18,
  version: 3,
  flexible: true,
  responseHeaderV0: true,

  encode(w, req) {
    w.compactString(req.clientSoftwareName).compactString(req.clientSoftwareVersion).tags();
  },

  decode(r) {
    const errorCode = r.int16();
    if (errorCode === UNSUPPORTED_VERSION) return decodeV0Fallback(r, errorCode);
    const apiKeys = r.requiredCompactArray((a) => {
      const range = { apiKey: a.int16(), minVersion: a.int16(), maxVersion: a.int16() };
      a.tags();
      return range;
    });
    const throttleTimeMs = r.int32();
    const res: ApiVersionsResponse = {
      errorCode,
      apiKeys,
      throttleTimeMs,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
    };
    for (const [tag, data] of r.tags()) {
      const t = new Reader(data, 0, `ApiVersions v3 response tag ${tag}`);
      if (tag === 0) {
        res.supportedFeatures = t.requiredCompactArray((f) => {
          const feature = {
            name: f.requiredCompactString(),
            minVersion: f.int16(),
            maxVersion: f.int16(),
          };
          f.tags();
          return feature;
        });
      } else if (tag === 1) {
        res.finalizedFeaturesEpoch = t.int64();
      } else if (tag === 2) {
        res.finalizedFeatures = t.requiredCompactArray((f) => {
          const feature = {
            name: f.requiredCompactString(),
            maxVersionLevel: f.int16(),
            minVersionLevel: f.int16(),
          };
          f.tags();
          return feature;
        });
      }
    }
    return res;
  },
};

function decodeV0Fallback(r: Reader, errorCode: number): ApiVersionsResponse {
  const apiKeys = r.requiredArray((a) => ({
    apiKey: a.int16(),
    minVersion: a.int16(),
    maxVersion: a.int16(),
  }));
  return {
    errorCode,
    apiKeys,
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1,
    finalizedFeatures: [],
  };
}
