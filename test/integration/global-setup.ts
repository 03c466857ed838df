// Vitest global setup of the `integration` project: finds or starts the Kafka broker that the
// integration tests talk to, and hands its address to them through provide/inject.
//
// - KAFKA_BROKERS set (host:port[,host:port...]): use it as is.
// - Else, with Java 17+ (and Maven, until the jars are in .kafka/libs): run scripts/kafka.sh start,
//   or reuse a broker already running there (npm run kafka:start keeps one up between runs).
//   Only a broker started here is stopped at the end.
// - Else: skip the Kafka tests with a reason, or fail when CI is set (CI must run them).
import { type ExecFileException, execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated bootstrap servers of the test broker; null when Kafka tests are skipped. */
    kafkaBrokers: string | null;
    /** Why the Kafka tests are skipped (one line); null when they run. */
    kafkaSkipReason: string | null;
  }
}

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts', 'kafka.sh');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}

function kafkaSh(args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [script, ...args],
      { cwd: root, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (err: ExecFileException | null, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const code = typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr, error: err.message });
      },
    );
  });
}

function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.KAFKA_BROKERS?.trim();
  if (given) {
    project.provide('kafkaBrokers', given);
    project.provide('kafkaSkipReason', null);
    return undefined;
  }

  const host = '127.0.0.1';
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const brokers = `${host}:${port}`;

  const prereqs = await kafkaSh(['prereqs'], 30_000);
  if (prereqs.code !== 0) {
    const why = (prereqs.stdout.trim() || prereqs.error || 'cannot run scripts/kafka.sh').split(
      '\n',
    )[0];
    const reason =
      `Kafka integration tests skipped: ${why}. To run them, install Java 17+ and Maven ` +
      '(a local broker then starts by itself) or set KAFKA_BROKERS=host:port.';
    if (process.env.CI) {
      throw new Error(`${reason} CI must run them, so this is a failure.`);
    }
    console.warn(reason);
    project.provide('kafkaBrokers', null);
    project.provide('kafkaSkipReason', reason);
    return undefined;
  }

  const alreadyOurs = (await kafkaSh(['status'], 30_000)).code === 0;
  if (!alreadyOurs && (await portOpen(host, port))) {
    // Something else serves the port (docker compose, say): use it rather than fail to bind.
    console.warn(`Kafka integration tests: using the broker already listening on ${brokers}.`);
    project.provide('kafkaBrokers', brokers);
    project.provide('kafkaSkipReason', null);
    return undefined;
  }

  // Idempotent: waits for a start in progress, returns at once when ours already runs.
  const start = await kafkaSh(['start'], 300_000);
  if (start.code !== 0) {
    throw new Error(
      `scripts/kafka.sh start failed (${start.error ?? `exit ${start.code}`}):\n${start.stderr}`,
    );
  }
  const startedHere = !alreadyOurs;
  const ready = start.stderr.trim().split('\n').at(-1) ?? '';
  console.warn(`Kafka integration tests: ${startedHere ? ready : `reusing broker on ${brokers}`}`);
  project.provide('kafkaBrokers', brokers);
  project.provide('kafkaSkipReason', null);

  if (!startedHere) return undefined;
  return async () => {
    const stop = await kafkaSh(['stop'], 120_000);
    if (stop.code !== 0) console.warn(`scripts/kafka.sh stop failed:\n${stop.stderr}`);
  };
}
