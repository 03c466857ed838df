import { SharqAdmin } from '../admin/admin.js';
import type * as S from '../admin/api-schemas.js';
import { parseDlqId } from '../admin/dlq-ledger.js';
import { createEngine, kafkaEngineOptions } from '../engine/resolve-engine.js';
import type { Engine } from '../engine/types.js';
import type { ErrorCode } from '../errors/codes.js';
import { ERROR_CODES } from '../errors/codes.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { DEFAULT_HTTP_PORT } from '../server/admin/http-server.js';

/**
 * Where the admin CLI commands act: a running admin API (`sharq server`, `sharq admin`) over
 * HTTP, or a Kafka cluster (or an embedded data directory) straight through the admin
 * operations. The same calls either way.
 */
export interface AdminTarget {
  listQueues(): Promise<S.QueueSummary[]>;
  queue(name: string): Promise<S.QueueDetail>;
  pause(name: string, reason?: string): Promise<S.PauseState>;
  resume(name: string): Promise<S.PauseState>;
  resetOffsets(name: string, body: Record<string, unknown>): Promise<S.ResetOffsetsResponse>;
  listDlq(name: string, query: Record<string, unknown>): Promise<S.DlqListResponse>;
  dlqRecord(name: string, id: string): Promise<S.DlqRecordDetail>;
  redrive(name: string, body: S.RedriveBody): Promise<S.RedriveResponse>;
  discard(name: string, body: S.DiscardBody): Promise<S.DiscardResponse>;
  enqueue(name: string, body: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export interface TargetFlags {
  url?: string | undefined;
  token?: string | undefined;
  brokers?: string | undefined;
  'data-dir'?: string | undefined;
}

export function openTarget(flags: TargetFlags, env: NodeJS.ProcessEnv = process.env): AdminTarget {
  const brokers = flags.brokers ?? (flags.url === undefined ? env.SHARQ_BROKERS : undefined);
  if (flags['data-dir'] !== undefined)
    return direct(createEngine({ type: 'embedded', dataDir: flags['data-dir'] }));
  if (brokers !== undefined && brokers.length > 0) {
    return direct(createEngine(kafkaEngineOptions(brokers, env)));
  }
  const url = flags.url ?? env.SHARQ_ADMIN_URL ?? `http://127.0.0.1:${DEFAULT_HTTP_PORT}`;
  const token = flags.token ?? env.SHARQ_ADMIN_TOKEN?.split(',')[0] ?? env.SHARQ_READ_TOKEN;
  return new HttpTarget(url, token);
}

function direct(engine: Engine): AdminTarget {
  const admin = new SharqAdmin({ engine });
  const by = `cli:${process.env.USER ?? 'unknown'}`;
  return {
    listQueues: () => admin.listQueues(),
    queue: (n) => admin.queue(n),
    pause: (n, reason) => admin.pause(n, reason, by),
    resume: (n) => admin.resume(n, by),
    resetOffsets: (n, b) => admin.resetOffsets(n, b as Parameters<SharqAdmin['resetOffsets']>[1]),
    listDlq: (n, q) => admin.listDlq(n, q),
    dlqRecord: (n, id) => admin.dlqRecord(n, parseDlqId(id)),
    redrive: (n, b) => admin.redrive(n, b, { by }),
    discard: (n, b) => admin.discard(n, b, by),
    enqueue: (n, b) => admin.enqueue(n, b),
    close: () => engine.close(),
  };
}

/** The admin API over HTTP; a non-2xx answer becomes the SharqError it carries. */
export class HttpTarget implements AdminTarget {
  constructor(
    private readonly base: string,
    private readonly token: string | undefined,
  ) {}

  listQueues = async () => (await this.call<S.ListQueuesResponse>('GET', '/api/queues')).queues;
  queue = (n: string) => this.call<S.QueueDetail>('GET', `/api/queues/${enc(n)}`);
  pause = (n: string, reason?: string) =>
    this.call<S.PauseState>(
      'POST',
      `/api/queues/${enc(n)}/pause`,
      reason === undefined ? {} : { reason },
    );
  resume = (n: string) => this.call<S.PauseState>('POST', `/api/queues/${enc(n)}/resume`, {});
  resetOffsets = (n: string, b: Record<string, unknown>) =>
    this.call<S.ResetOffsetsResponse>('POST', `/api/queues/${enc(n)}/offsets/reset`, b);
  listDlq = (n: string, q: Record<string, unknown>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, String(v));
    const s = qs.toString();
    return this.call<S.DlqListResponse>('GET', `/api/queues/${enc(n)}/dlq${s ? `?${s}` : ''}`);
  };
  dlqRecord = (n: string, id: string) =>
    this.call<S.DlqRecordDetail>('GET', `/api/queues/${enc(n)}/dlq/${enc(id)}`);
  redrive = (n: string, b: S.RedriveBody) =>
    this.call<S.RedriveResponse>('POST', `/api/queues/${enc(n)}/dlq/redrive`, b);
  discard = (n: string, b: S.DiscardBody) =>
    this.call<S.DiscardResponse>('POST', `/api/queues/${enc(n)}/dlq/discard`, b);
  enqueue = (n: string, b: Record<string, unknown>) =>
    this.call('POST', `/api/queues/${enc(n)}/jobs`, b);
  close = async () => undefined;

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new SharqError(
        'SHARQ_ERR_CONNECTION',
        `Cannot reach the admin API at ${this.base}: ${toError(err).cause instanceof Error ? (toError(err).cause as Error).message : toError(err).message}`,
        {
          cause: err,
          details: { url: this.base },
        },
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.ok) return json as T;
    const e = (json as { error?: { code?: string; message?: string; field?: string } } | undefined)
      ?.error;
    const code = (
      e?.code !== undefined && e.code in ERROR_CODES ? e.code : 'SHARQ_ERR_INTERNAL'
    ) as ErrorCode;
    throw new SharqError(code, e?.message ?? `HTTP ${res.status}`, {
      details: { status: res.status, ...(e?.field === undefined ? {} : { field: e.field }) },
    });
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
