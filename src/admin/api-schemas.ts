/**
 * The admin API's contract: every route's input and output as a zod schema. The Fastify plugin
 * (`src/server/admin/`) validates requests and serializes responses with these, the OpenAPI
 * document at `GET /openapi.json` is derived from them (`z.toJSONSchema`), and the dashboard and
 * the CLI import the inferred types. Change a route here first.
 *
 * Conventions:
 *   - JSON in and out; every path below is relative to the plugin's prefix (`sharq server`
 *     mounts it at `/`, so `/api/queues`, `/health`, `/metrics`).
 *   - Auth: `Authorization: Bearer <token>`. Read routes need a read or admin token; mutations
 *     (every POST) need an admin token. No tokens configured: the API binds to loopback only.
 *   - Errors: `{ error: { code, message, field? } }` (ApiError) with 400 (bad input; `field`
 *     names the offending one), 401 (no or unknown token), 403 (read token on a mutation),
 *     404 (no such queue or DLQ record), 409 (refused: group has members, redrive ceiling),
 *     413 (body too large), 429 (API rate limit), 500, 503 (engine unreachable).
 *   - A DLQ record is named by its position in the DLQ topic: `{ partition, offset }`, or the
 *     string id `"<partition>:<offset>"` in paths and in `DlqEntry.id`.
 *   - Times are epoch milliseconds (numbers) unless a field says ISO.
 */
import { z } from 'zod';
import { topicName } from '../options/parse.js';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** The rule every queue and topic name follows (src/options/parse.ts). */
export const QueueName = topicName.describe('A queue name (its topic).');

export const ApiError = z
  .object({
    error: z.object({
      code: z.string().describe('A SHARQ_ERR_* code (docs/errors.md).'),
      message: z.string(),
      field: z.string().optional().describe('The offending input field, for a 400.'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('Every non-2xx answer.');
export type ApiError = z.infer<typeof ApiError>;

export const DlqPosition = z
  .object({
    partition: z.number().int().min(0).max(100_000),
    offset: z.number().int().min(0),
  })
  .strict()
  .describe('A record of the DLQ topic by partition and offset.');
export type DlqPosition = z.infer<typeof DlqPosition>;

const epochMs = z.number().int().min(0);
const coercedEpochMs = z.coerce.number().int().min(0);

// ---------------------------------------------------------------------------------------------
// Health and readiness

/** GET /health — liveness: the process answers. Never needs a token. */
export const HealthResponse = z.object({ status: z.literal('ok') });

/**
 * GET /ready — readiness: the engine answers an admin call. 200 when ready, 503 (ReadyResponse
 * with ready: false and the error) when not. Never needs a token.
 */
export const ReadyResponse = z.object({
  ready: z.boolean(),
  engine: z.enum(['embedded', 'kafka']),
  error: z.string().optional(),
});

// GET /metrics — Prometheus text format (prom-client). Needs a read token when tokens are set.
// GET /openapi.json — this contract as OpenAPI 3.1; GET /docs — a browsable UI of it.

/**
 * GET /api/session — who the caller is: the role of its token (`admin` for every caller when the
 * API runs without tokens), so a client such as the dashboard shows mutations only to admins.
 * 401 without a known token when tokens are set.
 */
export const SessionResponse = z.object({
  role: z.enum(['read', 'admin']),
  authRequired: z.boolean().describe('Whether the API checks tokens.'),
  engine: z.enum(['embedded', 'kafka']),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

// ---------------------------------------------------------------------------------------------
// Queues

export const PartitionSummary = z.object({
  partition: z.number().int(),
  /** First offset the log still holds. */
  logStartOffset: z.number().int(),
  logEndOffset: z.number().int(),
  /** The share-partition start offset of the queue's group (null: the group has no state yet). */
  startOffset: z.number().int().nullable(),
  lag: z.number().int(),
  available: z.number().int().nullable(),
  acquired: z.number().int().nullable(),
  acknowledged: z.number().int().nullable(),
  archived: z.number().int().nullable(),
});

export const QueueCounts = z
  .object({
    /** Records from the group's start offset to the log end that are not yet terminal. */
    lag: z.number().int(),
    /** Per-state counts over the in-flight window; null where the engine does not report them (Kafka). */
    available: z.number().int().nullable(),
    inFlight: z.number().int().nullable(),
    acknowledged: z.number().int().nullable(),
    archived: z.number().int().nullable(),
    /** Jobs waiting in the queue's delay tiers (delayed jobs and retries waiting out a backoff). */
    delayed: z.number().int(),
    /**
     * Pending jobs on a second or later attempt, counted over the first `retryingScanLimit`
     * pending records of each partition and the delay tiers: approximate on a deep backlog
     * (`retryingApproximate` says so).
     */
    retrying: z.number().int(),
    retryingApproximate: z.boolean(),
    /** DLQ records neither redriven nor discarded. */
    deadLettered: z.number().int(),
  })
  .describe('Counts of one queue.');

export const Throughput = z.object({
  /** Jobs added per second (log-end growth of the queue topic), over `windowMs`. */
  enqueuedPerSec: z.number().nullable(),
  /** Jobs finished per second (share-partition start offset growth), over `windowMs`. */
  completedPerSec: z.number().nullable(),
  /** Records dead-lettered per second (DLQ log-end growth), over `windowMs`. */
  deadLetteredPerSec: z.number().nullable(),
  /** The sampling window the rates span; null until two samples exist. */
  windowMs: z.number().int().nullable(),
});

export const QueueTotals = z
  .object({
    /** Sum of the queue topic's log-end offsets: jobs ever added. */
    enqueued: z.number().int(),
    /** Sum of the group's start offsets: jobs finished (acknowledged or archived). */
    completed: z.number().int(),
    /** Sum of the DLQ topic's log-end offsets: records ever dead-lettered. */
    deadLettered: z.number().int(),
  })
  .describe('Counters that only grow; a client sampling them gets rates over its own interval.');

export const QueueSummary = z.object({
  name: QueueName,
  partitions: z.number().int(),
  group: z.string(),
  deadLetterTopic: z.string(),
  paused: z.boolean(),
  members: z.number().int(),
  counts: QueueCounts,
  totals: QueueTotals,
  throughput: Throughput,
  /** Age in ms of the oldest pending job (the record at the start offset), null when none. */
  oldestPendingAgeMs: z.number().int().nullable(),
});
export type QueueSummary = z.infer<typeof QueueSummary>;

/** GET /api/queues — every queue the engine holds (topics that are not sharq's own). */
export const ListQueuesResponse = z.object({ queues: z.array(QueueSummary) });
export type ListQueuesResponse = z.infer<typeof ListQueuesResponse>;

export const QueueParams = z.object({ queue: QueueName }).strict();

export const PauseState = z.object({
  queue: QueueName,
  paused: z.boolean(),
  reason: z.string().nullable(),
  /** When the state last changed (epoch ms), null if never paused. */
  since: epochMs.nullable(),
  by: z.string().nullable().describe('Who changed it: the token role and the request id.'),
});
export type PauseState = z.infer<typeof PauseState>;

/** GET /api/queues/:queue — one queue in depth. 404 SHARQ_ERR_NOT_FOUND when it does not exist. */
export const QueueDetail = QueueSummary.extend({
  config: z.object({
    autoOffsetReset: z.enum(['earliest', 'latest']),
    lockDurationMs: z.number().int(),
    deliveryCountLimit: z.number().int(),
    deadLetterTopic: z.string().nullable(),
  }),
  pause: PauseState,
  partitionDetail: z.array(PartitionSummary),
  groupMembers: z.array(
    z.object({ memberId: z.string(), clientId: z.string(), topics: z.array(z.string()) }),
  ),
  delayTiers: z.array(z.object({ topic: z.string(), waiting: z.number().int() })),
});
export type QueueDetail = z.infer<typeof QueueDetail>;

/** POST /api/queues/:queue/pause — workers of the queue everywhere stop acquiring. Admin. */
export const PauseBody = z
  .object({ reason: z.string().max(500).optional().describe('Shown to workers and in the API.') })
  .strict();

// POST /api/queues/:queue/resume — workers acquire again. Admin. Body: none or {}. Answer: PauseState.
export const ResumeBody = z.object({}).strict();

/**
 * POST /api/queues/:queue/offsets/reset — move the group's start offset on the queue topic.
 * Refused with 409 SHARQ_ERR_GROUP_ACTIVE while the group has members (as Kafka does). Admin.
 */
export const ResetOffsetsBody = z
  .object({
    to: z
      .union([
        z.literal('earliest'),
        z.literal('latest'),
        z.object({ timestamp: epochMs }).strict(),
      ])
      .describe('`earliest`, `latest` or `{ timestamp }` (the first record at or after it).'),
    group: z.string().min(1).max(255).optional().describe('Default: the queue group sharq.<q>.'),
    dryRun: z.boolean().default(false),
  })
  .strict();
export const ResetOffsetsResponse = z.object({
  queue: QueueName,
  group: z.string(),
  dryRun: z.boolean(),
  partitions: z.array(
    z.object({
      partition: z.number().int(),
      before: z.number().int().nullable(),
      after: z.number().int(),
    }),
  ),
});
export type ResetOffsetsResponse = z.infer<typeof ResetOffsetsResponse>;

/** POST /api/queues/:queue/jobs — add a job (as Queue.add). Admin. */
export const EnqueueBody = z
  .object({
    name: z.string().min(1).max(200),
    data: z.unknown().optional(),
    opts: z
      .object({
        jobId: z.string().min(1).max(200).optional(),
        key: z.string().min(1).max(1000).optional(),
        delay: z.number().int().min(0).optional(),
        attempts: z.number().int().min(1).max(1000).optional(),
        headers: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export const EnqueueResponse = z.object({
  id: z.string(),
  name: z.string(),
  queue: z.string(),
  topic: z.string(),
  partition: z.number().int(),
  offset: z.number().int(),
  dueAt: z.number().int().optional(),
});

// ---------------------------------------------------------------------------------------------
// Dead-letter queue

export const DlqState = z.enum(['pending', 'redriven', 'discarded']);
export type DlqState = z.infer<typeof DlqState>;

/** Filters shared by the DLQ list, redrive-all and discard-all. Every field narrows. */
export const DlqFilter = z
  .object({
    reason: z.string().max(100).optional().describe('sharq.error.reason, e.g. attempts-exhausted.'),
    errorName: z.string().max(200).optional(),
    errorCode: z.string().max(200).optional(),
    jobId: z.string().max(200).optional(),
    jobName: z.string().max(200).optional(),
    from: coercedEpochMs.optional().describe('Dead-lettered at or after (record timestamp).'),
    to: coercedEpochMs.optional().describe('Dead-lettered before (record timestamp).'),
    state: z
      .enum(['pending', 'redriven', 'discarded', 'all'])
      .default('pending')
      .describe('Default: pending (neither redriven nor discarded).'),
  })
  .strict();
export type DlqFilter = z.input<typeof DlqFilter>;

/**
 * GET /api/queues/:queue/dlq — a page of DLQ records, newest first (`order=asc`: oldest first),
 * with DlqFilter's fields as query parameters. `cursor` is the `nextCursor` of the previous page
 * (opaque); `nextCursor` is null at the end. A selective filter scans at most `scanLimit`
 * records per call: the page may then hold fewer than `limit` with a non-null cursor.
 */
export const DlqListQuery = DlqFilter.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(20_000).optional(),
  order: z.enum(['desc', 'asc']).default('desc'),
}).strict();
export type DlqListQuery = z.input<typeof DlqListQuery>;

export const DlqEntry = z.object({
  id: z.string().describe('"<partition>:<offset>" in the DLQ topic.'),
  partition: z.number().int(),
  offset: z.number().int(),
  /** When it was dead-lettered (record timestamp). */
  timestamp: epochMs,
  jobId: z.string().nullable(),
  jobName: z.string().nullable(),
  reason: z.string().nullable(),
  errorName: z.string().nullable(),
  errorCode: z.string().nullable(),
  message: z.string().nullable(),
  attempts: z.number().int().nullable(),
  redriveCount: z.number().int(),
  state: DlqState,
  source: z
    .object({
      topic: z.string().nullable(),
      partition: z.number().int().nullable(),
      offset: z.number().int().nullable(),
      group: z.string().nullable(),
    })
    .describe('Where the job was when it failed (__dlq.errors.*).'),
});
export type DlqEntry = z.infer<typeof DlqEntry>;

export const DlqListResponse = z.object({
  queue: QueueName,
  deadLetterTopic: z.string(),
  records: z.array(DlqEntry),
  nextCursor: z.string().nullable(),
  /** DLQ records read to make this page. */
  scanned: z.number().int(),
});
export type DlqListResponse = z.infer<typeof DlqListResponse>;

export const DlqRecordParams = z
  .object({
    queue: QueueName,
    id: z.string().regex(/^\d{1,6}:\d{1,16}$/, 'a DLQ record id "<partition>:<offset>"'),
  })
  .strict();

/** GET /api/queues/:queue/dlq/:id — one DLQ record in full. 404 when there is none. */
export const DlqRecordDetail = DlqEntry.extend({
  key: z.string().nullable().describe('UTF-8, or base64 with keyEncoding: base64.'),
  keyEncoding: z.enum(['utf8', 'base64']),
  /** The value as JSON when it parses, else text; cut at `previewBytes`. */
  payload: z.unknown(),
  payloadTruncated: z.boolean(),
  valueBytes: z.number().int(),
  headers: z.record(z.string(), z.string()),
  stack: z.string().nullable(),
  failedAt: z.string().nullable().describe('ISO time from sharq.error.at.'),
  redrives: z.array(
    z.object({
      at: epochMs,
      target: z.object({
        topic: z.string(),
        partition: z.number().int(),
        offset: z.number().int(),
      }),
    }),
  ),
});
export type DlqRecordDetail = z.infer<typeof DlqRecordDetail>;

/** Which DLQ records a redrive or discard acts on: named ones, or every one matching a filter. */
export const DlqSelection = z.union([
  z.object({ ids: z.array(DlqPosition).min(1).max(10_000) }).strict(),
  z
    .object({
      filter: DlqFilter.omit({ state: true }),
      cursor: z
        .string()
        .max(20_000)
        .optional()
        .describe(
          'Carry on from the nextCursor of a redrive or discard that stopped at its limit.',
        ),
    })
    .strict(),
]);

/**
 * POST /api/queues/:queue/dlq/redrive — put DLQ records back on the queue with fresh attempts.
 * Admin. Idempotent: a record already redriven, or being redriven by another redrive (in any
 * process), is skipped (`skipped`), also after a crash halfway. A record redriven `maxRedrives` times is refused (`refused`, SHARQ_ERR_REDRIVE_LIMIT);
 * naming one refused record alone answers 409. `dryRun: true` (do this first) writes nothing and
 * reports what would happen. Records per second are capped by `ratePerSec`.
 */
export const RedriveBody = z
  .object({
    selection: DlqSelection,
    dryRun: z.boolean().default(false),
    ratePerSec: z.number().int().min(1).max(100_000).optional(),
    /** Stop after this many records (a filter matching more redrives the first ones). */
    limit: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type RedriveBody = z.input<typeof RedriveBody>;

export const RedriveItem = z.object({
  id: z.string(),
  outcome: z.enum(['redriven', 'would-redrive', 'skipped', 'refused', 'missing']),
  /** Why skipped / refused / missing. */
  why: z.string().optional(),
  target: z
    .object({ topic: z.string(), partition: z.number().int(), offset: z.number().int() })
    .optional(),
});

export const RedriveResponse = z.object({
  queue: QueueName,
  dryRun: z.boolean(),
  matched: z.number().int(),
  redriven: z.number().int(),
  skipped: z.number().int(),
  refused: z.number().int(),
  missing: z.number().int(),
  /** Per record, at most the first 1000. */
  items: z.array(RedriveItem),
  itemsTruncated: z.boolean(),
  /** For a filter that stopped at `limit`: pass it as `selection.cursor` to go on; else null. */
  nextCursor: z.string().nullable(),
});
export type RedriveResponse = z.infer<typeof RedriveResponse>;

/** POST /api/queues/:queue/dlq/discard — mark DLQ records discarded (hidden from `pending`). Admin. Idempotent. */
export const DiscardBody = z
  .object({
    selection: DlqSelection,
    dryRun: z.boolean().default(false),
    limit: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export type DiscardBody = z.input<typeof DiscardBody>;

export const DiscardResponse = z.object({
  queue: QueueName,
  dryRun: z.boolean(),
  matched: z.number().int(),
  discarded: z.number().int(),
  skipped: z.number().int(),
  missing: z.number().int(),
  /** As RedriveResponse.nextCursor. */
  nextCursor: z.string().nullable(),
});
export type DiscardResponse = z.infer<typeof DiscardResponse>;
