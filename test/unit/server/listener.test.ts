import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Reader } from '../../../src/kafka/protocol/reader.js';
import { Writer } from '../../../src/kafka/protocol/writer.js';
import type { ApiRoute, ServerLogger } from '../../../src/server/connection.js';
import { KafkaProtocolListener } from '../../../src/server/listener.js';
import { ServerOptions, type ServerOptionsInput } from '../../../src/server/options.js';

/** A test route: key 1000 echoes its int32 body, doubled; version 1+ is flexible. */
const echo: ApiRoute = {
  apiKey: 1000,
  name: 'Echo',
  minVersion: 0,
  maxVersion: 1,
  flexibleFrom: 1,
  handle: (_v, body) => new Writer(8).int32(body.int32() * 2).toBuffer(),
};
/** Answers with `size` bytes: for the slow-reader test. */
const big: ApiRoute = {
  apiKey: 1001,
  name: 'Big',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 99,
  handle: (_v, body) => Buffer.alloc(body.int32()),
};

/**
 * Key 1002, body `id:int32 pipeline:int8`: notes that request `id` started, lets the next request
 * start if `pipeline` is 1, then waits for the test to open gate `id`; answers `id`.
 */
const started: number[] = [];
const gates = new Map<number, () => void>();
const gated = new Map<number, Promise<void>>();
function gate(id: number): void {
  gated.set(id, new Promise<void>((resolve) => gates.set(id, resolve)));
}
const waiter: ApiRoute = {
  apiKey: 1002,
  name: 'Gate',
  minVersion: 0,
  maxVersion: 0,
  flexibleFrom: 99,
  handle: async (_v, body, ctx) => {
    const id = body.int32();
    started.push(id);
    if (body.int8() === 1) ctx.pipeline();
    await gated.get(id);
    return new Writer(4).int32(id).toBuffer();
  },
};

const warnings: string[] = [];
const log: ServerLogger = {
  info: () => undefined,
  warn: (_f, m) => void warnings.push(m),
};
const listeners: KafkaProtocolListener[] = [];
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(listeners.splice(0).map((l) => l.close(100)));
  warnings.length = 0;
  started.length = 0;
  for (const open of gates.values()) open();
  gates.clear();
  gated.clear();
});

async function start(options: ServerOptionsInput = {}) {
  const l = new KafkaProtocolListener(
    ServerOptions.parse({ port: 0, ...options }),
    [echo, big, waiter],
    log,
  );
  listeners.push(l);
  const { port } = await l.listen();
  return { l, port };
}

/** A raw client: sends frames, collects response frames, knows when it was closed. */
async function client(port: number) {
  const s = net.connect({ host: '127.0.0.1', port });
  sockets.push(s);
  await new Promise<void>((r) => s.once('connect', () => r()));
  let buf = Buffer.alloc(0);
  const frames: Buffer[] = [];
  let closed = false;
  s.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
  });
  s.on('close', () => {
    closed = true;
  });
  s.on('error', () => undefined);
  return {
    s,
    frames,
    closed: () => closed,
    send(apiKey: number, version: number, correlationId: number, body: Buffer, flexible = false) {
      const w = new Writer(64)
        .int32(0)
        .int16(apiKey)
        .int16(version)
        .int32(correlationId)
        .string('test');
      if (flexible) w.uvarint(0);
      w.raw(body);
      const frame = w.toBuffer();
      frame.writeInt32BE(frame.length - 4, 0);
      s.write(frame);
    },
  };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const int32 = (n: number) => new Writer(4).int32(n).toBuffer();

describe('sharq server listener', () => {
  it('answers pipelined requests in order, with response header v1 on flexible versions', async () => {
    const { port } = await start();
    const c = await client(port);
    c.send(1000, 0, 7, int32(21));
    c.send(1000, 1, 8, int32(5), true);
    await until(() => c.frames.length === 2);
    const r0 = new Reader(c.frames[0]!);
    expect([r0.int32(), r0.int32()]).toEqual([7, 42]);
    const r1 = new Reader(c.frames[1]!);
    expect(r1.int32()).toBe(8);
    expect(r1.tags().size).toBe(0);
    expect(r1.int32()).toBe(10);
  });

  it('starts the next request early when a route pipelines, and still answers in order', async () => {
    const { port } = await start();
    const c = await client(port);
    const gateBody = (id: number, pipeline: boolean) =>
      new Writer(5)
        .int32(id)
        .int8(pipeline ? 1 : 0)
        .toBuffer();
    gate(1);
    gate(2);
    gate(3);
    c.send(1002, 0, 1, gateBody(1, true));
    c.send(1002, 0, 2, gateBody(2, false));
    c.send(1002, 0, 3, gateBody(3, false));
    // 1 let 2 start; 2 does not pipeline, so 3 waits for 2's answer.
    await until(() => started.length === 2);
    expect(started).toEqual([1, 2]);
    gates.get(2)!();
    // 2 is done but must not be answered before 1, and 3 may not start before 2 is answered.
    await new Promise((r) => setImmediate(r));
    expect(c.frames).toHaveLength(0);
    expect(started).toEqual([1, 2]);
    gates.get(1)!();
    await until(() => started.length === 3);
    gates.get(3)!();
    await until(() => c.frames.length === 3);
    expect(c.frames.map((f) => new Reader(f).int32())).toEqual([1, 2, 3]);
    expect(c.frames.map((f) => new Reader(f, 4).int32())).toEqual([1, 2, 3]);
  });

  it.each([
    [
      'garbage',
      (c: Awaited<ReturnType<typeof client>>) => c.s.write(Buffer.from('GET / HTTP/1.1\r\n\r\n')),
    ],
    ['an unknown API key', (c: Awaited<ReturnType<typeof client>>) => c.send(4242, 0, 1, int32(1))],
    [
      'an unsupported version',
      (c: Awaited<ReturnType<typeof client>>) => c.send(1000, 9, 1, int32(1)),
    ],
    [
      'a truncated body',
      (c: Awaited<ReturnType<typeof client>>) => c.send(1000, 0, 1, Buffer.alloc(2)),
    ],
    [
      'an oversized frame',
      (c: Awaited<ReturnType<typeof client>>) => c.s.write(int32(2 * 1024 * 1024)),
    ],
  ])(
    'closes a connection that sends %s, with a log line, while another client keeps working',
    async (_what, misbehave) => {
      const { port } = await start({ maxRequestBytes: 1024 * 1024 });
      const good = await client(port);
      const bad = await client(port);
      misbehave(bad);
      await until(() => bad.closed());
      expect(warnings.length).toBeGreaterThan(0);
      good.send(1000, 0, 3, int32(1));
      await until(() => good.frames.length === 1);
      expect(good.closed()).toBe(false);
    },
  );

  it('closes a slow reader that leaves too much unread', async () => {
    const { port } = await start({ maxPendingResponseBytes: 64 * 1024 });
    const c = await client(port);
    c.s.pause();
    for (let i = 0; i < 16; i++) c.send(1001, 0, i, int32(1024 * 1024));
    await until(() => warnings.some((w) => w.includes('slow reader')));
  });

  it('refuses connections past maxConnections and closes idle ones', async () => {
    const { l, port } = await start({ maxConnections: 2, idleTimeoutMs: 1000 });
    const a = await client(port);
    const b = await client(port);
    await until(() => l.connectionCount === 2);
    const c = await client(port);
    await until(() => c.closed());
    expect(a.closed() || b.closed()).toBe(false);
    await until(() => a.closed() && b.closed(), 4000);
    expect(warnings.filter((w) => w.includes('idle'))).toHaveLength(2);
  });

  it('reports a taken port with a code, and refuses a non-loopback host unless allowed', async () => {
    const { port } = await start();
    const second = new KafkaProtocolListener(ServerOptions.parse({ port }), [echo], log);
    await expect(second.listen()).rejects.toMatchObject({ code: 'SHARQ_ERR_ADDRESS_IN_USE' });
    expect(
      () => new KafkaProtocolListener(ServerOptions.parse({ host: '0.0.0.0' }), [echo], log),
    ).toThrow(expect.objectContaining({ code: 'SHARQ_ERR_INVALID_OPTION' }));
  });
});
