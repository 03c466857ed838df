import { toError } from '../../errors/sharq-error.js';
import { KafkaErrors } from '../../kafka/protocol/error-codes.js';
import { systemClock, type TimerClock } from '../../util/clock.js';
import { sleep } from '../../util/sleep.js';
import type { CredentialStore } from './credential-store.js';
import { type MechanismServer, SaslFailure } from './mechanism.js';
import { PlainServer } from './plain-server.js';
import type { SaslServerConfig, ServerSaslMechanism } from './sasl-options.js';
import { ScramServer } from './scram-server.js';

/**
 * SASL on one connection of `sharq server`, as a Kafka broker's SASL_PLAINTEXT listener runs it
 * (KIP-43, KIP-152):
 *
 *   handshake ──SaslHandshake(enabled mechanism)──▶ authenticate ──SaslAuthenticate…──▶ authenticated
 *       │                                               │
 *       └─ unsupported mechanism: 33 + the enabled ones └─ bad token: 58 + message
 *          then close                                      (after failedAuthenticationDelayMs), then close
 *
 * Until authenticated the connection takes ApiVersions, SaslHandshake and SaslAuthenticate only;
 * anything else closes it (the connection checks `authenticated`). SaslAuthenticate before a
 * handshake, or a second handshake mid-exchange, answers ILLEGAL_SASL_STATE (34) and closes.
 * Once authenticated, SaslHandshake and SaslAuthenticate answer 34 and the connection stays:
 * re-authentication (KIP-368) is not offered, so SessionLifetimeMs is always 0.
 *
 * SaslHandshake v0 (clients before Kafka 1.0): the tokens that follow are raw size-prefixed
 * frames with no request header, answered the same way; a failure there closes the connection
 * without an answer, since v0 has no way to carry one.
 */

const E = KafkaErrors;

export interface CloseRequest {
  reason: string;
  fields: Record<string, unknown>;
}

/** The server-wide part: enabled mechanisms and the users. One `session()` per connection. */
export class SaslAuthenticator {
  readonly mechanisms: readonly ServerSaslMechanism[];

  constructor(
    private readonly config: Pick<SaslServerConfig, 'mechanisms' | 'failedAuthenticationDelayMs'>,
    readonly credentials: CredentialStore,
    private readonly clock: TimerClock = systemClock,
  ) {
    this.mechanisms = Object.freeze([...new Set(config.mechanisms)]);
  }

  session(): SaslSession {
    return new SaslSession(this);
  }

  /** The server side of `mechanism` for one exchange. */
  mechanismServer(mechanism: ServerSaslMechanism): MechanismServer {
    if (mechanism === 'PLAIN') return new PlainServer(this.credentials);
    return new ScramServer(mechanism, this.credentials);
  }

  failureDelay(signal: AbortSignal): Promise<boolean> {
    return sleep(this.config.failedAuthenticationDelayMs, signal, this.clock);
  }
}

type State = 'handshake' | 'authenticate' | 'authenticated' | 'failed';

export class SaslSession {
  private state: State = 'handshake';
  private server: MechanismServer | undefined;
  private legacy = false;
  private user: string | undefined;
  /** Set when the answer being sent must be the last: the connection closes after writing it. */
  closeAfterResponse: CloseRequest | undefined;

  constructor(private readonly authenticator: SaslAuthenticator) {}

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  /** After SaslHandshake v0: the next frame is a raw SASL token, not a request. */
  get expectsRawToken(): boolean {
    return this.state === 'authenticate' && this.legacy;
  }

  /** The authenticated user. */
  get principal(): string | undefined {
    return this.user;
  }

  get mechanism(): string | undefined {
    return this.server?.mechanism;
  }

  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[] } {
    const mechanisms = [...this.authenticator.mechanisms];
    if (this.state === 'authenticated') return { errorCode: E.ILLEGAL_SASL_STATE, mechanisms };
    if (this.state !== 'handshake') {
      this.fail('SaslHandshake during SASL authentication', { mechanism });
      return { errorCode: E.ILLEGAL_SASL_STATE, mechanisms };
    }
    const enabled = this.authenticator.mechanisms.find((m) => m === mechanism);
    if (enabled === undefined) {
      this.fail('unsupported SASL mechanism', { mechanism, enabled: mechanisms });
      return { errorCode: E.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    this.server = this.authenticator.mechanismServer(enabled);
    this.legacy = version === 0;
    this.state = 'authenticate';
    return { errorCode: 0, mechanisms };
  }

  /** One SaslAuthenticate round. */
  async authenticate(
    token: Buffer,
    signal: AbortSignal,
  ): Promise<{ errorCode: number; errorMessage: string | null; authBytes: Buffer }> {
    const none = Buffer.alloc(0);
    if (this.state === 'authenticated') {
      return {
        errorCode: E.ILLEGAL_SASL_STATE,
        errorMessage:
          'This connection is already authenticated; re-authentication is not supported',
        authBytes: none,
      };
    }
    if (this.state !== 'authenticate') {
      this.fail('SaslAuthenticate before SaslHandshake', {});
      return {
        errorCode: E.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate before SaslHandshake',
        authBytes: none,
      };
    }
    const step = await this.step(token, signal);
    if ('failure' in step) {
      return {
        errorCode: E.SASL_AUTHENTICATION_FAILED,
        errorMessage: step.failure,
        authBytes: none,
      };
    }
    return { errorCode: 0, errorMessage: null, authBytes: step.response };
  }

  /** A raw token after SaslHandshake v0: the answer token, or null to close without one. */
  async rawToken(token: Buffer, signal: AbortSignal): Promise<Buffer | null> {
    const step = await this.step(token, signal);
    return 'failure' in step ? null : step.response;
  }

  private async step(
    token: Buffer,
    signal: AbortSignal,
  ): Promise<{ response: Buffer } | { failure: string }> {
    const server = this.server!;
    try {
      const { response, done } = await server.evaluate(token);
      if (done) {
        this.state = 'authenticated';
        this.user = server.username;
        this.server = undefined;
      }
      return { response };
    } catch (err) {
      // Anything but a SaslFailure is sharq's bug; the client still gets a plain refusal.
      const failure =
        err instanceof SaslFailure ? err.message : 'Authentication failed: internal server error';
      this.fail('SASL authentication failed', {
        mechanism: server.mechanism,
        error: err instanceof SaslFailure ? failure : toError(err).message,
      });
      await this.authenticator.failureDelay(signal);
      return { failure };
    }
  }

  private fail(reason: string, fields: Record<string, unknown>): void {
    this.state = 'failed';
    this.server = undefined;
    this.closeAfterResponse = { reason, fields };
  }
}
