import { type MechanismServer, type MechanismStep, SaslFailure, tokenText } from './mechanism.js';

/**
 * The server side of PLAIN (RFC 4616), one token:
 *
 *   message = [authzid] NUL authcid NUL passwd
 *
 * authcid and passwd must not be empty; an authzid other than empty or the authcid itself is
 * refused, as Kafka's PlainSaslServer does. The answer is an empty token. The password travels
 * in clear: without TLS (which sharq server does not offer) anyone on the path reads it.
 */

export interface PasswordCheck {
  verifyPassword(username: string, password: string): Promise<boolean>;
}

export class PlainServer implements MechanismServer {
  readonly mechanism = 'PLAIN';
  private user: string | undefined;
  private used = false;

  constructor(private readonly credentials: PasswordCheck) {}

  get username(): string | undefined {
    return this.user;
  }

  async evaluate(token: Buffer): Promise<MechanismStep> {
    if (this.used) throw new SaslFailure('Authentication failed: unexpected PLAIN message');
    this.used = true;
    const parts = tokenText(token, 'PLAIN').split('\0');
    if (parts.length !== 3) {
      throw new SaslFailure(
        'Authentication failed: malformed PLAIN message (expected authzid NUL username NUL password)',
      );
    }
    const [authzid, username, password] = parts as [string, string, string];
    if (username === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    this.user = username;
    if (authzid !== '' && authzid !== username) {
      throw new SaslFailure(
        'Authentication failed: the authorization id differs from the username',
      );
    }
    if (!(await this.credentials.verifyPassword(username, password))) {
      throw new SaslFailure('Authentication failed: Invalid username or password');
    }
    return { response: Buffer.alloc(0), done: true };
  }
}
