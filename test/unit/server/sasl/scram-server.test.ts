import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScramClient } from '../../../../src/kafka/sasl-scram.js';
import { CredentialStore } from '../../../../src/server/sasl/credential-store.js';
import { scramCredential } from '../../../../src/server/sasl/credentials.js';
import { SaslFailure } from '../../../../src/server/sasl/mechanism.js';
import { decodeSaslName, ScramServer } from '../../../../src/server/sasl/scram-server.js';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Buffer) => b.toString('utf8');

async function store(users: { username: string; password: string }[]) {
  return CredentialStore.build({ users, iterations: 4096 });
}

/** Runs sharq's SCRAM client against the server; resolves with the client's verdict. */
async function exchange(
  server: ScramServer,
  mechanism: 'scram-sha-256' | 'scram-sha-512',
  username: string,
  password: string,
): Promise<void> {
  const client = new ScramClient(mechanism, username, password);
  const first = server.evaluate(utf8(client.clientFirstMessage()));
  expect(first.done).toBe(false);
  const final = server.evaluate(utf8(await client.clientFinalMessage(text(first.response))));
  expect(final.done).toBe(true);
  client.verifyServerFinal(text(final.response));
}

describe('SCRAM server', () => {
  it("answers RFC 7677's SCRAM-SHA-256 example byte for byte", async () => {
    // RFC 7677 section 3: user "user", password "pencil".
    const credential = await scramCredential(
      'sha256',
      'pencil',
      4096,
      Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    );
    const server = new ScramServer(
      'SCRAM-SHA-256',
      {
        scram: (_h, u) => (u === 'user' ? credential : undefined),
        unknownUser: () => {
          throw new Error('not used');
        },
      },
      () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    );
    const first = server.evaluate(utf8('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(text(first.response)).toBe(
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const final = server.evaluate(
      utf8(
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    );
    expect(final.done).toBe(true);
    expect(text(final.response)).toBe('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(server.username).toBe('user');
  });

  it.each([
    ['SCRAM-SHA-256', 'scram-sha-256'],
    ['SCRAM-SHA-512', 'scram-sha-512'],
  ] as const)('%s: sharq client and server agree, server signature included', async (m, c) => {
    const users = await store([{ username: 'al,i=ce', password: 'pässwörd' }]);
    const server = new ScramServer(m, users);
    await exchange(server, c, 'al,i=ce', 'pässwörd');
    expect(server.username).toBe('al,i=ce');
    expect(server.isDone).toBe(true);
    // Nothing more is taken once done.
    expect(() => server.evaluate(utf8('n,,n=x,r=y'))).toThrow(SaslFailure);
  });

  it('a wrong password and an unknown user fail alike, at the proof', async () => {
    const users = await store([{ username: 'alice', password: 'right' }]);
    const messages: string[] = [];
    for (const [user, password] of [
      ['alice', 'wrong'],
      ['mallory', 'right'],
    ] as const) {
      const server = new ScramServer('SCRAM-SHA-512', users);
      const client = new ScramClient('scram-sha-512', user, password);
      const first = server.evaluate(utf8(client.clientFirstMessage()));
      expect(text(first.response)).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
      const final = utf8(await client.clientFinalMessage(text(first.response)));
      const err = (() => {
        try {
          server.evaluate(final);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(SaslFailure);
      messages.push((err as Error).message);
      // Failed for good: a retry on the same exchange is refused.
      expect(() => server.evaluate(final)).toThrow(/unexpected/);
    }
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toBe(
      'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    );
  });

  it('gives an unknown user the same salt every time, unlike another user', async () => {
    const users = await store([{ username: 'alice', password: 'x' }]);
    const salt = (u: string) =>
      /s=([^,]+)/.exec(
        text(new ScramServer('SCRAM-SHA-256', users).evaluate(utf8(`n,,n=${u},r=abc`)).response),
      )?.[1];
    expect(salt('ghost')).toBe(salt('ghost'));
    expect(salt('ghost')).not.toBe(salt('ghost2'));
    expect(salt('alice')).toBe(salt('alice'));
  });

  it.each([
    ['no GS2 header', 'n=user,r=abc'],
    ['channel binding asked for', 'p=tls-unique,,n=user,r=abc'],
    ['mandatory extension', 'n,,m=ext,n=user,r=abc'],
    ['empty username', 'n,,n=,r=abc'],
    ['bad escape in username', 'n,,n=us=41er,r=abc'],
    ['no nonce', 'n,,n=user'],
    ['empty nonce', 'n,,n=user,r='],
    ['delegation token', 'n,,n=user,r=abc,tokenauth=true'],
    ['authzid of another user', 'n,a=root,n=user,r=abc'],
    ['not UTF-8', Buffer.from([0x6e, 0x2c, 0x2c, 0xff, 0xfe])],
    ['empty', ''],
  ])('refuses a client-first message with %s', async (_why, message) => {
    const users = await store([{ username: 'user', password: 'pencil' }]);
    const server = new ScramServer('SCRAM-SHA-256', users);
    expect(() => server.evaluate(typeof message === 'string' ? utf8(message) : message)).toThrow(
      SaslFailure,
    );
  });

  it.each([
    ['another nonce', (m: string) => m.replace(/r=([^,]+)/, 'r=$1x')],
    ['another channel binding', (m: string) => m.replace('c=biws', 'c=eSws')],
    ['no proof', (m: string) => m.replace(/,p=.*$/, '')],
    ['a short proof', (m: string) => m.replace(/p=.*$/, 'p=AAAA')],
    ['a proof that is not base64', (m: string) => m.replace(/p=.*$/, 'p=%%%%')],
    [
      'a flipped proof bit',
      (m: string) => m.replace(/p=(.)/, (_a, ch) => `p=${ch === 'A' ? 'B' : 'A'}`),
    ],
  ])('refuses a client-final message with %s', async (_why, tamper) => {
    const users = await store([{ username: 'user', password: 'pencil' }]);
    const server = new ScramServer('SCRAM-SHA-256', users);
    const client = new ScramClient('scram-sha-256', 'user', 'pencil');
    const first = server.evaluate(utf8(client.clientFirstMessage()));
    const final = await client.clientFinalMessage(text(first.response));
    expect(() => server.evaluate(utf8(tamper(final)))).toThrow(SaslFailure);
  });

  it('never throws anything but SaslFailure on random tokens', async () => {
    const users = await store([{ username: 'user', password: 'pencil' }]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.string({ maxLength: 200 }).map((s) => utf8(`n,,${s}`)),
        ),
        fc.uint8Array({ maxLength: 200 }),
        (first, second) => {
          const server = new ScramServer('SCRAM-SHA-256', users);
          for (const token of [first, second]) {
            try {
              server.evaluate(Buffer.from(token));
            } catch (err) {
              if (!(err instanceof SaslFailure)) throw err;
              return;
            }
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decodes saslnames', () => {
    expect(decodeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    expect(decodeSaslName('a=2')).toBeNull();
    expect(decodeSaslName('a=41')).toBeNull();
  });
});
