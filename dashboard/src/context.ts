import type { Api, SessionResponse } from './api.js';

export interface Ctx {
  api: Api;
  session: SessionResponse;
  /** Mutations are shown to admin tokens only. */
  canWrite: boolean;
  /** A short message in the status line (announced to screen readers). */
  notify(message: string, kind?: 'info' | 'error'): void;
  /** Asks the current view to poll now (after a mutation). */
  refreshSoon(): void;
}

export interface View {
  el: HTMLElement;
  title: string;
  /** Called at once and then at every poll; must not rebuild what the user is editing. */
  refresh(): Promise<void>;
  dispose?(): void;
}

export function hashOf(path: string, query?: Record<string, string | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') qs.set(k, v);
  const q = qs.toString();
  return `#${path}${q === '' ? '' : `?${q}`}`;
}

export const queuePath = (name: string) => `/queues/${encodeURIComponent(name)}`;
