import { z } from 'zod';
import { SharqError } from '../errors/sharq-error.js';
import { parseOptions } from '../options/parse.js';
import { DEFAULT_HTTP_PORT } from '../server/admin/http-server.js';

/** The admin API flags `sharq server` and `sharq admin` share. Tokens also come from the environment. */
export const HttpFlags = {
  'http-port': z
    .union(
      [
        // `sharq dev` says "off"; either word works for every command.
        z.enum(['none', 'off']).transform(() => 'none' as const),
        z.coerce.number().int().min(0).max(65_535),
      ],
      { error: 'a port (0–65535; 0 picks a free one), or "none" to turn the admin API off' },
    )
    .default(DEFAULT_HTTP_PORT)
    .describe(
      `Admin API port (0 picks a free one, "none" or "off" turns it off). Default: ${DEFAULT_HTTP_PORT}.`,
    ),
  'http-host': z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Admin API address. Another than loopback needs tokens. Default: 127.0.0.1.'),
  'admin-token': z
    .string()
    .optional()
    .describe(
      'Admin bearer token(s), comma-separated; better from SHARQ_ADMIN_TOKEN (flags show in `ps`).',
    ),
  'read-token': z.string().optional().describe('Read-only bearer token(s); or SHARQ_READ_TOKEN.'),
} as const;

export const HTTP_PARSE_OPTIONS = {
  'http-port': { type: 'string' },
  'http-host': { type: 'string' },
  'admin-token': { type: 'string' },
  'read-token': { type: 'string' },
} as const;

export function tokensFrom(flag: string | undefined, env: string | undefined): string[] {
  return (flag ?? env ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

const HttpFlagsSchema = z.object(HttpFlags).strict();
export type HttpFlagValues = z.output<typeof HttpFlagsSchema>;

/** Help lines of the admin API flags. */
export const HTTP_FLAGS_HELP = Object.entries(HttpFlags)
  .map(([k, v]) => `  --${k.padEnd(16)} ${v.description ?? ''}`)
  .join('\n');

/**
 * Takes the admin API flags out of a command line (`--http-port 6380`, `--http-port=6380`), so
 * the rest goes to the command's own parser unchanged; parses and checks them.
 */
export function splitHttpFlags(argv: string[]): {
  http: HttpFlagValues;
  rest: string[];
  portGiven: boolean;
} {
  const rest: string[] = [];
  const found: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--(http-port|http-host|admin-token|read-token)(?:=(.*))?$/.exec(arg);
    if (m === null) {
      rest.push(arg);
      continue;
    }
    const value = m[2] ?? argv[++i];
    if (value === undefined)
      throw new SharqError('SHARQ_ERR_INVALID_OPTION', `--${m[1]} needs a value`, {
        details: { option: m[1] },
      });
    found[m[1]!] = value;
  }
  return {
    http: parseOptions('admin API', HttpFlagsSchema, found),
    rest,
    portGiven: found['http-port'] !== undefined,
  };
}
