import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { type ApiSchema, requestHeaderVersion, responseHeaderVersion } from './api.js';
import { int16, int32, string } from './dsl.js';
import { type MessageValue, message } from './message.js';

/*
 * Request and response headers (Kafka 4.4 `RequestHeader.json`, `ResponseHeader.json`).
 *
 * Request header v1 => request_api_key request_api_version correlation_id client_id
 * Request header v2 => request_api_key request_api_version correlation_id client_id _tagged_fields
 *   client_id => NULLABLE_STRING, in v2 too: the one field Kafka keeps non-compact in a flexible
 *   version ("flexibleVersions": "none"), so that a broker can read the client id of any request.
 * Response header v0 => correlation_id
 * Response header v1 => correlation_id _tagged_fields
 */

export const RequestHeader = message({
  name: 'RequestHeader',
  type: 'header',
  validVersions: '1-2',
  flexibleVersions: '2+',
  fields: {
    requestApiKey: int16(),
    requestApiVersion: int16(),
    correlationId: int32(),
    clientId: string({ versions: '1+', nullableVersions: '1+', flexibleVersions: 'none' }),
  },
});
export type RequestHeader = MessageValue<typeof RequestHeader>;

export const ResponseHeader = message({
  name: 'ResponseHeader',
  type: 'header',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: {
    correlationId: int32(),
  },
});
export type ResponseHeader = MessageValue<typeof ResponseHeader>;

/** Client side: the header of a request to `api` at `version`. */
export function writeRequestHeader(
  w: Writer,
  api: ApiSchema,
  header: { apiVersion: number; correlationId: number; clientId: string | null },
): void {
  RequestHeader.encode(requestHeaderVersion(api, header.apiVersion), w, {
    requestApiKey: api.apiKey,
    requestApiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
  });
}

/**
 * Server side: reads a request header. The header version follows the API's flexibility at the
 * requested version, known only after the first two fields; `lookup` finds the API (undefined for
 * a key sharq does not define). For an unknown key the v1 part is read and any tagged fields are
 * left unread: the caller can still answer by correlation id, or close the connection. For a
 * version past what sharq defines (a newer client's ApiVersions) the flexibility of the last
 * defined version carries on, as Kafka's brokers assume, so the header is read right.
 */
export function readRequestHeader(
  r: Reader,
  lookup: (apiKey: number) => ApiSchema | undefined,
): { header: RequestHeader; headerVersion: 1 | 2; api: ApiSchema | undefined } {
  const header = RequestHeader.decode(1, r);
  const api = lookup(header.requestApiKey);
  const headerVersion = api === undefined ? 1 : requestHeaderVersion(api, header.requestApiVersion);
  if (headerVersion === 2) r.tags();
  return { header, headerVersion, api };
}

/** Server side: the header of a response from `api` at `version`. */
export function writeResponseHeader(
  w: Writer,
  api: ApiSchema,
  version: number,
  correlationId: number,
): void {
  ResponseHeader.encode(responseHeaderVersion(api, version), w, { correlationId });
}

/** Client side: reads the header of a response from `api` at `version`. */
export function readResponseHeader(r: Reader, api: ApiSchema, version: number): ResponseHeader {
  return ResponseHeader.decode(responseHeaderVersion(api, version), r);
}
