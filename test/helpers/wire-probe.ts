/**
 * Raw Kafka-protocol clients for poking at a server: frames built with the schema codec (or
 * by hand, for hostile ones), and a probe that sends bytes on a fresh connection and reports
 * what came back (response frames by correlation id) and how it ended (answered, closed by the
 * server, or nothing within a bound).
 */
import net from 'node:net';
import { FrameAssembler } from '../../src/kafka/frame-assembler.js';
import { Reader } from '../../src/kafka/protocol/reader.js';
import type { ApiSchema } from '../../src/kafka/protocol/schema/api.js';
import { readResponseHeader, writeRequestHeader } from '../../src/kafka/protocol/schema/headers.js';
import { Writer } from '../../src/kafka/protocol/writer.js';

/** Size prefix + request header (for `api` at `version`) + body. */
export function requestFrame(
  api: ApiSchema,
  version: number,
  correlationId: number,
  body: Uint8Array,
  clientId: string | null = 'fuzz',
): Buffer {
  const w = new Writer(64 + body.length).int32(0);
  writeRequestHeader(w, api, { apiVersion: version, correlationId, clientId });
  w.raw(body);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return Buffer.from(out);
}

/** A frame with a hand-written v1 header: any key and version, known to the schema or not. */
export function rawFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Uint8Array = Buffer.alloc(0),
): Buffer {
  const w = new Writer(64 + body.length)
    .int32(0)
    .int16(apiKey)
    .int16(version)
    .int32(correlationId)
    .string('fuzz');
  w.raw(body);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return Buffer.from(out);
}

/** The encoded body of a request value. */
export function requestBody(api: ApiSchema, version: number, value: unknown): Buffer {
  const w = new Writer(256);
  api.request.encode(version, w, value as never);
  return Buffer.from(w.toBuffer());
}

export interface ProbeResult {
  /** 'answered': `until` was seen; 'closed': the server closed first; 'timeout': neither. */
  outcome: 'answered' | 'closed' | 'timeout';
  /** Correlation ids of the response frames received, in order. */
  correlationIds: number[];
  frames: Buffer[];
  elapsedMs: number;
}

export interface ProbeOptions {
  /** Done once a response with this correlation id arrives. */
  until?: number;
  timeoutMs: number;
  /** Write the bytes in these pieces (a chunk per entry) instead of at once. */
  chunks?: Buffer[];
  /** Destroy the socket right after writing (an abrupt close); resolves 'closed' at once. */
  abortAfterWrite?: boolean;
}

/**
 * Connects, writes `bytes`, and collects response frames until the response `until` arrives,
 * the server closes the connection, or `timeoutMs` passes. The socket is always destroyed.
 */
export function probe(port: number, bytes: Buffer, options: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    const frames = new FrameAssembler(1024 * 1024 * 1024, 'response');
    const result: ProbeResult = {
      outcome: 'timeout',
      correlationIds: [],
      frames: [],
      elapsedMs: 0,
    };
    let done = false;
    const finish = (outcome: ProbeResult['outcome']) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      result.outcome = outcome;
      result.elapsedMs = Date.now() - started;
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      frames.push(chunk);
      for (let f = frames.next(); f !== null; f = frames.next()) {
        const id = f.readInt32BE(0);
        result.correlationIds.push(id);
        result.frames.push(f);
        if (id === options.until) finish('answered');
      }
    });
    // A reset (ECONNRESET) is the server closing too.
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('connect', () => {
      for (const c of options.chunks ?? [bytes]) socket.write(c);
      if (options.abortAfterWrite) finish('closed');
    });
  });
}

/** Decodes a response frame body (after the size prefix) of `api` at `version`. */
export function decodeResponseFrame(api: ApiSchema, version: number, frame: Buffer): unknown {
  const r = new Reader(frame, 0, `${api.name} response`);
  readResponseHeader(r, api, version);
  return api.response.decode(version, r);
}

/** One long-lived connection sending well-formed requests one at a time. */
export class WireClient {
  private readonly frames = new FrameAssembler(1024 * 1024 * 1024, 'response');
  private nextId = 1;
  private waiting: { id: number; resolve: (f: Buffer) => void; reject: (e: Error) => void }[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(chunk);
      for (let f = this.frames.next(); f !== null; f = this.frames.next()) {
        const w = this.waiting.shift();
        if (w === undefined) continue;
        if (f.readInt32BE(0) === w.id) w.resolve(f);
        else w.reject(new Error(`correlation id ${f.readInt32BE(0)}, expected ${w.id}`));
      }
    });
    const fail = (err?: Error) => {
      this.closedError ??= err ?? new Error('connection closed');
      for (const w of this.waiting.splice(0)) w.reject(this.closedError);
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new WireClient(socket));
      });
    });
  }

  /** Sends one request and decodes its response; rejects if the connection closes first. */
  request<T = Record<string, unknown>>(
    api: ApiSchema,
    version: number,
    value: unknown,
  ): Promise<T> {
    if (this.closedError !== undefined) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const frame = requestFrame(api, version, id, requestBody(api, version, value), 'good-raw');
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      this.socket.write(frame);
    }).then((f) => decodeResponseFrame(api, version, f) as T);
  }

  close(): void {
    this.socket.destroy();
  }
}
