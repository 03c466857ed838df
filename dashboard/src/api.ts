import type { z } from 'zod';
import type {
  DiscardBody,
  DiscardResponse,
  DlqListResponse,
  DlqRecordDetail,
  EnqueueResponse as EnqueueResponseSchema,
  ListQueuesResponse,
  PauseState,
  QueueDetail,
  RedriveBody,
  RedriveResponse,
  ResetOffsetsResponse,
  SessionResponse,
} from '../../src/admin/api-schemas.js';

export type {
  DiscardResponse,
  DlqEntry,
  DlqListResponse,
  DlqRecordDetail,
  QueueDetail,
  QueueSummary,
  RedriveResponse,
  SessionResponse,
} from '../../src/admin/api-schemas.js';

export type EnqueueResponse = z.infer<typeof EnqueueResponseSchema>;

const TOKEN_KEY = 'sharq.token';

/** An answer other than 2xx, with the API's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The admin API, and nothing else: every call goes to the API next to the dashboard (the page
 * is served at `<prefix>/dashboard/`, the API at `<prefix>/api/...`), with the bearer token kept
 * in sessionStorage (gone when the tab closes).
 */
export class Api {
  readonly base: URL;

  constructor(pageUrl: string) {
    this.base = new URL('../', pageUrl);
  }

  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  set token(t: string | null) {
    if (t === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, t);
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(new URL(path, this.base), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      cache: 'no-store',
    });
    const text = await res.text();
    if (!res.ok) {
      let code = `HTTP_${res.status}`;
      let message = res.statusText || `HTTP ${res.status}`;
      try {
        const e = JSON.parse(text) as { error?: { code?: string; message?: string } };
        code = e.error?.code ?? code;
        message = e.error?.message ?? message;
      } catch {
        // not JSON: keep the status line
      }
      throw new ApiError(res.status, code, message);
    }
    return (res.headers.get('content-type') ?? '').includes('json')
      ? (JSON.parse(text) as T)
      : (text as T);
  }

  session(): Promise<SessionResponse> {
    return this.call('GET', 'api/session');
  }
  queues(): Promise<ListQueuesResponse> {
    return this.call('GET', 'api/queues');
  }
  queue(name: string): Promise<QueueDetail> {
    return this.call('GET', `api/queues/${enc(name)}`);
  }
  dlq(name: string, query: Record<string, string>): Promise<DlqListResponse> {
    const qs = new URLSearchParams(query).toString();
    return this.call('GET', `api/queues/${enc(name)}/dlq${qs === '' ? '' : `?${qs}`}`);
  }
  dlqRecord(name: string, id: string): Promise<DlqRecordDetail> {
    return this.call('GET', `api/queues/${enc(name)}/dlq/${enc(id)}`);
  }
  redrive(name: string, body: RedriveBody): Promise<RedriveResponse> {
    return this.call('POST', `api/queues/${enc(name)}/dlq/redrive`, body);
  }
  discard(name: string, body: DiscardBody): Promise<DiscardResponse> {
    return this.call('POST', `api/queues/${enc(name)}/dlq/discard`, body);
  }
  pause(name: string, reason?: string): Promise<PauseState> {
    return this.call('POST', `api/queues/${enc(name)}/pause`, reason ? { reason } : {});
  }
  resume(name: string): Promise<PauseState> {
    return this.call('POST', `api/queues/${enc(name)}/resume`, {});
  }
  enqueue(
    name: string,
    body: { name: string; data?: unknown; opts?: { attempts?: number; delay?: number } },
  ): Promise<EnqueueResponse> {
    return this.call('POST', `api/queues/${enc(name)}/jobs`, body);
  }
  resetOffsets(
    name: string,
    to: 'earliest' | 'latest',
    dryRun: boolean,
  ): Promise<ResetOffsetsResponse> {
    return this.call('POST', `api/queues/${enc(name)}/offsets/reset`, { to, dryRun });
  }
  /** Prometheus text of /metrics, or null when it is not served to this token. */
  async metrics(): Promise<string | null> {
    try {
      return await this.call<string>('GET', 'metrics');
    } catch (err) {
      if (err instanceof ApiError && err.status < 500) return null;
      throw err;
    }
  }
}

const enc = encodeURIComponent;
