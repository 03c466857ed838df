import type { EmbeddedEngine } from '../../src/embedded/embedded-engine.js';
import { AckType } from '../../src/engine/types.js';

/**
 * What a client has been promised by a durable job queue, kept as it watches: which adds
 * resolved (and where), the highest delivery count each job was seen with, and which jobs had
 * an ACCEPT or REJECT confirmed. After a crash it checks the engine against those promises.
 *
 * `strict` (the engine fsyncs every state change before confirming it: `ackFsync: "always"`):
 * a power loss forgets nothing that was confirmed. Otherwise (`ackFsync: "interval"`) a power
 * loss may forget the state changes confirmed since the last `settle()` (the test calls it once
 * a journal fsync has run), as docs/design.md says: those jobs run again, those deliveries are
 * made again with the count as of the last fsync. Jobs (adds) are never in that window.
 */

export interface AddedJob {
  partition: number;
  offset: number;
}

export interface SeenRecord {
  id: string;
  key: string | null;
  header: string | undefined;
}

export class DurabilityModel {
  /** Every id ever sent to `produce`, resolved or not. */
  readonly attempted = new Set<string>();
  /** Ids whose add resolved, with their position. */
  readonly added = new Map<string, AddedJob>();
  readonly violations: string[] = [];
  /** Highest delivery count a consumer saw, per id: what a later delivery must exceed. */
  private count = new Map<string, number>();
  /** Ids with a confirmed ACCEPT or REJECT: never delivered again. */
  private done = new Set<string>();
  private settledCount = new Map<string, number>();
  private settledDone = new Set<string>();
  /** Confirmed but not yet settled when the power went: the engine may run these again. */
  private mayRunAgain = new Set<string>();
  /**
   * Deliveries, redeliveries, ACCEPTs and REJECTs confirmed, and jobs that did run again after
   * a confirmed ACCEPT or REJECT that a power loss was allowed to forget (for the test to check
   * it exercised what it meant to).
   */
  readonly stats = { deliveries: 0, redeliveries: 0, finished: 0, forgotten: 0 };

  constructor(
    private readonly strict: boolean,
    private readonly deliveryLimit: number,
  ) {}

  addResolved(id: string, at: AddedJob): void {
    this.added.set(id, at);
  }

  /** A consumer was handed `id` with `deliveryCount`: check it against what was promised. */
  delivered(id: string, deliveryCount: number, where: string): void {
    this.stats.deliveries++;
    if (!this.attempted.has(id)) this.fail(`${where}: delivered ${id}, which was never added`);
    if (this.done.has(id)) {
      this.fail(
        `${where}: ${id} delivered again (count ${deliveryCount}) after its ACCEPT/REJECT was confirmed`,
      );
    }
    if (this.mayRunAgain.delete(id)) this.stats.forgotten++;
    const before = this.count.get(id) ?? 0;
    if (before > 0) this.stats.redeliveries++;
    if (deliveryCount <= before) {
      this.fail(
        `${where}: ${id} delivered with count ${deliveryCount} after count ${before} was seen`,
      );
    }
    if (deliveryCount > this.deliveryLimit) {
      this.fail(
        `${where}: ${id} delivered with count ${deliveryCount} past the limit ${this.deliveryLimit}`,
      );
    }
    this.count.set(id, Math.max(before, deliveryCount));
  }

  /** An ACCEPT or REJECT of `id` was confirmed. */
  finished(id: string): void {
    this.stats.finished++;
    this.done.add(id);
  }

  /** Everything confirmed so far is on disk (a journal fsync ran after it). */
  settle(): void {
    this.settledCount = new Map(this.count);
    this.settledDone = new Set(this.done);
  }

  /** The power went: forget what the engine may forget. */
  powerLost(): void {
    if (this.strict) return;
    for (const id of this.done) if (!this.settledDone.has(id)) this.mayRunAgain.add(id);
    this.count = new Map(this.settledCount);
    this.done = new Set(this.settledDone);
  }

  /** Checks one record read back from the log at `offset` of `partition`. */
  checkStored(partition: number, offset: number, record: SeenRecord, where: string): void {
    if (!this.attempted.has(record.id)) {
      this.fail(`${where}: ${partition}@${offset} holds ${record.id}, which was never added`);
      return;
    }
    if (record.key !== record.id || record.header !== record.id) {
      this.fail(`${where}: ${partition}@${offset} holds ${record.id} with a damaged key or header`);
    }
    const at = this.added.get(record.id);
    if (at !== undefined && (at.partition !== partition || at.offset !== offset)) {
      this.fail(
        `${where}: ${record.id} was added at ${at.partition}@${at.offset} but read at ${partition}@${offset}`,
      );
    }
  }

  /** After reading the whole log back: every resolved add must have been found. */
  checkAllFound(found: ReadonlySet<string>, where: string): void {
    const lost = [...this.added.keys()].filter((id) => !found.has(id));
    if (lost.length > 0) {
      const at = lost.slice(0, 5).map((id) => {
        const a = this.added.get(id)!;
        return `${id} at ${a.partition}@${a.offset}`;
      });
      this.fail(`${where}: ${lost.length} job(s) whose add resolved are gone: ${at.join(', ')}`);
    }
  }

  fail(message: string): void {
    this.violations.push(message);
  }
}

/**
 * Reads every partition of `topic` back (records carry their id as value, key and `id` header)
 * and checks it against the resolved adds: each there, intact, where it resolved, once.
 */
export async function checkLog(
  engine: EmbeddedEngine,
  topic: string,
  model: DurabilityModel,
  where: string,
): Promise<void> {
  const found = new Set<string>();
  const offsets = await engine.admin.offsets(topic);
  for (const { partition, logStartOffset, logEndOffset } of offsets) {
    for (let o = logStartOffset; o < logEndOffset; ) {
      const records = await engine.read(topic, partition, o, 100);
      for (const r of records) {
        const id = r.value?.toString() ?? '';
        if (found.has(id)) model.fail(`${where}: ${id} is in the log twice`);
        found.add(id);
        model.checkStored(
          partition,
          r.offset,
          { id, key: r.key?.toString() ?? null, header: r.headers.id },
          where,
        );
      }
      o += records.length;
    }
  }
  const ends = offsets.map((o) => `${o.partition}: ${o.logStartOffset}..${o.logEndOffset}`);
  model.checkAllFound(found, `${where} (log ${ends.join(', ')})`);
}

/** Delivers and accepts everything left in `group` (checking each delivery); then none may be pending. */
export async function drain(
  engine: EmbeddedEngine,
  topic: string,
  group: string,
  model: DurabilityModel,
  where: string,
): Promise<void> {
  const consumer = engine.createShareConsumer({ groupId: group, topics: [topic] });
  for (;;) {
    const records = await consumer.poll({ maxRecords: 50, maxWaitMs: 0 });
    if (records.length === 0) break;
    for (const r of records) model.delivered(r.value?.toString() ?? '', r.deliveryCount, where);
    await consumer.acknowledge(records.map((record) => ({ record, type: AckType.Accept })));
    for (const r of records) model.finished(r.value?.toString() ?? '');
  }
  const { partitions } = await engine.admin.describeGroup(group);
  const lag = partitions.reduce((n, p) => n + p.lag, 0);
  if (lag !== 0) model.fail(`${where}: ${lag} record(s) still pending after the drain`);
  await consumer.close();
}
