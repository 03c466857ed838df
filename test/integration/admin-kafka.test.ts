// Admin operations and the admin API on a real Kafka broker.
import { randomUUID } from 'node:crypto';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';
import { adminSuite } from './admin-suite.js';

describeKafka('Kafka', () => {
  adminSuite(
    'Kafka',
    async () => {
      const engine = new KafkaEngine({
        brokers: kafkaBrokers()!,
        clientId: `sharq-admin-${randomUUID().slice(0, 8)}`,
      });
      await engine.start();
      return engine;
    },
    { shared: true },
  );
});
