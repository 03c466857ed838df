import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  anchorOf,
  renderOptionsDoc,
  SURFACES,
  workerFlagEnv,
} from '../../../scripts/docs/options-doc.js';
import { schemaRows } from '../../../scripts/docs/schema-rows.js';
import { WORKER_HELP } from '../../../src/cli/worker-command.js';
import { JobOptions, QueueOptions, WorkerOptions } from '../../../src/options/queue-options.js';

const doc = readFileSync(new URL('../../../docs/options.md', import.meta.url), 'utf8');

/** The markdown of one `## title` section of the page. */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  expect(start, `section ${title}`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end === -1 ? undefined : end);
}

describe('docs/options.md', () => {
  it('is what renderOptionsDoc() writes (run npm run docs after changing a schema)', () => {
    expect(doc).toBe(renderOptionsDoc());
  });

  it.each([
    ['QueueOptions', QueueOptions],
    ['JobOptions', JobOptions],
    ['WorkerOptions', WorkerOptions],
  ] as const)('has a row for every option of %s', (title, schema) => {
    const text = section(title);
    const rows = new Set([...text.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]));
    const missing = Object.keys(schema.shape).filter((key) => !rows.has(key));
    expect(missing).toEqual([]);
  });

  it('links every surface it names, and every link lands on a heading', () => {
    for (const s of SURFACES) expect(doc).toContain(`\n## ${s.title}\n`);
    const anchors = new Set(SURFACES.map((s) => anchorOf(s.title)));
    const targets = [...doc.matchAll(/\]\(#([a-z0-9-]+)\)/g)].map((m) => m[1]);
    expect(targets.filter((t) => !anchors.has(t!))).toEqual([]);
  });

  it('is linked from the other pages by anchors it has', () => {
    const anchors = new Set(SURFACES.map((s) => anchorOf(s.title)));
    const docs = new URL('../../../docs/', import.meta.url);
    const broken = readdirSync(docs)
      .filter((f) => f.endsWith('.md'))
      .flatMap((f) =>
        [...readFileSync(new URL(f, docs), 'utf8').matchAll(/\(options\.md#([a-z0-9-]+)\)/g)]
          .map((m) => m[1]!)
          .filter((anchor) => !anchors.has(anchor))
          .map((anchor) => `${f}: #${anchor}`),
      );
    expect(broken).toEqual([]);
  });

  it('names the environment variable the CLI reads for each flag', () => {
    const text = section('WorkerCommandOptions');
    const flags = [...text.matchAll(/\| `--([a-z-]+)`, `(SHARQ_[A-Z_]+)` +\|/g)];
    expect(flags.length).toBeGreaterThan(0);
    const help = WORKER_HELP.replace(/\s+/g, ' ');
    for (const [, flag, env] of flags) {
      expect(env).toBe(workerFlagEnv(flag!));
      expect(help).toContain(`env ${env}`);
    }
  });
});

describe('schemaRows', () => {
  const row = (schema: z.core.$ZodType, path: string) =>
    schemaRows(schema, new Map()).rows.find((r) => r.path === path);

  it('reads type, default, range and description from the schema', () => {
    const schema = z.object({
      waitMs: z.number().int().min(10).max(60_000).default(2000).describe('How long.'),
      name: z.string().min(1).max(8).optional(),
      mode: z.enum(['a', 'b']),
      ratio: z.number().gt(1).max(2).optional().describe('Share.'),
    });
    expect(row(schema, 'waitMs')).toEqual({
      path: 'waitMs',
      type: 'integer',
      default: '`2000` (2 s)',
      range: '10–60000 (10 ms – 1 min)',
      meaning: 'How long.',
    });
    expect(row(schema, 'name')).toMatchObject({ type: 'string', default: '', range: 'length 1–8' });
    expect(row(schema, 'mode')).toMatchObject({ default: 'required', range: '`a`, `b`' });
    expect(row(schema, 'ratio')).toMatchObject({ type: 'number', range: '> 1; ≤ 2' });
  });

  it('nests objects as a.b, merges union members and points linked schemas to their table', () => {
    const Inner = z.object({ max: z.number().int().min(1) });
    const schema = z
      .object({
        limit: Inner.optional().describe('A limit.'),
        auth: z.union([
          z.object({ kind: z.literal('x'), user: z.string() }),
          z.object({ kind: z.literal('y'), user: z.string() }),
        ]),
        nested: z.object({ deep: z.boolean().default(true) }),
        custom: z.custom<() => void>((v) => typeof v === 'function', 'a function'),
      })
      .refine(() => true, { message: 'one rule' });
    const { rows, rules, linked } = schemaRows(schema, new Map([[Inner, '[Inner](#inner)']]));
    expect(rows.map((r) => r.path)).toEqual([
      'limit',
      'auth',
      'auth.kind',
      'auth.user',
      'nested',
      'nested.deep',
      'custom',
    ]);
    expect(rows[0]).toMatchObject({ range: 'see [Inner](#inner)', meaning: 'A limit.' });
    expect(rows[2]).toMatchObject({ range: '`x`, `y`' });
    expect(rows[5]).toMatchObject({ type: 'boolean', default: '`true`' });
    expect(rows[6]).toMatchObject({ type: 'custom', range: 'a function' });
    expect(rules).toEqual(['one rule']);
    expect(linked.get('[Inner](#inner)')).toEqual(['limit']);
  });
});
