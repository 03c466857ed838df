import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard's static files, served by the admin API under `<prefix>/dashboard/`. They are
 * built by `npm run build` into dist/dashboard/ and shipped in the package; they are found next
 * to this module once built (dist/src/server/admin → dist/dashboard), or in dist/ when this
 * module runs from source (tests), so `node_modules/sharq` serves them without a CDN or a
 * network fetch. The page talks only to the admin API next to it.
 *
 * Files are read once at start. index.html names each asset with `?v=<hash>`: those answers are
 * cached for a year (`immutable`); index.html itself is revalidated every time (`no-cache` and
 * an ETag), so a new version shows on the next load. The page's CSP allows 'self' only.
 */
const here = fileURLToPath(new URL('.', import.meta.url));
const CANDIDATES = [join(here, '../../../dashboard'), join(here, '../../../dist/dashboard')];

export function findDashboardDir(): string | null {
  return CANDIDATES.find((d) => existsSync(join(d, 'app.js'))) ?? null;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  hash: string;
}

export const DASHBOARD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

function load(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    assets.set(name, { body, type, etag: `"${hash}"`, hash });
  }
  const index = assets.get('index.html');
  if (index !== undefined) {
    // Point the page at versioned asset URLs, so they may be cached for good.
    const html = index.body
      .toString('utf8')
      .replace(/(src|href)="([\w.-]+\.(?:js|css|svg))"/g, (m, attr: string, file: string) => {
        const a = assets.get(file);
        return a === undefined ? m : `${attr}="${file}?v=${a.hash}"`;
      });
    const body = Buffer.from(html);
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    assets.set('index.html', { ...index, body, etag: `"${hash}"`, hash });
  }
  return assets;
}

export interface DashboardOptions {
  /** A directory of built files; default: the package's own dist/dashboard. */
  dir?: string;
}

/** Registers GET /dashboard, /dashboard/ and /dashboard/<file> on `app` (inside adminApi). */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): void {
  const dir = options.dir ?? findDashboardDir();
  const assets = dir === null ? new Map<string, Asset>() : load(dir);
  const base = `${app.prefix}/dashboard/`;
  const helmet = { contentSecurityPolicy: DASHBOARD_CSP };
  const send = (req: FastifyRequest, reply: FastifyReply, name: string) => {
    const a = assets.get(name);
    if (a === undefined) {
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(
          dir === null
            ? 'The dashboard is not built: run `npm run build` (it writes dist/dashboard).'
            : `No file ${name}`,
        );
    }
    const v = (req.query as { v?: unknown } | undefined)?.v;
    void reply
      .header(
        'cache-control',
        name !== 'index.html' && v === a.hash ? 'public, max-age=31536000, immutable' : 'no-cache',
      )
      .header('etag', a.etag)
      .type(a.type);
    if (req.headers['if-none-match'] === a.etag) return reply.code(304).send();
    return reply.send(a.body);
  };
  const opts = { schema: { hide: true }, helmet, config: { rateLimit: false } } as const;
  app.get('/dashboard', opts, async (_req, reply) => reply.redirect(base, 301));
  app.get('/dashboard/', opts, async (req, reply) => send(req, reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/dashboard/:file', opts, async (req, reply) =>
    send(req, reply, req.params.file),
  );
}
