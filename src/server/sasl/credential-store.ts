import { randomBytes } from 'node:crypto';
import { HASH_BYTES, hmac, type ScramHash } from '../../util/scram.js';
import { passwordMatches, type ScramCredential, scramCredential } from './credentials.js';
import type { SaslServerConfig, SaslUserInput } from './sasl-options.js';

const HASHES: readonly ScramHash[] = ['sha256', 'sha512'];
const KEY: Readonly<Record<ScramHash, 'SCRAM-SHA-256' | 'SCRAM-SHA-512'>> = {
  sha256: 'SCRAM-SHA-256',
  sha512: 'SCRAM-SHA-512',
};

/**
 * The users `sharq server` accepts, as SCRAM credentials only: passwords from the options are
 * hashed once by `build()` (both SHA-256 and SHA-512, each with its own random salt) and not
 * kept. PLAIN is checked against the same credentials (PBKDF2 of the offered password with the
 * stored salt, compared with StoredKey), so a user given only pre-hashed credentials can use
 * PLAIN too.
 */
export class CredentialStore {
  /** Salts the answers for unknown users, so they look like those for known ones. */
  private readonly secret = randomBytes(32);
  /** A credential no password matches, checked against when PLAIN names an unknown user. */
  private decoy: ScramCredential | undefined;

  private constructor(
    private readonly users: ReadonlyMap<string, Partial<Record<ScramHash, ScramCredential>>>,
    private readonly iterations: number,
  ) {}

  static async build(
    config: Pick<SaslServerConfig, 'users' | 'iterations'>,
  ): Promise<CredentialStore> {
    const entries = await Promise.all(
      config.users.map(
        async (user) => [user.username, await credentialsOf(user, config.iterations)] as const,
      ),
    );
    const store = new CredentialStore(new Map(entries), config.iterations);
    store.decoy = await scramCredential(
      'sha256',
      randomBytes(16).toString('hex'),
      config.iterations,
    );
    return store;
  }

  get size(): number {
    return this.users.size;
  }

  /** The user's credential for this hash, or undefined (unknown user, or none for this hash). */
  scram(hash: ScramHash, username: string): ScramCredential | undefined {
    return this.users.get(username)?.[hash];
  }

  /**
   * What SCRAM tells a client naming an unknown user: a salt that is the same every time for that
   * name (so it cannot be told from a real one by asking twice) and keys no proof can match. The
   * exchange then fails at the proof, as with a wrong password (RFC 5802 section 9).
   */
  unknownUser(hash: ScramHash, username: string): ScramCredential {
    return {
      salt: hmac('sha256', this.secret, `salt:${hash}:${username}`),
      iterations: this.iterations,
      storedKey: randomBytes(HASH_BYTES[hash]),
      serverKey: randomBytes(HASH_BYTES[hash]),
    };
  }

  /** PLAIN: whether `password` is this user's. An unknown user costs the same PBKDF2 as a known one. */
  async verifyPassword(username: string, password: string): Promise<boolean> {
    const own = this.users.get(username);
    const hash: ScramHash = own?.sha256 !== undefined ? 'sha256' : 'sha512';
    const credential = own?.[hash];
    if (credential === undefined) {
      await passwordMatches('sha256', this.decoy!, password);
      return false;
    }
    return passwordMatches(hash, credential, password);
  }
}

async function credentialsOf(
  user: SaslUserInput,
  iterations: number,
): Promise<Partial<Record<ScramHash, ScramCredential>>> {
  const out: Partial<Record<ScramHash, ScramCredential>> = {};
  for (const hash of HASHES) {
    if ('password' in user) {
      out[hash] = await scramCredential(hash, user.password, iterations);
      continue;
    }
    const given = user[KEY[hash]];
    if (given === undefined) continue;
    out[hash] = {
      salt: Buffer.from(given.salt, 'base64'),
      iterations: given.iterations,
      storedKey: Buffer.from(given.storedKey, 'base64'),
      serverKey: Buffer.from(given.serverKey, 'base64'),
    };
  }
  return out;
}

/**
 * Pre-hashed credentials for a `sharq server` user, to put in a `--sasl-users` file in place of
 * the password: `{ username, "SCRAM-SHA-256": {...}, "SCRAM-SHA-512": {...} }`.
 */
export async function hashSaslPassword(
  username: string,
  password: string,
  iterations = 4096,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { username };
  for (const hash of HASHES) {
    const c = await scramCredential(hash, password, iterations);
    out[KEY[hash]] = {
      salt: c.salt.toString('base64'),
      iterations: c.iterations,
      storedKey: c.storedKey.toString('base64'),
      serverKey: c.serverKey.toString('base64'),
    };
  }
  return out;
}
