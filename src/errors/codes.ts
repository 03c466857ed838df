/**
 * The registry of every error code sharq raises. One entry per code: whether a retry of the same
 * operation may succeed, and the text `docs/errors.md` shows. A unit test checks that every code
 * here is documented there, so the reference cannot fall behind.
 */
export const ERROR_CODES = {
  SHARQ_ERR_INVALID_OPTION: {
    retryable: false,
    doc: 'An option passed to a constructor or function broke its schema. The message names the option and the rule.',
  },
  SHARQ_ERR_INVALID_ARGUMENT: {
    retryable: false,
    doc: 'An argument to a method (not an option object) is invalid, such as an empty job list or a negative offset.',
  },
  SHARQ_ERR_INVALID_PAYLOAD: {
    retryable: false,
    doc: 'A job payload could not be serialized when adding it, or failed the queue schema when a worker parsed it. Poison jobs go to the DLQ with this code.',
  },
  SHARQ_ERR_CLOSED: {
    retryable: false,
    doc: 'The queue, worker or engine was closed (or is closing) and cannot take this call.',
  },
  SHARQ_ERR_DATA_DIR_LOCKED: {
    retryable: false,
    doc: 'Another live process owns the embedded data directory. One process owns a directory at a time; stop the other or use another `dataDir`.',
  },
  SHARQ_ERR_LOG_CORRUPT: {
    retryable: false,
    doc: 'A log segment or state journal holds data sharq did not write: a frame that fails its checksum or framing check before the end of a file, or a whole record at the very end (its full length is on disk) whose checksum fails. Unlike a torn write (a record cut short, which recovery cuts silently), that record may have been confirmed to its producer, so the engine refuses to open rather than drop it. Also a share group whose state reaches past the end of the log of a partition (records it has seen are gone: a segment deleted or emptied by hand): new jobs at those offsets would pass for done, so under fsync "always" (where only outside damage causes it) open refuses (`details.groupAheadOfLog`, `groupId`, `topic`, `partition`, `stateEnd`, `logEndOffset`); under "interval" or "never", where a power loss may cause it, open cuts the state back instead (see SHARQ_ERR_RECOVERED). `details` names the `file`, byte `position`, `reason` and, at a tail, the `droppedBytes` and first `droppedOffset`. `sharq data check <dir>` shows every damaged spot; `sharq data repair <dir>` lists what cutting it drops and does it with `--yes`.',
  },
  SHARQ_ERR_CATALOG_CORRUPT: {
    retryable: false,
    doc: "The embedded engine's `catalog.json` (topics, partition counts, group settings) cannot be read as sharq wrote it: not JSON, an unknown version, a bad entry. The engine refuses to open rather than guess at the topics. `sharq data repair <dir> --yes` moves it aside and rebuilds it from the topic directories (group settings cannot be rebuilt: they are defaults until a Queue or Worker sets them again); or fix the JSON by hand to keep them. A missing catalog is rebuilt at open on its own (see SHARQ_ERR_RECOVERED).",
  },
  SHARQ_ERR_RECOVERED: {
    retryable: true,
    doc: 'A notice, not a failure: opening the embedded data directory mended something by itself. A torn write at the end of a log or journal (a record cut short by a crash) was cut, or `catalog.json` was missing or did not list partitions that hold records and was rebuilt from the topic directories (group settings cannot be rebuilt: those groups use defaults until set again), or, under fsync "interval" or "never", a share group knew records of a partition whose log tail a power loss took, and its state was cut back to the log end so jobs written there run (`details` names the `groupId`, `topic`, `partition`, `stateEnd`, `logEndOffset`). Sent to the engine\'s `onError` listeners, or printed as a process warning when there are none; `details.kind` says which (`torn-write`, `catalog-rebuilt`, `topic-added`, `partitions-added`, `group-ahead-of-log`).',
  },
  SHARQ_ERR_IO: {
    retryable: true,
    doc: "A file-system operation of the embedded engine failed; the message and `details.file` name the path, `cause` and `details.errno` the system error. Retryable unless the system error is one that stays until someone changes the path (ENOTDIR, EISDIR, EEXIST, EACCES, EPERM, EROFS, ELOOP, ENAMETOOLONG: a file where the data directory should be, no permission, a read-only file system): then `retryable` is false and a Worker's `waitUntilReady()` rejects with it instead of retrying. After a failed write or fsync a log or journal refuses further appends until the engine is reopened.",
  },
  SHARQ_ERR_TOPIC_EXISTS: {
    retryable: false,
    doc: "A topic could not be created because it already exists (Kafka's TOPIC_ALREADY_EXISTS). `ensureTopic` treats it as success: another process created it first.",
  },
  SHARQ_ERR_UNKNOWN_TOPIC: {
    retryable: false,
    doc: 'The topic or partition does not exist on the engine.',
  },
  SHARQ_ERR_UNKNOWN_GROUP: {
    retryable: false,
    doc: 'The share group named does not exist (never used, or deleted). `details.groupId` names it.',
  },
  SHARQ_ERR_GROUP_NOT_EMPTY: {
    retryable: true,
    doc: 'A share group still has members, so it cannot be deleted (as on Kafka: NON_EMPTY_GROUP). Stop its workers, or wait for members that died to time out, then try again.',
  },
  SHARQ_ERR_OFFSET_OUT_OF_RANGE: {
    retryable: false,
    doc: 'A read asked for an offset below the log start or above the log end.',
  },
  SHARQ_ERR_INVALID_RECORD_STATE: {
    retryable: false,
    doc: 'An acknowledgement named a record that this consumer does not hold: never acquired by it, already acknowledged, or its lock expired and the record was released.',
  },
  SHARQ_ERR_RECORD_TOO_LARGE: {
    retryable: false,
    doc: 'A record is larger than the engine accepts: `maxRecordBytes` on the embedded engine, `--max-record-bytes` on `sharq server`, `max.message.bytes` on a Kafka broker (the Kafka engine reports MESSAGE_TOO_LARGE and RECORD_LIST_TOO_LARGE as this code, with the answer in `details.kafkaError`). Nothing of the refused record was written.',
  },
  SHARQ_ERR_ENGINE_CONFIG: {
    retryable: false,
    doc: 'The engine configuration is invalid or names an engine this build does not provide.',
  },
  SHARQ_ERR_NOT_IMPLEMENTED: {
    retryable: false,
    doc: 'The selected engine does not provide this operation yet.',
  },
  SHARQ_ERR_DLQ_WRITE_FAILED: {
    retryable: true,
    doc: 'Writing a failed job to its dead-letter topic failed. The job is released, not acknowledged, so it is delivered again and nothing is lost.',
  },
  SHARQ_ERR_SHUTDOWN_TIMEOUT: {
    retryable: false,
    doc: 'A graceful close reached its deadline with handlers still running; they were aborted through their `AbortSignal` and their jobs released for redelivery.',
  },
  SHARQ_ERR_UNRECOVERABLE: {
    retryable: false,
    doc: 'Thrown by a handler (`UnrecoverableError`) to send the job to the DLQ at once, without further attempts.',
  },
  SHARQ_ERR_RETRY_JOB: {
    retryable: true,
    doc: 'Thrown by a handler (`RetryJobError({ delayMs })`) to retry its job after a chosen delay instead of its backoff. The attempt counts; on the last one the job goes to the DLQ.',
  },
  SHARQ_ERR_RATE_LIMITED: {
    retryable: true,
    doc: "Thrown by a handler (`RateLimitError`) when the service it calls refused for a rate limit: the job waits (`delayMs`, or else the worker's hold limit: `holdMaxMs`, at most half the lock) and runs again without spending an attempt.",
  },
  SHARQ_ERR_JOB_TIMEOUT: {
    retryable: true,
    doc: "A handler ran past its job's `timeout`: its `AbortSignal` fired with this error and the attempt failed (retried with backoff, or dead-lettered on the last attempt). `details.timeoutMs` holds the limit.",
  },
  SHARQ_ERR_ATTEMPTS_EXHAUSTED: {
    retryable: false,
    doc: 'A job spent all its `attempts` in deliveries that ended without a verdict (its workers died or lost its lock while running it, for example a job that crashes its process): it goes to the DLQ with this code instead of running again.',
  },
  SHARQ_ERR_GROUP_CONFIG_MISMATCH: {
    retryable: false,
    doc: "A worker's group settings (`lockDurationMs`, `deliveryLimit`) disagree with the settings its queue's share group already has. Group settings belong to the queue: set them on the `Queue` (or leave them out of the worker), or pass `overrideGroupConfig: true` to change them for the whole fleet. `details` lists each setting with both values.",
  },
  SHARQ_ERR_ADDRESS_IN_USE: {
    retryable: false,
    doc: '`sharq server` could not listen: the port is taken (another sharq server, a Kafka broker). `details` has the host and port; pick another with `--port`.',
  },
  SHARQ_ERR_PROTOCOL: {
    retryable: false,
    doc: 'A Kafka frame could not be decoded: truncated, a length past its end, a bad CRC-32C in a record batch, a record batch that decompresses to more than 64 MiB (a decompression bomb; `details.maxDecompressedBatchBytes`), or a response to a request never sent. The connection is closed; the message names the API, field and byte position.',
  },
  SHARQ_ERR_CONNECTION: {
    retryable: true,
    doc: 'A broker connection could not be opened or was lost (refused, reset, TLS failure). Requests in flight fail with this code (a produce only after its retries); clients reconnect with backoff.',
  },
  SHARQ_ERR_TIMEOUT: {
    retryable: true,
    doc: 'A broker did not answer a request within `requestTimeoutMs`. The connection is closed, since its later answers can no longer be matched safely.',
  },
  SHARQ_ERR_KAFKA: {
    retryable: false,
    doc: "A broker answered with a Kafka error code. `details.kafkaCode` and `details.kafkaError` hold the number and name (for example 122 SHARE_SESSION_NOT_FOUND); `retryable` follows Kafka's classification.",
  },
  SHARQ_ERR_UNSUPPORTED: {
    retryable: false,
    doc: 'The broker lacks an API version sharq needs (share groups need Kafka 4.2+: ShareFetch and ShareAcknowledge v2), or a record batch uses a compression codec this build cannot decode.',
  },
  SHARQ_ERR_AUTH: {
    retryable: false,
    doc: "SASL authentication failed (wrong mechanism, user or password). The message carries the broker's error text.",
  },
  SHARQ_ERR_RATE_LIMITER: {
    retryable: true,
    doc: "A Redis-backed rate limiter (or retry budget) could not reach Redis: the connection is down or reconnecting, or Redis did not answer within the limiter's `timeoutMs`. The worker acquires nothing for that poll, so no job runs past the limit and none spends an attempt; it tries again after a wait. The cause holds the Redis error; `details` names the limiter key and the operation.",
  },
  SHARQ_ERR_SANDBOX_CRASHED: {
    retryable: true,
    doc: "The worker thread or child process running a sandboxed processor died during a job: `process.exit`, an uncaught exception, its heap limit (`maxOldGenerationSizeMb`) or a signal. Only that attempt fails (it is retried as any failure); the next job gets a new sandbox. `details` holds `jobId`, `kind`, `exitCode`, `signal`, `reason: 'out of memory'` and the uncaught `error` when known. Also raised, not retryable, when a sandbox cannot be started at all.",
  },
  SHARQ_ERR_SANDBOX_UNCLONEABLE: {
    retryable: false,
    doc: "A value could not cross between a worker and its sandboxed processor by structured clone: the job's data, or the processor's result or progress value (a function, a symbol, a stream). Return plain data: objects, arrays, strings, numbers, Dates, Maps, typed arrays.",
  },
  SHARQ_ERR_NOT_FOUND: {
    retryable: false,
    doc: 'The admin API or CLI was asked about something that does not exist: a queue (no such topic), or a DLQ record at that partition and offset. The admin API answers 404.',
  },
  SHARQ_ERR_GROUP_ACTIVE: {
    retryable: true,
    doc: "An offsets reset was refused because the share group has active members, as Kafka refuses it (NON_EMPTY_GROUP): stop the queue's workers (or pause it and wait for them to leave), then reset. `details.members` holds their number. The admin API answers 409.",
  },
  SHARQ_ERR_REDRIVE_LIMIT: {
    retryable: false,
    doc: 'A DLQ record was not redriven because its job has been redriven `maxRedrives` times already (header `sharq.redrive.count`): it keeps failing, so look at the error before sending it round again. A redrive of many records reports such records as `refused`; a redrive of that one record alone answers 409.',
  },
  SHARQ_ERR_REDRIVE_CLAIM_EXPIRED: {
    retryable: true,
    doc: 'A redrive stopped before enqueueing a batch: more than half of `redriveClaimTimeoutMs` passed between writing its claims to the DLQ ledger and enqueueing (a slow ledger or broker), so another process might be taking them over. Nothing of that batch was enqueued by it; redrive again: the records are recovered, each enqueued once. `details` holds the `queue`, the `ids` and the `elapsedMs`. The admin API answers 503.',
  },
  SHARQ_ERR_UNAUTHORIZED: {
    retryable: false,
    doc: 'An admin API request had no bearer token, or one that matches no configured token. The API answers 401. Tokens are set with `adminTokens` / `readTokens` (or SHARQ_ADMIN_TOKEN / SHARQ_READ_TOKEN).',
  },
  SHARQ_ERR_FORBIDDEN: {
    retryable: false,
    doc: 'An admin API request used a read-only token on a route that changes something (pause, resume, offsets reset, enqueue, redrive, discard). The API answers 403.',
  },
  SHARQ_ERR_TOO_MANY_REQUESTS: {
    retryable: true,
    doc: 'The admin API refused a request past its own rate limit (`rateLimit.max` requests per `rateLimit.windowMs` per client address). The API answers 429 with a Retry-After header.',
  },
  SHARQ_ERR_INTERNAL: {
    retryable: true,
    doc: 'The admin API failed in a way it did not expect. The answer (500) says no more, so no internals leak; the server log has the error.',
  },
  SHARQ_ERR_PAYLOAD_TOO_LARGE: {
    retryable: false,
    doc: 'An admin API request body is larger than `bodyLimitBytes`. The API answers 413.',
  },
} as const satisfies Record<string, { retryable: boolean; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
