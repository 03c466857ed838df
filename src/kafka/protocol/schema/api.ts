import type { ApiDef } from '../api.js';
import type { Fields, InputOf, ValueOf } from './dsl.js';
import type { MessageSchema } from './message.js';
import { formatVersions } from './versions.js';

/** One Kafka API: its key, the versions sharq defines, and the request and response tables. */
export interface ApiSchema<Req extends Fields = Fields, Res extends Fields = Fields> {
  readonly apiKey: number;
  /** Kafka's API name: "Produce", "ShareFetch". */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly request: MessageSchema<Req>;
  readonly response: MessageSchema<Res>;
}

const API_VERSIONS_KEY = 18;

export function defineApi<Req extends Fields, Res extends Fields>(def: {
  apiKey: number;
  name: string;
  request: MessageSchema<Req>;
  response: MessageSchema<Res>;
}): ApiSchema<Req, Res> {
  const { request, response } = def;
  const same = (a: { min: number; max: number }, b: { min: number; max: number }) =>
    a.min === b.min && a.max === b.max;
  if (!same(request.validVersions, response.validVersions)) {
    throw new TypeError(`${def.name}: request and response define different versions`);
  }
  if (!same(request.flexibleVersions, response.flexibleVersions)) {
    throw new TypeError(`${def.name}: request and response differ in flexible versions`);
  }
  const { min, max } = request.validVersions;
  if (!Number.isFinite(max)) {
    throw new TypeError(
      `${def.name}: validVersions must be closed, not ${formatVersions({ min, max })}`,
    );
  }
  return Object.freeze({ ...def, minVersion: min, maxVersion: max });
}

/** Request header v2 for flexible request versions, else v1 (v0 was ControlledShutdown v0's only). */
export function requestHeaderVersion(api: ApiSchema, version: number): 1 | 2 {
  return api.request.isFlexible(version) ? 2 : 1;
}

/**
 * Response header v1 (with a tagged-field section) for flexible versions, else v0. ApiVersions
 * always answers with v0, so a client can read the answer before it knows what the broker speaks.
 */
export function responseHeaderVersion(api: ApiSchema, version: number): 0 | 1 {
  if (api.apiKey === API_VERSIONS_KEY) return 0;
  return api.response.isFlexible(version) ? 1 : 0;
}

/**
 * One version of an API as the client's `ApiDef` (connection.ts writes the header around it),
 * so the schema can be sent through an existing Connection and compared with the hand-written
 * codecs byte for byte.
 */
export function toApiDef<Req extends Fields, Res extends Fields>(
  api: ApiSchema<Req, Res>,
  version: number,
): ApiDef<InputOf<Req>, ValueOf<Res>> {
  const def: ApiDef<InputOf<Req>, ValueOf<Res>> = {
    name: api.name,
    apiKey: api.apiKey,
    version,
    flexible: api.request.isFlexible(version),
    encode: (w, req) => api.request.encode(version, w, req),
    decode: (r) => api.response.decode(version, r),
  };
  return api.apiKey === API_VERSIONS_KEY && def.flexible ? { ...def, responseHeaderV0: true } : def;
}

/** What an API's request decodes to (every field of every version, defaults where absent). */
export type RequestValue<A> = A extends ApiSchema<infer Req, Fields> ? ValueOf<Req> : never;
/** What an API's request encoder takes (fields not in every version optional). */
export type RequestInput<A> = A extends ApiSchema<infer Req, Fields> ? InputOf<Req> : never;
/** What an API's response decodes to. */
export type ResponseValue<A> = A extends ApiSchema<Fields, infer Res> ? ValueOf<Res> : never;
/** What an API's response encoder takes. */
export type ResponseInput<A> = A extends ApiSchema<Fields, infer Res> ? InputOf<Res> : never;
