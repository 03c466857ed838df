import type { Socket } from 'node:net';
import { SharqError, toError } from '../errors/sharq-error.js';
import { FrameAssembler } from '../kafka/frame-assembler.js';
import { Reader } from '../kafka/protocol/reader.js';
import { Writer } from '../kafka/protocol/writer.js';
import type { SaslSession } from './sasl/session.js';

/**
 * One client connection of `sharq server`, the server side of Kafka's framing:
 *
 *   Request  => Size:int32 Header Body
 *   Header v1 => api_key:int16 api_version:int16 correlation_id:int32 client_id:nullable_string
 *   Header v2 => header v1, then a tagged-field section (flexible versions, KIP-482)
 *   Response => Size:int32 correlation_id:int32 [tagged fields: header v1, flexible] Body
 *
 * As a Kafka broker does, a connection answers in order and handles one request at a time
 * (clients may pipeline; the rest wait in the assembler), except that a route may let the next
 * request start before it is answered (`RequestContext.pipeline`): Produce does once its
 * batches have their offsets, so pipelined produce requests share an fsync. Answers still leave
 * in request order, and at most MAX_IN_FLIGHT requests of a connection are under way. A frame
 * that cannot be parsed, an unknown API key, a version the route does not serve, an oversized
 * frame or a client that leaves too much unread closes this connection with a log line; every
 * other connection goes on.
 *
 * With SASL on, a connection must authenticate first (src/server/sasl/session.ts): until then it
 * takes ApiVersions, SaslHandshake and SaslAuthenticate only, any other request closes it (as a
 * Kafka broker does), and frames are limited to 512 KiB (Kafka's sasl.server.max.receive.size)
 * so an unauthenticated client cannot make the server buffer `maxRequestBytes`.
 */

/** What a connection may send before it has authenticated. */
const PRE_AUTH_KEYS: ReadonlySet<number> = new Set([18, 17, 36]);
/** Largest frame before authentication (Kafka's sasl.server.max.receive.size default). */
export const PRE_AUTH_MAX_FRAME_BYTES = 512 * 1024;
/** How long a last answer (a failed authentication's) may take to reach a closing client. */
const FLUSH_TIMEOUT_MS = 1000;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

export interface RequestContext {
  readonly header: RequestHeader;
  readonly connectionId: number;
  readonly remoteAddress: string;
  /** Aborts when the connection closes or the server stops: long polls end early. */
  readonly signal: AbortSignal;
  /** This connection's SASL state; undefined when the server runs without SASL. */
  readonly sasl?: SaslSession | undefined;
  /**
   * The connection may read and start its next request now; this one's answer still goes out
   * first. For work whose order is settled before it finishes (a produce whose offsets are
   * taken, waiting for its fsync). Calling it again does nothing.
   */
  readonly pipeline: () => void;
}

/** What the server answers for one API key. */
export interface ApiRoute {
  readonly apiKey: number;
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version: request header v2 and response header v1 from here on. */
  readonly flexibleFrom: number;
  /** ApiVersions: response header v0 at every version, and it answers versions it lacks itself. */
  readonly special?: 'api-versions';
  /** Decodes the body, does the work, returns the encoded response body; null sends no response (Produce with acks=0). */
  handle(
    version: number,
    body: Reader,
    ctx: RequestContext,
  ): Promise<Buffer | null> | Buffer | null;
}

export interface ServerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ConnectionLimits {
  maxRequestBytes: number;
  idleTimeoutMs: number;
  maxPendingResponseBytes: number;
}

/** Requests of one connection under way at once (pipelined produce requests). */
export const MAX_IN_FLIGHT = 16;

export class ServerConnection {
  private readonly frames: FrameAssembler;
  /** A request is being handled and has not let the next one start. */
  private busy = false;
  /** Requests started and not yet answered. */
  private inFlight = 0;
  private closed = false;
  private readonly abort = new AbortController();
  /** Settles when every request started so far is answered (answers are sent in this order). */
  private answered: Promise<void> = Promise.resolve();

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly routes: ReadonlyMap<number, ApiRoute>,
    private readonly limits: ConnectionLimits,
    private readonly log: ServerLogger,
    private readonly onClosed: (c: ServerConnection) => void,
    private readonly sasl?: SaslSession,
  ) {
    this.frames = new FrameAssembler(
      sasl === undefined
        ? limits.maxRequestBytes
        : Math.min(limits.maxRequestBytes, PRE_AUTH_MAX_FRAME_BYTES),
      'request',
    );
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs);
    socket.on('timeout', () => {
      if (this.inFlight === 0) this.close('idle', { idleTimeoutMs: limits.idleTimeoutMs });
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.close('socket error', { error: err.message }));
    socket.on('close', () => this.close());
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Resolves once the requests in flight (if any) have been answered. */
  drained(): Promise<void> {
    return this.answered;
  }

  /**
   * Closes the connection; a reason logs why (none: the peer closed it). `flush` sends what is
   * written first (a last answer, such as a failed authentication's), bounded by a second.
   */
  close(reason?: string, fields: Record<string, unknown> = {}, flush = false): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    if (reason !== undefined)
      this.log.warn(
        { connection: this.id, remote: this.remoteAddress, reason, ...fields },
        `closing client connection: ${reason}`,
      );
    if (flush) {
      this.socket.end();
      this.socket.setTimeout(FLUSH_TIMEOUT_MS, () => this.socket.destroy());
    } else {
      this.socket.destroy();
    }
    this.onClosed(this);
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    this.frames.push(chunk);
    this.pump();
  }

  private pump(): void {
    while (!this.busy && !this.closed && this.inFlight < MAX_IN_FLIGHT) {
      let frame: Buffer | null;
      try {
        frame = this.frames.next();
      } catch (err) {
        this.close('malformed frame', { error: toError(err).message });
        return;
      }
      if (frame === null) return;
      this.busy = true;
      this.inFlight++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.busy = false;
        // Not from inside the handler's own call stack: the next request starts on a fresh one.
        queueMicrotask(() => this.pump());
      };
      this.answered = this.serve(frame, release, this.answered).finally(() => {
        this.inFlight--;
        release();
      });
    }
  }

  /**
   * Handles one request and writes its answer once `previous` (the answers of the requests
   * before it) has settled.
   */
  private async serve(frame: Buffer, pipeline: () => void, previous: Promise<void>): Promise<void> {
    if (this.sasl?.expectsRawToken === true) return this.serveRawToken(this.sasl, frame);
    let header: RequestHeader;
    let route: ApiRoute | undefined;
    let body: Reader;
    try {
      const r = new Reader(frame, 0, 'request');
      header = {
        apiKey: r.int16(),
        apiVersion: r.int16(),
        correlationId: r.int32(),
        clientId: r.string(),
      };
      if (
        this.sasl !== undefined &&
        !this.sasl.authenticated &&
        !PRE_AUTH_KEYS.has(header.apiKey)
      ) {
        this.close('request before SASL authentication', {
          apiKey: header.apiKey,
          version: header.apiVersion,
          clientId: header.clientId,
        });
        return;
      }
      route = this.routes.get(header.apiKey);
      if (route === undefined) {
        this.close('unsupported API key', { apiKey: header.apiKey, clientId: header.clientId });
        return;
      }
      const inRange =
        header.apiVersion >= route.minVersion && header.apiVersion <= route.maxVersion;
      if (!inRange && route.special !== 'api-versions') {
        this.close('unsupported API version', {
          api: route.name,
          version: header.apiVersion,
          supported: `${route.minVersion}-${route.maxVersion}`,
          clientId: header.clientId,
        });
        return;
      }
      // An ApiVersions request at a version this server lacks may have a header it cannot
      // read; the answer (v0, UNSUPPORTED_VERSION) needs only the correlation id.
      if (inRange && header.apiVersion >= route.flexibleFrom) r.tags();
      body = r;
    } catch (err) {
      this.close('malformed request header', { error: toError(err).message });
      return;
    }
    let response: Buffer | null;
    try {
      response = await route.handle(header.apiVersion, body, {
        header,
        connectionId: this.id,
        remoteAddress: this.remoteAddress,
        signal: this.abort.signal,
        sasl: this.sasl,
        pipeline,
      });
    } catch (err) {
      const error = toError(err);
      // A request the handler could not decode is the client's fault: close, as Kafka does.
      const fields = {
        api: route.name,
        version: header.apiVersion,
        clientId: header.clientId,
        error: error.message,
        code: SharqError.is(error) ? error.code : undefined,
      };
      this.close(
        SharqError.is(error, 'SHARQ_ERR_PROTOCOL') ? 'malformed request' : 'request failed',
        fields,
      );
      return;
    }
    await previous.catch(() => undefined);
    if (this.closed || response === null) return;
    const flexibleResponse =
      route.special !== 'api-versions' && header.apiVersion >= route.flexibleFrom;
    const head = new Writer(16).int32(0).int32(header.correlationId);
    if (flexibleResponse) head.uvarint(0);
    const out = head.toBuffer();
    out.writeInt32BE(out.length - 4 + response.length, 0);
    // Header and body in one writev: two writes would be two syscalls and, with Nagle off, two
    // segments on the wire.
    this.socket.cork();
    this.socket.write(out);
    this.socket.write(response);
    this.socket.uncork();
    this.afterSasl(this.sasl, { clientId: header.clientId });
    if (this.closed) return;
    if (this.socket.writableLength > this.limits.maxPendingResponseBytes) {
      this.close('slow reader', {
        unreadBytes: this.socket.writableLength,
        maxPendingResponseBytes: this.limits.maxPendingResponseBytes,
      });
    }
  }

  /** After SaslHandshake v0, a frame is one SASL token, answered as a bare size-prefixed token. */
  private async serveRawToken(sasl: SaslSession, token: Buffer): Promise<void> {
    const response = await sasl.rawToken(token, this.abort.signal);
    if (this.closed) return;
    if (response !== null) {
      const size = Buffer.alloc(4);
      size.writeInt32BE(response.length, 0);
      this.socket.write(size);
      this.socket.write(response);
    }
    this.afterSasl(sasl, { handshake: 'v0' });
  }

  /** Closes after a last SASL answer, or lifts the pre-authentication frame limit. */
  private afterSasl(sasl: SaslSession | undefined, fields: Record<string, unknown>): void {
    if (sasl === undefined) return;
    const last = sasl.closeAfterResponse;
    if (last !== undefined) {
      this.close(last.reason, { ...last.fields, ...fields }, true);
      return;
    }
    if (sasl.authenticated) this.frames.maxFrameBytes = this.limits.maxRequestBytes;
  }
}
