import { deadLetterRecord } from '../dlq/dead-letter.js';
import {
  type Acknowledgement,
  type AckResult,
  AckType,
  type AcquiredRecord,
  type AcquireMode,
  type ProduceRecord,
  type ShareGroupConfig,
  type SharePartitionStats,
} from '../engine/types.js';
import { SharqError } from '../errors/sharq-error.js';
import { backoffDelay } from '../util/backoff.js';
import { sleep } from '../util/sleep.js';
import { type AckBatch, type Clock, SharePartition, type StateChange } from './share-partition.js';
import type { PartitionLog } from './storage/partition-log.js';
import type { GroupSnapshot, JournalEntry, StateJournal } from './storage/state-journal.js';

/** What a group needs from the engine that hosts it. */
export interface GroupHost {
  clock: Clock;
  maxInFlight: number;
  log(topic: string, partition: number): PartitionLog;
  partitionCount(topic: string): number;
  produce(topic: string, records: readonly ProduceRecord[]): Promise<unknown>;
  onError(err: Error): void;
}

/** Compact the journal once it grows past this; the snapshot is small, replay stays fast. */
const COMPACT_BYTES = 32 * 1024 * 1024;

interface Member {
  memberId: string;
  clientId: string;
  topics: readonly string[];
}

/**
 * One share group of the embedded engine: a SharePartition per (topic, partition) it consumes,
 * the members, and the journal that makes its state survive restarts.
 *
 * Durability order: every state change is journaled before the caller sees its effect. Acquired
 * records are handed out only once their raised delivery count is journaled, and
 * acknowledgements resolve once journaled. "Journaled" is the journal's policy (the engine's
 * `ackFsync`): by default written to the OS, which a killed process cannot undo, and fsynced
 * within `ackFsyncIntervalMs`, so only a power loss can take back that last stretch; with
 * `ackFsync: "always"`, fdatasynced. What must not be lost even then waits for an fsync itself:
 * dead-letter copies (produced with the log's policy) land before the archive that needs them
 * is journaled, and an offset reset and the retention check (`durable()`) sync the journal.
 */
export class EmbeddedShareGroup {
  readonly partitions = new Map<string, SharePartition>();
  readonly members = new Map<string, Member>();
  private readonly waiters = new Set<() => void>();
  private lockTimer: NodeJS.Timeout | undefined;
  private lockTimerAt = Number.POSITIVE_INFINITY;
  /** Serializes journal submissions while a dead-letter copy must land first. */
  private persistTail: Promise<void> = Promise.resolve();
  /** The snapshot being written, if any. */
  private compacting: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly groupId: string,
    private config: ShareGroupConfig,
    private readonly journal: StateJournal,
    private readonly host: GroupHost,
  ) {}

  /** Rebuilds partition state from the journal's snapshot and the entries after it. */
  restore(snapshot: GroupSnapshot | undefined, entries: readonly JournalEntry[]): void {
    for (const p of snapshot?.partitions ?? []) {
      this.sharePartition(p.topic, p.partition, p.startOffset).applyPersisted(
        p.startOffset,
        p.entries,
      );
    }
    for (const e of entries) {
      this.sharePartition(e.topic, e.partition, e.startOffset).applyPersisted(
        e.startOffset,
        e.changes,
      );
    }
  }

  /**
   * Partitions whose restored state reaches past the end of their log: records the group had
   * seen are gone from it (a segment deleted or emptied by hand, a tail lost in a power loss
   * under fsync "interval" or "never"). Jobs written at those offsets again would pass for
   * done. Partitions of topics that no longer exist are left out (a topic made again under the
   * name is new).
   */
  aheadOfLogs(): {
    topic: string;
    partition: number;
    startOffset: number;
    stateEnd: number;
    logEndOffset: number;
  }[] {
    const out = [];
    for (const [k, sp] of this.partitions) {
      const [topic, partition] = splitKey(k);
      let partitions: number;
      try {
        partitions = this.host.partitionCount(topic);
      } catch {
        continue;
      }
      if (partition >= partitions) continue;
      const logEndOffset = this.host.log(topic, partition).logEndOffset;
      const stateEnd = sp.stateEnd;
      if (stateEnd > logEndOffset)
        out.push({ topic, partition, startOffset: sp.startOffset, stateEnd, logEndOffset });
    }
    return out;
  }

  /**
   * Cuts the state of partitions `aheadOfLogs` named back to their logs' ends, for a power loss
   * under fsync "interval" or "never", which may take a log's tail after the group's journal has
   * recorded it: what the group knew at or past a log's end goes, and a start offset past it
   * moves back to it, so jobs written there again run. Below the end the records are the ones
   * the group saw (a power loss takes a log's tail, never its middle). Resolves once a snapshot
   * of the cut state is durable: a replayed start offset that moves back would not lower the
   * end a restored partition has seen.
   */
  async cutToLogs(
    ahead: readonly { topic: string; partition: number; logEndOffset: number }[],
  ): Promise<void> {
    for (const { topic, partition, logEndOffset: end } of ahead) {
      const k = partitionKey(topic, partition);
      const old = this.partitions.get(k);
      if (old === undefined) continue;
      const { startOffset, entries } = old.snapshot();
      const start = Math.min(startOffset, end);
      const kept = entries
        .filter((e) => e.firstOffset < end)
        .map((e) => ({ ...e, lastOffset: Math.min(e.lastOffset, end - 1) }));
      this.partitions.delete(k);
      this.journaledStart.delete(k);
      this.sharePartition(topic, partition, start).applyPersisted(start, kept);
    }
    await this.compactNow();
  }

  /**
   * The topic is being deleted (its logs already unreachable, so no poll can bring a partition
   * back): its partitions' state goes, and a snapshot without them is written at once, so no
   * journal replay brings it back either and a topic created again under the name is new to
   * the group, as Kafka deletes share-group state with its topic. Resolves once that snapshot
   * is durable; called again after a snapshot that failed, it writes one again.
   */
  async forgetTopic(topic: string): Promise<void> {
    for (const k of [...this.partitions.keys()]) {
      if (splitKey(k)[0] !== topic) continue;
      this.partitions.delete(k);
      this.journaledStart.delete(k);
      this.forgetUnsaved = true;
    }
    if (!this.forgetUnsaved) return;
    await this.compactNow();
    this.forgetUnsaved = false;
  }

  get groupConfig(): ShareGroupConfig {
    return this.config;
  }

  updateConfig(config: ShareGroupConfig): void {
    this.config = config;
    for (const sp of this.partitions.values()) {
      sp.updateConfig({
        lockDurationMs: config.lockDurationMs,
        deliveryCountLimit: config.deliveryCountLimit,
      });
    }
    this.wake();
  }

  join(member: Member): void {
    this.members.set(member.memberId, member);
  }

  async leave(memberId: string): Promise<void> {
    if (!this.members.delete(memberId)) return;
    let released = 0;
    for (const sp of this.partitions.values()) released += sp.releaseMember(memberId);
    if (released > 0) {
      await this.persist();
      this.wake();
    }
  }

  /** Acquires up to `maxRecords` across the member's topics, starting at a rotating partition. */
  async acquire(
    memberId: string,
    topics: readonly string[],
    maxRecords: number,
    mode: AcquireMode,
    rotation: number,
  ): Promise<AcquiredRecord[]> {
    this.assertOpen();
    const slots: { topic: string; partition: number }[] = [];
    for (const topic of topics) {
      const n = this.host.partitionCount(topic);
      for (let p = 0; p < n; p++) slots.push({ topic, partition: p });
    }
    const picked: {
      topic: string;
      partition: number;
      first: number;
      last: number;
      count: number;
      deadline: number;
    }[] = [];
    let remaining = maxRecords;
    for (let i = 0; i < slots.length && remaining > 0; i++) {
      const slot = slots[(i + rotation) % slots.length]!;
      const log = this.host.log(slot.topic, slot.partition);
      const sp = this.sharePartition(slot.topic, slot.partition);
      sp.setLogEndOffset(log.logEndOffset);
      const ranges = sp.acquire(memberId, remaining, mode, (o) => log.batchLastOffset(o));
      for (const r of ranges) {
        picked.push({
          ...slot,
          first: r.firstOffset,
          last: r.lastOffset,
          count: r.deliveryCount,
          deadline: r.lockDeadline,
        });
        remaining -= r.lastOffset - r.firstOffset + 1;
      }
    }
    if (picked.length === 0) return [];
    // The raised delivery counts reach the disk before any handler sees the records.
    const persisted = this.persist();
    // A failed read below rejects the acquire first; the journal's failure must not then go
    // unhandled (Node ends the process on an unhandled rejection).
    persisted.catch(() => undefined);
    this.armLockTimer();
    const out: AcquiredRecord[] = [];
    for (const r of picked) {
      const records = await this.host.log(r.topic, r.partition).read(r.first, r.last - r.first + 1);
      for (const rec of records) {
        out.push({
          topic: r.topic,
          partition: r.partition,
          offset: rec.offset,
          timestamp: rec.timestamp,
          key: rec.key,
          value: rec.value,
          headers: rec.headers,
          deliveryCount: r.count,
          lockDeadline: r.deadline,
        });
      }
    }
    await persisted;
    return out;
  }

  async acknowledge(memberId: string, acks: readonly Acknowledgement[]): Promise<AckResult> {
    this.assertOpen();
    const byPartition = new Map<string, Acknowledgement[]>();
    for (const ack of acks) {
      const k = partitionKey(ack.record.topic, ack.record.partition);
      let list = byPartition.get(k);
      if (list === undefined) {
        list = [];
        byPartition.set(k, list);
      }
      list.push(ack);
    }
    const failed: AckResult['failed'] = [];
    let renewedUntil: number | undefined;
    let released = false;
    for (const list of byPartition.values()) {
      const first = list[0]!.record;
      const sp = this.partitions.get(partitionKey(first.topic, first.partition));
      if (sp === undefined) {
        for (const ack of list) failed.push({ ack, error: notHeld(ack) });
        continue;
      }
      list.sort((a, b) => a.record.offset - b.record.offset);
      const { batches, members } = toBatches(list);
      const result = sp.acknowledge(memberId, batches);
      for (const e of result.errors) {
        for (const ack of members.get(e.firstOffset) ?? []) {
          failed.push({
            ack,
            error: new SharqError(e.code, e.message, {
              details: { ...ack.record, groupId: this.groupId },
            }),
          });
        }
      }
      if (result.renewedUntil !== undefined) renewedUntil = result.renewedUntil;
      if (list.some((a) => a.type === AckType.Release)) released = true;
    }
    await this.persist();
    if (released) this.wake();
    if (renewedUntil !== undefined) this.armLockTimer();
    return renewedUntil === undefined ? { failed } : { failed, renewedUntil };
  }

  /** Resolves when records may have become available, or after `ms`. */
  waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  stats(topic: string, partitions: number): SharePartitionStats[] {
    const out: SharePartitionStats[] = [];
    for (let p = 0; p < partitions; p++) {
      const log = this.host.log(topic, p);
      const sp = this.sharePartition(topic, p);
      sp.setLogEndOffset(log.logEndOffset);
      const c = sp.counts();
      out.push({
        topic,
        partition: p,
        startOffset: sp.startOffset,
        logEndOffset: log.logEndOffset,
        ...c,
        lag: c.available + c.acquired,
      });
    }
    return out;
  }

  /** Moves the start offset of every partition of `topic` (no members may be in the group). */
  async resetOffsets(
    topic: string,
    offsetFor: (partition: number, log: PartitionLog) => number,
  ): Promise<void> {
    if (this.members.size > 0) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Share group "${this.groupId}" has ${this.members.size} active member(s); stop its workers before resetting offsets`,
        { details: { groupId: this.groupId, members: this.members.size } },
      );
    }
    const n = this.host.partitionCount(topic);
    for (let p = 0; p < n; p++) {
      const log = this.host.log(topic, p);
      const sp = this.sharePartition(topic, p);
      sp.setLogEndOffset(log.logEndOffset);
      sp.resetStartOffset(offsetFor(p, log));
    }
    await this.persist();
    // An operator's reset is confirmed only once it is on disk, whatever the ack policy.
    await this.journal.sync();
    this.wake();
  }

  /**
   * Resolves once every state change made before the call is fdatasynced, including entries
   * still waiting behind a dead-letter copy.
   */
  async durable(): Promise<void> {
    await this.persistTail;
    await this.journal.sync();
  }

  /** Topics the group has state on or members subscribed to. */
  topics(): Set<string> {
    const topics = new Set<string>();
    for (const k of this.partitions.keys()) topics.add(splitKey(k)[0]);
    for (const m of this.members.values()) for (const t of m.topics) topics.add(t);
    return topics;
  }

  /** Lowest start offset of the group on a partition: the log may drop segments below it. */
  startOffsetOf(topic: string, partition: number): number | undefined {
    return this.partitions.get(partitionKey(topic, partition))?.startOffset;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const id of [...this.members.keys()]) await this.leave(id);
    this.closed = true;
    clearTimeout(this.lockTimer);
    this.wake();
    await this.persistTail;
    await this.journal.close();
  }

  private sharePartition(topic: string, partition: number, restoredStart?: number): SharePartition {
    const k = partitionKey(topic, partition);
    let sp = this.partitions.get(k);
    if (sp !== undefined) return sp;
    const cfg = {
      deliveryCountLimit: this.config.deliveryCountLimit,
      lockDurationMs: this.config.lockDurationMs,
      maxInFlight: this.host.maxInFlight,
    };
    if (restoredStart !== undefined) {
      sp = new SharePartition(cfg, this.host.clock, { startOffset: restoredStart, entries: [] });
    } else {
      // A partition the group meets for the first time starts where the group config says.
      const log = this.host.log(topic, partition);
      const start =
        this.config.autoOffsetReset === 'earliest' ? log.logStartOffset : log.logEndOffset;
      sp = new SharePartition(cfg, this.host.clock, { startOffset: start, entries: [] });
      sp.setLogEndOffset(log.logEndOffset);
    }
    this.partitions.set(k, sp);
    return sp;
  }

  /**
   * Drains every partition's changes and journals them. Entries are submitted in drain order;
   * a batch that archives records waits for their dead-letter copies first, and later batches
   * queue behind it, so the journal never records a start offset past a record whose copy is
   * not yet safe.
   */
  persist(): Promise<void> {
    const entries: JournalEntry[] = [];
    const archived: { topic: string; partition: number; changes: StateChange[] }[] = [];
    for (const [k, sp] of this.partitions) {
      if (!sp.hasChanges && sp.startOffset === this.journaledStart.get(k)) continue;
      const { startOffset, changes } = sp.drainChanges();
      this.journaledStart.set(k, startOffset);
      const [topic, partition] = splitKey(k);
      entries.push({ topic, partition, startOffset, changes });
      let a: StateChange[] | undefined;
      for (const c of changes) {
        if (c.state !== 'archived') continue;
        if (a === undefined) a = [];
        a.push(c);
      }
      if (a !== undefined) archived.push({ topic, partition, changes: a });
    }
    if (entries.length === 0) return this.persistTail;
    const dlq = this.config.deadLetterTopic;
    const needsCopies = dlq !== null && archived.length > 0;
    if (this.chained === 0 && !needsCopies) {
      return this.journal.append(entries).then(() => this.maybeCompact());
    }
    this.chained++;
    let appended: Promise<void> = Promise.resolve();
    const copies = needsCopies ? this.copyArchivedUntilSafe(dlq, archived) : Promise.resolve();
    const link = this.persistTail
      .then(() => copies)
      .then(() => {
        appended = this.journal.append(entries);
      });
    this.persistTail = link.finally(() => {
      this.chained--;
    });
    return link.then(() => appended).then(() => this.maybeCompact());
  }

  /** Journal links waiting behind a dead-letter copy. */
  private chained = 0;
  /** Last start offset journaled per partition, so unchanged partitions write nothing. */
  private readonly journaledStart = new Map<string, number>();
  /** A deleted topic's state is gone from memory, not yet from a snapshot (`forgetTopic`). */
  private forgetUnsaved = false;

  /**
   * A dead-letter copy that fails (disk full) is retried: the archive must not be journaled
   * before the copy is safe, and nothing after it may be journaled either. Closing gives up;
   * the unjournaled archive then comes back as a redelivery after restart.
   */
  private async copyArchivedUntilSafe(
    dlqTopic: string,
    archived: readonly { topic: string; partition: number; changes: StateChange[] }[],
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.copyArchived(dlqTopic, archived);
        return;
      } catch (err) {
        if (this.closed) throw err;
        this.host.onError(err as Error);
        await sleep(backoffDelay(attempt + 1, { baseMs: 100, maxMs: 5000 }));
      }
    }
  }

  private async copyArchived(
    dlqTopic: string,
    archived: readonly { topic: string; partition: number; changes: StateChange[] }[],
  ): Promise<void> {
    const dlqPartitions = this.host.partitionCount(dlqTopic);
    const now = this.host.clock.now();
    const records: ProduceRecord[] = [];
    for (const a of archived) {
      const log = this.host.log(a.topic, a.partition);
      for (const c of a.changes) {
        const stored = await log.read(c.firstOffset, c.lastOffset - c.firstOffset + 1);
        for (const rec of stored) {
          records.push(
            deadLetterRecord(
              {
                source: { ...rec, topic: a.topic, partition: a.partition },
                group: this.groupId,
                deliveryCount: c.deliveryCount,
                // The change does not say why the record was archived; at the limit it is the limit.
                reason:
                  c.deliveryCount >= this.config.deliveryCountLimit ? 'delivery-limit' : 'rejected',
                message:
                  c.deliveryCount >= this.config.deliveryCountLimit
                    ? `Archived by share group "${this.groupId}" after ${c.deliveryCount} deliveries without an acknowledgement`
                    : `Rejected by a consumer of share group "${this.groupId}" on delivery ${c.deliveryCount}`,
                now,
              },
              dlqPartitions,
            ),
          );
        }
      }
    }
    if (records.length > 0) await this.host.produce(dlqTopic, records);
  }

  private async maybeCompact(): Promise<void> {
    if (this.compacting !== undefined || this.closed || this.journal.sizeBytes < COMPACT_BYTES)
      return;
    await this.compactNow().catch((err: unknown) => this.host.onError(err as Error));
  }

  /**
   * Writes a snapshot of the state in memory; the journals before it then go. One at a time: a
   * call while one runs waits for it and writes its own, since that one may predate a change.
   */
  private async compactNow(): Promise<void> {
    while (this.compacting !== undefined) await this.compacting.catch(() => undefined);
    const run = (async () => {
      // The snapshot is taken from memory, so no archive whose dead-letter copy is still being
      // written may be in it: wait until no journal link is held back by a copy.
      while (this.chained > 0) await this.persistTail;
      const partitions = [...this.partitions].map(([k, sp]) => {
        const [topic, partition] = splitKey(k);
        const snap = sp.snapshot();
        return { topic, partition, startOffset: snap.startOffset, entries: snap.entries };
      });
      await this.journal.compact({ config: {}, partitions });
    })();
    this.compacting = run;
    try {
      await run;
    } finally {
      if (this.compacting === run) this.compacting = undefined;
    }
  }

  /** One timer per group, set for the earliest lock deadline. */
  private armLockTimer(): void {
    let next = Number.POSITIVE_INFINITY;
    for (const sp of this.partitions.values()) {
      const d = sp.nextLockDeadline();
      if (d !== undefined && d < next) next = d;
    }
    if (next === Number.POSITIVE_INFINITY || next >= this.lockTimerAt) return;
    clearTimeout(this.lockTimer);
    this.lockTimerAt = next;
    this.lockTimer = setTimeout(
      () => this.onLockTimer(),
      Math.max(0, next - this.host.clock.now()) + 1,
    );
    this.lockTimer.unref();
  }

  private onLockTimer(): void {
    this.lockTimerAt = Number.POSITIVE_INFINITY;
    this.lockTimer = undefined;
    if (this.closed) return;
    let expired = 0;
    for (const sp of this.partitions.values()) expired += sp.expireLocks();
    if (expired > 0) {
      this.persist().then(
        () => this.wake(),
        (err: unknown) => this.host.onError(err as Error),
      );
    }
    this.armLockTimer();
  }

  private assertOpen(): void {
    if (this.closed)
      throw new SharqError('SHARQ_ERR_CLOSED', `Share group "${this.groupId}" is closed`);
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

function splitKey(k: string): [string, number] {
  const i = k.indexOf(':');
  return [k.slice(i + 1), Number(k.slice(0, i))];
}

function notHeld(ack: Acknowledgement): SharqError {
  return new SharqError(
    'SHARQ_ERR_INVALID_RECORD_STATE',
    `Record ${ack.record.topic}/${ack.record.partition}@${ack.record.offset} is not held by this consumer`,
    { details: { ...ack.record } },
  );
}

/** Sorted acks → ascending, non-overlapping batches of one type each (as ShareAcknowledge sends them). */
function toBatches(sorted: readonly Acknowledgement[]): {
  batches: AckBatch[];
  members: Map<number, Acknowledgement[]>;
} {
  const batches: AckBatch[] = [];
  const members = new Map<number, Acknowledgement[]>();
  let cur: { first: number; last: number; type: AckType; acks: Acknowledgement[] } | undefined;
  const flush = (): void => {
    if (cur === undefined) return;
    batches.push({ firstOffset: cur.first, lastOffset: cur.last, types: [cur.type] });
    members.set(cur.first, cur.acks);
  };
  for (const ack of sorted) {
    const o = ack.record.offset;
    if (cur !== undefined && o === cur.last) {
      // The same offset twice in one call: the second one is refused by the state machine's check.
      flush();
      cur = { first: o, last: o, type: ack.type, acks: [ack] };
      continue;
    }
    if (cur !== undefined && o === cur.last + 1 && ack.type === cur.type) {
      cur.last = o;
      cur.acks.push(ack);
      continue;
    }
    flush();
    cur = { first: o, last: o, type: ack.type, acks: [ack] };
  }
  flush();
  return { batches, members };
}
