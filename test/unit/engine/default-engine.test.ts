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

  it('logs in with SASL from SHARQ_SASL_MECHANISM, _USERNAME and _PASSWORD', () => {
    const env = {
      SHARQ_BROKERS: '127.0.0.1:9092',
      SHARQ_SASL_MECHANISM: 'SCRAM-SHA-512',
      SHARQ_SASL_USERNAME: 'alice',
      SHARQ_SASL_PASSWORD: 'secret',
    };
    expect(defaultEngineOptions(env)).toEqual({
      type: 'kafka',
      brokers: ['127.0.0.1:9092'],
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'secret' },
    });
    // Half a configuration is a mistake, not "no SASL".
    const { SHARQ_SASL_PASSWORD: _, ...partial } = env;
    expect(() => defaultEngineOptions(partial)).toThrow(/SHARQ_SASL_PASSWORD not set/);
    // Without brokers the SASL variables mean nothing: the embedded engine.
    expect(defaultEngineOptions({ ...env, SHARQ_BROKERS: '' })).toEqual({ type: 'embedded' });
  });
});
