import type { Engine } from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { parseOptions, topicName } from '../options/parse.js';
import { ControlReader, type ControlState, writeControl } from '../queue/control.js';
import { controlTopic, derivedTopic, queueNameProblem } from '../queue/names.js';
import { Queue } from '../queue/queue.js';
import { systemClock, type TimerClock } from '../util/clock.js';
import type {
  DiscardBody,
  DiscardResponse,
  DlqListQuery,
  DlqListResponse,
  DlqPosition,
  DlqRecordDetail,
  PauseState,
  QueueDetail,
  QueueSummary,
  RedriveBody,
  RedriveResponse,
  ResetOffsetsResponse,
} from './api-schemas.js';
import { EnqueueBody } from './api-schemas.js';
import { type AdminContext, resolveQueue } from './context.js';
import { discard } from './discard.js';
import { getDlqRecord, listDlq } from './dlq.js';
import { DlqLedger } from './dlq-ledger.js';
import { resetOffsets } from './offsets.js';
import { type AdminConfig, AdminOptions, type AdminOptionsInput } from './options.js';
import { listQueues, queueDetail } from './queues.js';
import { type RedriveRun, redrive } from './redrive.js';
import { RedriveClaims } from './redrive-claims.js';
import { ThroughputSampler } from './throughput.js';

export interface SharqAdminOptions extends AdminOptionsInput {
  /** The engine to act on; the caller starts and closes it. */
  engine: Engine;
  clock?: TimerClock;
}

/**
 * Admin operations over the engine seam, the same on the embedded engine, `sharq server` and
 * Kafka: what the admin API, the CLI and the dashboard call. Keeps per-queue state of this
 * process (the DLQ ledger read so far, pause state, throughput samples); every write goes to
 * the engine, so other processes see it.
 */
export class SharqAdmin {
  readonly engine: Engine;
  readonly config: AdminConfig;
  private readonly ctx: AdminContext;
  private readonly ledgers = new Map<string, DlqLedger>();
  private readonly controls = new Map<string, ControlReader>();
  private readonly serial = new Map<string, Promise<unknown>>();

  constructor(options: SharqAdminOptions) {
    const { engine, clock, ...rest } = options;
    this.engine = engine;
    this.config = parseOptions('SharqAdmin', AdminOptions, rest);
    const c = clock ?? systemClock;
    this.ctx = {
      engine,
      config: this.config,
      clock: c,
      sampler: new ThroughputSampler(c),
      ledger: (q) => this.ledger(q),
      claims: new RedriveClaims(this.config.redriveClaimTimeoutMs),
      control: (q) => this.control(q),
      topicNames: () => this.topicNames(),
    };
  }

  async listQueues(): Promise<QueueSummary[]> {
    return listQueues(this.ctx);
  }

  async queue(name: string): Promise<QueueDetail> {
    return queueDetail(this.ctx, checkName(name));
  }

  async pauseState(name: string): Promise<PauseState> {
    await resolveQueue(this.ctx, checkName(name));
    const s = await this.control(name);
    return { queue: name, paused: s.paused, reason: s.reason, since: s.at, by: s.by };
  }

  /** Pauses the queue for every worker, wherever it runs; they stop acquiring within a second or so. */
  async pause(name: string, reason?: string, by: string | null = null): Promise<PauseState> {
    return this.setPaused(name, { paused: true, reason: reason ?? null, by });
  }

  async resume(name: string, by: string | null = null): Promise<PauseState> {
    return this.setPaused(name, { paused: false, reason: null, by });
  }

  async resetOffsets(
    name: string,
    body: Parameters<typeof resetOffsets>[2],
  ): Promise<ResetOffsetsResponse> {
    return this.one(name, () => resetOffsets(this.ctx, checkName(name), body));
  }

  async listDlq(name: string, query?: DlqListQuery): Promise<DlqListResponse> {
    return listDlq(this.ctx, checkName(name), query);
  }

  async dlqRecord(name: string, position: DlqPosition): Promise<DlqRecordDetail> {
    return getDlqRecord(this.ctx, checkName(name), position);
  }

  /** See redrive.ts: idempotent, rate-capped, refused past `maxRedrives`; `dryRun` first. */
  async redrive(name: string, body: RedriveBody, run?: RedriveRun): Promise<RedriveResponse> {
    return this.one(name, () => redrive(this.ctx, checkName(name), body, run));
  }

  async discard(
    name: string,
    body: DiscardBody,
    by: string | null = null,
  ): Promise<DiscardResponse> {
    return this.one(name, () => discard(this.ctx, checkName(name), body, by));
  }

  /** Adds a job as `Queue.add` does (creating the queue when missing). */
  async enqueue(name: string, body: unknown) {
    const b = parseOptions('enqueue', EnqueueBody, body);
    // Adding makes the queue: a name no queue may have is bad input here, not "not found".
    const problem = queueNameProblem(name);
    if (problem !== undefined) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Invalid queue name "${name}": ${problem}`,
        {
          details: { field: 'queue' },
        },
      );
    }
    const queue = new Queue(name, { engine: this.engine });
    try {
      return await queue.add(b.name, b.data ?? null, b.opts);
    } catch (err) {
      // A bad job option is bad input to this request, as every other bad body field is.
      if (!SharqError.is(err, 'SHARQ_ERR_INVALID_OPTION')) throw err;
      const problems = err.details.problems as { option?: string }[] | undefined;
      const option = problems?.[0]?.option;
      throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', err.message, {
        cause: err,
        details: { ...err.details, field: option === undefined ? 'opts' : `opts.${option}` },
      });
    } finally {
      await queue.close();
    }
  }

  /** Whether the engine answers an admin call. */
  async ready(): Promise<void> {
    await this.engine.admin.listTopics();
  }

  private async setPaused(name: string, s: Omit<ControlState, 'at'>): Promise<PauseState> {
    await resolveQueue(this.ctx, checkName(name));
    await writeControl(this.engine, name, { ...s, at: this.ctx.clock.now() });
    this.written.add(controlTopic(name));
    return this.pauseState(name);
  }

  private topicCache: { at: number; names: Promise<ReadonlySet<string>> } | undefined;

  private topicNames(): Promise<ReadonlySet<string>> {
    const now = this.ctx.clock.now();
    if (this.topicCache === undefined || now - this.topicCache.at > 1000) {
      const names = this.engine.admin.listTopics().then((ts) => new Set(ts.map((t) => t.name)));
      names.catch(() => {
        this.topicCache = undefined;
      });
      this.topicCache = { at: now, names };
    }
    return this.topicCache.names;
  }

  /** Control topics this process has written to: listed at once, whatever the names cache says. */
  private readonly written = new Set<string>();

  /**
   * Whether the broker lists `topic` (or this process wrote to it): how the ledger and pause
   * readers read without making topics.
   */
  private readonly listed = async (topic: string): Promise<boolean> =>
    this.written.has(topic) || (await this.topicNames()).has(topic);

  private ledger(queue: string): DlqLedger {
    let l = this.ledgers.get(queue);
    if (l === undefined) {
      l = new DlqLedger(this.engine, queue, this.listed);
      this.ledgers.set(queue, l);
    }
    return l;
  }

  private control(queue: string): Promise<ControlState> {
    let c = this.controls.get(queue);
    if (c === undefined) {
      c = new ControlReader(this.engine, queue, this.listed);
      this.controls.set(queue, c);
    }
    return c.next();
  }

  /**
   * Mutations of one queue run one at a time in this process (fewer lost races); across
   * processes the DLQ ledger decides (see redrive.ts).
   */
  private one<T>(queue: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.serial.get(queue) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.serial.set(queue, tail);
    void tail.then(() => {
      if (this.serial.get(queue) === tail) this.serial.delete(queue);
    });
    return next;
  }
}

function checkName(name: string): string {
  const r = topicName.safeParse(name);
  if (!r.success) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `Invalid queue name "${name}": ${r.error.issues[0]?.message}`,
      {
        details: { field: 'queue' },
      },
    );
  }
  // A DLQ, a delay tier or a control topic is not a queue: viewing it as one would make
  // control and ledger topics for it.
  const derived = derivedTopic(name);
  if (derived !== undefined) {
    throw new SharqError('SHARQ_ERR_NOT_FOUND', `No queue "${name}": that is ${derived}`, {
      details: { queue: name },
    });
  }
  return name;
}
