import type { ApiDef } from '../api.js';

/*
 * SaslHandshake (key 17) v1: picks the mechanism; the exchange itself then runs over
 * SaslAuthenticate. Never flexible (request header v1, response header v0).
 *
 * SaslHandshake Request (Version: 1) => mechanism
 *   mechanism => STRING                         ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", ...)
 *
 * SaslHandshake Response (Version: 1) => error_code [mechanisms]
 *   error_code => INT16                         (33 UNSUPPORTED_SASL_MECHANISM, 34 ILLEGAL_SASL_STATE)
 *   mechanisms => STRING (ARRAY)                (the mechanisms enabled on this listener)
 */

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export const SaslHandshakeV1: ApiDef<SaslHandshakeRequest, SaslHandshakeResponse> = {
  name: 'SaslHandshake',
  apiKey: 17,
  version: 1,
  flexible: false,

  encode(w, req) {
    w.string(req.mechanism);
  },

  decode(r) {
    const errorCode = r.int16();
    const mechanisms = r.requiredArray((m) => m.requiredString());
    return { errorCode, mechanisms };
  },
};
