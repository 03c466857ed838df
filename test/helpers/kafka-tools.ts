// Apache Kafka's own command-line tools (Java classes in .kafka/libs) as real peers in tests,
// run through `scripts/kafka.sh tool CLASS ARGS...`.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
const script = path.join(root, 'scripts', 'kafka.sh');

/** Tool classes of Kafka 4.4 (checked in the jars), by the name of their kafka-*.sh script. */
export const KafkaTools = {
  /** kafka-topics.sh */
  topics: 'org.apache.kafka.tools.TopicCommand',
  /** kafka-configs.sh (group configs: --entity-type groups) */
  configs: 'org.apache.kafka.tools.ConfigCommand',
  /** kafka-features.sh */
  features: 'org.apache.kafka.tools.FeatureCommand',
  /** kafka-groups.sh */
  groups: 'org.apache.kafka.tools.GroupsCommand',
  /** kafka-share-groups.sh */
  shareGroups: 'org.apache.kafka.tools.consumer.group.ShareGroupCommand',
  /** kafka-console-producer.sh */
  consoleProducer: 'org.apache.kafka.tools.ConsoleProducer',
  /** kafka-console-share-consumer.sh */
  consoleShareConsumer: 'org.apache.kafka.tools.consumer.ConsoleShareConsumer',
  /** kafka-share-consumer-perf-test.sh */
  shareConsumerPerformance: 'org.apache.kafka.tools.ShareConsumerPerformance',
  /** kafka-verifiable-share-consumer.sh */
  verifiableShareConsumer: 'org.apache.kafka.tools.VerifiableShareConsumer',
  /** kafka-broker-api-versions.sh */
  brokerApiVersions: 'org.apache.kafka.tools.BrokerApiVersionsCommand',
} as const;

/** Why Kafka's tools cannot run here (no Java 17+, or no jars and no Maven), or null. */
export function kafkaToolsSkipReason(): string | null {
  const r = spawnSync('bash', [script, 'prereqs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0) return null;
  const why = (r.stdout || r.stderr || String(r.error ?? 'cannot run scripts/kafka.sh')).trim();
  return `Kafka's Java tools are not available: ${why.split('\n')[0]}`;
}

export interface KafkaToolResult {
  stdout: string;
  stderr: string;
  /** Exit code; null if the tool died of a signal. */
  code: number | null;
}

export interface KafkaToolOptions {
  /** Kill the tool and reject after this long (default 60 s). */
  timeoutMs?: number;
  /** Written to the tool's stdin, which is then closed (e.g. records for ConsoleProducer). */
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Start a tool and return its process (stdin, stdout and stderr piped), for long-running ones. */
export function spawnKafkaTool(
  className: string,
  args: readonly string[] = [],
  options: { env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  // kafka.sh execs java, so this process is the JVM itself: kill() reaches the tool.
  return spawn('bash', [script, 'tool', className, ...args], {
    cwd: root,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Run a tool to completion. Resolves with its output whatever its exit code. */
export function runKafkaTool(
  className: string,
  args: readonly string[] = [],
  options: KafkaToolOptions = {},
): Promise<KafkaToolResult> {
  const { timeoutMs = 60_000, input, env } = options;
  return new Promise((resolve, reject) => {
    const child = spawnKafkaTool(className, args, env ? { env } : {});
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${className} ${args.join(' ')} timed out after ${timeoutMs} ms\n` +
            `stdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`,
        ),
      );
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
    child.stdin?.on('error', () => {}); // a tool that exits without reading its stdin
    child.stdin?.end(input ?? '');
  });
}

/**
 * ConsoleProducer: writes `values` to `topic`, one record a line. `extra` goes after the
 * topic (e.g. `--command-config FILE`).
 */
export function produceWithTool(
  bootstrap: string,
  topic: string,
  values: readonly string[],
  extra: readonly string[] = [],
): Promise<KafkaToolResult> {
  return runKafkaTool(
    KafkaTools.consoleProducer,
    ['--bootstrap-server', bootstrap, '--topic', topic, ...extra],
    { input: `${values.join('\n')}\n` },
  );
}

/**
 * ConfigCommand: a new share group starts at the log end; this moves `group` to the start
 * (share.auto.offset.reset=earliest). `extra` goes after the bootstrap server.
 */
export function shareGroupFromEarliest(
  bootstrap: string,
  group: string,
  extra: readonly string[] = [],
): Promise<KafkaToolResult> {
  return runKafkaTool(KafkaTools.configs, [
    '--bootstrap-server',
    bootstrap,
    ...extra,
    '--alter',
    '--entity-type',
    'groups',
    '--entity-name',
    group,
    '--add-config',
    'share.auto.offset.reset=earliest',
  ]);
}

/**
 * ConsoleShareConsumer: reads `count` records of `topic` in share group `group`, giving up after
 * 20 s without one. `extra` goes after the bootstrap server.
 */
export function shareConsumeWithTool(
  bootstrap: string,
  topic: string,
  group: string,
  count: number,
  extra: readonly string[] = [],
): Promise<KafkaToolResult> {
  return runKafkaTool(KafkaTools.consoleShareConsumer, [
    '--bootstrap-server',
    bootstrap,
    ...extra,
    '--topic',
    topic,
    '--group',
    group,
    '--max-messages',
    String(count),
    '--timeout-ms',
    '20000',
  ]);
}
