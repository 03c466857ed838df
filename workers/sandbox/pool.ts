/**
 * Sandboxed processors: jobs run in a pool of worker threads or child processes instead of the
 * worker's own thread, as BullMQ's sandboxed processors do. The user names a file; each sandbox
 * imports it once (child-entry.ts) and runs one job at a time. A sandbox that dies (process.exit,
 * an uncaught exception, out of memory, a signal) fails only the job it was running, with
 * SHARQ_ERR_SANDBOX_CRASHED, and is dropped; the next job that needs a sandbox starts a new one.
 *
 *   run(job) → a free sandbox, else a new one (up to `size`), else wait in line
 *     sandbox starting: the job is sent once it reports `loaded`
 *     processor settles → done: resolve / reject with the error rebuilt (same class and code)
 *     signal aborts      → abort sent; still running `abortGraceMs` later → killed, rejects with the reason
 *     sandbox exits      → crash error for its job; the next waiting job starts a replacement
 *     load fails         → SHARQ_ERR_INVALID_OPTION for this and every later run (no respawn loop)
 *
 * Starting one thread or process, and where its code is (dist/ or sources): spawn.ts. Messages
 * between the two sides: protocol.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SharqError } from '../../src/errors/sharq-error.js';
import { parseOptions } from '../../src/options/parse.js';
import { systemClock, type TimerClock } from '../../src/util/clock.js';
import {
  type ChildMessage,
  plainError,
  rebuildError,
  SANDBOX_TAG,
  type SandboxJob,
  type SerializedError,
  serializeError,
} from './protocol.js';
import { type ExitInfo, type HandleEvents, type SandboxHandle, startSandbox } from './spawn.js';

export type { SandboxJob } from './protocol.js';

/** Ranges and defaults, written once: the schema enforces them and its descriptions quote them. */
const HEAP_MB = { min: 16, max: 1_048_576 } as const;
const ABORT_GRACE_MS = { min: 0, max: 3_600_000, default: 5000 } as const;
const POOL_SIZE = { min: 1, max: 1024 } as const;

const sandboxObject = z
  .object({
    file: z
      .string()
      .min(1)
      .describe(
        'Path of the processor module (resolved against the current directory), or a `file:` URL. Its default export (or `module.exports`, or a `process` export) is called as `processor(job, signal)`. Required.',
      ),
    kind: z
      .enum(['thread', 'process'])
      .default('thread')
      .describe(
        'Where jobs run: `thread` (a worker thread) or `process` (a child process from `child_process.fork`). Default: `thread`.',
      ),
    maxOldGenerationSizeMb: z
      .number()
      .int()
      .min(HEAP_MB.min)
      .max(HEAP_MB.max)
      .optional()
      .describe(
        `Heap limit of each sandbox in MiB (V8's old generation), ${HEAP_MB.min}–${HEAP_MB.max}. A sandbox that passes it dies and fails only its job (SHARQ_ERR_SANDBOX_CRASHED). Default: Node's own limit.`,
      ),
    abortGraceMs: z
      .number()
      .int()
      .min(ABORT_GRACE_MS.min)
      .max(ABORT_GRACE_MS.max)
      .default(ABORT_GRACE_MS.default)
      .describe(
        `How long a processor may go on after its job's signal aborts before its sandbox is killed and replaced, ${ABORT_GRACE_MS.min}–${ABORT_GRACE_MS.max} ms. Default: ${ABORT_GRACE_MS.default}.`,
      ),
  })
  .strict();

/** The worker's `processor` option: a file path, or the file with its sandbox settings. */
export const SandboxOptions = z
  .union([
    z
      .string()
      .min(1)
      .transform((file) => ({ file }))
      .pipe(sandboxObject),
    sandboxObject,
  ])
  .describe(
    'Run jobs in sandboxes instead of the handler: a processor file path (worker threads with the defaults below), or `{ file, kind, maxOldGenerationSizeMb, abortGraceMs }`.',
  );
export type SandboxOptionsInput = z.input<typeof SandboxOptions>;

const SandboxPoolOptions = sandboxObject.extend({
  size: z
    .number()
    .int()
    .min(POOL_SIZE.min)
    .max(POOL_SIZE.max)
    .describe(
      `Sandboxes at most, started as jobs need them and reused, ${POOL_SIZE.min}–${POOL_SIZE.max}. Required.`,
    ),
});
export type SandboxPoolOptionsInput = z.input<typeof SandboxPoolOptions>;

export interface SandboxHooks {
  progress(value: unknown): void;
  log(line: string): void;
}

export interface SandboxPool {
  readonly kind: 'thread' | 'process';
  /**
   * Runs one job in a free sandbox (waits for one when all are busy). Resolves with the
   * processor's result; rejects with its error rebuilt (name, message, stack, code; sharq's
   * control errors as their own classes), with SHARQ_ERR_SANDBOX_CRASHED when the sandbox died,
   * with the signal's reason when it aborted, or SHARQ_ERR_INVALID_OPTION when the file cannot
   * be loaded as a processor.
   */
  run(job: SandboxJob, signal: AbortSignal, hooks: SandboxHooks): Promise<unknown>;
  /**
   * Terminates every sandbox (idle ones keep the process alive until then); unfinished runs
   * reject with SHARQ_ERR_CLOSED. Idempotent.
   */
  close(): Promise<void>;
}

export function createSandboxPool(
  options: SandboxPoolOptionsInput,
  clock: TimerClock = systemClock,
): SandboxPool {
  return new Pool(parseOptions('SandboxPool', SandboxPoolOptions, options), clock);
}

interface Sandbox {
  readonly handle: SandboxHandle;
  loaded: boolean;
  /** The run it holds: waiting for `loaded`, or running. */
  run: Run | undefined;
  /** Killed on purpose (abort grace ran out, load failed, close): takes no more runs. */
  killed: boolean;
  /** The uncaught exception it reported before exiting. */
  fatal: SerializedError | undefined;
}

interface Run {
  readonly id: number;
  readonly job: SandboxJob;
  readonly signal: AbortSignal;
  readonly hooks: SandboxHooks;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  sandbox: Sandbox | undefined;
  sent: boolean;
  settled: boolean;
  readonly cleanup: (() => void)[];
}

type Options = z.output<typeof SandboxPoolOptions>;

class Pool implements SandboxPool {
  readonly kind: 'thread' | 'process';
  private readonly file: string;
  private readonly sandboxes = new Set<Sandbox>();
  private readonly idle: Sandbox[] = [];
  private readonly waiting: Run[] = [];
  private loadError: SharqError | undefined;
  private closing: Promise<void> | undefined;
  private nextId = 0;

  constructor(
    private readonly options: Readonly<Options>,
    private readonly clock: TimerClock,
  ) {
    this.kind = options.kind;
    this.file = options.file.startsWith('file:')
      ? fileURLToPath(options.file)
      : path.resolve(options.file);
  }

  run(job: SandboxJob, signal: AbortSignal, hooks: SandboxHooks): Promise<unknown> {
    const refused = this.closing === undefined ? this.loadError : closedError();
    if (refused !== undefined) return Promise.reject(refused);
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const run: Run = {
        id: ++this.nextId,
        job,
        signal,
        hooks,
        resolve,
        reject,
        sandbox: undefined,
        sent: false,
        settled: false,
        cleanup: [],
      };
      const onAbort = () => this.abort(run);
      signal.addEventListener('abort', onAbort, { once: true });
      run.cleanup.push(() => signal.removeEventListener('abort', onAbort));
      this.dispatch(run);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const error = closedError();
    for (const run of this.waiting.splice(0)) this.settle(run, { ok: false, error });
    this.idle.length = 0;
    const all = [...this.sandboxes];
    for (const sandbox of all) {
      const run = sandbox.run;
      sandbox.run = undefined;
      sandbox.killed = true;
      if (run !== undefined) this.settle(run, { ok: false, error });
    }
    await Promise.all(all.map((sandbox) => sandbox.handle.kill()));
  }

  private dispatch(run: Run): void {
    let sandbox = this.idle.pop();
    if (sandbox === undefined && this.sandboxes.size < this.options.size) {
      try {
        sandbox = this.spawn();
      } catch (error) {
        this.settle(run, { ok: false, error });
        return;
      }
    }
    if (sandbox === undefined) this.waiting.push(run);
    else this.assign(sandbox, run);
  }

  private spawn(): Sandbox {
    let sandbox: Sandbox | undefined;
    const events: HandleEvents = {
      message: (message) => sandbox && this.onMessage(sandbox, message),
      exit: (info) => sandbox && this.onExit(sandbox, info),
    };
    const handle = startSandbox(this.kind, this.file, this.options, events, this.clock);
    sandbox = { handle, loaded: false, run: undefined, killed: false, fatal: undefined };
    this.sandboxes.add(sandbox);
    return sandbox;
  }

  private assign(sandbox: Sandbox, run: Run): void {
    sandbox.run = run;
    run.sandbox = sandbox;
    if (sandbox.loaded) this.send(sandbox, run);
  }

  private send(sandbox: Sandbox, run: Run): void {
    try {
      sandbox.handle.send({ tag: SANDBOX_TAG, type: 'run', id: run.id, job: run.job });
      run.sent = true;
    } catch (cause) {
      sandbox.run = undefined;
      const message = `The data of job ${run.job.id} cannot be sent to its sandbox (structured clone): ${String(cause)}`;
      const error = new SharqError('SHARQ_ERR_SANDBOX_UNCLONEABLE', message, { cause });
      this.settle(run, { ok: false, error });
      this.release(sandbox);
    }
  }

  /** A sandbox is free: it takes the next waiting run, or waits idle. */
  private release(sandbox: Sandbox): void {
    if (sandbox.killed || this.closing !== undefined) return;
    const next = this.waiting.shift();
    if (next === undefined) this.idle.push(sandbox);
    else this.assign(sandbox, next);
  }

  private kill(sandbox: Sandbox): void {
    sandbox.killed = true;
    const at = this.idle.indexOf(sandbox);
    if (at >= 0) this.idle.splice(at, 1);
    // Its exit does the bookkeeping (onExit), so the slot frees only once it is really gone.
    void sandbox.handle.kill();
  }

  private onMessage(sandbox: Sandbox, message: ChildMessage): void {
    const run = sandbox.run;
    switch (message.type) {
      case 'loaded':
        sandbox.loaded = true;
        if (run === undefined) this.release(sandbox);
        else this.send(sandbox, run);
        return;
      case 'load-failed':
        this.failLoad(sandbox, message.problem, message.error);
        return;
      case 'progress':
        if (run?.id === message.id && !run.settled)
          callHook(() => run.hooks.progress(message.value));
        return;
      case 'log':
        if (run?.id === message.id && !run.settled) callHook(() => run.hooks.log(message.line));
        return;
      case 'done':
        if (run?.id !== message.id) return; // a run already given up (aborted, closed)
        sandbox.run = undefined;
        this.settle(
          run,
          message.ok
            ? { ok: true, value: message.value }
            : { ok: false, error: rebuildError(message.error) },
        );
        this.release(sandbox);
        return;
      case 'fatal':
        sandbox.fatal = message.error;
        return;
    }
  }

  private onExit(sandbox: Sandbox, info: ExitInfo): void {
    this.sandboxes.delete(sandbox);
    const at = this.idle.indexOf(sandbox);
    if (at >= 0) this.idle.splice(at, 1);
    const run = sandbox.run;
    sandbox.run = undefined;
    if (run !== undefined) {
      const error = crashError(run.job, this.kind, sandbox.handle.identity, {
        ...info,
        error: sandbox.fatal ?? info.error,
      });
      this.settle(run, { ok: false, error });
    }
    // The replacement: the next run in line starts a new sandbox.
    if (this.closing !== undefined || this.loadError !== undefined) return;
    const next = this.waiting.shift();
    if (next !== undefined) this.dispatch(next);
  }

  /**
   * The file cannot serve as a processor. That will not change by starting more sandboxes, so the
   * pool fails this run, every waiting one and every later one with the same error.
   */
  private failLoad(sandbox: Sandbox, problem: string, cause: SerializedError | undefined): void {
    this.loadError ??= new SharqError(
      'SHARQ_ERR_INVALID_OPTION',
      `Sandbox processor "${this.file}" ${problem}${cause === undefined ? '' : `: ${cause.message}`}`,
      {
        cause: cause === undefined ? undefined : rebuildError(cause),
        details: { option: 'processor', file: this.file },
      },
    );
    const error = this.loadError;
    const run = sandbox.run;
    sandbox.run = undefined;
    if (run !== undefined) this.settle(run, { ok: false, error });
    for (const waiting of this.waiting.splice(0)) this.settle(waiting, { ok: false, error });
    this.kill(sandbox);
  }

  private abort(run: Run): void {
    if (run.settled) return;
    const reason: unknown = run.signal.reason;
    const sandbox = run.sandbox;
    if (sandbox === undefined || !run.sent) {
      // Not running yet: in line, or its sandbox still starting (which then serves the next).
      const at = this.waiting.indexOf(run);
      if (at >= 0) this.waiting.splice(at, 1);
      if (sandbox !== undefined) sandbox.run = undefined;
      this.settle(run, { ok: false, error: reason });
      return;
    }
    const serialized = serializeError(reason);
    try {
      sandbox.handle.send({ tag: SANDBOX_TAG, type: 'abort', id: run.id, reason: serialized });
    } catch {
      sandbox.handle.send({
        tag: SANDBOX_TAG,
        type: 'abort',
        id: run.id,
        reason: plainError(serialized),
      });
    }
    const cancel = this.clock.setTimer(() => {
      if (run.settled) return;
      sandbox.run = undefined;
      this.settle(run, { ok: false, error: reason });
      this.kill(sandbox);
    }, this.options.abortGraceMs);
    run.cleanup.push(cancel);
  }

  private settle(run: Run, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) {
    if (run.settled) return;
    run.settled = true;
    run.sandbox = undefined;
    for (const cleanup of run.cleanup) cleanup();
    if (outcome.ok) run.resolve(outcome.value);
    else run.reject(outcome.error);
  }
}

function closedError(): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', 'The sandbox pool is closed');
}

/** A throwing progress or log listener must not break the run or the pool. */
function callHook(fn: () => void): void {
  try {
    fn();
  } catch {
    // The listener's own failure; the job goes on.
  }
}

function crashError(
  job: SandboxJob,
  kind: 'thread' | 'process',
  identity: Readonly<Record<string, number | undefined>>,
  info: ExitInfo,
): SharqError {
  const { exitCode, signal, outOfMemory, error } = info;
  const what = outOfMemory
    ? 'ran out of memory'
    : error !== undefined
      ? `died of an uncaught ${error.name}: ${error.message}`
      : signal !== null
        ? `was killed by ${signal}`
        : `exited with code ${exitCode}`;
  const details: Record<string, unknown> = { jobId: job.id, kind, ...identity, exitCode, signal };
  if (outOfMemory) details.reason = 'out of memory';
  if (error !== undefined) details.error = { name: error.name, message: error.message };
  return new SharqError(
    'SHARQ_ERR_SANDBOX_CRASHED',
    `The ${kind} sandbox running job ${job.id} ${what}`,
    { details, cause: error === undefined ? undefined : rebuildError(error) },
  );
}
