/**
 * Starts one sandbox, a worker thread or a child process running child-entry, and reports what
 * it sends and how it ended. The pool (pool.ts) decides when to start and stop them.
 *
 *   thread   new Worker(child-entry, { workerData: { file }, resourceLimits })
 *            out of memory: the 'error' event's ERR_WORKER_OUT_OF_MEMORY
 *   process  fork(child-entry, [file], { serialization: 'advanced', execArgv: [--max-old-space-size] })
 *            out of memory: V8's "heap out of memory" report on the child's stderr (then SIGABRT)
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { SharqError } from '../../src/errors/sharq-error.js';
import type { TimerClock } from '../../src/util/clock.js';
import {
  type ChildMessage,
  isProtocolMessage,
  type ParentMessage,
  type SerializedError,
  serializeError,
} from './protocol.js';

/** How one sandbox ended. */
export interface ExitInfo {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  outOfMemory: boolean;
  error: SerializedError | undefined;
}

export interface SandboxHandle {
  /** Which thread or process it is, for the crash report: `{ threadId }` or `{ pid }`. */
  readonly identity: Readonly<Record<string, number | undefined>>;
  /** Throws synchronously when the message cannot be cloned. */
  send(message: ParentMessage): void;
  /** Resolves once the sandbox is gone. */
  kill(): Promise<void>;
}

export interface HandleEvents {
  message(message: ChildMessage): void;
  exit(info: ExitInfo): void;
}

export interface SandboxLimits {
  maxOldGenerationSizeMb?: number | undefined;
}

/** Starts a sandbox for `file`. Throws when none can be started here (see locateChildEntry). */
export function startSandbox(
  kind: 'thread' | 'process',
  file: string,
  limits: SandboxLimits,
  events: HandleEvents,
  clock: TimerClock,
): SandboxHandle {
  return kind === 'thread'
    ? startThread(file, limits, events)
    : startProcess(file, limits, events, clock);
}

/**
 * Where the sandbox code is. Built (dist/): child-entry.js next to this file, run by plain Node.
 * From TypeScript sources (vitest, tsx): child-entry.ts, which needs tsx inside the sandbox. A
 * forked process takes it as `--import` (named by full URL: the child's cwd may not reach this
 * package's node_modules); a worker thread on Node 20 ignores `--import` hooks, so it starts
 * from a small module that registers tsx's ESM hooks and then imports the entry.
 */
interface ChildEntry {
  url: URL;
  tsx?: { loader: string; api: string };
}

let childEntry: ChildEntry | undefined;

function locateChildEntry(): ChildEntry {
  if (childEntry !== undefined) return childEntry;
  const built = new URL('./child-entry.js', import.meta.url);
  if (existsSync(built)) {
    childEntry = { url: built };
    return childEntry;
  }
  const source = new URL('./child-entry.ts', import.meta.url);
  try {
    childEntry = {
      url: source,
      tsx: { loader: import.meta.resolve('tsx'), api: import.meta.resolve('tsx/esm/api') },
    };
  } catch (cause) {
    throw new SharqError(
      'SHARQ_ERR_SANDBOX_CRASHED',
      `Cannot start a sandbox: running sharq from its TypeScript sources (${fileURLToPath(source)}) needs the tsx package, which was not found`,
      { cause, retryable: false },
    );
  }
  return childEntry;
}

function startThread(file: string, limits: SandboxLimits, events: HandleEvents): SandboxHandle {
  const entry = locateChildEntry();
  const init: WorkerOptions = { workerData: { file }, execArgv: [], name: 'sharq-sandbox' };
  if (limits.maxOldGenerationSizeMb !== undefined) {
    init.resourceLimits = { maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb };
  }
  const script =
    entry.tsx === undefined
      ? entry.url
      : new URL(
          `data:text/javascript,${encodeURIComponent(
            `import { register } from ${JSON.stringify(entry.tsx.api)};\nregister();\nawait import(${JSON.stringify(entry.url.href)});\n`,
          )}`,
        );
  const worker = new Worker(script, init);
  let outOfMemory = false;
  let error: SerializedError | undefined;
  worker.on('message', (message: unknown) => {
    if (isProtocolMessage<ChildMessage>(message)) events.message(message);
  });
  worker.on('error', (err) => {
    if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') outOfMemory = true;
    else error ??= serializeError(err);
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', (exitCode) => {
      events.exit({ exitCode, signal: null, outOfMemory, error });
      resolve();
    });
  });
  return {
    identity: { threadId: worker.threadId },
    send: (message) => worker.postMessage(message),
    kill: async () => {
      await worker.terminate();
      await exited;
    },
  };
}

/** Bytes of a process's stderr kept to tell an out-of-memory abort from another one. */
const STDERR_TAIL = 4096;
/** How long an exited process's stderr may take to drain before its exit is reported anyway. */
const STDERR_SETTLE_MS = 250;

function startProcess(
  file: string,
  limits: SandboxLimits,
  events: HandleEvents,
  clock: TimerClock,
): SandboxHandle {
  const entry = locateChildEntry();
  const execArgv = entry.tsx === undefined ? [] : ['--import', entry.tsx.loader];
  if (limits.maxOldGenerationSizeMb !== undefined) {
    execArgv.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  }
  const child = fork(fileURLToPath(entry.url), [file], {
    execArgv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  // stderr is piped only to read V8's "heap out of memory" report; everything still reaches ours.
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL);
  });
  let spawnError: SerializedError | undefined;
  let reported = false;
  let resolveExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    resolveExited = resolve;
  });
  const report = (exitCode: number | null, signal: NodeJS.Signals | null) => {
    if (reported) return;
    reported = true;
    const outOfMemory = /out of memory/i.test(tail);
    events.exit({ exitCode, signal, outOfMemory, error: spawnError });
    resolveExited();
  };
  child.on('message', (message: unknown) => {
    if (isProtocolMessage<ChildMessage>(message)) events.message(message);
  });
  child.on('error', (err) => {
    spawnError ??= serializeError(err);
    // A process that never started emits no 'exit'.
    if (child.pid === undefined) setImmediate(() => report(null, null));
  });
  child.once('exit', (exitCode, signal) => {
    const stderr = child.stderr;
    if (stderr === null || stderr.destroyed || stderr.readableEnded) {
      report(exitCode, signal);
      return;
    }
    const cancel = clock.setTimer(() => report(exitCode, signal), STDERR_SETTLE_MS);
    stderr.once('close', () => {
      cancel();
      report(exitCode, signal);
    });
  });
  return {
    identity: { pid: child.pid },
    send: (message) => {
      // Errors of a closing channel go to the callback: the 'exit' that follows reports them.
      child.send(message, (err) => void err);
    },
    kill: async () => {
      if (!reported) child.kill('SIGKILL');
      await exited;
    },
  };
}
