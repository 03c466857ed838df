import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { SharqAdmin } from '../../admin/admin.js';
import * as S from '../../admin/api-schemas.js';
import type { Engine } from '../../engine/types.js';
import { SharqError } from '../../errors/sharq-error.js';
import { parseOptions } from '../../options/parse.js';
import type { ServerLogger } from '../connection.js';
import { type Role, TokenCheck } from './auth.js';
import { registerDashboard } from './dashboard.js';
import { registerEngineMetrics } from './engine-metrics.js';
import { invalidInput, toHttpError } from './errors.js';
import { AdminApiOptions, type AdminApiOptionsInput } from './options.js';
import { ROUTES, type RouteDef } from './routes.js';

export interface AdminApiPluginOptions extends AdminApiOptionsInput {
  /** Admin operations to serve, or an engine to build them on (the caller starts and closes it). */
  admin?: SharqAdmin;
  engine?: Engine;
  /** Where /metrics reads from; pass the registry your workers' metrics are in (workers/metrics.ts). */
  registry?: Registry;
  /** Audit lines (one per mutation) and warnings. Default: JSON lines on stderr. */
  logger?: ServerLogger;
}

const stderrLog: ServerLogger = {
  info: (f, msg) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...f })}\n`),
  warn: (f, msg) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...f })}\n`),
};

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

interface RequestState {
  role: Role | null;
  queue?: string;
  summary?: Record<string, unknown>;
}

/**
 * The admin API as a Fastify plugin, encapsulated: its security headers, rate limit, error
 * handler and validation apply to its own routes only, so it mounts in an existing app:
 *
 *   app.register(adminApi, { prefix: '/sharq', engine, adminTokens: [process.env.TOKEN] });
 *
 * Input is validated by the zod schemas of api-schemas.ts (Fastify's own validator is off, so
 * there is one source), and the OpenAPI document is derived from the same schemas.
 */
export async function adminApi(
  app: FastifyInstance,
  options: AdminApiPluginOptions,
): Promise<void> {
  const { admin: given, engine, registry: givenRegistry, logger, ...rest } = options;
  const config = parseOptions('adminApi', AdminApiOptions, stripFastifyKeys(rest));
  const admin =
    given ??
    (engine === undefined
      ? undefined
      : new SharqAdmin({
          engine,
          maxRedrives: config.maxRedrives,
          redriveRatePerSec: config.redriveRatePerSec,
          redriveClaimTimeoutMs: config.redriveClaimTimeoutMs,
          previewBytes: config.previewBytes,
          scanLimit: config.scanLimit,
          retryingScanLimit: config.retryingScanLimit,
        }));
  if (admin === undefined)
    throw new SharqError('SHARQ_ERR_INVALID_OPTION', 'adminApi needs `admin` or `engine`', {
      details: { option: 'engine' },
    });
  const tokens = new TokenCheck(config.adminTokens, config.readTokens);
  if (!tokens.enabled && !config.allowUnauthenticated) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      'adminApi needs adminTokens (and readTokens) or allowUnauthenticated: true',
      { details: { option: 'adminTokens' } },
    );
  }
  const log = logger ?? stderrLog;
  const registry = givenRegistry ?? new Registry();
  registerEngineMetrics(admin, registry);
  const state = new WeakMap<FastifyRequest, RequestState>();

  // zod is the validator; the JSON Schemas on routes only describe them for OpenAPI.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = toHttpError(err);
    if (status >= 500)
      log.warn({ err: describe(err), url: req.url, reqId: req.id }, 'admin API error');
    void reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({
      error: {
        code: 'SHARQ_ERR_NOT_FOUND',
        message: `No route ${req.method} ${req.url.split('?')[0]}`,
      },
    });
  });

  await app.register(helmet, { global: true });
  if (config.rateLimit !== false) {
    await app.register(rateLimit, {
      global: true,
      max: config.rateLimit.max,
      timeWindow: config.rateLimit.windowMs,
      errorResponseBuilder: (_req, ctx) =>
        new SharqError(
          'SHARQ_ERR_TOO_MANY_REQUESTS',
          `Rate limit: ${ctx.max} requests per ${ctx.after}`,
        ),
    });
  }
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    app.addHook('onRequest', async (req, reply) => {
      const origin = req.headers.origin;
      if (origin === undefined || !allowed.has(origin)) return;
      void reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      if (req.method === 'OPTIONS') {
        void reply
          .header('access-control-allow-methods', 'GET, POST')
          .header('access-control-allow-headers', 'authorization, content-type')
          .header('access-control-max-age', '600')
          .code(204)
          .send();
      }
    });
    app.options('/*', async (_req, reply) => reply.code(204).send());
  }
  if (config.docs) {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: { title: 'sharq admin API', version: '1' },
        components: {
          securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        },
        security: [{ bearer: [] }],
      },
    });
  }

  const authorize = (need: Role | 'public') => async (req: FastifyRequest) => {
    if (need === 'public') return;
    let role: Role | null = 'admin';
    if (tokens.enabled) {
      role = tokens.role(req.headers.authorization);
      if (role === null) {
        throw new SharqError(
          'SHARQ_ERR_UNAUTHORIZED',
          req.headers.authorization === undefined ? 'A bearer token is needed' : 'Unknown token',
        );
      }
    }
    state.set(req, { role });
    if (need === 'admin' && role !== 'admin')
      throw new SharqError(
        'SHARQ_ERR_FORBIDDEN',
        'This route needs an admin token; a read token was given',
      );
  };

  // One audit line per mutation, allowed or not; never the token, only its fingerprint.
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'POST') return;
    const s = state.get(req);
    log.info(
      {
        audit: true,
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0],
        queue: (req.params as { queue?: string } | undefined)?.queue,
        status: reply.statusCode,
        role: s?.role ?? null,
        token: TokenCheck.fingerprint(req.headers.authorization),
        ip: req.ip,
        reqId: req.id,
        ...(s?.summary === undefined ? {} : { result: s.summary }),
      },
      'sharq admin mutation',
    );
  });

  app.get('/health', { config: { rateLimit: false }, schema: { hide: true } }, async () => ({
    status: 'ok',
  }));
  app.get(
    '/ready',
    { config: { rateLimit: false }, schema: { hide: true } },
    async (_req, reply) => {
      try {
        await admin.ready();
        return { ready: true, engine: admin.engine.kind };
      } catch (err) {
        return reply
          .code(503)
          .send({ ready: false, engine: admin.engine.kind, error: describe(err).message });
      }
    },
  );
  app.get(
    '/metrics',
    { onRequest: authorize('read'), schema: { hide: true } },
    async (_req, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
  if (config.docs) {
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  }

  if (config.dashboard) {
    registerDashboard(app);
    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.redirect(`${app.prefix}/dashboard/`, 302),
    );
  }

  for (const route of ROUTES)
    addRoute(
      app,
      route,
      admin,
      authorize(route.role),
      config.bodyLimitBytes,
      state,
      tokens.enabled,
    );
}

function addRoute(
  app: FastifyInstance,
  route: RouteDef,
  admin: SharqAdmin,
  onRequest: (req: FastifyRequest) => Promise<void>,
  bodyLimit: number,
  state: WeakMap<FastifyRequest, RequestState>,
  authRequired: boolean,
): void {
  const schema: Record<string, unknown> = {
    summary: route.summary,
    tags: route.tags,
    response: {
      200: jsonSchema(route.response, 'output'),
      '4XX': jsonSchema(S.ApiError, 'output'),
    },
  };
  if (route.params) schema.params = jsonSchema(route.params, 'input');
  if (route.query) schema.querystring = jsonSchema(route.query, 'input');
  if (route.body) schema.body = jsonSchema(route.body, 'input');
  app.route({
    method: route.method,
    url: route.url,
    bodyLimit,
    schema,
    onRequest,
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const parse = (where: 'params' | 'query' | 'body', s: z.ZodType | undefined, v: unknown) => {
        if (s === undefined) return v;
        // No body at all is an empty one; a JSON null is not an object and is refused.
        const r = s.safeParse(v === undefined && where === 'body' ? {} : v);
        if (!r.success) throw invalidInput(where, r.error);
        return r.data;
      };
      const params = parse('params', route.params, req.params) as Record<string, unknown>;
      const query = parse('query', route.query, singleQuery(req.query)) as Record<string, unknown>;
      const body = parse('body', route.body, req.body);
      const s = state.get(req);
      const abort = new AbortController();
      // The client went away before the answer: a long redrive stops where it is (idempotent).
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const result = await route.handler(admin, {
        params,
        query,
        body,
        by: `${s?.role ?? 'anonymous'}:${TokenCheck.fingerprint(req.headers.authorization) ?? 'none'}`,
        role: s?.role ?? 'admin',
        authRequired,
        signal: abort.signal,
      });
      if (s !== undefined && route.method === 'POST') s.summary = summarize(result);
      return result;
    },
  });
}

/** Counts of a mutation's answer for the audit line (no payloads). */
function summarize(result: unknown): Record<string, unknown> {
  if (typeof result !== 'object' || result === null) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

function describe(err: unknown): { message: string; code?: string } {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { message: err.message, code } : { message: err.message };
  }
  return { message: String(err) };
}

/** Fastify passes `prefix` and the like to a plugin's options: not ours to validate. */
function stripFastifyKeys(o: Record<string, unknown>): Record<string, unknown> {
  const { prefix: _p, logLevel: _l, logSerializers: _s, ...rest } = o;
  return rest;
}

/**
 * The query string, refused when a parameter comes more than once (`?limit=1&limit=2`): no
 * parameter takes a list, and a list would fail later with a message about NaN.
 */
function singleQuery(query: unknown): Record<string, unknown> {
  const q = (query ?? {}) as Record<string, unknown>;
  for (const [field, v] of Object.entries(q)) {
    if (Array.isArray(v)) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Invalid query: ${field}: given ${v.length} times; give it once`,
        { details: { field, location: 'query' } },
      );
    }
  }
  return q;
}
