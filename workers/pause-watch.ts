import type { Engine } from '../src/engine/types.js';
import { toError } from '../src/errors/sharq-error.js';
import { ControlReader, type ControlState, NOT_PAUSED } from '../src/queue/control.js';
import type { TimerClock } from '../src/util/clock.js';

/** How often a worker reads its queue's control topic. */
export const PAUSE_CHECK_MS = 1000;

/**
 * A worker's view of the fleet-wide pause of its queue (`sharq.control.<queue>`, written by the
 * admin API's pause and resume). The worker's loop asks `gate()` before each poll: while paused
 * it stops acquiring (jobs it runs finish and are acknowledged as usual; it holds nothing
 * back), and goes on when the queue is resumed.
 */
export class PauseWatch {
  private state: ControlState = NOT_PAUSED;
  private readonly reader: ControlReader;
  private cancel: (() => void) | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;
  private started = false;

  constructor(
    engine: Engine,
    queue: string,
    private readonly clock: TimerClock,
    private readonly onChange: (state: ControlState) => void,
    private readonly onError: (err: Error) => void,
    private readonly intervalMs = PAUSE_CHECK_MS,
  ) {
    this.reader = new ControlReader(engine, queue);
  }

  get paused(): boolean {
    return this.state.paused;
  }

  /** Reads the state once (so a worker started on a paused queue acquires nothing), then on a timer. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.check();
    this.schedule();
  }

  /** Resolves at once when not paused; else when resumed, or when `signal` aborts. */
  gate(signal: AbortSignal): Promise<void> {
    if (!this.state.paused || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.closed = true;
    this.cancel?.();
    for (const w of this.waiters.splice(0)) w();
  }

  private schedule(): void {
    if (this.closed) return;
    this.cancel = this.clock.setTimer(() => {
      void this.check().finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async check(): Promise<void> {
    try {
      const next = await this.reader.next();
      if (this.closed) return;
      const changed = next.paused !== this.state.paused;
      this.state = next;
      if (changed) this.onChange(next);
      if (!next.paused) for (const w of this.waiters.splice(0)) w();
    } catch (err) {
      // The control topic unreadable (broker away): keep the last state, try again later.
      if (!this.closed) this.onError(toError(err));
    }
  }
}
