import { randomBytes } from 'node:crypto';
import { SharqError } from '../errors/sharq-error.js';
import {
  constantTimeEqual,
  hmac,
  type ScramHash,
  saltedPassword,
  storedKeyOf,
} from '../util/scram.js';

export type ScramMechanism = 'scram-sha-256' | 'scram-sha-512';

const MAX_SCRAM_ITERATIONS = 1_000_000;

/**
 * The client side of SCRAM (RFC 5802, RFC 7677 for SHA-256) without channel binding, as Kafka
 * runs it: client-first `n,,n=<user>,r=<nonce>`, the server's `r=<nonce+server nonce>,s=<salt>,
 * i=<iterations>`, client-final `c=biws,r=<nonce>,p=<proof>`, and the server's `v=<signature>`,
 * which proves the broker knows the password too. Passwords are used as UTF-8 without SASLprep,
 * as Kafka's own client does.
 */
export class ScramClient {
  private readonly hash: ScramHash;
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | undefined;

  constructor(
    mechanism: ScramMechanism,
    username: string,
    private readonly password: string,
    private readonly nonce: string = randomBytes(24).toString('base64'),
  ) {
    this.hash = mechanism === 'scram-sha-256' ? 'sha256' : 'sha512';
    // saslname: "=" and "," are escaped as =3D and =2C.
    const saslName = username.replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.clientFirstBare = `n=${saslName},r=${nonce}`;
  }

  clientFirstMessage(): string {
    return `n,,${this.clientFirstBare}`;
  }

  async clientFinalMessage(serverFirst: string): Promise<string> {
    const attrs = parseScramAttributes(serverFirst);
    if (attrs.has('e'))
      throw authError(`the broker rejected the client-first message: ${attrs.get('e')}`);
    if (attrs.has('m'))
      throw authError('the broker requires a SCRAM extension sharq does not know');
    const combinedNonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterationsText = attrs.get('i');
    if (combinedNonce === undefined || salt === undefined || iterationsText === undefined) {
      throw authError(`malformed server-first message "${serverFirst}"`);
    }
    if (!combinedNonce.startsWith(this.nonce) || combinedNonce.length <= this.nonce.length) {
      throw authError('the server nonce does not extend the client nonce');
    }
    const iterations = /^[1-9][0-9]{0,9}$/.test(iterationsText) ? Number(iterationsText) : 0;
    if (iterations < 1 || iterations > MAX_SCRAM_ITERATIONS) {
      throw authError(`unacceptable iteration count "${iterationsText}"`);
    }
    const salted = await saltedPassword(
      this.hash,
      this.password,
      Buffer.from(salt, 'base64'),
      iterations,
    );
    const clientFinalWithoutProof = `c=biws,r=${combinedNonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${clientFinalWithoutProof}`;
    const clientKey = hmac(this.hash, salted, 'Client Key');
    const clientSignature = hmac(this.hash, storedKeyOf(this.hash, clientKey), authMessage);
    const proof = Buffer.alloc(clientKey.length);
    for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
    this.serverSignature = hmac(this.hash, hmac(this.hash, salted, 'Server Key'), authMessage);
    return `${clientFinalWithoutProof},p=${proof.toString('base64')}`;
  }

  /** Throws SHARQ_ERR_AUTH unless the server-final message carries the expected signature. */
  verifyServerFinal(serverFinal: string): void {
    const attrs = parseScramAttributes(serverFinal);
    const error = attrs.get('e');
    if (error !== undefined) throw authError(`the broker rejected the proof: ${error}`);
    const expected = this.serverSignature;
    if (expected === undefined) throw authError('server-final message before client-final');
    const signature = Buffer.from(attrs.get('v') ?? '', 'base64');
    if (!constantTimeEqual(signature, expected)) {
      throw authError(
        'the server signature does not match: the broker did not prove it knows the password',
      );
    }
  }
}

function parseScramAttributes(message: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const part of message.split(',')) {
    const eq = part.indexOf('=');
    if (eq !== 1) continue;
    attrs.set(part[0]!, part.slice(2));
  }
  return attrs;
}

function authError(message: string): SharqError {
  return new SharqError('SHARQ_ERR_AUTH', `SCRAM authentication failed: ${message}`);
}
