/**
 * The server side of one SASL mechanism for one connection: it takes the client's tokens in
 * turn and answers each; `done` once the client is authenticated. A token it cannot accept
 * throws `SaslFailure`, whose message goes back to the client in SaslAuthenticate's
 * ErrorMessage (so it names no secret and does not tell an unknown user from a wrong password).
 */
export interface MechanismServer {
  readonly mechanism: string;
  evaluate(token: Buffer): Promise<MechanismStep> | MechanismStep;
  /** The authenticated user, once `done`; before that, the user the client claims (for logs). */
  readonly username: string | undefined;
}

export interface MechanismStep {
  response: Buffer;
  done: boolean;
}

export class SaslFailure extends Error {
  override readonly name = 'SaslFailure';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A token as UTF-8 text; malformed UTF-8 fails the exchange. */
export function tokenText(token: Buffer, mechanism: string): string {
  try {
    return utf8.decode(token);
  } catch {
    throw new SaslFailure(`Authentication failed: the ${mechanism} message is not valid UTF-8`);
  }
}
