import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import type { ApiSchema } from '../../kafka/protocol/schema/api.js';
import { ApiVersions } from '../../kafka/protocol/schema/apis/api-versions.js';
import { advertisedApiVersions, SCHEMAS } from '../../kafka/protocol/schema/registry.js';
import { Writer } from '../../kafka/protocol/writer.js';
import type { ApiRoute } from '../connection.js';

/**
 * ApiVersions (key 18), every version the schema defines. Advertises the APIs that have a route
 * here (this one included), each with the versions its schema defines: never one it does not
 * serve, since Java clients probe what they find advertised. A request at a version above the
 * schema's is answered in the v0 layout with UNSUPPORTED_VERSION (35) and the list, so the client
 * retries with a version both sides know.
 */
export function apiVersionsRoute(routes: readonly ApiRoute[]): ApiRoute {
  const served = new Set([ApiVersions.apiKey, ...routes.map((r) => r.apiKey)]);
  const schemas = new Map<number, ApiSchema>();
  for (const [key, api] of SCHEMAS) if (served.has(key)) schemas.set(key, api);
  const apiKeys = advertisedApiVersions(schemas);
  let flexibleFrom = ApiVersions.maxVersion + 1;
  for (let v = ApiVersions.minVersion; v <= ApiVersions.maxVersion; v++) {
    if (ApiVersions.request.isFlexible(v)) {
      flexibleFrom = v;
      break;
    }
  }
  return {
    apiKey: ApiVersions.apiKey,
    name: ApiVersions.name,
    minVersion: ApiVersions.minVersion,
    maxVersion: ApiVersions.maxVersion,
    flexibleFrom,
    special: 'api-versions',
    handle(version, body) {
      const w = new Writer(16 + apiKeys.length * 8);
      if (version < ApiVersions.minVersion || version > ApiVersions.maxVersion) {
        // The body is of a version this server cannot read: answer without reading it.
        ApiVersions.response.encode(0, w, {
          errorCode: KafkaErrors.UNSUPPORTED_VERSION,
          apiKeys,
        });
        return w.toBuffer();
      }
      ApiVersions.request.decode(version, body);
      ApiVersions.response.encode(version, w, { errorCode: 0, apiKeys, throttleTimeMs: 0 });
      return w.toBuffer();
    },
  };
}
