import { describe, expect, it } from 'vitest';
import { runAdminServerCommand } from '../../../src/cli/admin-server-command.js';
import { runDev } from '../../../src/cli/dev.js';
import { splitHttpFlags } from '../../../src/cli/http-flags.js';

describe('--http-port', () => {
  it('takes "none" or "off" (sharq dev says off) to turn the admin API off', () => {
    expect(splitHttpFlags(['--http-port', 'none']).http['http-port']).toBe('none');
    expect(splitHttpFlags(['--http-port=off']).http['http-port']).toBe('none');
    expect(splitHttpFlags(['--http-port', '0']).http['http-port']).toBe(0);
  });

  it('says what it takes when given something else', () => {
    expect(() => splitHttpFlags(['--http-port', 'nope'])).toThrow(
      /http-port: a port \(0–65535; 0 picks a free one\), or "none"/,
    );
  });
});

describe('sharq dev flags', () => {
  it('an unknown flag or a bad --http-port is a coded usage error, before anything starts', async () => {
    await expect(runDev(['--bogus'])).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
      message: expect.stringMatching(/Unknown option '--bogus'.*see sharq dev --help/),
    });
    await expect(runDev(['--http-port', 'nope'])).rejects.toMatchObject({
      code: 'SHARQ_ERR_INVALID_OPTION',
      message: expect.stringContaining('or "off" for no admin API'),
    });
  });
});

describe('sharq admin flags', () => {
  it('--http-port none or off is a usage error (exit 2): the command is the admin API', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      for (const off of ['none', 'off'])
        expect(
          await runAdminServerCommand(['--data-dir', '/nonexistent', '--http-port', off]),
        ).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(written.join('')).toContain('sharq admin serves the admin API, so it needs a port');
  });
});
