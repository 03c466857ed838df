import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Reader } from '../../src/kafka/protocol/reader.js';
import { Writer } from '../../src/kafka/protocol/writer.js';

/**
 * A scripted Kafka broker on 127.0.0.1 for connection tests. It answers ApiVersions v3 correctly
 * (so `BrokerConnection.connect` succeeds) and hands every other request to the test's handler,
 * which picks the reply: a well-formed body, or one of the misbehaviours below (truncated body,
 * giant size prefix, unknown correlation id, random bytes, silence, close mid-frame).
 */

export interface FakeRequest {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** The request body, after the header. */
  body: Buffer;
  /** Index of the client connection on this broker, from 0. */
  connection: number;
}

export type FakeReply =
  /** A well-framed response: size, correlation id (the request's unless given), tags when flexible. */
  | { kind: 'body'; body: Uint8Array; flexibleHeader: boolean; correlationId?: number }
  /** Bytes written as they are. */
  | { kind: 'raw'; bytes: Uint8Array }
  /** Bytes written as they are, then the socket is destroyed. */
  | { kind: 'close'; bytes?: Uint8Array }
  /** No answer at all. */
  | { kind: 'none' };

export type FakeHandler = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeBrokerOptions {
  handler?: FakeHandler;
  /** [apiKey, min, max] offered in ApiVersions; defaults cover every API sharq speaks. */
  apiVersions?: readonly (readonly [number, number, number])[];
  /** Finalized features sent in ApiVersions tag 2, e.g. [['share.version', 1]]. */
  finalizedFeatures?: readonly (readonly [string, number])[];
  /** Replaces the built-in ApiVersions answer. */
  onApiVersions?: FakeHandler;
}

export const DEFAULT_API_VERSIONS: readonly (readonly [number, number, number])[] = [
  [3, 0, 13],
  [10, 0, 6],
  [17, 0, 1],
  [18, 0, 4],
  [32, 0, 4],
  [36, 0, 2],
  [44, 0, 1],
  [76, 1, 1],
  [77, 1, 1],
  [78, 1, 2],
  [79, 1, 2],
];

/** First flexible version of each API the fake broker must parse the header of. */
const FIRST_FLEXIBLE: ReadonlyMap<number, number> = new Map([
  [0, 9],
  [3, 9],
  [10, 3],
  [18, 3],
  [22, 2],
  [32, 4],
  [36, 2],
  [44, 1],
  [76, 0],
  [77, 0],
  [78, 0],
  [79, 0],
]);

export function isFlexible(apiKey: number, version: number): boolean {
  const first = FIRST_FLEXIBLE.get(apiKey);
  return first !== undefined && version >= first;
}

export class FakeBroker {
  readonly host = '127.0.0.1';
  readonly requests: FakeRequest[] = [];
  handler: FakeHandler;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private connectionCount = 0;

  private constructor(
    server: net.Server,
    private readonly options: FakeBrokerOptions,
  ) {
    this.server = server;
    this.handler = options.handler ?? (() => ({ kind: 'none' }));
  }

  static async start(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
    const server = net.createServer();
    const broker = new FakeBroker(server, options);
    server.on('connection', (socket) => broker.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return broker;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('not listening');
    return address.port;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  /** Client connections accepted so far. */
  get connections(): number {
    return this.connectionCount;
  }

  /** Destroys every client socket (as a crashing broker would) but keeps listening. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const connection = this.connectionCount++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(4, 4 + size);
        pending = pending.subarray(4 + size);
        let req: FakeRequest;
        try {
          req = parseRequest(frame, connection);
        } catch {
          socket.destroy();
          return;
        }
        this.requests.push(req);
        // Each request is answered when its handler settles: a slow handler lets later
        // requests overtake it, which exercises correlation-id matching.
        this.answer(socket, req).catch(() => socket.destroy());
      }
    });
  }

  private async answer(socket: net.Socket, req: FakeRequest): Promise<void> {
    const reply =
      req.apiKey === 18
        ? await (this.options.onApiVersions ?? (() => apiVersionsReply(this.options)))(req)
        : await this.handler(req);
    if (socket.destroyed) return;
    switch (reply.kind) {
      case 'body':
        socket.write(
          frameResponse(reply.correlationId ?? req.correlationId, reply.flexibleHeader, reply.body),
        );
        return;
      case 'raw':
        socket.write(reply.bytes);
        return;
      case 'close':
        if (reply.bytes !== undefined) socket.write(reply.bytes);
        socket.destroy();
        return;
      case 'none':
        return;
    }
  }
}

function parseRequest(frame: Buffer, connection: number): FakeRequest {
  const r = new Reader(frame, 0, 'fake broker request');
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string();
  if (isFlexible(apiKey, apiVersion)) r.tags();
  return {
    apiKey,
    apiVersion,
    correlationId,
    clientId,
    body: frame.subarray(r.offset),
    connection,
  };
}

/** A whole response frame: size, correlation id, tags for header v1, body. */
export function frameResponse(
  correlationId: number,
  flexibleHeader: boolean,
  body: Uint8Array,
): Buffer {
  const w = new Writer();
  w.int32(0).int32(correlationId);
  if (flexibleHeader) w.tags();
  w.raw(body);
  const frame = Buffer.from(w.toBuffer());
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

function apiVersionsReply(options: FakeBrokerOptions): FakeReply {
  const w = new Writer();
  w.int16(0);
  w.compactArray(options.apiVersions ?? DEFAULT_API_VERSIONS, (a, [key, min, max]) => {
    a.int16(key).int16(min).int16(max).tags();
  });
  w.int32(0);
  const features = options.finalizedFeatures ?? [];
  if (features.length === 0) {
    w.tags();
  } else {
    const epoch = new Writer().int64(1).toBuffer();
    const list = new Writer()
      .compactArray(features, (f, [name, level]) => {
        f.compactString(name).int16(level).int16(level).tags();
      })
      .toBuffer();
    w.tags([
      { tag: 1, data: epoch },
      { tag: 2, data: list },
    ]);
  }
  // ApiVersions answers with response header v0 whatever the body version.
  return { kind: 'body', body: w.toBuffer(), flexibleHeader: false };
}

// --- misbehaviours --------------------------------------------------------------------------

/** A correctly framed response whose body stops after a few bytes. */
export function truncatedBody(flexibleHeader = true): FakeReply {
  return { kind: 'body', body: Buffer.from([0, 0, 0]), flexibleHeader };
}

/** A size prefix of 2 GiB - 1, far past any frame limit. */
export function giantLengthPrefix(): FakeReply {
  const bytes = Buffer.alloc(12);
  bytes.writeInt32BE(0x7fffffff, 0);
  return { kind: 'raw', bytes };
}

/** A well-formed response to a request that was never sent. */
export function unknownCorrelationId(req: FakeRequest, body: Uint8Array): FakeReply {
  return {
    kind: 'body',
    body,
    flexibleHeader: true,
    correlationId: (req.correlationId + 1000) & 0x7fffffff,
  };
}

/** A correctly framed response (right correlation id) with a body of random bytes. */
export function randomBody(length: number, flexibleHeader = true): FakeReply {
  return { kind: 'body', body: randomBytes(length), flexibleHeader };
}

/** Random bytes on the stream, with no framing at all. */
export function randomStream(length: number): FakeReply {
  return { kind: 'raw', bytes: randomBytes(length) };
}

/** A valid body followed by junk inside the same frame. */
export function trailingGarbage(body: Uint8Array, flexibleHeader = true): FakeReply {
  return { kind: 'body', body: Buffer.concat([body, Buffer.from([1, 2, 3])]), flexibleHeader };
}

/** Half of a 100-byte frame, then the socket closes. */
export function closeMidFrame(req: FakeRequest): FakeReply {
  const bytes = Buffer.alloc(4 + 4 + 10);
  bytes.writeInt32BE(100, 0);
  bytes.writeInt32BE(req.correlationId, 4);
  return { kind: 'close', bytes };
}
