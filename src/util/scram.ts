import { createHash, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * The SCRAM functions of RFC 5802 section 3 that both sides compute: sharq's Kafka client
 * (src/kafka/sasl-scram.ts) and `sharq server` (src/server/sasl).
 *
 *   SaltedPassword := Hi(password, salt, i)          PBKDF2-HMAC-H
 *   ClientKey      := HMAC(SaltedPassword, "Client Key")
 *   StoredKey      := H(ClientKey)
 *   ServerKey      := HMAC(SaltedPassword, "Server Key")
 *
 * Passwords are used as UTF-8 without SASLprep, as Kafka's clients and broker use them.
 */

export type ScramHash = 'sha256' | 'sha512';

export const HASH_BYTES: Readonly<Record<ScramHash, number>> = { sha256: 32, sha512: 64 };

const pbkdf2Async = promisify(pbkdf2);

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
  return pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, HASH_BYTES[hash], hash);
}

/** StoredKey := H(ClientKey). */
export function storedKeyOf(hash: ScramHash, clientKey: Buffer): Buffer {
  return createHash(hash).update(clientKey).digest();
}

/** Compares without leaking where two buffers differ; buffers of different lengths are unequal. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
