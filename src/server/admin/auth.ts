import { createHash, timingSafeEqual } from 'node:crypto';

export type Role = 'read' | 'admin';

/**
 * Bearer tokens. Only SHA-256 digests are kept; a presented token is hashed and compared with
 * every digest by `timingSafeEqual` (equal lengths by construction), all of them every time, so
 * the time taken says nothing about which token or how much of it matched.
 */
export class TokenCheck {
  private readonly digests: { digest: Buffer; role: Role }[];

  constructor(adminTokens: readonly string[], readTokens: readonly string[]) {
    this.digests = [
      ...adminTokens.map((t) => ({ digest: sha256(t), role: 'admin' as const })),
      ...readTokens.map((t) => ({ digest: sha256(t), role: 'read' as const })),
    ];
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** The role of an `Authorization` header's bearer token, or null when it matches none. */
  role(header: string | undefined): Role | null {
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
    if (m === null) return null;
    const presented = sha256(m[1]!);
    let found: Role | null = null;
    for (const d of this.digests) {
      // No early exit: every digest is compared.
      if (timingSafeEqual(presented, d.digest) && (found === null || d.role === 'admin'))
        found = d.role;
    }
    return found;
  }

  /** A short, non-secret label of a token for the audit log: the first 8 hex digits of its digest. */
  static fingerprint(header: string | undefined): string | null {
    const m = /^Bearer (\S+)$/.exec(header ?? '');
    return m === null ? null : sha256(m[1]!).toString('hex').slice(0, 8);
  }
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}
