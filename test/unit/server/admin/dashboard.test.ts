import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmbeddedEngine } from '../../../../src/embedded/embedded-engine.js';
import { registerDashboard } from '../../../../src/server/admin/dashboard.js';
import { adminApi } from '../../../../src/server/admin/plugin.js';
import { embedded } from '../../admin/fixtures.js';

let dir: string;
let engine: EmbeddedEngine;
let close: () => Promise<void>;
let app: FastifyInstance;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sharq-dash-'));
  await writeFile(
    path.join(dir, 'index.html'),
    '<link rel="stylesheet" href="app.css" /><script type="module" src="app.js"></script>',
  );
  await writeFile(path.join(dir, 'app.js'), 'console.log(1);');
  await writeFile(path.join(dir, 'app.css'), 'body{}');
  ({ engine, close } = await embedded());
});
afterEach(async () => {
  await app?.close();
  await close();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard files', () => {
  it('serves index.html with versioned asset URLs, a self-only CSP and revalidation', async () => {
    app = Fastify();
    await app.register(async (a) => registerDashboard(a, { dir }), { prefix: '/sharq' });
    const page = await app.inject({ url: '/sharq/dashboard/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['cache-control']).toBe('no-cache');
    const js = /src="app\.js\?v=([0-9a-f]{12})"/.exec(page.body)?.[1];
    expect(js).toBeDefined();
    expect(page.body).toMatch(/href="app\.css\?v=[0-9a-f]{12}"/);

    const asset = await app.inject({ url: `/sharq/dashboard/app.js?v=${js}` });
    expect(asset.body).toBe('console.log(1);');
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    // Not the current version: revalidated, and a matching ETag answers 304.
    const stale = await app.inject({ url: '/sharq/dashboard/app.js?v=0' });
    expect(stale.headers['cache-control']).toBe('no-cache');
    const again = await app.inject({
      url: '/sharq/dashboard/app.js',
      headers: { 'if-none-match': String(stale.headers.etag) },
    });
    expect(again.statusCode).toBe(304);

    expect((await app.inject({ url: '/sharq/dashboard' })).headers.location).toBe(
      '/sharq/dashboard/',
    );
    expect((await app.inject({ url: '/sharq/dashboard/nope.js' })).statusCode).toBe(404);
  });

  it("is served by adminApi with the page's own CSP; / redirects to it", async () => {
    app = Fastify();
    await app.register(adminApi, { engine, allowUnauthenticated: true });
    const root = await app.inject({ url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/dashboard/');
    const page = await app.inject({ url: '/dashboard/' });
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self';");
    expect(csp).not.toMatch(/https:|unsafe-inline|data:/);
    // The API's own answers keep the API's headers.
    expect((await app.inject({ url: '/api/session' })).json()).toMatchObject({ role: 'admin' });

    const off = Fastify();
    await off.register(adminApi, { engine, allowUnauthenticated: true, dashboard: false });
    expect((await off.inject({ url: '/dashboard/' })).statusCode).toBe(404);
    await off.close();
  });
});
