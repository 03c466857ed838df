import type { z } from 'zod';
import { WorkerCommandOptions } from '../../src/cli/worker-command.js';
import { EmbeddedEngineOptions, KafkaEngineOptions } from '../../src/options/engine-options.js';
import {
  BackoffOptions,
  JobOptions,
  QueueOptions,
  RunDefaults,
  WorkerOptions,
} from '../../src/options/queue-options.js';
import { AdminApiOptions } from '../../src/server/admin/options.js';
import { ServerOptions } from '../../src/server/options.js';
import { SaslServerOptions } from '../../src/server/sasl/sasl-options.js';
import { ElasticConcurrencyOptions } from '../../workers/pool/elastic-concurrency.js';
import { RateLimitOptions, RetryBudgetOptions } from '../../workers/rate-limit/limiter.js';
import { SandboxOptions } from '../../workers/sandbox/pool.js';
import { type OptionRow, schemaRows } from './schema-rows.js';

/** One options surface: a schema with its own table. */
export interface Surface {
  /** The heading, also the anchor other tables link to. */
  title: string;
  schema: z.core.$ZodType;
  /** Where it is given (a sentence of markdown). */
  where: string;
  /** How an option's name is shown (markdown): a flag of the CLI is `--name`. */
  optionName?: (path: string) => string;
}

/** The environment variable a `sharq worker` flag is also read from. */
export function workerFlagEnv(flag: string): string {
  return `SHARQ_${flag.toUpperCase().replaceAll('-', '_')}`;
}

export const SURFACES: readonly Surface[] = [
  {
    title: 'QueueOptions',
    schema: QueueOptions,
    where:
      '`new Queue(name, options)`. `engine` takes [EmbeddedEngineOptions](#embeddedengineoptions), [KafkaEngineOptions](#kafkaengineoptions) or an `Engine` instance.',
  },
  {
    title: 'JobOptions',
    schema: JobOptions,
    where: '`queue.add(name, data, opts)`, and `opts` of each job given to `queue.addBulk(jobs)`.',
  },
  {
    title: 'WorkerOptions',
    schema: WorkerOptions,
    where:
      '`new Worker(queue, handler, options)`, and `options` of a `sharq worker` module. `engine` is as for [QueueOptions](#queueoptions).',
  },
  {
    title: 'RunDefaults',
    schema: RunDefaults,
    where: 'How jobs run when the job itself says nothing.',
  },
  {
    title: 'BackoffOptions',
    schema: BackoffOptions,
    where:
      'The wait before a retry; see [retries and delays](retries-and-delays.md) for how it is applied.',
  },
  {
    title: 'RateLimitOptions',
    schema: RateLimitOptions,
    where: 'A per-queue job rate limit; see [rate limits](rate-limits.md).',
  },
  {
    title: 'RetryBudgetOptions',
    schema: RetryBudgetOptions,
    where: 'A per-queue cap on retries; see [rate limits](rate-limits.md).',
  },
  {
    title: 'ElasticConcurrencyOptions',
    schema: ElasticConcurrencyOptions,
    where:
      'The elastic concurrency controller (`workers/pool/elastic-concurrency.ts`); see [workers](workers.md).',
  },
  {
    title: 'EmbeddedEngineOptions',
    schema: EmbeddedEngineOptions,
    where: '`engine: { type: "embedded", ... }` (the default engine).',
  },
  {
    title: 'KafkaEngineOptions',
    schema: KafkaEngineOptions,
    where: '`engine: { type: "kafka", ... }`; see [Kafka](kafka.md).',
  },
  {
    title: 'SandboxOptions',
    schema: SandboxOptions,
    where:
      'A sandboxed processor: the second argument of `new Worker(queue, processor, options)` when it is not a function, and `processor` of a `sharq worker` module. Jobs run in worker threads or child processes.',
  },
  {
    title: 'ServerOptions',
    schema: ServerOptions,
    where:
      '`sharq server` (its flags: `--host`, `--port`, `--advertised-host`, `--allow-remote`, `--max-connections`, `--data-dir`, `--fsync`, `--max-record-bytes`, `--sasl-users`, `--sasl-mechanisms`, and for the admin API `--http-port`, `--http-host`, `--admin-token`, `--read-token`) and `startServer()` from `sharq/server`; see [sharq server](server.md).',
  },
  {
    title: 'SaslServerOptions',
    schema: SaslServerOptions,
    where:
      '`sasl` of [ServerOptions](#serveroptions); from the command line `--sasl-users FILE` (a JSON array of users) or `SHARQ_SERVER_SASL_USERS` (the JSON itself), and `--sasl-mechanisms` or `SHARQ_SERVER_SASL_MECHANISMS`; see [SASL](server.md#sasl-authentication).',
  },
  {
    title: 'AdminApiOptions',
    schema: AdminApiOptions,
    where:
      'The admin API: `adminApi` (a Fastify plugin) and `startAdminServer()` from `sharq/server`, `sharq server --http-port` and `sharq admin`; its first five options are also those of `new SharqAdmin({ engine, ... })`. See [admin API](admin-api.md).',
  },
  {
    title: 'WorkerCommandOptions',
    schema: WorkerCommandOptions,
    where: `The flags of \`sharq worker <module>\` (\`<module>\` is the path of a worker module); see [workers](workers.md). Each flag is also read from an environment variable (\`--data-dir\` from \`${workerFlagEnv('data-dir')}\`); a flag wins over its variable.`,
    optionName: (path) => `\`--${path}\`, \`${workerFlagEnv(path)}\``,
  },
];

const INTRO = `# Options reference

Every option sharq takes, one table per surface. sharq parses options once, when the object is built, and fails with \`SHARQ_ERR_INVALID_OPTION\` naming the option and the rule it broke.

This page is generated from the zod schemas (\`src/options/*\`, \`workers/rate-limit/limiter.ts\`, \`workers/pool/elastic-concurrency.ts\`, \`workers/sandbox/pool.ts\`, \`src/cli/worker-command.ts\`) by \`npm run docs\`; do not edit it by hand.

- **option**: nested options as \`a.b\`; \`(value)\` is the surface itself when it is not an object.
- **default**: the schema's default; \`required\` when the option must be given (inside its object); empty when it may be left out and has no default (the meaning says what happens then).
- **range / allowed values**: \`a–b\` includes both ends; durations in ms and sizes in bytes are also shown in larger units.
`;

export function anchorOf(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replaceAll(' ', '-');
}

export function renderOptionsDoc(): string {
  const links = new Map<z.core.$ZodType, string>(
    SURFACES.map((s) => [s.schema, `[${s.title}](#${anchorOf(s.title)})`]),
  );
  const rendered = SURFACES.map((surface) => ({ surface, ...schemaRows(surface.schema, links) }));
  // Where each surface is used, from the fields that link to it.
  const usedBy = new Map<string, string[]>();
  for (const { surface, linked } of rendered) {
    for (const [link, paths] of linked) {
      const list = usedBy.get(link) ?? [];
      for (const p of paths) list.push(`\`${surface.title}.${p}\``);
      usedBy.set(link, list);
    }
  }
  const toc = SURFACES.map((s) => `- [${s.title}](#${anchorOf(s.title)})`).join('\n');
  const sections = rendered.map(({ surface, rows, rules }) => {
    const users = usedBy.get(links.get(surface.schema)!);
    const lines = [`## ${surface.title}`, '', surface.where];
    if (users !== undefined) lines.push('', `Used by ${users.join(', ')}.`);
    lines.push('', table(rows, surface.optionName ?? ((p) => `\`${p}\``)));
    if (rules.length > 0) lines.push('', `Also checked: ${rules.join('; ')}.`);
    return `${lines.join('\n')}\n`;
  });
  return `${INTRO}\n${toc}\n\n${sections.join('\n')}`;
}

function table(rows: OptionRow[], name: (path: string) => string): string {
  const head = ['option', 'type', 'default', 'range / allowed values', 'meaning'];
  const body = rows.map((r) =>
    [r.path === '' ? '(value)' : name(r.path), r.type, r.default, r.range, r.meaning].map(cell),
  );
  // Columns padded to their widest cell, as the formatter (biome) writes markdown tables.
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((cells) => width(cells[i]!))));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c + ' '.repeat(widths[i]! - width(c))).join(' | ')} |`;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Characters as the formatter counts them (code points). */
function width(text: string): number {
  return [...text].length;
}

/** A table cell: one line, pipes escaped (GitHub needs the escape inside code spans too). */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');
}
