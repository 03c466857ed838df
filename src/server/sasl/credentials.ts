import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

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

export type ScramHash = 'sha256' | 'sha512';

export interface ScramCredential {
  readonly salt: Buffer;
  readonly iterations: number;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

const pbkdf2Async = promisify(pbkdf2);

export const HASH_BYTES: Readonly<Record<ScramHash, number>> = { sha256: 32, sha512: 64 };

export function hmac(hash: ScramHash, key: Buffer, data: string | Buffer): Buffer {
  return createHmac(hash, key).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with HMAC-H, one block of H's size. */
export function saltedPassword(
  hash: ScramHash,
  password: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  // Passwords as UTF-8 without SASLprep, as Kafka's clients and broker use them.
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, HASH_BYTES[hash], hash);
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
    storedKey: createHash(hash).update(clientKey).digest(),
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
  const storedKey = createHash(hash)
    .update(hmac(hash, salted, 'Client Key'))
    .digest();
  return constantTimeEqual(storedKey, credential.storedKey);
}

/** Compares without leaking where two buffers differ; buffers of different lengths are unequal. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
