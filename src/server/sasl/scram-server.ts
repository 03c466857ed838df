import { randomBytes } from 'node:crypto';
import {
  constantTimeEqual,
  HASH_BYTES,
  hmac,
  type ScramHash,
  storedKeyOf,
} from '../../util/scram.js';
import type { ScramCredential } from './credentials.js';
import { type MechanismServer, type MechanismStep, SaslFailure, tokenText } from './mechanism.js';

/**
 * The server side of SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677) without channel
 * binding, as a Kafka broker runs it over SaslAuthenticate:
 *
 *   client-first  = gs2-header client-first-bare
 *     gs2-header        = ("n" / "y") "," ["a=" saslname] ","     ("p=" asks for channel binding: refused)
 *     client-first-bare = ["m=" ext ","] "n=" saslname "," "r=" c-nonce ["," extensions]
 *   server-first  = "r=" c-nonce s-nonce "," "s=" base64(salt) "," "i=" iterations
 *   client-final  = "c=" base64(gs2-header) "," "r=" c-nonce s-nonce ["," extensions] "," "p=" base64(proof)
 *   server-final  = "v=" base64(ServerSignature)
 *
 *   AuthMessage     = client-first-bare "," server-first "," client-final-without-proof
 *   ClientSignature = HMAC(StoredKey, AuthMessage); ClientKey = proof XOR ClientSignature
 *   accepted iff H(ClientKey) = StoredKey (compared in constant time)
 *   ServerSignature = HMAC(ServerKey, AuthMessage)
 *
 * States: client-first → client-final → done; any failure ends in failed, and every token after
 * done or failed is refused. An unknown user gets a server-first message like a known one's and
 * fails at the proof with the same message as a wrong password. A saslname escapes "," and "="
 * as "=2C" and "=3D"; any other "=" sequence is malformed. The `tokenauth` extension (Kafka's
 * delegation tokens) is refused; other extensions are ignored, as Kafka's broker does.
 */

export interface ScramCredentials {
  scram(hash: ScramHash, username: string): ScramCredential | undefined;
  unknownUser(hash: ScramHash, username: string): ScramCredential;
}

type State = 'client-first' | 'client-final' | 'done' | 'failed';

/** printable = %x21-2B / %x2D-7E: a nonce has no "," (RFC 5802 section 7). */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export class ScramServer implements MechanismServer {
  readonly mechanism: string;
  private readonly hash: ScramHash;
  private state: State = 'client-first';
  private user: string | undefined;
  private known = false;
  private credential: ScramCredential | undefined;
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(
    mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
    private readonly credentials: ScramCredentials,
    /** The server's part of the nonce; tests pass RFC 7677's. */
    private readonly serverNonce: () => string = () => randomBytes(24).toString('base64'),
  ) {
    this.mechanism = mechanism;
    this.hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
  }

  get username(): string | undefined {
    return this.user;
  }

  get isDone(): boolean {
    return this.state === 'done';
  }

  evaluate(token: Buffer): MechanismStep {
    const state = this.state;
    this.state = 'failed';
    if (state === 'client-first') {
      const response = this.clientFirst(tokenText(token, this.mechanism));
      this.state = 'client-final';
      return { response: Buffer.from(response, 'utf8'), done: false };
    }
    if (state === 'client-final') {
      const response = this.clientFinal(tokenText(token, this.mechanism));
      this.state = 'done';
      return { response: Buffer.from(response, 'utf8'), done: true };
    }
    throw new SaslFailure(`Authentication failed: unexpected ${this.mechanism} message (${state})`);
  }

  private clientFirst(message: string): string {
    const malformed = (why: string) =>
      new SaslFailure(
        `Authentication failed: malformed ${this.mechanism} client-first message: ${why}`,
      );
    const flag = message.slice(0, 2);
    if (message.startsWith('p=')) {
      throw new SaslFailure(
        `Authentication failed: ${this.mechanism} channel binding is not supported (use ${this.mechanism} without -PLUS)`,
      );
    }
    if (flag !== 'n,' && flag !== 'y,') throw malformed('no GS2 header');
    const authzEnd = message.indexOf(',', 2);
    if (authzEnd < 0) throw malformed('no GS2 header');
    const authzid = message.slice(2, authzEnd);
    if (authzid !== '' && !authzid.startsWith('a=')) throw malformed('bad authorization id');
    this.gs2Header = message.slice(0, authzEnd + 1);
    this.clientFirstBare = message.slice(authzEnd + 1);
    const parts = this.clientFirstBare.split(',');
    if (parts[0]?.startsWith('m=')) {
      throw new SaslFailure(
        `Authentication failed: ${this.mechanism} mandatory extensions are not supported`,
      );
    }
    const [n, r, ...extensions] = parts;
    if (n === undefined || !n.startsWith('n=')) throw malformed('no username');
    if (r === undefined || !r.startsWith('r=')) throw malformed('no nonce');
    const username = decodeSaslName(n.slice(2));
    if (username === null || username === '') throw malformed('bad username');
    const clientNonce = r.slice(2);
    if (!NONCE.test(clientNonce)) throw malformed('bad nonce');
    for (const ext of extensions) {
      if (!/^[A-Za-z]+=/.test(ext)) throw malformed('bad extension');
      if (ext === 'tokenauth=true') {
        throw new SaslFailure('Authentication failed: delegation tokens are not supported');
      }
    }
    if (authzid !== '' && decodeSaslName(authzid.slice(2)) !== username) {
      throw new SaslFailure(
        'Authentication failed: the authorization id differs from the username',
      );
    }
    this.user = username;
    const own = this.credentials.scram(this.hash, username);
    this.known = own !== undefined;
    const credential = own ?? this.credentials.unknownUser(this.hash, username);
    this.credential = credential;
    const serverNonce = this.serverNonce();
    if (!NONCE.test(serverNonce))
      throw new TypeError('a SCRAM server nonce must be printable without ","');
    this.nonce = clientNonce + serverNonce;
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    return this.serverFirst;
  }

  private clientFinal(message: string): string {
    const credential = this.credential!;
    const malformed = (why: string) =>
      new SaslFailure(
        `Authentication failed: malformed ${this.mechanism} client-final message: ${why}`,
      );
    const proofAt = message.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('no proof');
    const withoutProof = message.slice(0, proofAt);
    const proofText = message.slice(proofAt + 3);
    const [c, r] = withoutProof.split(',');
    if (c === undefined || !c.startsWith('c=')) throw malformed('no channel binding');
    if (r === undefined || !r.startsWith('r=')) throw malformed('no nonce');
    if (c.slice(2) !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) {
      throw malformed('the channel binding does not repeat the GS2 header');
    }
    if (r.slice(2) !== this.nonce) throw malformed('the nonce is not the one the server sent');
    if (!BASE64.test(proofText)) throw malformed('the proof is not base64');
    const proof = Buffer.from(proofText, 'base64');
    if (proof.length !== HASH_BYTES[this.hash]) throw malformed('the proof has the wrong length');
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.hash, credential.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const storedKey = storedKeyOf(this.hash, clientKey);
    // Compared even for an unknown user (whose keys are random), so both take the same time.
    const matches = constantTimeEqual(storedKey, credential.storedKey);
    if (!matches || !this.known) {
      throw new SaslFailure(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`,
      );
    }
    return `v=${hmac(this.hash, credential.serverKey, authMessage).toString('base64')}`;
  }
}

/** saslname → username: "=2C" is ",", "=3D" is "="; null when another "=" or a "," appears. */
export function decodeSaslName(name: string): string | null {
  if (name.includes(',')) return null;
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch !== '=') {
      out += ch;
      continue;
    }
    const code = name.slice(i + 1, i + 3);
    if (code === '2C') out += ',';
    else if (code === '3D') out += '=';
    else return null;
    i += 2;
  }
  return out;
}
