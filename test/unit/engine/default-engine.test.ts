import { describe, expect, it } from 'vitest';
import { defaultEngineOptions } from '../../../src/engine/resolve-engine.js';

describe('the default engine', () => {
  it('is the embedded engine, or Kafka at SHARQ_BROKERS when it is set', () => {
    expect(defaultEngineOptions({})).toEqual({ type: 'embedded' });
    expect(defaultEngineOptions({ SHARQ_BROKERS: ' ' })).toEqual({ type: 'embedded' });
    expect(defaultEngineOptions({ SHARQ_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093' })).toEqual({
      type: 'kafka',
      brokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
    });
  });
});
