import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { SaslAuthenticate } from '../../kafka/protocol/schema/apis/sasl-authenticate.js';
import { SaslHandshake } from '../../kafka/protocol/schema/apis/sasl-handshake.js';
import type { ApiRoute } from '../connection.js';
import { schemaRoute } from './schema-route.js';

/**
 * SaslHandshake (17) v0-1 and SaslAuthenticate (36) v0-2, answered by the connection's SASL
 * session (src/server/sasl/session.ts). A server without SASL answers both with
 * ILLEGAL_SASL_STATE (34) and no mechanisms, as a Kafka broker's PLAINTEXT listener does, and
 * still advertises them (Kafka lists every API on every listener).
 */
export function saslRoutes(): ApiRoute[] {
  return [
    schemaRoute(SaslHandshake, (req, version, ctx) => {
      if (ctx.sasl === undefined)
        return { errorCode: KafkaErrors.ILLEGAL_SASL_STATE, mechanisms: [] };
      return ctx.sasl.handshake(req.mechanism, version);
    }),
    schemaRoute(SaslAuthenticate, async (req, _version, ctx) => {
      if (ctx.sasl === undefined) {
        return {
          errorCode: KafkaErrors.ILLEGAL_SASL_STATE,
          errorMessage: 'SASL authentication is not enabled on this server',
          authBytes: Buffer.alloc(0),
          sessionLifetimeMs: 0,
        };
      }
      const res = await ctx.sasl.authenticate(req.authBytes, ctx.signal);
      return { ...res, sessionLifetimeMs: 0 };
    }),
  ];
}
