import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serverOptionsFromCommandLine } from '../../../src/cli/server-command.js';
import { engineOption, parseCommandLine } from '../../../src/cli/worker-command.js';
import { tempDir } from '../../helpers/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('sharq server SASL flags', () => {
  it('reads users from --sasl-users, warns when others may read the passwords', async () => {
    const t = await tempDir('sharq-sasl-cli-');
    cleanups.push(t.remove);
    const file = path.join(t.dir, 'users.json');
    writeFileSync(file, JSON.stringify([{ username: 'alice', password: 'alice-secret' }]));
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const options = serverOptionsFromCommandLine(
      ['--sasl-users', file, '--sasl-mechanisms', 'plain,SCRAM-SHA-512'],
      {},
      (m) => warnings.push(m),
    );
    expect(options.sasl).toEqual({
      users: [{ username: 'alice', password: 'alice-secret' }],
      mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
    expect(warnings).toEqual([expect.stringContaining('chmod 600')]);
    chmodSync(file, 0o600);
    warnings.length = 0;
    serverOptionsFromCommandLine(['--sasl-users', file], {}, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
  });

  it('reads users from SHARQ_SERVER_SASL_USERS; without users there is no SASL', () => {
    const env = {
      SHARQ_SERVER_SASL_USERS: '[{"username":"bob","password":"pw"}]',
      SHARQ_SERVER_SASL_MECHANISMS: 'SCRAM-SHA-256',
    };
    expect(serverOptionsFromCommandLine([], env).sasl).toEqual({
      users: [{ username: 'bob', password: 'pw' }],
      mechanisms: ['SCRAM-SHA-256'],
    });
    expect(serverOptionsFromCommandLine([], {}).sasl).toBeUndefined();
    expect(() => serverOptionsFromCommandLine(['--sasl-mechanisms', 'PLAIN'], {})).toThrow(
      /needs users/,
    );
  });

  it('refuses bad users without quoting the file', () => {
    for (const users of ['{"username":"a","password":"hunter2"', '[{"username":"a"}]', '[]']) {
      let message = '';
      try {
        serverOptionsFromCommandLine([], { SHARQ_SERVER_SASL_USERS: users });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/SHARQ_ERR_INVALID_OPTION|Invalid sharq server/);
      expect(message).not.toContain('hunter2');
    }
    expect(() =>
      serverOptionsFromCommandLine([], {
        SHARQ_SERVER_SASL_USERS: '[{"username":"a","password":"x"}]',
        SHARQ_SERVER_SASL_MECHANISMS: 'GSSAPI',
      }),
    ).toThrow(/sasl-mechanisms/);
  });
});

describe('sharq worker SASL flags', () => {
  it('passes SHARQ_SASL_* to the kafka engine, and wants all three', () => {
    const env = {
      SHARQ_BROKERS: '127.0.0.1:9092',
      SHARQ_SASL_MECHANISM: 'SCRAM-SHA-256',
      SHARQ_SASL_USERNAME: 'alice',
      SHARQ_SASL_PASSWORD: 'secret',
    };
    const { config, fromEnv } = parseCommandLine(['w.js'], env);
    expect(engineOption(config, undefined, fromEnv)).toEqual({
      type: 'kafka',
      brokers: ['127.0.0.1:9092'],
      sasl: { mechanism: 'scram-sha-256', username: 'alice', password: 'secret' },
    });
    const partial = parseCommandLine(['w.js', '--sasl-username', 'alice'], {
      SHARQ_BROKERS: '127.0.0.1:9092',
    });
    expect(() => engineOption(partial.config, undefined, partial.fromEnv)).toThrow(
      /--sasl-mechanism \(or SHARQ_SASL_MECHANISM\) and --sasl-password/,
    );
    const embedded = parseCommandLine(['w.js', '--data-dir', 'x', '--sasl-username', 'a'], {});
    expect(() => engineOption(embedded.config, undefined, embedded.fromEnv)).toThrow(
      /kafka engine only/,
    );
  });
});

describe('sharq server engine flags', () => {
  it('--fsync sets the engine policy (default: always, the engine default) and refuses others; the help names every flag', async () => {
    expect(serverOptionsFromCommandLine([]).engine).toEqual({ dataDir: './.sharq' });
    expect(serverOptionsFromCommandLine(['--fsync', 'interval']).engine).toEqual({
      dataDir: './.sharq',
      fsync: 'interval',
    });
    expect(() => serverOptionsFromCommandLine(['--fsync', 'sometimes'])).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_OPTION' }),
    );
    expect(serverOptionsFromCommandLine(['--max-record-bytes', '8388608']).engine).toEqual({
      dataDir: './.sharq',
      maxRecordBytes: 8388608,
    });
    // A number flag given text names the value, not NaN.
    expect(() => serverOptionsFromCommandLine(['--port', 'abc'])).toThrow(
      'Invalid sharq server options: port: expected a number, got "abc"',
    );
    const { SERVER_HELP } = await import('../../../src/cli/server-command.js');
    for (const flag of ['--port', '--max-connections', '--fsync', '--max-record-bytes'])
      expect(SERVER_HELP).toMatch(new RegExp(`${flag} +\\S`));
  });
});
