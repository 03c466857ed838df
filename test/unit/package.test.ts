import { readFileSync } from 'node:fs';
import path from 'node:path';
import { publint } from 'publint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('package', () => {
  it('passes publint (exports map, types conditions, files) on the built package', async () => {
    const { messages } = await publint({ pkgDir: root, level: 'warning', strict: true });
    expect(messages.map((m) => `${m.type}: ${m.code} ${JSON.stringify(m.args)}`)).toEqual([]);
  });

  it('exports only the public surface by name', async () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports)).toEqual(['.', './server', './package.json']);
    const api = await import('../../src/index.js');
    expect(Object.keys(api).sort()).toEqual(
      [
        'AckType',
        'DLQ_HEADER',
        'ERROR_CODES',
        'EmbeddedEngine',
        'Queue',
        'RateLimitError',
        'RecordState',
        'RetryJobError',
        'SharqError',
        'UnrecoverableError',
        'Worker',
        'createEngine',
        'defineWorker',
        'defaultDeadLetterTopic',
      ].sort(),
    );
  });
});
