import { systemClock, type TimerClock } from './clock.js';

/**
 * Waits `ms`, or less when `signal` aborts first; never rejects and leaves no timer or listener
 * behind. Resolves true when the full time passed, false when it was cut short.
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  clock: TimerClock = systemClock,
): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const cancel = clock.setTimer(() => finish(true), ms);
    function finish(full: boolean): void {
      cancel();
      signal?.removeEventListener('abort', onAbort);
      resolve(full);
    }
    function onAbort(): void {
      finish(false);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
