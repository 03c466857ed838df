import net from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharqError } from '../../../../src/errors/sharq-error.js';
import { BrokerConnection, type SaslMechanism } from '../../../../src/kafka/connection.js';
import { KafkaErrors as E } from '../../../../src/kafka/protocol/error-codes.js';
import { toApiDef } from '../../../../src/kafka/protocol/schema/api.js';
import { ApiVersions } from '../../../../src/kafka/protocol/schema/apis/api-versions.js';
import { Metadata } from '../../../../src/kafka/protocol/schema/apis/metadata.js';
import { SaslAuthenticate } from '../../../../src/kafka/protocol/schema/apis/sasl-authenticate.js';
import { SaslHandshake } from '../../../../src/kafka/protocol/schema/apis/sasl-handshake.js';
import { hashSaslPassword, startServer } from '../../../../src/server/index.js';
import { ServerOptions } from '../../../../src/server/options.js';
import { tempDir } from '../../../helpers/temp-dir.js';
import {
  decodeResponseFrame,
  probe,
  rawFrame,
  requestBody,
  requestFrame,
  WireClient,
} from '../../../helpers/wire-probe.js';

type Started = Awaited<ReturnType<typeof startServer>>;

const warnings: { msg: string; fields: Record<string, unknown> }[] = [];
const logger = {
  info: () => undefined,
  warn: (fields: Record<string, unknown>, msg: string) => void warnings.push({ msg, fields }),
};

let server: Started;
let plainServer: Started;
let port: number;
const removers: (() => Promise<void>)[] = [];

async function start(options: Parameters<typeof startServer>[0]): Promise<Started> {
  const t = await tempDir('sharq-sasl-');
  removers.push(t.remove);
  return startServer({
    port: 0,
    engine: { dataDir: t.dir, fsync: 'never' },
    logger,
    ...options,
  });
}

beforeAll(async () => {
  server = await start({
    sasl: {
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
      users: [
        { username: 'alice', password: 'alice-secret' },
        // Pre-hashed: no password anywhere in the options.
        (await hashSaslPassword('bob', 'bob-secret')) as never,
      ],
      failedAuthenticationDelayMs: 0,
    },
  });
  port = server.address.port;
  plainServer = await start({});
});

afterAll(async () => {
  await server?.close();
  await plainServer?.close();
  for (const r of removers) await r();
});

const connect = (mechanism: SaslMechanism, username: string, password: string, p = port) =>
  BrokerConnection.connect({
    host: '127.0.0.1',
    port: p,
    clientId: 'sasl-test',
    sasl: { mechanism, username, password },
  });

const metadata = (conn: BrokerConnection) =>
  conn.send(toApiDef(Metadata, 12), {
    topics: [],
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
  });

/** Resolves once the server has logged a close with this reason (the log comes before the close). */
const closedWith = (reason: string) => warnings.filter((w) => w.fields.reason === reason);

async function failure(p: Promise<unknown>): Promise<SharqError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SharqError.is(err, 'SHARQ_ERR_AUTH'), String(err)).toBe(true);
  return err as SharqError;
}

describe('sharq server with SASL', () => {
  it.each([
    ['plain', 'alice', 'alice-secret'],
    ['scram-sha-256', 'alice', 'alice-secret'],
    ['scram-sha-512', 'alice', 'alice-secret'],
    ['plain', 'bob', 'bob-secret'],
    ['scram-sha-256', 'bob', 'bob-secret'],
    ['scram-sha-512', 'bob', 'bob-secret'],
  ] as const)("sharq's client logs in with %s as %s, then is served", async (m, user, password) => {
    const conn = await connect(m, user, password);
    try {
      const res = await metadata(conn);
      expect(res.brokers[0]?.port).toBe(port);
    } finally {
      await conn.close();
    }
  });

  it('a wrong password gets SASL_AUTHENTICATION_FAILED with a message, then the connection closes', async () => {
    for (const m of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      const before = closedWith('SASL authentication failed').length;
      const err = await failure(connect(m, 'alice', 'wrong'));
      expect(err.message).toContain('SASL_AUTHENTICATION_FAILED (58)');
      expect(err.message).toContain('Authentication failed');
      expect(closedWith('SASL authentication failed').length).toBe(before + 1);
    }
    // An unknown user reads the same as a wrong password.
    const unknown = await failure(connect('scram-sha-256', 'nobody', 'alice-secret'));
    expect(unknown.message).toContain('invalid credentials');
    // Nothing secret reaches the log.
    expect(JSON.stringify(warnings)).not.toMatch(/alice-secret|wrong/);
  });

  it('a mechanism that is not enabled gets UNSUPPORTED_SASL_MECHANISM and the enabled list', async () => {
    const scramOnly = await start({
      sasl: { users: [{ username: 'alice', password: 'alice-secret' }] },
    });
    try {
      const err = await failure(connect('plain', 'alice', 'alice-secret', scramOnly.address.port));
      expect(err.message).toContain('UNSUPPORTED_SASL_MECHANISM (33)');
      expect(err.details?.enabledMechanisms).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
      expect(closedWith('unsupported SASL mechanism').length).toBeGreaterThan(0);
    } finally {
      await scramOnly.close();
    }
  });

  it('answers ApiVersions before authentication and closes on anything else', async () => {
    const client = await WireClient.connect(port);
    try {
      const versions = await client.request<{ errorCode: number; apiKeys: { apiKey: number }[] }>(
        ApiVersions,
        3,
        { clientSoftwareName: 't', clientSoftwareVersion: '1' },
      );
      expect(versions.errorCode).toBe(0);
      expect(versions.apiKeys.map((k) => k.apiKey)).toEqual(expect.arrayContaining([17, 36]));
      await expect(
        client.request(Metadata, 12, {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        }),
      ).rejects.toThrow(/closed/);
    } finally {
      client.close();
    }
    expect(closedWith('request before SASL authentication').at(-1)?.fields).toMatchObject({
      apiKey: 3,
    });
  });

  it('mid-exchange, every request but SaslAuthenticate closes the connection', async () => {
    const client = await WireClient.connect(port);
    try {
      const hs = await client.request<{ errorCode: number }>(SaslHandshake, 1, {
        mechanism: 'SCRAM-SHA-256',
      });
      expect(hs.errorCode).toBe(0);
      await expect(
        client.request(SaslHandshake, 1, { mechanism: 'SCRAM-SHA-256' }),
      ).resolves.toMatchObject({ errorCode: E.ILLEGAL_SASL_STATE });
      await expect(
        client.request(ApiVersions, 3, { clientSoftwareName: 't', clientSoftwareVersion: '1' }),
      ).rejects.toThrow(/closed/);
    } finally {
      client.close();
    }
  });

  it('SaslAuthenticate before SaslHandshake answers ILLEGAL_SASL_STATE, then closes', async () => {
    const client = await WireClient.connect(port);
    try {
      const res = await client.request<{ errorCode: number; errorMessage: string }>(
        SaslAuthenticate,
        2,
        { authBytes: Buffer.from('\0alice\0alice-secret') },
      );
      expect(res.errorCode).toBe(E.ILLEGAL_SASL_STATE);
      expect(res.errorMessage).toMatch(/before SaslHandshake/);
      await expect(client.request(SaslHandshake, 1, { mechanism: 'PLAIN' })).rejects.toThrow(
        /closed/,
      );
    } finally {
      client.close();
    }
  });

  it.each([
    ['PLAIN', Buffer.from([0xff, 0xfe, 0x00])],
    ['PLAIN', Buffer.from('alice-secret')],
    ['PLAIN', Buffer.alloc(0)],
    ['SCRAM-SHA-256', Buffer.from('garbage')],
    ['SCRAM-SHA-512', Buffer.from('n,,n=alice,r=\u0000')],
    ['SCRAM-SHA-512', Buffer.from([0xc3, 0x28, 0x2c])],
  ])('%s: malformed SASL bytes answer 58 with a message and close', async (mechanism, token) => {
    const client = await WireClient.connect(port);
    try {
      await client.request(SaslHandshake, 1, { mechanism });
      const res = await client.request<{ errorCode: number; errorMessage: string }>(
        SaslAuthenticate,
        1,
        { authBytes: token },
      );
      expect(res.errorCode).toBe(E.SASL_AUTHENTICATION_FAILED);
      expect(res.errorMessage).toMatch(/^Authentication failed/);
      await expect(client.request(SaslAuthenticate, 1, { authBytes: token })).rejects.toThrow(
        /closed/,
      );
    } finally {
      client.close();
    }
  });

  it('a truncated SaslAuthenticate body or an oversized frame before login closes the connection', async () => {
    const hs = requestFrame(
      SaslHandshake,
      1,
      1,
      requestBody(SaslHandshake, 1, { mechanism: 'PLAIN' }),
    );
    // AuthBytes claims 1000 bytes and brings 3.
    const truncated = rawFrame(36, 1, 2, Buffer.from([0, 0, 3, 232, 1, 2, 3]));
    const a = await probe(port, Buffer.concat([hs, truncated]), { until: 2, timeoutMs: 5000 });
    expect(a.outcome).toBe('closed');
    expect(a.correlationIds).toEqual([1]);
    // 1 MiB is far below maxRequestBytes, but above what an unauthenticated client may send.
    const big = Buffer.alloc(8);
    big.writeInt32BE(1024 * 1024, 0);
    const b = await probe(port, big, { until: 1, timeoutMs: 5000 });
    expect(b.outcome).toBe('closed');
    // And the server keeps serving.
    const conn = await connect('scram-sha-256', 'alice', 'alice-secret');
    await conn.close();
  });

  it('SaslHandshake v0: raw SASL tokens without SaslAuthenticate framing', async () => {
    const run = (token: string) =>
      new Promise<{ frames: Buffer[]; closed: boolean }>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port });
        let buf = Buffer.alloc(0);
        const frames: Buffer[] = [];
        const done = (closed: boolean) => {
          s.destroy();
          resolve({ frames, closed });
        };
        s.on('error', () => done(true));
        s.on('close', () => done(true));
        s.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
            frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
            buf = buf.subarray(4 + buf.readInt32BE(0));
          }
          // handshake answer, the raw (empty) PLAIN answer, then Metadata's.
          if (frames.length === 3) done(false);
        });
        s.on('connect', () => {
          const raw = Buffer.from(token);
          const size = Buffer.alloc(4);
          size.writeInt32BE(raw.length, 0);
          const meta = requestBody(Metadata, 1, { topics: null });
          s.write(
            Buffer.concat([
              requestFrame(
                SaslHandshake,
                0,
                1,
                requestBody(SaslHandshake, 0, { mechanism: 'PLAIN' }),
              ),
              size,
              raw,
              requestFrame(Metadata, 1, 2, meta),
            ]),
          );
        });
      });
    const ok = await run('\0alice\0alice-secret');
    expect(ok.closed).toBe(false);
    expect(decodeResponseFrame(SaslHandshake, 0, ok.frames[0]!)).toMatchObject({ errorCode: 0 });
    expect(ok.frames[1]!.length).toBe(0);
    expect(ok.frames[2]!.readInt32BE(0)).toBe(2);
    const bad = await run('\0alice\0wrong');
    expect(bad.closed).toBe(true);
    expect(bad.frames.length).toBe(1);
  });

  it('kafkajs logs in with SCRAM-SHA-256, and is refused with a wrong password', async () => {
    const kafka = (password: string) =>
      new Kafka({
        clientId: 'kafkajs-sasl',
        brokers: [`127.0.0.1:${port}`],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        sasl: { mechanism: 'scram-sha-256', username: 'alice', password },
      }).admin();
    const admin = kafka('alice-secret');
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'sasl-kafkajs', numPartitions: 1 }] });
      expect(await admin.listTopics()).toContain('sasl-kafkajs');
    } finally {
      await admin.disconnect();
    }
    const wrong = kafka('nope');
    await expect(wrong.connect()).rejects.toThrow(/SASL SCRAM SHA256 authentication failed/);
    await wrong.disconnect();
  });

  it('without SASL, SaslHandshake answers ILLEGAL_SASL_STATE and other requests are served', async () => {
    const client = await WireClient.connect(plainServer.address.port);
    try {
      const hs = await client.request<{ errorCode: number; mechanisms: string[] }>(
        SaslHandshake,
        1,
        { mechanism: 'PLAIN' },
      );
      expect(hs).toEqual({ errorCode: E.ILLEGAL_SASL_STATE, mechanisms: [] });
      await expect(
        client.request(Metadata, 12, {
          topics: [],
          allowAutoTopicCreation: false,
          includeTopicAuthorizedOperations: false,
        }),
      ).resolves.toBeDefined();
    } finally {
      client.close();
    }
    const err = await failure(connect('plain', 'alice', 'x', plainServer.address.port));
    expect(err.message).toContain('ILLEGAL_SASL_STATE (34)');
  });

  it('options: duplicate users, bad credentials and empty lists are refused', () => {
    const bad = [
      { users: [] },
      {
        users: [
          { username: 'a', password: 'x' },
          { username: 'a', password: 'y' },
        ],
      },
      { users: [{ username: 'a' }] },
      {
        users: [
          {
            username: 'a',
            'SCRAM-SHA-256': {
              salt: 'c2FsdA==',
              iterations: 4096,
              storedKey: 'AAAA',
              serverKey: 'AAAA',
            },
          },
        ],
      },
      { users: [{ username: 'a', password: 'x' }], iterations: 100 },
      { users: [{ username: 'a', password: 'x' }], mechanisms: ['GSSAPI'] },
    ];
    for (const sasl of bad)
      expect(ServerOptions.safeParse({ sasl }).success, JSON.stringify(sasl)).toBe(false);
  });
});
