import { defineApi } from '../api.js';
import { array, int16, string } from '../dsl.js';
import { type MessageValue, message } from '../message.js';

/*
 * SaslHandshake (key 17), v0-1. From Kafka 4.4 `SaslHandshakeRequest.json` /
 * `SaslHandshakeResponse.json` (valid 0-1, flexible none; the response cannot be bumped, see
 * KAFKA-9577):
 *
 *   Request  { "name": "Mechanism", "type": "string", "versions": "0+" }
 *   Response { "name": "ErrorCode", "type": "int16", "versions": "0+" },
 *            { "name": "Mechanisms", "type": "[]string", "versions": "0+" }
 *
 * In v0 the SASL tokens that follow go as raw size-prefixed frames; v1 (KIP-152) wraps them in
 * SaslAuthenticate. The response lists the mechanisms the broker enables (errorCode 33
 * UNSUPPORTED_SASL_MECHANISM when the asked one is not among them).
 */

const SaslHandshakeRequest = message({
  name: 'SaslHandshakeRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: {
    mechanism: string(),
  },
});

const SaslHandshakeResponse = message({
  name: 'SaslHandshakeResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: {
    errorCode: int16(),
    mechanisms: array('string'),
  },
});

export const SaslHandshake = defineApi({
  apiKey: 17,
  name: 'SaslHandshake',
  request: SaslHandshakeRequest,
  response: SaslHandshakeResponse,
});
export type SaslHandshakeRequest = MessageValue<typeof SaslHandshakeRequest>;
export type SaslHandshakeResponse = MessageValue<typeof SaslHandshakeResponse>;
