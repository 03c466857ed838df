// The Kafka broker of the integration tests, as test/integration/global-setup.ts found it.
import { describe, inject } from 'vitest';

/** Bootstrap servers of the test broker, or null when the Kafka tests are skipped here. */
export function kafkaBrokers(): string[] | null {
  // undefined in a project without the integration global setup: no broker there either.
  const brokers = inject('kafkaBrokers') ?? null;
  if (!brokers) return null;
  const list = brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return list.length > 0 ? list : null;
}

/** Why the Kafka tests are skipped, or null when a broker is there. */
export function kafkaSkipReason(): string | null {
  if (kafkaBrokers()) return null;
  return inject('kafkaSkipReason') ?? 'no Kafka broker (run the integration project)';
}

/** `describe` that runs only with a broker; when skipped, its name says why. */
export function describeKafka(name: string, fn: () => void): void {
  const reason = kafkaSkipReason();
  describe.skipIf(reason !== null)(reason === null ? name : `${name} (${reason})`, fn);
}
