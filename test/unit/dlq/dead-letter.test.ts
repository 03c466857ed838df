import { describe, expect, it } from 'vitest';
import { DLQ_HEADER, deadLetterRecord, MAX_STACK_CHARS } from '../../../src/dlq/dead-letter.js';
import { SharqError } from '../../../src/errors/sharq-error.js';

describe('dead-letter record', () => {
  const source = {
    topic: 'emails',
    partition: 5,
    offset: 42,
    timestamp: 1,
    key: Buffer.from('k'),
    value: Buffer.from('{"a":1}'),
    headers: { trace: 't', '__dlq.errors.message': 'older failure', 'sharq.error.stack': 'old' },
  };

  it('carries the KIP-1191 headers, sharq error details, key and value, and the partition modulo', () => {
    const error = new SharqError('SHARQ_ERR_INVALID_PAYLOAD', 'bad data');
    const rec = deadLetterRecord(
      {
        source,
        group: 'sharq.emails',
        deliveryCount: 3,
        reason: 'attempts-exhausted',
        error,
        message: error.message,
        now: Date.UTC(2026, 0, 1),
      },
      2,
    );
    expect(rec.partition).toBe(1);
    expect(rec.key?.toString()).toBe('k');
    expect(rec.value?.toString()).toBe('{"a":1}');
    expect(rec.headers).toMatchObject({
      trace: 't',
      [DLQ_HEADER.topic]: 'emails',
      [DLQ_HEADER.partition]: '5',
      [DLQ_HEADER.offset]: '42',
      [DLQ_HEADER.group]: 'sharq.emails',
      [DLQ_HEADER.deliveryCount]: '3',
      [DLQ_HEADER.message]: 'bad data',
      [DLQ_HEADER.errorName]: 'SharqError',
      [DLQ_HEADER.errorCode]: 'SHARQ_ERR_INVALID_PAYLOAD',
      [DLQ_HEADER.reason]: 'attempts-exhausted',
      [DLQ_HEADER.failedAt]: '2026-01-01T00:00:00.000Z',
    });
    expect(rec.headers?.[DLQ_HEADER.errorStack]).toContain('bad data');
  });

  it('truncates long stacks and drops the error context of an earlier dead-lettering', () => {
    const error = new Error('x');
    error.stack = 's'.repeat(MAX_STACK_CHARS * 3);
    const rec = deadLetterRecord(
      {
        source,
        group: 'g',
        deliveryCount: 1,
        reason: 'unrecoverable',
        error,
        message: 'x',
        now: 0,
      },
      1,
    );
    expect(rec.headers?.[DLQ_HEADER.errorStack]?.length).toBe(MAX_STACK_CHARS);
    expect(rec.headers?.[DLQ_HEADER.message]).toBe('x');
  });
});
