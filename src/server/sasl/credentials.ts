import { randomBytes } from 'node:crypto';
import {
  constantTimeEqual,
  hmac,
  type ScramHash,
  saltedPassword,
  storedKeyOf,
} from '../../util/scram.js';

/**
 * SCRAM credentials as a server keeps them (RFC 5802 section 3): never the password, only
 *
 *   SaltedPassword := Hi(password, salt, i)          PBKDF2-HMAC-H
 *   StoredKey      := H(HMAC(SaltedPassword, "Client Key"))
 *   ServerKey      := HMAC(SaltedPassword, "Server Key")
 *
 * StoredKey checks a client's proof; ServerKey signs the server-final message. Knowing both lets
 * one impersonate the server but not log in as the user (that needs ClientKey, which only the
 * password gives), which is why SCRAM servers may keep them: Kafka stores the same four values
 * (`salt`, `stored_key`, `server_key`, `iterations`) in its metadata log.
 */

export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

/** The credential of `password`: a new random salt unless one is given. */
export async function scramCredential(
  hash: ScramHash,
  password: string,
  iterations: number,
  salt: Buffer = randomBytes(32),
): Promise<ScramCredential> {
  const salted = await saltedPassword(hash, password, salt, iterations);
  const clientKey = hmac(hash, salted, 'Client Key');
  return {
    salt,
    iterations,
    storedKey: storedKeyOf(hash, clientKey),
    serverKey: hmac(hash, salted, 'Server Key'),
  };
}

/** Whether `password` is the one `credential` was derived from: PLAIN against stored SCRAM keys. */
export async function passwordMatches(
  hash: ScramHash,
  credential: ScramCredential,
  password: string,
): Promise<boolean> {
  const salted = await saltedPassword(hash, password, credential.salt, credential.iterations);
  const storedKey = storedKeyOf(hash, hmac(hash, salted, 'Client Key'));
  return constantTimeEqual(storedKey, credential.storedKey);
}
