import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { Queue } from '../../../../src/queue/queue.js';
import { startAdminServer } from '../../../../src/server/admin/http-server.js';
import { type AdminApiPluginOptions, adminApi } from '../../../../src/server/admin/plugin.js';
import { Worker } from '../../../../workers/worker.js';
import { embedded, queueName, queueWithDlq } from '../../admin/fixtures.js';

const ADMIN = 'admin-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

let engine: EmbeddedEngine;
let close: () => Promise<void>;
let app: FastifyInstance;
let lines: { fields: Record<string, unknown>; msg: string }[];

async function build(extra: Partial<AdminApiPluginOptions> = {}): Promise<FastifyInstance> {
  const a = Fastify();
  const logger = {
    info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }),
    warn: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }),
  };
  await a.register(adminApi, {
    engine,
    adminTokens: [ADMIN],
    readTokens: [READ],
    logger,
    ...extra,
  });
  await a.ready();
  return a;
}

beforeEach(async () => {
  ({ engine, close } = await embedded());
  lines = [];
  app = await build();
});
afterEach(async () => {
  await app.close();
  await close();
});

describe('admin API through inject()', () => {
  it('answers every route on its normal path', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, { reason: 'unrecoverable' }, {}]);
    const get = (url: string, token = READ) =>
      app.inject({ method: 'GET', url, headers: auth(token) });
    const post = (url: string, payload: unknown = {}) =>
      app.inject({ method: 'POST', url, headers: auth(ADMIN), payload: payload as object });

    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ url: '/ready' })).json()).toEqual({
      ready: true,
      engine: 'embedded',
    });
    const list = await get('/api/queues');
    expect(list.statusCode).toBe(200);
    expect(list.json().queues.map((q: { name: string }) => q.name)).toContain(name);
    const detail = await get(`/api/queues/${name}`);
    expect(detail.json()).toMatchObject({
      name,
      counts: { deadLettered: 3 },
      pause: { paused: false },
    });

    const enq = await post(`/api/queues/${name}/jobs`, { name: 'hello', data: { a: 1 } });
    expect(enq.statusCode).toBe(200);
    expect(enq.json()).toMatchObject({ name: 'hello', queue: name, offset: 0 });

    expect((await post(`/api/queues/${name}/pause`, { reason: 'maint' })).json()).toMatchObject({
      paused: true,
      reason: 'maint',
    });
    expect((await get(`/api/queues/${name}/pause`)).json()).toMatchObject({ paused: true });
    expect((await post(`/api/queues/${name}/resume`)).json()).toMatchObject({ paused: false });

    const reset = await post(`/api/queues/${name}/offsets/reset`, { to: 'latest', dryRun: true });
    expect(reset.json()).toMatchObject({ dryRun: true, partitions: [{ partition: 0, after: 1 }] });

    const page = await get(`/api/queues/${name}/dlq?limit=2&reason=attempts-exhausted`);
    expect(page.statusCode).toBe(200);
    expect(page.json().records.map((r: { id: string }) => r.id)).toEqual(['0:2', '0:0']);
    const one = await get(`/api/queues/${name}/dlq/0:1`);
    expect(one.json()).toMatchObject({ id: '0:1', reason: 'unrecoverable', payload: { n: 1 } });

    const dry = await post(`/api/queues/${name}/dlq/redrive`, {
      selection: { filter: {} },
      dryRun: true,
    });
    expect(dry.json()).toMatchObject({ dryRun: true, redriven: 3 });
    const red = await post(`/api/queues/${name}/dlq/redrive`, {
      selection: { ids: [{ partition: 0, offset: 0 }] },
    });
    expect(red.json()).toMatchObject({ redriven: 1 });
    const dis = await post(`/api/queues/${name}/dlq/discard`, {
      selection: { ids: [{ partition: 0, offset: 1 }] },
    });
    expect(dis.json()).toMatchObject({ discarded: 1 });
    expect(
      (await get(`/api/queues/${name}/dlq`)).json().records.map((r: { id: string }) => r.id),
    ).toEqual(['0:2']);

    const metrics = await get('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain(`sharq_queue_dead_letter_pending{queue="${name}"} 1`);
    expect(metrics.body).toMatch(new RegExp(`sharq_queue_lag\\{queue="${name}"\\} 2`));

    const spec = (await app.inject({ url: '/openapi.json' })).json();
    expect(spec.openapi).toBe('3.1.0');
    for (const p of [
      '/api/queues',
      '/api/queues/{queue}',
      '/api/queues/{queue}/dlq',
      '/api/queues/{queue}/dlq/{id}',
      '/api/queues/{queue}/dlq/redrive',
      '/api/queues/{queue}/dlq/discard',
      '/api/queues/{queue}/pause',
      '/api/queues/{queue}/resume',
      '/api/queues/{queue}/offsets/reset',
      '/api/queues/{queue}/jobs',
    ])
      expect(Object.keys(spec.paths)).toContain(p);
    expect(
      spec.paths['/api/queues/{queue}/dlq'].get.parameters.map((x: { name: string }) => x.name),
    ).toContain('errorCode');
    const ui = await app.inject({ url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });

  it("names the caller's role at /api/session, and summarizes totals and rates per queue", async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}, {}]);
    const session = (token?: string) =>
      app.inject({ url: '/api/session', ...(token === undefined ? {} : { headers: auth(token) }) });
    expect((await session(ADMIN)).json()).toEqual({
      role: 'admin',
      authRequired: true,
      engine: 'embedded',
    });
    expect((await session(READ)).json()).toMatchObject({ role: 'read' });
    expect((await session()).statusCode).toBe(401);
    const open = await build({ adminTokens: [], readTokens: [], allowUnauthenticated: true });
    try {
      expect((await open.inject({ url: '/api/session' })).json()).toMatchObject({
        role: 'admin',
        authRequired: false,
      });
    } finally {
      await open.close();
    }
    const summary = async () =>
      (await app.inject({ url: '/api/queues', headers: auth(READ) }))
        .json()
        .queues.find((x: { name: string }) => x.name === name);
    const before = await summary();
    // The fixture wrote two DLQ records and left the queue topic empty.
    expect(before.totals).toEqual({ enqueued: 0, completed: 0, deadLettered: 2 });
    expect(before.oldestPendingAgeMs).toBeNull();
    await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/jobs`,
      headers: auth(ADMIN),
      payload: { name: 'one' },
    });
    const after = await summary();
    expect(after.totals).toMatchObject({ enqueued: 1, completed: 0 });
    expect(after.oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    expect(after.throughput).toHaveProperty('completedPerSec');
  });

  it('is idempotent on redrive through the API', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}]);
    const body = { selection: { ids: [{ partition: 0, offset: 0 }] } };
    const first = await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/dlq/redrive`,
      headers: auth(ADMIN),
      payload: body,
    });
    const second = await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/dlq/redrive`,
      headers: auth(ADMIN),
      payload: body,
    });
    expect(first.json()).toMatchObject({ redriven: 1, skipped: 0 });
    expect(second.json()).toMatchObject({ redriven: 0, skipped: 1 });
    const [o] = await engine.admin.offsets(name);
    expect(o!.logEndOffset).toBe(1);
  });

  it('401 without or with an unknown token, 403 for a read token on a mutation', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}]);
    const none = await app.inject({ url: '/api/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('SHARQ_ERR_UNAUTHORIZED');
    const wrong = await app.inject({
      url: '/api/queues',
      headers: auth('not-a-real-token-at-all'),
    });
    expect(wrong.statusCode).toBe(401);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/queues', headers: { authorization: 'Basic abc' } }))
        .statusCode,
    ).toBe(401);
    for (const url of [
      `/api/queues/${name}/pause`,
      `/api/queues/${name}/resume`,
      `/api/queues/${name}/dlq/redrive`,
      `/api/queues/${name}/dlq/discard`,
      `/api/queues/${name}/offsets/reset`,
      `/api/queues/${name}/jobs`,
    ]) {
      const r = await app.inject({ method: 'POST', url, headers: auth(READ), payload: {} });
      expect(r.statusCode, url).toBe(403);
      expect(r.json().error.code).toBe('SHARQ_ERR_FORBIDDEN');
      const anon = await app.inject({ method: 'POST', url, payload: {} });
      expect(anon.statusCode, url).toBe(401);
    }
    expect((await app.inject({ url: '/api/queues', headers: auth(READ) })).statusCode).toBe(200);
    // Nothing was paused by the refused calls.
    const [o] = await engine.admin.offsets(name);
    expect(o!.logEndOffset).toBe(0);
    // Every mutation attempt is audited, without the token.
    const audits = lines.filter((l) => l.fields.audit === true);
    expect(audits).toHaveLength(12);
    expect(audits.every((l) => l.fields.status === 401 || l.fields.status === 403)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain(READ);
    expect(JSON.stringify(lines)).not.toContain(ADMIN);
  });

  it('400 with a code and the offending field for malformed input', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{}]);
    const cases: [string, string, unknown, string][] = [
      ['GET', `/api/queues/${name}/dlq?limit=0`, undefined, 'limit'],
      ['GET', `/api/queues/${name}/dlq?limit=abc`, undefined, 'limit'],
      ['GET', `/api/queues/${name}/dlq?order=sideways`, undefined, 'order'],
      ['GET', `/api/queues/${name}/dlq?bogus=1`, undefined, 'query'],
      ['GET', `/api/queues/${name}/dlq?limit=1&limit=2`, undefined, 'limit'],
      ['GET', `/api/queues/${name}/dlq?from=5&to=1`, undefined, 'to'],
      ['POST', `/api/queues/${name}/pause`, null, 'body'],
      [
        'POST',
        `/api/queues/${name}/jobs`,
        { name: 'x', opts: { headers: { 'sharq.id': 'evil' } } },
        'opts.headers.sharq.id',
      ],
      ['GET', `/api/queues/${name}/dlq?cursor=zzz`, undefined, 'cursor'],
      ['GET', `/api/queues/${name}/dlq/abc`, undefined, 'id'],
      ['GET', '/api/queues/..bad', undefined, 'queue'],
      ['POST', `/api/queues/${name}/dlq/redrive`, { selection: { ids: [] } }, 'selection.ids'],
      [
        'POST',
        `/api/queues/${name}/dlq/redrive`,
        { selection: { filter: {} }, ratePerSec: -1 },
        'ratePerSec',
      ],
      ['POST', `/api/queues/${name}/dlq/redrive`, { selection: { filter: {} }, extra: 1 }, 'body'],
      ['POST', `/api/queues/${name}/offsets/reset`, { to: 'middle' }, 'to'],
      ['POST', `/api/queues/${name}/pause`, { reason: 'x'.repeat(501) }, 'reason'],
      ['POST', `/api/queues/${name}/jobs`, { data: {} }, 'name'],
      ['POST', `/api/queues/dlq.${name}/jobs`, { name: 'x' }, 'queue'],
    ];
    for (const [method, url, payload, field] of cases) {
      const r = await app.inject({
        method: method as 'GET',
        url,
        // A JSON null is sent as such, not as no body.
        headers:
          payload === null ? { ...auth(ADMIN), 'content-type': 'application/json' } : auth(ADMIN),
        ...(payload === undefined
          ? {}
          : { payload: payload === null ? 'null' : (payload as object) }),
      });
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error.code, url).toBe('SHARQ_ERR_INVALID_ARGUMENT');
      expect(r.json().error.field, `${url} ${JSON.stringify(payload)}`).toBe(field);
    }
    const badJson = await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/pause`,
      headers: { ...auth(ADMIN), 'content-type': 'application/json' },
      payload: '{"reason":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error).toMatchObject({
      code: 'SHARQ_ERR_INVALID_ARGUMENT',
      field: 'body',
    });
    const notFound = await app.inject({ url: '/api/queues/nope', headers: auth(READ) });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().error.code).toBe('SHARQ_ERR_NOT_FOUND');
    const twice = await app.inject({
      url: `/api/queues/${name}/dlq?limit=1&limit=2`,
      headers: auth(READ),
    });
    expect(twice.json().error.message).toBe('Invalid query: limit: given 2 times; give it once');
    const dlqAsQueue = await app.inject({ url: `/api/queues/dlq.${name}`, headers: auth(READ) });
    expect(dlqAsQueue.statusCode).toBe(404);
    expect(dlqAsQueue.json().error.message).toBe(
      `No queue "dlq.${name}": that is the dead-letter topic of queue "${name}"`,
    );
    expect(
      (await app.inject({ url: `/api/queues/${name}/dlq/0:99`, headers: auth(READ) })).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: '/nowhere', headers: auth(READ) })).json().error.code).toBe(
      'SHARQ_ERR_NOT_FOUND',
    );
  });

  it('409 for a reset with active members and a redrive past the ceiling; 413 for a large body', async () => {
    const name = queueName();
    await queueWithDlq(engine, name, [{ headers: { 'sharq.redrive.count': '5' } }]);
    const w = new Worker(name, async () => undefined, { engine, pollMaxWaitMs: 50 });
    try {
      await w.waitUntilReady();
      const r = await app.inject({
        method: 'POST',
        url: `/api/queues/${name}/offsets/reset`,
        headers: auth(ADMIN),
        payload: { to: 'earliest' },
      });
      expect(r.statusCode).toBe(409);
      expect(r.json().error.code).toBe('SHARQ_ERR_GROUP_ACTIVE');
    } finally {
      await w.close();
    }
    const lim = await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/dlq/redrive`,
      headers: auth(ADMIN),
      payload: { selection: { ids: [{ partition: 0, offset: 0 }] } },
    });
    expect(lim.statusCode).toBe(409);
    expect(lim.json().error.code).toBe('SHARQ_ERR_REDRIVE_LIMIT');
    const big = await app.inject({
      method: 'POST',
      url: `/api/queues/${name}/jobs`,
      headers: auth(ADMIN),
      payload: { name: 'x', data: 'y'.repeat(2 * 1024 * 1024) },
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('SHARQ_ERR_PAYLOAD_TOO_LARGE');
  });

  it('sends secure headers, no CORS by default, CORS for configured origins', async () => {
    const r = await app.inject({
      url: '/api/queues',
      headers: { ...auth(READ), origin: 'https://evil.example' },
    });
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toBeDefined();
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
    const withCors = await build({ corsOrigins: ['https://dash.example'] });
    try {
      const ok = await withCors.inject({
        url: '/api/queues',
        headers: { ...auth(READ), origin: 'https://dash.example' },
      });
      expect(ok.headers['access-control-allow-origin']).toBe('https://dash.example');
      const other = await withCors.inject({
        url: '/api/queues',
        headers: { ...auth(READ), origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const pre = await withCors.inject({
        method: 'OPTIONS',
        url: '/api/queues',
        headers: { origin: 'https://dash.example' },
      });
      expect(pre.statusCode).toBe(204);
    } finally {
      await withCors.close();
    }
  });

  it('rate-limits the API with 429 and a code', async () => {
    const limited = await build({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.inject({ url: '/api/queues', headers: auth(READ) })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const r = await limited.inject({ url: '/api/queues', headers: auth(READ) });
      expect(r.json().error.code).toBe('SHARQ_ERR_TOO_MANY_REQUESTS');
      expect(r.headers['retry-after']).toBeDefined();
      // Probes are not limited.
      expect((await limited.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('refuses to mount without tokens unless told, and to listen beyond loopback without them', async () => {
    await expect(build({ adminTokens: [], readTokens: [] })).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
    });
    await expect(build({ adminTokens: ['short'] })).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
    });
    await expect(startAdminServer({ engine, host: '0.0.0.0', port: 0 })).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
    });
  });
});

describe('admin API over a real port', () => {
  it('serves the routes over HTTP, with auth', async () => {
    const name = queueName();
    const q = new Queue(name, { engine });
    await q.add('a', {});
    await q.close();
    await queueWithDlq(engine, name, [{}]);
    const server = await startAdminServer({
      engine,
      port: 0,
      adminTokens: [ADMIN],
      readTokens: [READ],
      logger: { info: () => undefined, warn: () => undefined },
    });
    try {
      const res = await fetch(`${server.url}/api/queues/${name}`, { headers: auth(READ) });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { counts: { lag: number } };
      expect(body.counts.lag, JSON.stringify(body)).toBe(1);
      expect((await fetch(`${server.url}/api/queues`)).status).toBe(401);
      const red = await fetch(`${server.url}/api/queues/${name}/dlq/redrive`, {
        method: 'POST',
        headers: { ...auth(ADMIN), 'content-type': 'application/json' },
        body: JSON.stringify({ selection: { filter: {} } }),
      });
      expect(((await red.json()) as { redriven: number }).redriven).toBe(1);
      const again = await fetch(`${server.url}/api/queues/${name}/dlq/redrive`, {
        method: 'POST',
        headers: { ...auth(ADMIN), 'content-type': 'application/json' },
        body: JSON.stringify({ selection: { filter: {} } }),
      });
      expect(((await again.json()) as { skipped: number }).skipped).toBe(1);
      const ro = await fetch(`${server.url}/api/queues/${name}/pause`, {
        method: 'POST',
        headers: { ...auth(READ), 'content-type': 'application/json' },
        body: '{}',
      });
      expect(ro.status).toBe(403);
      // A name longer than the router's default parameter limit still gets sharq's answer.
      const long = await fetch(`${server.url}/api/queues/${'a'.repeat(300)}/jobs`, {
        method: 'POST',
        headers: { ...auth(ADMIN), 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      });
      expect(long.status).toBe(400);
      expect(((await long.json()) as { error: { code: string } }).error.code).toBe(
        'SHARQ_ERR_INVALID_ARGUMENT',
      );
    } finally {
      await server.close();
    }
  });
});
