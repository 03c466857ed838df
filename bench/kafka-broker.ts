/**
 * The broker the Kafka benches run on: KAFKA_BROKERS when set; else the local one on
 * 127.0.0.1:$KAFKA_PORT (9092), started with scripts/kafka.sh when nothing listens there, as
 * the integration tests' global setup does. Only a broker started here is stopped afterwards.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface BenchBroker {
  brokers: string[];
  /** How the broker was found, for the header line. */
  origin: string;
  /** The broker's process id when it is the local one of scripts/kafka.sh (for its CPU time). */
  pid?: number;
  /** Stops the broker if this bench started it (unless kept). */
  release(): Promise<void>;
}

function repoRoot(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'scripts', 'kafka.sh'))) return dir;
    if (path.dirname(dir) === dir) throw new Error('scripts/kafka.sh not found above the bench');
  }
}

export const kafkaSh = path.join(repoRoot(), 'scripts', 'kafka.sh');

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

/** Runs scripts/kafka.sh; its progress lines (stderr) go to ours, so a first download shows. */
function kafkaScript(args: string[], quiet = false): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [kafkaSh, ...args], {
      stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

/** The pid of scripts/kafka.sh's broker ("running (pid 4242) on ..."), if it runs. */
async function localPid(): Promise<number | undefined> {
  const { code, out } = await kafkaScript(['status'], true);
  const pid = code === 0 ? /\(pid (\d+)\)/.exec(out)?.[1] : undefined;
  return pid === undefined ? undefined : Number(pid);
}

export async function benchBroker(options: { keep: boolean }): Promise<BenchBroker> {
  const given = process.env.KAFKA_BROKERS?.trim();
  if (given) {
    const brokers = given
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    return { brokers, origin: 'KAFKA_BROKERS', release: async () => undefined };
  }
  const host = '127.0.0.1';
  const port = Number(process.env.KAFKA_PORT ?? 9092);
  const brokers = [`${host}:${port}`];
  if (await portOpen(host, port)) {
    const pid = await localPid();
    return {
      brokers,
      origin: 'running',
      ...(pid === undefined ? {} : { pid }),
      release: async () => undefined,
    };
  }
  const prereqs = await new Promise<string>((resolve) => {
    execFile('bash', [kafkaSh, 'prereqs'], (err, stdout) =>
      resolve(err ? stdout.trim() || err.message : ''),
    );
  });
  if (prereqs !== '') {
    throw new Error(
      `No broker on ${host}:${port} and none can be started here: ${prereqs}. ` +
        'Install Java 17+ and Maven, or set KAFKA_BROKERS=host:port.',
    );
  }
  console.log(`no broker on ${host}:${port}: starting one with scripts/kafka.sh start`);
  const started = await kafkaScript(['start']);
  if (started.code !== 0) throw new Error(`scripts/kafka.sh start failed (exit ${started.code})`);
  const pid = await localPid();
  return {
    brokers,
    origin: options.keep ? 'started here, kept' : 'started here, stopped at the end',
    ...(pid === undefined ? {} : { pid }),
    release: async () => {
      if (options.keep) return;
      const stopped = await kafkaScript(['stop'], true);
      if (stopped.code !== 0) console.warn(`scripts/kafka.sh stop failed (exit ${stopped.code})`);
    },
  };
}
