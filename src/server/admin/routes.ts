import type { z } from 'zod';
import type { SharqAdmin } from '../../admin/admin.js';
import * as S from '../../admin/api-schemas.js';
import { parseDlqId } from '../../admin/dlq-ledger.js';
import type { Role } from './auth.js';

/**
 * The admin API's routes as data: method, path, who may call it, the zod schemas of its input
 * and output (from src/admin/api-schemas.ts, the one contract), and the operation it runs.
 * plugin.ts turns each into a Fastify route and the OpenAPI document.
 */
export interface RouteInput {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  /** "admin:<fingerprint>" or "admin:anonymous": recorded with writes. */
  by: string;
  /** The caller's role (admin when the API runs without tokens). */
  role: Role;
  /** Whether the API checks tokens. */
  authRequired: boolean;
  signal: AbortSignal;
}

export interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  role: Role | 'public';
  summary: string;
  tags: string[];
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  handler: (admin: SharqAdmin, input: RouteInput) => Promise<unknown>;
}

const q = (i: RouteInput) => String(i.params.queue);

export const ROUTES: RouteDef[] = [
  {
    method: 'GET',
    url: '/api/session',
    role: 'read',
    summary: "The caller's role (read or admin)",
    tags: ['session'],
    response: S.SessionResponse,
    handler: async (a, i) => ({
      role: i.role,
      authRequired: i.authRequired,
      engine: a.engine.kind,
    }),
  },
  {
    method: 'GET',
    url: '/api/queues',
    role: 'read',
    summary: 'Every queue with its counts',
    tags: ['queues'],
    response: S.ListQueuesResponse,
    handler: async (a) => ({ queues: await a.listQueues() }),
  },
  {
    method: 'GET',
    url: '/api/queues/:queue',
    role: 'read',
    summary: 'One queue: partitions, group members, counts, lag, throughput, oldest pending job',
    tags: ['queues'],
    params: S.QueueParams,
    response: S.QueueDetail,
    handler: (a, i) => a.queue(q(i)),
  },
  {
    method: 'GET',
    url: '/api/queues/:queue/pause',
    role: 'read',
    summary: 'Whether the queue is paused',
    tags: ['queues'],
    params: S.QueueParams,
    response: S.PauseState,
    handler: (a, i) => a.pauseState(q(i)),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/pause',
    role: 'admin',
    summary: 'Pause the queue for every worker of the fleet',
    tags: ['queues'],
    params: S.QueueParams,
    body: S.PauseBody,
    response: S.PauseState,
    handler: (a, i) => a.pause(q(i), (i.body as { reason?: string }).reason, i.by),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/resume',
    role: 'admin',
    summary: 'Resume the queue',
    tags: ['queues'],
    params: S.QueueParams,
    body: S.ResumeBody,
    response: S.PauseState,
    handler: (a, i) => a.resume(q(i), i.by),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/offsets/reset',
    role: 'admin',
    summary: "Move the queue group's start offset (refused while it has members)",
    tags: ['queues'],
    params: S.QueueParams,
    body: S.ResetOffsetsBody,
    response: S.ResetOffsetsResponse,
    handler: (a, i) => a.resetOffsets(q(i), i.body as z.input<typeof S.ResetOffsetsBody>),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/jobs',
    role: 'admin',
    summary: 'Add a job',
    tags: ['queues'],
    params: S.QueueParams,
    body: S.EnqueueBody,
    response: S.EnqueueResponse,
    handler: (a, i) => a.enqueue(q(i), i.body),
  },
  {
    method: 'GET',
    url: '/api/queues/:queue/dlq',
    role: 'read',
    summary: 'A page of dead-lettered jobs, newest first, filtered',
    tags: ['dlq'],
    params: S.QueueParams,
    query: S.DlqListQuery,
    response: S.DlqListResponse,
    handler: (a, i) => a.listDlq(q(i), i.query as S.DlqListQuery),
  },
  {
    method: 'GET',
    url: '/api/queues/:queue/dlq/:id',
    role: 'read',
    summary: 'One dead-lettered job in full',
    tags: ['dlq'],
    params: S.DlqRecordParams,
    response: S.DlqRecordDetail,
    handler: (a, i) => a.dlqRecord(q(i), parseDlqId(String(i.params.id))),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/dlq/redrive',
    role: 'admin',
    summary: 'Redrive dead-lettered jobs (named, or all matching a filter); dry-run first',
    tags: ['dlq'],
    params: S.QueueParams,
    body: S.RedriveBody,
    response: S.RedriveResponse,
    handler: (a, i) => a.redrive(q(i), i.body as S.RedriveBody, { by: i.by, signal: i.signal }),
  },
  {
    method: 'POST',
    url: '/api/queues/:queue/dlq/discard',
    role: 'admin',
    summary: 'Discard dead-lettered jobs (hidden from the pending list)',
    tags: ['dlq'],
    params: S.QueueParams,
    body: S.DiscardBody,
    response: S.DiscardResponse,
    handler: (a, i) => a.discard(q(i), i.body as S.DiscardBody, i.by),
  },
];
