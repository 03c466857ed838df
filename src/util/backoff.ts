/**
 * The one backoff formula of sharq's own reconnect and retry loops (client reconnects, setup
 * retries, coordinator lookups): `base * 2^(attempt-1)`, capped, with optional full jitter.
 * Job retries have their own policy module (`workers/retry/backoff.ts`), which users configure.
 */
export interface ExponentialBackoff {
  /** Delay of the first retry, ms. */
  baseMs: number;
  /** Largest delay, ms. */
  maxMs: number;
  /** 0–1: the share of the delay that is randomised (0 = none, 1 = "full jitter"). */
  jitter?: number;
}

/** Delay before retry number `attempt` (1 = the first retry). */
export function backoffDelay(
  attempt: number,
  { baseMs, maxMs, jitter = 0 }: ExponentialBackoff,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(n - 1, 40));
  if (jitter <= 0) return raw;
  const j = Math.min(1, jitter);
  return Math.round(raw * (1 - j) + raw * j * random());
}
