import { randomUUID } from 'node:crypto';
import { KafkaEngine } from '../../src/kafka/kafka-engine.js';
import { workerConformance } from '../conformance/worker-suite.js';
import { describeKafka, kafkaBrokers } from '../helpers/kafka.js';

describeKafka('Kafka worker', () => {
  workerConformance('kafka', async () => {
    const engine = new KafkaEngine({
      brokers: kafkaBrokers()!,
      clientId: `sharq-test-${randomUUID().slice(0, 8)}`,
    });
    await engine.start();
    return { engine, cleanup: () => engine.close() };
  });
});
