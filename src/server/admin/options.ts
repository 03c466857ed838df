import { z } from 'zod';
import { AdminOptions } from '../../admin/options.js';

const tokenList = z
  .array(z.string().min(16, 'a token is at least 16 characters').max(512))
  .max(100)
  .default([]);

/** The admin API plugin (`adminApi`), mounted by `sharq server --http-port` or in a Fastify app. */
export const AdminApiOptions = AdminOptions.extend({
  adminTokens: tokenList.describe(
    'Bearer tokens that may call every route (mutations included). Also SHARQ_ADMIN_TOKEN (comma-separated) on the CLI. At least 16 characters each.',
  ),
  readTokens: tokenList.describe(
    'Bearer tokens that may call read routes only (a mutation answers 403). Also SHARQ_READ_TOKEN on the CLI.',
  ),
  allowUnauthenticated: z
    .boolean()
    .default(false)
    .describe(
      'Serve without tokens (every caller is admin). Refused unless set; `sharq server` sets it when no token is given, and then listens on loopback only.',
    ),
  bodyLimitBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest request body; a larger one answers 413. Default: 1 MiB.'),
  rateLimit: z
    .object({
      max: z
        .number()
        .int()
        .min(1)
        .max(1_000_000)
        .default(600)
        .describe('Requests per window per client address. Default: 600.'),
      windowMs: z
        .number()
        .int()
        .min(1000)
        .max(3_600_000)
        .default(60_000)
        .describe('Default: 60000 (a minute).'),
    })
    .strict()
    .or(z.literal(false))
    .default({ max: 600, windowMs: 60_000 })
    .describe(
      "The API's own rate limit per client address (429 past it), or false. Default: 600 a minute.",
    ),
  corsOrigins: z
    .array(z.string().min(1))
    .max(100)
    .default([])
    .describe(
      'Origins allowed to call the API from a browser (CORS). Default: none, no CORS headers.',
    ),
  dashboard: z
    .boolean()
    .default(true)
    .describe(
      'Serve the dashboard (static files from the package) at /dashboard/, and redirect / to it. Default: true.',
    ),
  docs: z
    .boolean()
    .default(true)
    .describe('Serve the OpenAPI document (/openapi.json) and its UI (/docs). Default: true.'),
}).strict();
export type AdminApiOptionsInput = z.input<typeof AdminApiOptions>;
export type AdminApiConfig = z.output<typeof AdminApiOptions>;
