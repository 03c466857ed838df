import { z } from 'zod';

/** The SASL mechanisms `sharq server` speaks, by the names SaslHandshake carries. */
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ServerSaslMechanism = (typeof SASL_MECHANISMS)[number];

const base64 = (what: string, bytes?: readonly number[]) =>
  z
    .string()
    .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64')
    .refine(
      (s) => bytes === undefined || bytes.includes(Buffer.from(s, 'base64').length),
      `${what} of ${bytes?.join(' or ')} bytes`,
    );

const iterations = z.number().int().min(4096).max(1_000_000);

/** One stored SCRAM credential, as `hashSaslPassword()` prints it (Kafka keeps the same four). */
const scramCredentialOptions = (keyBytes: number) =>
  z
    .object({
      salt: base64('salt').refine((s) => s.length > 0, 'non-empty'),
      iterations,
      storedKey: base64('storedKey', [keyBytes]),
      serverKey: base64('serverKey', [keyBytes]),
    })
    .strict();

const username = z.string().min(1).max(256);

/**
 * A user: a password (hashed into SCRAM credentials at start, then dropped) or credentials
 * hashed beforehand, so no password is written anywhere.
 */
export const SaslUser = z.union([
  z.object({ username, password: z.string().min(1).max(1024) }).strict(),
  z
    .object({
      username,
      'SCRAM-SHA-256': scramCredentialOptions(32).optional(),
      'SCRAM-SHA-512': scramCredentialOptions(64).optional(),
    })
    .strict()
    .refine((u) => u['SCRAM-SHA-256'] !== undefined || u['SCRAM-SHA-512'] !== undefined, {
      message: 'give `password`, or SCRAM-SHA-256 and/or SCRAM-SHA-512 credentials',
    }),
]);
export type SaslUserInput = z.input<typeof SaslUser>;

/** The users of a `--sasl-users` file or `SHARQ_SERVER_SASL_USERS`: a JSON array of SaslUser. */
export const SaslUsers = z
  .array(SaslUser)
  .min(1)
  .superRefine((users, ctx) => {
    const seen = new Set<string>();
    users.forEach((u, i) => {
      if (seen.has(u.username))
        ctx.addIssue({ code: 'custom', path: [i, 'username'], message: 'duplicate username' });
      seen.add(u.username);
    });
  });

/** SASL authentication of `sharq server`'s clients, as a Kafka broker's SASL_PLAINTEXT listener. */
export const SaslServerOptions = z
  .object({
    mechanisms: z
      .array(z.enum(SASL_MECHANISMS))
      .min(1)
      .default(['SCRAM-SHA-256', 'SCRAM-SHA-512'])
      .describe(
        "Mechanisms offered (Kafka's sasl.enabled.mechanisms). Default: SCRAM-SHA-256 and SCRAM-SHA-512. PLAIN must be listed to be on: without TLS it sends the password in clear.",
      ),
    users: SaslUsers.describe(
      'Who may connect: `{ username, password }`, or `{ username, "SCRAM-SHA-256": {...}, "SCRAM-SHA-512": {...} }` with credentials from `hashSaslPassword()`. Passwords are hashed at start and not kept.',
    ),
    iterations: iterations
      .default(4096)
      .describe(
        "PBKDF2 iterations of the SCRAM credentials hashed from passwords at start (4096 is Kafka's default and RFC 7677's minimum). Default: 4096.",
      ),
    failedAuthenticationDelayMs: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(100)
      .describe(
        "A failed authentication is answered (and its connection closed) after this delay, to slow password guessing (Kafka's connection.failed.authentication.delay.ms). Default: 100 ms.",
      ),
  })
  .strict();
export type SaslServerConfig = z.output<typeof SaslServerOptions>;
