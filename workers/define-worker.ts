import type { SandboxOptionsInput } from './sandbox/pool.js';
import type { Handler, WorkerOptionsInput } from './worker.js';

/** What a worker module exports: its default export, or an export named `worker`. */
export interface WorkerDefinition<Data = unknown, Result = unknown> {
  /** Queue the worker takes jobs from. */
  queue: string;
  /** Runs one job; a thrown error fails the attempt (retry, or DLQ on the last). */
  handler?: Handler<Data, Result>;
  /**
   * A sandboxed processor instead of `handler`: a file path (relative to this module), run in
   * worker threads, or `{ file, kind: 'thread' | 'process', ... }`.
   */
  processor?: SandboxOptionsInput;
  /** Worker options; `--engine`, `--concurrency` and the other flags override theirs. */
  options?: WorkerOptionsInput;
}

/** Types a worker module's definition; returns it unchanged. */
export function defineWorker<Data = unknown, Result = unknown>(
  definition: WorkerDefinition<Data, Result>,
): WorkerDefinition<Data, Result> {
  return definition;
}
