/**
 * sharq's public surface. Everything exported here is a semver promise; internals stay
 * unexported on purpose.
 */

export { defineWorker, type WorkerDefinition } from '../workers/define-worker.js';
export type { Job } from '../workers/job.js';
export type { RateLimitOptionsInput } from '../workers/rate-limit/limiter.js';
export type { SandboxOptionsInput } from '../workers/sandbox/pool.js';
export type {
  FailureOutcome,
  Handler,
  Processor,
  RetryInfo,
  WorkerEvents,
  WorkerOptionsInput,
} from '../workers/worker.js';
export { Worker } from '../workers/worker.js';
export type { DeadLetterReason } from './dlq/dead-letter.js';
export { DLQ_HEADER } from './dlq/dead-letter.js';
export { EmbeddedEngine } from './embedded/embedded-engine.js';
export { createEngine } from './engine/resolve-engine.js';
export type {
  Acknowledgement,
  AckResult,
  AcquiredRecord,
  AcquireMode,
  Engine,
  EngineAdmin,
  PartitionOffsets,
  PollOptions,
  ProduceRecord,
  RecordPosition,
  ShareConsumer,
  ShareConsumerOptions,
  ShareGroupConfig,
  ShareGroupDescription,
  SharePartitionStats,
  StoredRecord,
  TopicDescription,
} from './engine/types.js';
export { AckType, RecordState } from './engine/types.js';
export type { ErrorCode } from './errors/codes.js';
export { ERROR_CODES } from './errors/codes.js';
export { RateLimitError, RetryJobError, UnrecoverableError } from './errors/control.js';
export { SharqError } from './errors/sharq-error.js';
export type { EngineOptions } from './options/engine-options.js';
export type { AddedJob, BulkJob, JobOptionsInput, QueueOptionsInput } from './queue/queue.js';
export { defaultDeadLetterTopic, Queue } from './queue/queue.js';
