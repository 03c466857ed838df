import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SharqError } from '../../../src/errors/sharq-error.js';
import {
  BrokerConnection,
  type BrokerConnectionOptions,
  CLIENT_SOFTWARE_NAME,
  CLIENT_SOFTWARE_VERSION,
} from '../../../src/kafka/connection.js';
import type { ApiDef } from '../../../src/kafka/protocol/api.js';
import { ApiVersionsV3, MetadataV12 } from '../../../src/kafka/protocol/client-apis.js';
import { Reader } from '../../../src/kafka/protocol/reader.js';
import { Writer } from '../../../src/kafka/protocol/writer.js';
import {
  closeMidFrame,
  FakeBroker,
  type FakeBrokerOptions,
  type FakeReply,
  type FakeRequest,
  giantLengthPrefix,
  randomBody,
  randomStream,
  trailingGarbage,
  truncatedBody,
  unknownCorrelationId,
} from '../../helpers/fake-broker.js';
import type { MetadataRequest, MetadataResponse } from './client-types.js';
import {
  decodeSaslAuthenticateRequest,
  decodeSaslHandshakeRequest,
  encodeMetadataResponse,
  encodeSaslAuthenticateResponse,
  encodeSaslHandshakeResponse,
} from './wire-mirror.js';

const brokers: FakeBroker[] = [];
const connections: BrokerConnection[] = [];

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.close()));
  await Promise.all(brokers.splice(0).map((b) => b.stop()));
});

async function startBroker(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const broker = await FakeBroker.start(options);
  brokers.push(broker);
  return broker;
}

async function connect(
  broker: FakeBroker,
  options: Partial<BrokerConnectionOptions> = {},
): Promise<BrokerConnection> {
  const conn = await BrokerConnection.connect({
    host: broker.host,
    port: broker.port,
    clientId: 'sharq-test',
    requestTimeoutMs: 2_000,
    ...options,
  });
  connections.push(conn);
  return conn;
}

const METADATA: MetadataResponse = {
  throttleTimeMs: 0,
  brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092, rack: null }],
  clusterId: 'c1',
  controllerId: 1,
  topics: [],
};
const metadataBody = encodeMetadataResponse(METADATA);
const ok = (): FakeReply => ({ kind: 'body', body: metadataBody, flexibleHeader: true });
const ALL: MetadataRequest = {
  topics: null,
  allowAutoTopicCreation: false,
  includeTopicAuthorizedOperations: false,
};

/** Resolves with the error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<SharqError> {
  try {
    await promise;
  } catch (err) {
    expect(SharqError.is(err)).toBe(true);
    return err as SharqError;
  }
  throw new Error('expected a rejection');
}

/** A handler that answers the first Metadata request with `bad` and holds the rest unanswered. */
function firstGets(bad: (req: FakeRequest) => FakeReply): (req: FakeRequest) => FakeReply {
  let first = true;
  return (req) => {
    if (!first) return { kind: 'none' };
    first = false;
    return bad(req);
  };
}

describe('BrokerConnection: handshake and requests', () => {
  it('runs ApiVersions v3 on connect and keeps the broker ranges and features', async () => {
    const broker = await startBroker({ finalizedFeatures: [['share.version', 1]] });
    const conn = await connect(broker);
    const hello = broker.requests.find((r) => r.apiKey === 18)!;
    expect(hello).toMatchObject({ apiVersion: 3, clientId: 'sharq-test' });
    const body = new Reader(hello.body);
    expect([body.compactString(), body.compactString()]).toEqual([
      CLIENT_SOFTWARE_NAME,
      CLIENT_SOFTWARE_VERSION,
    ]);
    expect(conn.versions.get(78)).toEqual({ min: 1, max: 2 });
    expect(conn.finalizedFeatures.get('share.version')).toEqual({ min: 1, max: 1 });
    expect(conn.supports(3, 12)).toBe(true);
    expect(() => conn.requireVersion(78, 2)).not.toThrow();
  });

  it('names the API and the broker range when a version is missing, and sends nothing', async () => {
    const broker = await startBroker({ apiVersions: [[3, 0, 11]] });
    const conn = await connect(broker);
    expect(() => conn.requireVersion(78, 2)).toThrow(
      expect.objectContaining({
        code: 'SHARQ_ERR_UNSUPPORTED',
        message: expect.stringContaining('ShareFetch (key 78) v2'),
      }),
    );
    const err = await rejection(conn.send(MetadataV12, ALL));
    expect(err.code).toBe('SHARQ_ERR_UNSUPPORTED');
    expect(err.message).toContain('offers v0-v11');
    expect(err.details).toMatchObject({ brokerMin: 0, brokerMax: 11 });
    expect(broker.requests.filter((r) => r.apiKey === 3)).toHaveLength(0);
    expect(conn.isClosed).toBe(false);
  });

  it('reports a broker without ApiVersions v3 clearly (UNSUPPORTED_VERSION in the v0 layout)', async () => {
    const broker = await startBroker({
      onApiVersions: () => ({
        kind: 'body',
        body: new Writer()
          .int16(35)
          .array([[18, 0, 2]], (w, [k, min, max]) => w.int16(k!).int16(min!).int16(max!))
          .toBuffer(),
        flexibleHeader: false,
      }),
    });
    const err = await rejection(connect(broker));
    expect(err.code).toBe('SHARQ_ERR_UNSUPPORTED');
    expect(err.message).toContain('does not support ApiVersions v3 (it offers v0-v2)');
  });

  it('matches pipelined responses by correlation id, whatever their order', async () => {
    const broker = await startBroker();
    let n = 0;
    broker.handler = async (req) => {
      const delay = [60, 30, 0][n++] ?? 0; // the first request is answered last
      await new Promise((r) => setTimeout(r, delay));
      const res = { ...METADATA, controllerId: req.correlationId };
      return { kind: 'body', body: encodeMetadataResponse(res), flexibleHeader: true };
    };
    const conn = await connect(broker);
    const sent = [
      conn.send(MetadataV12, ALL),
      conn.send(MetadataV12, ALL),
      conn.send(MetadataV12, ALL),
    ];
    expect(conn.inFlightCount).toBe(3);
    const results = await Promise.all(sent);
    const ids = broker.requests.filter((r) => r.apiKey === 3).map((r) => r.correlationId);
    expect(results.map((r) => r.controllerId)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    expect(conn.inFlightCount).toBe(0);
  });

  it('rejects a request it cannot encode with SHARQ_ERR_INVALID_ARGUMENT and stays open', async () => {
    const broker = await startBroker({ handler: ok });
    const conn = await connect(broker);
    const err = await rejection(
      conn.send(MetadataV12, { ...ALL, topics: [{ topicId: 'not-a-uuid', name: null }] }),
    );
    expect(err.code).toBe('SHARQ_ERR_INVALID_ARGUMENT');
    await expect(conn.send(MetadataV12, ALL)).resolves.toMatchObject({ clusterId: 'c1' });
  });
});

describe('BrokerConnection: a misbehaving broker', () => {
  /**
   * Two requests in flight; the broker answers the first with `bad`. Returns both rejections
   * and what `closed` resolved with.
   */
  async function twoInFlight(bad: (req: FakeRequest) => FakeReply, timeoutMs = 2_000) {
    const broker = await startBroker({ handler: firstGets(bad) });
    const conn = await connect(broker, { requestTimeoutMs: timeoutMs });
    const first = rejection(conn.send(MetadataV12, ALL));
    const second = rejection(conn.send(MetadataV12, ALL));
    const [a, b] = await Promise.all([first, second]);
    const reason = await conn.closed;
    expect(conn.isClosed).toBe(true);
    expect(conn.inFlightCount).toBe(0);
    // Nothing more is sent on a closed connection.
    const later = await rejection(conn.send(MetadataV12, ALL));
    expect(later.code).toBe(reason?.code);
    return { a, b, reason };
  }

  it('truncated body: SHARQ_ERR_PROTOCOL naming the API; the other request fails retryably', async () => {
    const { a, b, reason } = await twoInFlight(() => truncatedBody());
    expect(a.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(a.message).toContain('Metadata v12 response');
    expect(a.retryable).toBe(false);
    expect(b.code).toBe('SHARQ_ERR_CONNECTION');
    expect(b.retryable).toBe(true);
    expect(reason?.code).toBe('SHARQ_ERR_CONNECTION');
  });

  it('trailing garbage after a valid body: SHARQ_ERR_PROTOCOL', async () => {
    const { a, b } = await twoInFlight(() => trailingGarbage(metadataBody));
    expect(a.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(a.message).toContain('3 trailing bytes');
    expect(b.code).toBe('SHARQ_ERR_CONNECTION');
  });

  it('random body in a valid frame: SHARQ_ERR_PROTOCOL', async () => {
    // 0xff bytes make the first varint-length run past 5 bytes: deterministic failure.
    const { a } = await twoInFlight(() => ({
      kind: 'body',
      body: Buffer.alloc(40, 0xff),
      flexibleHeader: true,
    }));
    expect(a.code).toBe('SHARQ_ERR_PROTOCOL');
    for (let i = 0; i < 5; i++) {
      const { a: err } = await twoInFlight(() => randomBody(64));
      expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    }
  });

  it('giant length prefix: every request in flight fails with SHARQ_ERR_PROTOCOL', async () => {
    const { a, b, reason } = await twoInFlight(() => giantLengthPrefix());
    for (const err of [a, b, reason]) {
      expect(err?.code).toBe('SHARQ_ERR_PROTOCOL');
      expect(err?.message).toContain('frame size 2147483647');
    }
  });

  it('unknown correlation id: every request in flight fails with SHARQ_ERR_PROTOCOL', async () => {
    const { a, b } = await twoInFlight((req) => unknownCorrelationId(req, metadataBody));
    for (const err of [a, b]) {
      expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
      expect(err.message).toContain('matches no request in flight');
    }
  });

  it('no answer: SHARQ_ERR_TIMEOUT, then the connection closes and the rest fail', async () => {
    const broker = await startBroker({ handler: () => ({ kind: 'none' }) });
    const conn = await connect(broker);
    const slow = rejection(conn.send(MetadataV12, ALL, { timeoutMs: 50 }));
    const other = rejection(conn.send(MetadataV12, ALL, { timeoutMs: 5_000 }));
    const [a, b] = await Promise.all([slow, other]);
    expect(a.code).toBe('SHARQ_ERR_TIMEOUT');
    expect(a.message).toContain('within 50 ms');
    expect(a.retryable).toBe(true);
    expect(b.code).toBe('SHARQ_ERR_CONNECTION');
    expect((await conn.closed)?.cause).toBe(a);
  });

  it('socket closed mid-frame: SHARQ_ERR_CONNECTION (retryable) for every request', async () => {
    const { a, b, reason } = await twoInFlight((req) => closeMidFrame(req));
    for (const err of [a, b, reason]) {
      expect(err?.code).toBe('SHARQ_ERR_CONNECTION');
      expect(err?.retryable).toBe(true);
    }
    expect(reason?.message).toContain('in the middle of a frame (18 bytes received)');
  });

  it('broker crash: the socket drops with requests in flight', async () => {
    const broker = await startBroker({ handler: () => ({ kind: 'none' }) });
    const conn = await connect(broker);
    const pending = [
      rejection(conn.send(MetadataV12, ALL)),
      rejection(conn.send(MetadataV12, ALL)),
    ];
    await new Promise((r) => setTimeout(r, 20));
    broker.dropConnections();
    for (const err of await Promise.all(pending)) {
      expect(err.code).toBe('SHARQ_ERR_CONNECTION');
      expect(err.message).toContain('closed by the broker');
    }
  });

  it('random bytes on the stream never resolve a request and never hang it', async () => {
    for (let i = 0; i < 20; i++) {
      const broker = await startBroker({ handler: () => randomStream(1 + (i % 7) * 9) });
      const conn = await connect(broker, { requestTimeoutMs: 100, maxFrameBytes: 1 << 16 });
      const err = await rejection(conn.send(MetadataV12, ALL));
      // Either the bytes are rejected at once, or they announce a frame that never completes.
      expect(['SHARQ_ERR_PROTOCOL', 'SHARQ_ERR_TIMEOUT']).toContain(err.code);
    }
  });

  it('close() rejects requests in flight and resolves `closed` with null', async () => {
    const broker = await startBroker({ handler: () => ({ kind: 'none' }) });
    const conn = await connect(broker);
    const pending = rejection(conn.send(MetadataV12, ALL));
    await conn.close();
    await conn.close(); // idempotent
    expect((await pending).code).toBe('SHARQ_ERR_CONNECTION');
    expect(await conn.closed).toBeNull();
  });

  it('a decoder bug (non-Sharq throw) still becomes SHARQ_ERR_PROTOCOL', async () => {
    const broker = await startBroker({ handler: ok });
    const conn = await connect(broker);
    const buggy: ApiDef<MetadataRequest, never> = {
      ...MetadataV12,
      decode: () => {
        throw new TypeError('boom');
      },
    };
    const err = await rejection(conn.send(buggy, ALL));
    expect(err.code).toBe('SHARQ_ERR_PROTOCOL');
    expect(err.message).toContain('boom');
  });
});

describe('BrokerConnection: connect failures', () => {
  it('refused: SHARQ_ERR_CONNECTION naming the address', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await rejection(
      BrokerConnection.connect({ host: '127.0.0.1', port, clientId: 'x' }),
    );
    expect(err.code).toBe('SHARQ_ERR_CONNECTION');
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${port}`);
    expect(err.details).toMatchObject({ errno: 'ECONNREFUSED' });
  });

  it('a silent server: the ApiVersions handshake times out', async () => {
    const broker = await startBroker({ onApiVersions: () => ({ kind: 'none' }) });
    const err = await rejection(connect(broker, { requestTimeoutMs: 50 }));
    expect(err.code).toBe('SHARQ_ERR_TIMEOUT');
    expect(err.message).toContain('ApiVersions v3');
  });

  it('TLS spoken to a plaintext port fails cleanly within the connect timeout', async () => {
    const broker = await startBroker();
    const err = await rejection(connect(broker, { ssl: true, connectTimeoutMs: 500 }));
    expect(err.code).toBe('SHARQ_ERR_CONNECTION');
  });
});

// --- SASL ---------------------------------------------------------------------------------------

type Mechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** A SASL server for the fake broker: PLAIN and SCRAM (RFC 5802) for one user. */
function saslServer(user: string, password: string, enabled: readonly Mechanism[]) {
  let mechanism: Mechanism | undefined;
  let scram:
    | { hash: 'sha256' | 'sha512'; clientFirstBare: string; serverFirst: string; salted: Buffer }
    | undefined;
  const authReply = (
    errorCode: number,
    errorMessage: string | null,
    authBytes: Buffer,
  ): FakeReply => ({
    kind: 'body',
    body: encodeSaslAuthenticateResponse({
      errorCode,
      errorMessage,
      authBytes,
      sessionLifetimeMs: 0,
    }),
    flexibleHeader: true,
  });
  const hmac = (hash: string, key: Buffer, data: string) =>
    createHmac(hash, key).update(data).digest();
  return (req: FakeRequest): FakeReply => {
    if (req.apiKey === 17) {
      const asked = decodeSaslHandshakeRequest(req.body).mechanism as Mechanism;
      const accepted = enabled.includes(asked);
      if (accepted) mechanism = asked;
      return {
        kind: 'body',
        body: encodeSaslHandshakeResponse({
          errorCode: accepted ? 0 : 33,
          mechanisms: [...enabled],
        }),
        flexibleHeader: false,
      };
    }
    if (req.apiKey !== 36) return { kind: 'none' };
    const message = decodeSaslAuthenticateRequest(req.body).authBytes.toString('utf8');
    if (mechanism === 'PLAIN') {
      const [, u, p] = message.split('\0');
      return u === user && p === password
        ? authReply(0, null, Buffer.alloc(0))
        : authReply(58, 'Authentication failed: Invalid username or password', Buffer.alloc(0));
    }
    const hash = mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512';
    if (scram === undefined) {
      const clientFirstBare = message.slice(3); // after "n,,"
      const clientNonce = /r=([^,]+)/.exec(clientFirstBare)![1]!;
      const salt = randomBytes(16);
      const serverFirst = `r=${clientNonce}srv${randomBytes(6).toString('hex')},s=${salt.toString('base64')},i=4096`;
      const salted = pbkdf2Sync(password, salt, 4096, hash === 'sha256' ? 32 : 64, hash);
      if (!clientFirstBare.startsWith(`n=${user},`)) {
        return authReply(
          58,
          'Authentication failed during authentication due to invalid credentials',
          Buffer.alloc(0),
        );
      }
      scram = { hash, clientFirstBare, serverFirst, salted };
      return authReply(0, null, Buffer.from(serverFirst));
    }
    const withoutProof = message.slice(0, message.indexOf(',p='));
    const proof = Buffer.from(message.slice(message.indexOf(',p=') + 3), 'base64');
    const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`;
    const storedKey = createHash(scram.hash)
      .update(hmac(scram.hash, scram.salted, 'Client Key'))
      .digest();
    const clientSignature = hmac(scram.hash, storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]!));
    const candidate = createHash(scram.hash).update(clientKey).digest();
    if (candidate.length !== storedKey.length || !timingSafeEqual(candidate, storedKey)) {
      return authReply(
        58,
        'Authentication failed during authentication due to invalid credentials',
        Buffer.alloc(0),
      );
    }
    const serverSignature = hmac(
      scram.hash,
      hmac(scram.hash, scram.salted, 'Server Key'),
      authMessage,
    );
    return authReply(0, null, Buffer.from(`v=${serverSignature.toString('base64')}`));
  };
}

describe('BrokerConnection: SASL', () => {
  const all: Mechanism[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`${mechanism}: authenticates, then serves requests`, async () => {
      const sasl = saslServer('alice', 'secret', all);
      const broker = await startBroker({ handler: (req) => (req.apiKey === 3 ? ok() : sasl(req)) });
      const conn = await connect(broker, {
        sasl: { mechanism, username: 'alice', password: 'secret' },
      });
      expect(broker.requests.map((r) => r.apiKey)).toEqual(
        mechanism === 'plain' ? [18, 17, 36] : [18, 17, 36, 36],
      );
      await expect(conn.send(MetadataV12, ALL)).resolves.toMatchObject({ clusterId: 'c1' });
    });

    it(`${mechanism}: a wrong password is SHARQ_ERR_AUTH with the broker's text`, async () => {
      const broker = await startBroker({ handler: saslServer('alice', 'secret', all) });
      const err = await rejection(
        connect(broker, { sasl: { mechanism, username: 'alice', password: 'nope' } }),
      );
      expect(err.code).toBe('SHARQ_ERR_AUTH');
      expect(err.message).toContain('SASL_AUTHENTICATION_FAILED (58)');
      expect(err.message).toContain('Authentication failed');
    });
  }

  it('a mechanism the listener does not enable is SHARQ_ERR_AUTH listing the enabled ones', async () => {
    const broker = await startBroker({ handler: saslServer('alice', 'secret', ['SCRAM-SHA-512']) });
    const err = await rejection(
      connect(broker, { sasl: { mechanism: 'plain', username: 'alice', password: 'secret' } }),
    );
    expect(err.code).toBe('SHARQ_ERR_AUTH');
    expect(err.message).toContain('enabled mechanisms: SCRAM-SHA-512');
  });

  it('a broker that cannot prove the password (bad server signature) is SHARQ_ERR_AUTH', async () => {
    const sasl = saslServer('alice', 'secret', all);
    const broker = await startBroker({
      handler: (req) => {
        const reply = sasl(req);
        if (reply.kind !== 'body' || req.apiKey !== 36) return reply;
        const res = new Reader(Buffer.from(reply.body));
        res.int16();
        res.compactString();
        const bytes = res.compactBytes()!.toString('utf8');
        if (!bytes.startsWith('v=')) return reply;
        return {
          kind: 'body',
          body: encodeSaslAuthenticateResponse({
            errorCode: 0,
            errorMessage: null,
            authBytes: Buffer.from(`v=${Buffer.alloc(32).toString('base64')}`),
            sessionLifetimeMs: 0,
          }),
          flexibleHeader: true,
        };
      },
    });
    const err = await rejection(
      connect(broker, {
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'secret' },
      }),
    );
    expect(err.code).toBe('SHARQ_ERR_AUTH');
    expect(err.message).toContain('server signature');
  });
});

describe('ApiVersions decoding through the connection', () => {
  it('uses response header v0 for ApiVersions even though its body is flexible', () => {
    expect(ApiVersionsV3.flexible).toBe(true);
    expect(ApiVersionsV3.responseHeaderV0).toBe(true);
  });
});
