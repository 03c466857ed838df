import { Reader } from '../../reader.js';
import { defineApi } from '../api.js';
import { array, bool, int16, int32, int64, string, struct } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * ApiVersions (key 18), v0-3. From Kafka 4.4 `ApiVersionsRequest.json` / `ApiVersionsResponse.json`
 * (valid 0-5, flexible 3+). v1 adds ThrottleTimeMs; v3 (KIP-511) adds the client's software name
 * and version and the feature tags (KIP-584); v4 only changes how errors are answered and v5 adds
 * ClusterId/NodeId for the controller: not defined here.
 *
 * The response always goes with response header v0, even in flexible versions. A broker asked for
 * a version it does not know answers UNSUPPORTED_VERSION (35) in the v0 layout with its own
 * ApiVersions range; `decodeApiVersionsResponse` reads that fallback.
 */

const ApiVersionsRequest = message({
  name: 'ApiVersionsRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: {
    clientSoftwareName: string({ versions: '3+', ignorable: true }),
    clientSoftwareVersion: string({ versions: '3+', ignorable: true }),
  },
});

const ApiVersion = struct('ApiVersion', {
  apiKey: int16(),
  minVersion: int16(),
  maxVersion: int16(),
});

const SupportedFeatureKey = struct('SupportedFeatureKey', {
  name: string({ versions: '3+' }),
  minVersion: int16({ versions: '3+' }),
  maxVersion: int16({ versions: '3+' }),
});

const FinalizedFeatureKey = struct('FinalizedFeatureKey', {
  name: string({ versions: '3+' }),
  maxVersionLevel: int16({ versions: '3+' }),
  minVersionLevel: int16({ versions: '3+' }),
});

const ApiVersionsResponse = message({
  name: 'ApiVersionsResponse',
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '3+',
  fields: {
    errorCode: int16(),
    apiKeys: array(ApiVersion),
    throttleTimeMs: int32({ versions: '1+', ignorable: true }),
    supportedFeatures: array(SupportedFeatureKey, {
      versions: '3+',
      taggedVersions: '3+',
      tag: 0,
      ignorable: true,
    }),
    finalizedFeaturesEpoch: int64({
      versions: '3+',
      taggedVersions: '3+',
      tag: 1,
      default: -1,
      ignorable: true,
    }),
    finalizedFeatures: array(FinalizedFeatureKey, {
      versions: '3+',
      taggedVersions: '3+',
      tag: 2,
      ignorable: true,
    }),
    zkMigrationReady: bool({
      versions: '3+',
      taggedVersions: '3+',
      tag: 3,
      default: false,
      ignorable: true,
    }),
  },
});

export const ApiVersions = defineApi({
  apiKey: 18,
  name: 'ApiVersions',
  request: ApiVersionsRequest,
  response: ApiVersionsResponse,
});
export type ApiVersionsRequest = MessageValue<typeof ApiVersionsRequest>;
export type ApiVersionsResponse = MessageValue<typeof ApiVersionsResponse>;

const UNSUPPORTED_VERSION = 35;

/**
 * Client side: reads a whole ApiVersions response body of `version`, or the v0-layout answer a
 * broker sends (error 35) when it does not know `version`.
 */
export function decodeApiVersionsResponse(
  version: number,
  body: Buffer,
  offset = 0,
  context = 'ApiVersions response',
): ApiVersionsResponse {
  const r = new Reader(body, offset, context);
  const fallback = body.length - offset >= 2 && body.readInt16BE(offset) === UNSUPPORTED_VERSION;
  const res = ApiVersionsResponse.decode(fallback ? 0 : version, r);
  if (r.remaining !== 0) r.malformed(`${r.remaining} bytes after the ApiVersions response`);
  return res;
}
