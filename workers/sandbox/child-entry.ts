/**
 * What runs inside a sandbox: a worker thread or a child process started by `pool.ts`. It is an
 * entry point, so unlike sharq's other modules it does its work at import: it imports the
 * processor file (from `workerData.file` in a thread, `argv[2]` in a process), reports `loaded` or
 * `load-failed`, then runs the jobs the parent sends, one at a time. Messages: see protocol.ts.
 *
 * An uncaught exception (a processor's stray timer or unawaited promise) leaves the sandbox in an
 * unknown state: it is reported as `fatal` and the sandbox exits; the parent fails the running job
 * and starts a new sandbox for the next one.
 */
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { SharqError } from '../../src/errors/sharq-error.js';
import {
  type ChildMessage,
  isProtocolMessage,
  type ParentMessage,
  plainError,
  rebuildError,
  SANDBOX_TAG,
  type SandboxJob,
  serializeError,
} from './protocol.js';

type Processor = (job: unknown, signal: AbortSignal) => unknown;
type Untagged<M> = M extends unknown ? Omit<M, 'tag'> : never;

/** How long an exiting process waits for its last message to flush before it exits anyway. */
const FATAL_FLUSH_MS = 1000;

/** Sends to the parent. Throws synchronously when the message cannot be cloned. */
function send(message: Untagged<ChildMessage>, then?: () => void): void {
  const tagged = { ...message, tag: SANDBOX_TAG };
  if (parentPort !== null) {
    parentPort.postMessage(tagged);
    then?.();
  } else if (process.send !== undefined) {
    process.send(tagged, undefined, undefined, () => then?.());
  } else {
    throw new Error(
      'sharq sandbox entry started without a parent (no worker port, no IPC channel)',
    );
  }
}

function onParentMessage(handler: (message: ParentMessage) => void): void {
  const listener = (message: unknown) => {
    if (isProtocolMessage<ParentMessage>(message)) handler(message);
  };
  if (parentPort !== null) parentPort.on('message', listener);
  else process.on('message', listener);
}

process.on('uncaughtException', (err) => {
  setTimeout(() => process.exit(1), FATAL_FLUSH_MS);
  const error = serializeError(err);
  try {
    send({ type: 'fatal', error }, () => process.exit(1));
  } catch {
    send({ type: 'fatal', error: plainError(error) }, () => process.exit(1));
  }
});
// A process whose parent is gone has no one to work for.
if (isMainThread) process.on('disconnect', () => process.exit(0));

const file: unknown = isMainThread ? process.argv[2] : (workerData as { file?: unknown }).file;
const processor = await load(file);
if (processor !== undefined) {
  let running: { id: number; controller: AbortController } | undefined;
  onParentMessage((message) => {
    if (message.type === 'run') {
      const controller = new AbortController();
      running = { id: message.id, controller };
      void runJob(processor, message.id, message.job, controller.signal).finally(() => {
        if (running?.id === message.id) running = undefined;
      });
    } else if (message.type === 'abort' && running?.id === message.id) {
      running.controller.abort(rebuildError(message.reason));
    }
  });
  send({ type: 'loaded' });
}

async function load(path: unknown): Promise<Processor | undefined> {
  if (typeof path !== 'string' || path === '') {
    send({ type: 'load-failed', problem: 'no processor file was given to the sandbox' });
    return undefined;
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const missing =
      (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((err as { message?: unknown }).message).includes(path);
    const problem = missing ? 'does not exist' : 'failed to load';
    sendLoadFailed(problem, err);
    return undefined;
  }
  const found = pickProcessor(module);
  if (found === undefined) {
    send({
      type: 'load-failed',
      problem:
        'exports no processor function (expected a default export, `module.exports = fn` or a named `process` export)',
    });
  }
  return found;
}

/** ESM default export, CommonJS `module.exports = fn`, or a `process` export of either. */
function pickProcessor(module: Record<string, unknown>): Processor | undefined {
  const fallback = module.default as Record<string, unknown> | undefined;
  const candidates = [module.default, module.process, fallback?.default, fallback?.process];
  return candidates.find((c): c is Processor => typeof c === 'function');
}

function sendLoadFailed(problem: string, err: unknown): void {
  const error = serializeError(err);
  try {
    send({ type: 'load-failed', problem, error });
  } catch {
    send({ type: 'load-failed', problem, error: plainError(error) });
  }
}

async function runJob(
  processor: Processor,
  id: number,
  data: SandboxJob,
  signal: AbortSignal,
): Promise<void> {
  const job = Object.freeze({
    ...data,
    progress(value: unknown): void {
      sendOrThrow({ type: 'progress', id, value }, 'progress value');
    },
    log(line: string): void {
      send({ type: 'log', id, line: String(line) });
    },
  });
  let value: unknown;
  try {
    value = await processor(job, signal);
  } catch (err) {
    sendError(id, err);
    return;
  }
  try {
    send({ type: 'done', id, ok: true, value });
  } catch (err) {
    sendError(id, uncloneable('result', err));
  }
}

function sendError(id: number, err: unknown): void {
  const error = serializeError(err);
  try {
    send({ type: 'done', id, ok: false, error });
  } catch {
    send({ type: 'done', id, ok: false, error: plainError(error) });
  }
}

function sendOrThrow(message: Untagged<ChildMessage>, what: string): void {
  try {
    send(message);
  } catch (err) {
    throw uncloneable(what, err);
  }
}

function uncloneable(what: string, err: unknown): SharqError {
  const reason = err instanceof Error ? err.message : String(err);
  return new SharqError(
    'SHARQ_ERR_SANDBOX_UNCLONEABLE',
    `The processor's ${what} cannot be sent from its sandbox (structured clone): ${reason}`,
    { cause: err },
  );
}
