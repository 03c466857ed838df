import type { ApiDef } from '../api.js';

/*
 * SaslAuthenticate (key 36) v2, the first flexible version: one round of the SASL exchange
 * chosen by SaslHandshake (PLAIN takes one round, SCRAM two).
 *
 * SaslAuthenticate Request (Version: 2) => auth_bytes _tagged_fields
 *   auth_bytes => COMPACT_BYTES
 *
 * SaslAuthenticate Response (Version: 2) => error_code error_message auth_bytes
 *                                           session_lifetime_ms _tagged_fields
 *   error_code => INT16                         (58 SASL_AUTHENTICATION_FAILED, ...)
 *   error_message => COMPACT_NULLABLE_STRING
 *   auth_bytes => COMPACT_BYTES
 *   session_lifetime_ms => INT64                (0: the session does not expire)
 */

export interface SaslAuthenticateRequest {
  authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: number;
}

export const SaslAuthenticateV2: ApiDef<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  name: 'SaslAuthenticate',
  apiKey: 36,
  version: 2,
  flexible: true,

  encode(w, req) {
    w.compactBytes(req.authBytes).tags();
  },

  decode(r) {
    const errorCode = r.int16();
    const errorMessage = r.compactString();
    const authBytes = r.compactBytes() ?? r.malformed('null auth_bytes');
    const sessionLifetimeMs = r.int64();
    r.tags();
    return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
  },
};
