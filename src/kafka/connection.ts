import net from 'node:net';
import tls from 'node:tls';
import { SharqError } from '../errors/sharq-error.js';
import { FrameAssembler } from './frame-assembler.js';
import type { ApiDef } from './protocol/api.js';
import { ApiVersionsV3, SaslAuthenticateV2, SaslHandshakeV1 } from './protocol/client-apis.js';
import { kafkaError, kafkaErrorInfo } from './protocol/error-codes.js';
import { Reader } from './protocol/reader.js';
import { Writer } from './protocol/writer.js';
import { ScramClient } from './sasl-scram.js';

/**
 * One TCP (or TLS) connection to one Kafka broker.
 *
 * Framing (https://kafka.apache.org/protocol#protocol_common): every request and response is
 * `INT32 size` followed by `size` bytes. Requests start with request header v2 for flexible API
 * versions (api_key INT16, api_version INT16, correlation_id INT32, client_id NULLABLE_STRING with
 * an INT16 length even in flexible versions, then a tagged-field section), v1 otherwise (the same
 * without the tags). Responses start with response header v1 for flexible versions
 * (correlation_id, tagged fields), v0 otherwise (correlation_id only); ApiVersions always answers
 * with v0.
 *
 * Requests may be pipelined; responses are matched by correlation id. Whatever goes wrong (socket
 * error, broker closes, timeout, malformed frame) rejects every request in flight with a coded
 * SharqError and closes the connection: a connection never crashes the process and never leaves
 * a caller waiting.
 */

export const CLIENT_SOFTWARE_NAME = 'sharq';
/** Sent in ApiVersions; a unit test keeps it equal to package.json's version. */
export const CLIENT_SOFTWARE_VERSION = '0.1.0';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Larger size prefixes are garbage (or TLS spoken to a plaintext port), not a frame to buffer. */
export const DEFAULT_MAX_FRAME_BYTES = 100 * 1024 * 1024;

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface SaslOptions {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface BrokerConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** true for TLS with Node's defaults, or tls.connect options (ca, cert, key, ...). */
  ssl?: boolean | tls.ConnectionOptions;
  sasl?: SaslOptions;
  /** Time allowed for TCP connect plus the TLS handshake. Default 10 s. */
  connectTimeoutMs?: number;
  /** Default time allowed for a response, ApiVersions and SASL included. Default 30 s. */
  requestTimeoutMs?: number;
  /** Largest response frame accepted. Default 100 MiB. */
  maxFrameBytes?: number;
}

export interface VersionRange {
  min: number;
  max: number;
}

export interface SendOptions {
  /** Overrides requestTimeoutMs, e.g. for long polls: MaxWaitMs plus a margin. */
  timeoutMs?: number;
}

interface Pending {
  readonly api: ApiDef<unknown, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: SharqError) => void;
  readonly timer: NodeJS.Timeout;
}

const API_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Produce'],
  [1, 'Fetch'],
  [2, 'ListOffsets'],
  [3, 'Metadata'],
  [8, 'OffsetCommit'],
  [9, 'OffsetFetch'],
  [10, 'FindCoordinator'],
  [17, 'SaslHandshake'],
  [18, 'ApiVersions'],
  [19, 'CreateTopics'],
  [20, 'DeleteTopics'],
  [32, 'DescribeConfigs'],
  [36, 'SaslAuthenticate'],
  [44, 'IncrementalAlterConfigs'],
  [60, 'DescribeCluster'],
  [75, 'DescribeTopicPartitions'],
  [76, 'ShareGroupHeartbeat'],
  [77, 'ShareGroupDescribe'],
  [78, 'ShareFetch'],
  [79, 'ShareAcknowledge'],
  [90, 'DescribeShareGroupOffsets'],
  [91, 'AlterShareGroupOffsets'],
  [92, 'DeleteShareGroupOffsets'],
]);

/** "ShareFetch (key 78)" or "API key 123". */
export function apiName(apiKey: number): string {
  const name = API_NAMES.get(apiKey);
  return name === undefined ? `API key ${apiKey}` : `${name} (key ${apiKey})`;
}

export class BrokerConnection {
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /**
   * Settles once the connection is closed, with the reason, or null when `close()` closed it.
   * Never rejects.
   */
  readonly closed: Promise<SharqError | null>;
  private brokerVersions: ReadonlyMap<number, VersionRange> = new Map();
  private features: ReadonlyMap<string, VersionRange> = new Map();

  private readonly socket: net.Socket;
  private readonly requestTimeoutMs: number;
  private readonly frames: FrameAssembler;
  private readonly inFlight = new Map<number, Pending>();
  private nextCorrelationId = 0;
  /** undefined while open. */
  private closeReason: SharqError | undefined;
  private resolveClosed!: (reason: SharqError | null) => void;
  private readonly socketClosed: Promise<void>;

  private constructor(socket: net.Socket, options: BrokerConnectionOptions) {
    this.socket = socket;
    this.host = options.host;
    this.port = options.port;
    this.clientId = options.clientId;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.frames = new FrameAssembler(
      options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      `response from ${this.address}`,
    );
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    this.socketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) =>
      this.fail(
        new SharqError(
          'SHARQ_ERR_CONNECTION',
          `Connection to ${this.address} failed: ${err.message}`,
          {
            cause: err,
            details: { broker: this.address },
          },
        ),
      ),
    );
    socket.on('close', () => {
      const partial = this.frames.bufferedBytes;
      this.fail(
        new SharqError(
          'SHARQ_ERR_CONNECTION',
          `Connection to ${this.address} was closed by the broker${partial > 0 ? ` in the middle of a frame (${partial} bytes received)` : ''}`,
          { details: { broker: this.address } },
        ),
      );
    });
  }

  /**
   * Opens the socket, runs the ApiVersions v3 handshake and, when configured, SASL. Rejects with
   * SHARQ_ERR_CONNECTION (unreachable), SHARQ_ERR_TIMEOUT, SHARQ_ERR_UNSUPPORTED,
   * SHARQ_ERR_AUTH or SHARQ_ERR_PROTOCOL; the socket is closed then.
   */
  static async connect(options: BrokerConnectionOptions): Promise<BrokerConnection> {
    const socket = await openSocket(options);
    const conn = new BrokerConnection(socket, options);
    try {
      await conn.handshake(options.sasl);
    } catch (err) {
      await conn.close();
      throw err;
    }
    return conn;
  }

  /** API versions the broker offers, from the ApiVersions handshake. */
  get versions(): ReadonlyMap<number, VersionRange> {
    return this.brokerVersions;
  }

  /** Cluster-wide finalized features (e.g. `share.version`), from the same handshake. */
  get finalizedFeatures(): ReadonlyMap<string, VersionRange> {
    return this.features;
  }

  get address(): string {
    return `${this.host}:${this.port}`;
  }

  get isClosed(): boolean {
    return this.closeReason !== undefined;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Whether the broker offers this version of this API. */
  supports(apiKey: number, version: number): boolean {
    const range = this.versions.get(apiKey);
    return range !== undefined && version >= range.min && version <= range.max;
  }

  /** Throws SHARQ_ERR_UNSUPPORTED naming the API and the broker's range unless it is offered. */
  requireVersion(apiKey: number, version: number): void {
    if (this.supports(apiKey, version)) return;
    const range = this.versions.get(apiKey);
    const offered =
      range === undefined ? 'does not offer it at all' : `offers v${range.min}-v${range.max}`;
    throw new SharqError(
      'SHARQ_ERR_UNSUPPORTED',
      `${apiName(apiKey)} v${version} is not supported by broker ${this.address}, which ${offered}`,
      {
        details: {
          broker: this.address,
          apiKey,
          version,
          brokerMin: range?.min ?? null,
          brokerMax: range?.max ?? null,
        },
      },
    );
  }

  /**
   * Sends one request and resolves with the decoded response body. Rejects with SharqError:
   * SHARQ_ERR_TIMEOUT (then the connection is closed), SHARQ_ERR_CONNECTION, SHARQ_ERR_PROTOCOL,
   * SHARQ_ERR_UNSUPPORTED (the broker does not offer this version; nothing is sent) or
   * SHARQ_ERR_INVALID_ARGUMENT (the request cannot be encoded). Kafka error codes inside the body
   * are the caller's to interpret.
   */
  send<Req, Res>(api: ApiDef<Req, Res>, req: Req, options: SendOptions = {}): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      if (this.closeReason !== undefined) {
        reject(this.requestError(api, this.closeReason));
        return;
      }
      if (api.apiKey !== ApiVersionsV3.apiKey && this.versions.size > 0) {
        this.requireVersion(api.apiKey, api.version);
      }
      const correlationId = this.nextCorrelationId;
      this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
      let frame: Buffer;
      try {
        frame = encodeRequest(api, req, correlationId, this.clientId);
      } catch (err) {
        throw new SharqError(
          'SHARQ_ERR_INVALID_ARGUMENT',
          `Cannot encode a ${api.name} v${api.version} request: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      }
      const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
      const timer = setTimeout(() => this.onTimeout(correlationId, timeoutMs), timeoutMs);
      this.inFlight.set(correlationId, {
        api: api as ApiDef<unknown, unknown>,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      this.socket.write(frame);
    });
  }

  /**
   * Closes the connection; requests in flight fail with SHARQ_ERR_CONNECTION. Idempotent.
   * Resolves once the socket is closed.
   */
  async close(): Promise<void> {
    this.fail(
      new SharqError('SHARQ_ERR_CONNECTION', `Connection to ${this.address} was closed by sharq`, {
        details: { broker: this.address },
      }),
      true,
    );
    await this.socketClosed;
  }

  private async handshake(sasl: SaslOptions | undefined): Promise<void> {
    const res = await this.send(ApiVersionsV3, {
      clientSoftwareName: CLIENT_SOFTWARE_NAME,
      clientSoftwareVersion: CLIENT_SOFTWARE_VERSION,
    });
    if (res.errorCode === 35) {
      const own = res.apiKeys.find((k) => k.apiKey === ApiVersionsV3.apiKey);
      throw new SharqError(
        'SHARQ_ERR_UNSUPPORTED',
        `Broker ${this.address} does not support ApiVersions v3${own === undefined ? '' : ` (it offers v${own.minVersion}-v${own.maxVersion})`}; sharq needs Kafka 2.4 or later, and share groups need Kafka 4.2+`,
        {
          details: { broker: this.address, brokerMin: own?.minVersion, brokerMax: own?.maxVersion },
        },
      );
    }
    if (res.errorCode !== 0) {
      throw kafkaError(res.errorCode, null, { api: 'ApiVersions', broker: this.address });
    }
    this.brokerVersions = new Map(
      res.apiKeys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]),
    );
    this.features = new Map(
      res.finalizedFeatures.map((f) => [
        f.name,
        { min: f.minVersionLevel, max: f.maxVersionLevel },
      ]),
    );
    if (sasl !== undefined) await this.authenticate(sasl);
  }

  /** SaslHandshake v1, then one (PLAIN) or two (SCRAM) SaslAuthenticate v2 rounds. */
  private async authenticate(sasl: SaslOptions): Promise<void> {
    const mechanism = sasl.mechanism.toUpperCase();
    const handshake = await this.send(SaslHandshakeV1, { mechanism });
    if (handshake.errorCode !== 0) {
      const info = kafkaErrorInfo(handshake.errorCode);
      throw new SharqError(
        'SHARQ_ERR_AUTH',
        `Broker ${this.address} refused SASL mechanism ${mechanism}: ${info.name} (${info.code}); enabled mechanisms: ${handshake.mechanisms.join(', ') || 'none'}`,
        {
          details: {
            broker: this.address,
            mechanism,
            enabledMechanisms: handshake.mechanisms,
            kafkaCode: info.code,
            kafkaError: info.name,
          },
        },
      );
    }
    if (sasl.mechanism === 'plain') {
      // RFC 4616: authzid NUL authcid NUL passwd, with an empty authzid.
      await this.saslRound(mechanism, Buffer.from(`\0${sasl.username}\0${sasl.password}`, 'utf8'));
      return;
    }
    const scram = new ScramClient(sasl.mechanism, sasl.username, sasl.password);
    const serverFirst = await this.saslRound(
      mechanism,
      Buffer.from(scram.clientFirstMessage(), 'utf8'),
    );
    const clientFinal = await scram.clientFinalMessage(serverFirst.toString('utf8'));
    const serverFinal = await this.saslRound(mechanism, Buffer.from(clientFinal, 'utf8'));
    scram.verifyServerFinal(serverFinal.toString('utf8'));
  }

  private async saslRound(mechanism: string, authBytes: Buffer): Promise<Buffer> {
    const res = await this.send(SaslAuthenticateV2, { authBytes });
    if (res.errorCode !== 0) {
      const info = kafkaErrorInfo(res.errorCode);
      throw new SharqError(
        'SHARQ_ERR_AUTH',
        `SASL ${mechanism} authentication to ${this.address} failed: ${info.name} (${info.code})${res.errorMessage ? `: ${res.errorMessage}` : ''}`,
        {
          details: {
            broker: this.address,
            mechanism,
            kafkaCode: info.code,
            kafkaError: info.name,
          },
        },
      );
    }
    return res.authBytes;
  }

  private onData(chunk: Buffer): void {
    if (this.closeReason !== undefined) return;
    try {
      this.frames.push(chunk);
      for (;;) {
        const frame = this.frames.next();
        if (frame === null || this.closeReason !== undefined) return;
        this.onFrame(frame);
      }
    } catch (err) {
      this.fail(asProtocolError(err, `response from ${this.address}`));
    }
  }

  private onFrame(frame: Buffer): void {
    const correlationId = frame.readInt32BE(0);
    const pending = this.inFlight.get(correlationId);
    if (pending === undefined) {
      throw new SharqError(
        'SHARQ_ERR_PROTOCOL',
        `Broker ${this.address} answered correlation id ${correlationId}, which matches no request in flight (${this.inFlight.size} in flight)`,
        { details: { broker: this.address, correlationId } },
      );
    }
    this.inFlight.delete(correlationId);
    clearTimeout(pending.timer);
    const { api } = pending;
    const context = `${api.name} v${api.version} response from ${this.address}`;
    let body: unknown;
    try {
      const r = new Reader(frame, 4, context);
      if (api.flexible && api.responseHeaderV0 !== true) r.tags();
      body = api.decode(r);
      if (r.remaining !== 0) r.malformed(`${r.remaining} trailing bytes after the body`);
    } catch (err) {
      const protocolError = asProtocolError(err, context);
      pending.reject(protocolError);
      this.fail(
        new SharqError(
          'SHARQ_ERR_CONNECTION',
          `Connection to ${this.address} closed after a malformed ${api.name} response`,
          { cause: protocolError, details: { broker: this.address } },
        ),
      );
      return;
    }
    pending.resolve(body);
  }

  private onTimeout(correlationId: number, timeoutMs: number): void {
    const pending = this.inFlight.get(correlationId);
    if (pending === undefined) return;
    this.inFlight.delete(correlationId);
    const { api } = pending;
    const timeout = new SharqError(
      'SHARQ_ERR_TIMEOUT',
      `${api.name} v${api.version} request to ${this.address} got no response within ${timeoutMs} ms`,
      { details: { broker: this.address, api: api.name, version: api.version, timeoutMs } },
    );
    pending.reject(timeout);
    // A late answer could no longer be told apart from garbage: start over on a new connection.
    this.fail(
      new SharqError(
        'SHARQ_ERR_CONNECTION',
        `Connection to ${this.address} closed after a ${api.name} request timed out`,
        { cause: timeout, details: { broker: this.address } },
      ),
    );
  }

  /** Closes once, rejecting everything in flight with an error derived from `reason`. */
  private fail(reason: SharqError, byClient = false): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    const pending = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(this.requestError(p.api, reason));
    }
    this.socket.destroy();
    this.resolveClosed(byClient ? null : reason);
  }

  private requestError(api: ApiDef<unknown, unknown>, reason: SharqError): SharqError {
    return new SharqError(
      reason.code,
      `${api.name} v${api.version} request failed: ${reason.message}`,
      {
        cause: reason,
        details: { ...reason.details, api: api.name, version: api.version },
        retryable: reason.retryable,
      },
    );
  }
}

/** Encodes one request frame: size, request header v1 or v2, body. */
export function encodeRequest<Req>(
  api: ApiDef<Req, unknown>,
  req: Req,
  correlationId: number,
  clientId: string | null,
): Buffer {
  const w = new Writer();
  w.int32(0); // size, patched below
  w.int16(api.apiKey).int16(api.version).int32(correlationId).string(clientId);
  if (api.flexible) w.tags();
  api.encode(w, req);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

function asProtocolError(err: unknown, context: string): SharqError {
  if (SharqError.is(err)) return err as SharqError;
  return new SharqError(
    'SHARQ_ERR_PROTOCOL',
    `Malformed ${context}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err, details: { context } },
  );
}

function openSocket(options: BrokerConnectionOptions): Promise<net.Socket> {
  const address = `${options.host}:${options.port}`;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    let socket: net.Socket;
    let readyEvent: 'connect' | 'secureConnect';
    if (options.ssl === undefined || options.ssl === false) {
      socket = net.connect({ host: options.host, port: options.port });
      readyEvent = 'connect';
    } else {
      const tlsOptions: tls.ConnectionOptions = options.ssl === true ? {} : { ...options.ssl };
      if (tlsOptions.servername === undefined && net.isIP(options.host) === 0) {
        tlsOptions.servername = options.host;
      }
      socket = tls.connect({ ...tlsOptions, host: options.host, port: options.port });
      readyEvent = 'secureConnect';
    }
    const fail = (err: Error | undefined, what: string): void => {
      cleanup();
      socket.destroy();
      reject(
        new SharqError('SHARQ_ERR_CONNECTION', `Cannot connect to broker ${address}: ${what}`, {
          cause: err,
          details: { broker: address, ...(err && 'code' in err ? { errno: err.code } : {}) },
        }),
      );
    };
    const onError = (err: Error): void => fail(err, err.message);
    const onClose = (): void => fail(undefined, 'the connection closed during setup');
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const timer = setTimeout(
      () => fail(undefined, `no connection within ${timeoutMs} ms`),
      timeoutMs,
    );
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.off(readyEvent, onReady);
    };
    socket.once('error', onError);
    socket.once('close', onClose);
    socket.once(readyEvent, onReady);
  });
}
