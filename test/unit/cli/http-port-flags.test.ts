import { describe, expect, it } from 'vitest';
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
