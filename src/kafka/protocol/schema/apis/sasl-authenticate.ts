import { defineApi } from '../api.js';
import { bytes, int16, int64, string } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * SaslAuthenticate (key 36), v0-2 (KIP-152). From Kafka 4.4 `SaslAuthenticateRequest.json` /
 * `SaslAuthenticateResponse.json` (valid 0-2, flexible 2+):
 *
 *   Request  { "name": "AuthBytes", "type": "bytes", "versions": "0+" }
 *   Response { "name": "ErrorCode", "type": "int16", "versions": "0+" },
 *            { "name": "ErrorMessage", "type": "string", "versions": "0+", "nullableVersions": "0+" },
 *            { "name": "AuthBytes", "type": "bytes", "versions": "0+" },
 *            { "name": "SessionLifetimeMs", "type": "int64", "versions": "1+", "default": "0",
 *              "ignorable": true }
 *
 * Carries one SASL token each way. v1 adds SessionLifetimeMs (KIP-368: 0 = the session does not
 * expire, no re-authentication required).
 */

const SaslAuthenticateRequest = message({
  name: 'SaslAuthenticateRequest',
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: {
    authBytes: bytes(),
  },
});

const SaslAuthenticateResponse = message({
  name: 'SaslAuthenticateResponse',
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: {
    errorCode: int16(),
    errorMessage: string({ nullableVersions: '0+' }),
    authBytes: bytes(),
    sessionLifetimeMs: int64({ versions: '1+', default: 0, ignorable: true }),
  },
});

export const SaslAuthenticate = defineApi({
  apiKey: 36,
  name: 'SaslAuthenticate',
  request: SaslAuthenticateRequest,
  response: SaslAuthenticateResponse,
});
export type SaslAuthenticateRequest = MessageValue<typeof SaslAuthenticateRequest>;
export type SaslAuthenticateResponse = MessageValue<typeof SaslAuthenticateResponse>;
