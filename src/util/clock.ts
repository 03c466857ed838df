/**
 * Time as sharq's runtime sees it. Runtime code takes a `Clock` instead of calling `Date.now()`
 * or `setTimeout` directly, so tests drive it with fake timers (vitest's `vi.useFakeTimers()`
 * fakes the globals the system clock calls) or with a hand-stepped clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** A clock that can also schedule: what the worker runtime needs. */
export interface TimerClock extends Clock {
  /** Calls `fn` after `ms`; the returned function cancels it. The timer never keeps the process alive. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** The process clock. Resolved at call time, so fake timers installed later still apply. */
export const systemClock: TimerClock = Object.freeze({
  now: () => Date.now(),
  setTimer(fn: () => void, ms: number): () => void {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return () => clearTimeout(t);
  },
});
