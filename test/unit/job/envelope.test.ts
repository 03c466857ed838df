import { describe, expect, it } from 'vitest';
import type { StoredRecord } from '../../../src/engine/types.js';
import { decodeJob, encodeJob, HEADER } from '../../../src/job/envelope.js';

function stored(r: {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}): StoredRecord {
  return {
    topic: 'q',
    partition: 1,
    offset: 7,
    timestamp: 1,
    key: r.key ?? null,
    value: r.value,
    headers: r.headers ?? {},
  };
}

describe('job envelope', () => {
  it('round-trips id, name, key, data and user headers', () => {
    const { id, record } = encodeJob({
      name: 'email',
      data: { to: 'a@b.c', n: [1, 2] },
      key: 'user-1',
      headers: { trace: 't1' },
    });
    expect(record.headers?.[HEADER.id]).toBe(id);
    const job = decodeJob(
      stored({ key: record.key ?? null, value: record.value, headers: { ...record.headers } }),
    );
    expect(job).toEqual({
      id,
      name: 'email',
      key: 'user-1',
      data: { to: 'a@b.c', n: [1, 2] },
      headers: { trace: 't1' },
    });
  });

  it('keeps a caller-chosen job id and generates distinct ones otherwise', () => {
    expect(encodeJob({ name: 'x', data: 1, jobId: 'mine' }).id).toBe('mine');
    expect(encodeJob({ name: 'x', data: 1 }).id).not.toBe(encodeJob({ name: 'x', data: 1 }).id);
  });

  it('refuses data that is not JSON with a coded error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeJob({ name: 'x', data: cyclic })).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_PAYLOAD' }),
    );
    expect(() => encodeJob({ name: 'x', data: 10n })).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_PAYLOAD' }),
    );
    expect(() => encodeJob({ name: 'x', data: undefined })).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_PAYLOAD' }),
    );
  });

  it('decodes a foreign record (no sharq headers) and flags a non-JSON value as poison', () => {
    const foreign = decodeJob(stored({ value: Buffer.from('{"a":1}') }));
    expect(foreign).toMatchObject({ id: 'q-1-7', name: '', data: { a: 1 } });
    expect(() => decodeJob(stored({ value: Buffer.from('not json') }))).toThrow(
      expect.objectContaining({ code: 'SHARQ_ERR_INVALID_PAYLOAD' }),
    );
    expect(decodeJob(stored({ value: null })).data).toBeNull();
  });
});
