import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Partitioner } from '../engine/partitioner.js';
import type {
  Engine,
  EngineAdmin,
  PartitionOffsets,
  ProduceRecord,
  RecordPosition,
  ShareConsumer,
  ShareConsumerOptions,
  ShareGroupConfig,
  ShareGroupDescription,
  StoredRecord,
  TopicDescription,
} from '../engine/types.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { type EmbeddedEngineConfig, EmbeddedEngineOptions } from '../options/engine-options.js';
import { parseOptions, topicName } from '../options/parse.js';
import { EmbeddedShareConsumer } from './share-consumer.js';
import { EmbeddedShareGroup, type GroupHost } from './share-group.js';
import type { Clock } from './share-partition.js';
import { type CatalogNotice, openCatalog } from './storage/catalog-recovery.js';
import {
  DELETED_GROUP_PREFIX,
  DELETED_TOPIC_PREFIX,
  groupDir,
  groupsDir,
  listDeletedGroupDirs,
  listDeletedTopicDirs,
  partitionDir,
  topicDir,
  topicsDir,
} from './storage/data-dir-layout.js';
import { acquireDirLock, type DirLock } from './storage/dir-lock.js';
import { nodeFs, type StorageFs } from './storage/fs-layer.js';
import { fsyncDir, mkdirDurable } from './storage/fs-util.js';
import {
  type KafkaBatchInput,
  type LogRecordInput,
  PartitionLog,
} from './storage/partition-log.js';
import { StateJournal } from './storage/state-journal.js';
import { errnoCode, ioError } from './storage/storage-errors.js';
import type { TopicCatalog } from './storage/topic-catalog.js';

export const DEFAULT_GROUP_CONFIG: ShareGroupConfig = Object.freeze({
  autoOffsetReset: 'latest',
  lockDurationMs: 30_000,
  deliveryCountLimit: 5,
  deadLetterTopic: null,
});

const RETENTION_CHECK_MS = 60_000;

/**
 * Internal hooks, not part of the public surface: the file system storage runs on (the
 * power-loss test passes a simulated one, see storage/fs-layer.ts). Default: the real one.
 */
export interface EmbeddedEngineInternals {
  fs?: StorageFs;
}

/**
 * The embedded engine: sharq's own share-group implementation over a durable partitioned log in
 * one data directory, owned by one process.
 *
 *   <dataDir>/LOCK                          owner process
 *   <dataDir>/catalog.json                  topics, partition counts, group configs
 *   <dataDir>/topics/<topic>/<partition>/   log segments
 *   <dataDir>/groups/<group>/state.journal  share-group state (+ snapshot)
 *
 * Opening checks the directory (docs/design.md, "Data directory"): every failure is coded and
 * names its path (SHARQ_ERR_IO, not retryable when only an operator can mend it), a missing or
 * incomplete catalog is rebuilt from the topic directories, and damage that may have been
 * confirmed refuses the open (SHARQ_ERR_LOG_CORRUPT, SHARQ_ERR_CATALOG_CORRUPT) with the
 * `sharq data` command that repairs it.
 */
export class EmbeddedEngine implements Engine {
  readonly kind = 'embedded' as const;
  readonly config: Readonly<EmbeddedEngineConfig>;
  readonly admin: EngineAdmin;
  private readonly clock: Clock;
  private readonly fs: StorageFs;
  private readonly partitioner = new Partitioner();
  private readonly logs = new Map<string, PartitionLog[]>();
  /** Topics whose delete passed its rename and has not yet reached the catalog and every group. */
  private readonly unfinishedDeletes = new Set<string>();
  private readonly groups = new Map<string, Promise<EmbeddedShareGroup>>();
  private readonly consumers = new Set<EmbeddedShareConsumer>();
  private catalog: TopicCatalog | undefined;
  private lock: DirLock | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private readonly errorListeners = new Set<(err: Error) => void>();

  constructor(
    options: Partial<Omit<EmbeddedEngineConfig, 'type'>> & { type?: 'embedded' } = {},
    clock?: Clock,
    internals: EmbeddedEngineInternals = {},
  ) {
    this.config = parseOptions('embedded engine', EmbeddedEngineOptions, {
      type: 'embedded',
      ...options,
    });
    this.clock = clock ?? { now: () => Date.now() };
    this.fs = internals.fs ?? nodeFs;
    this.admin = new EmbeddedAdmin(this);
  }

  get dataDir(): string {
    return path.resolve(this.config.dataDir);
  }

  /** Background failures (a journal write, a dead-letter copy) that no caller is waiting on. */
  onError(listener: (err: Error) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  start(): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(closedError());
    this.starting ??= this.open().catch(async (err: unknown) => {
      await this.release();
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => undefined);
      await this.release();
    })();
    return this.closing;
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    await this.ready();
    const logs = this.topicLogs(topic);
    if (records.length === 0) return [];
    const now = this.clock.now();
    const byPartition = new Map<number, number[]>();
    const partitionOf = records.map((r, i) => {
      const p = r.partition ?? this.partitioner.partition(r.key ?? null, logs.length);
      if (!Number.isInteger(p) || p < 0 || p >= logs.length) {
        throw new SharqError('SHARQ_ERR_UNKNOWN_TOPIC', `Topic "${topic}" has no partition ${p}`, {
          details: { topic, partition: p, partitions: logs.length },
        });
      }
      let list = byPartition.get(p);
      if (list === undefined) {
        list = [];
        byPartition.set(p, list);
      }
      list.push(i);
      return p;
    });
    const offsets = new Array<number>(records.length);
    await Promise.all(
      [...byPartition].map(async ([p, indexes]) => {
        const { baseOffset } = await logs[p]!.append(
          indexes.map((i) => {
            const r = records[i]!;
            return {
              key: r.key ?? null,
              value: r.value,
              headers: r.headers ?? {},
              timestamp: r.timestamp ?? now,
            };
          }),
        );
        indexes.forEach((i, n) => {
          offsets[i] = baseOffset + n;
        });
      }),
    );
    return partitionOf.map((partition, i) => ({ partition, offset: offsets[i]! }));
  }

  /**
   * Appends a batch to one partition of a started engine without waiting for anything first:
   * its offsets are assigned before this returns, so calls land in the log in call order (what
   * `sharq server` needs to start a connection's next produce request while one waits for its
   * fsync). Resolves with the first offset once the batch is durable per `fsync`, as `produce`
   * does; records take their timestamp as given. `records` may also be a checked Kafka batch
   * (`KafkaBatchInput`, from `sharq server`'s Produce), written as one batch frame. Never
   * throws: a closed or unstarted engine, an unknown partition or a bad record rejects.
   */
  appendNow(
    topic: string,
    partition: number,
    records: readonly LogRecordInput[] | KafkaBatchInput,
  ): Promise<{ baseOffset: number }> {
    try {
      if (this.closing !== undefined || this.catalog === undefined) throw closedError();
      return this.partitionLog(topic, partition).append(records);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async read(
    topic: string,
    partition: number,
    fromOffset: number,
    maxRecords: number,
  ): Promise<StoredRecord[]> {
    await this.ready();
    const log = this.partitionLog(topic, partition);
    const records = await log.read(fromOffset, maxRecords);
    return records.map((r) => ({ topic, partition, ...r }));
  }

  createShareConsumer(options: ShareConsumerOptions): ShareConsumer {
    if (this.closing !== undefined) throw closedError();
    const consumer = new EmbeddedShareConsumer(
      options,
      async (c) => {
        await this.ready();
        for (const t of c.subscribedTopics) this.topicLogs(t);
        const group = await this.group(c.groupId);
        group.join({ memberId: c.memberId, clientId: c.clientId, topics: c.subscribedTopics });
        return group;
      },
      (c) => this.consumers.delete(c),
    );
    this.consumers.add(consumer);
    return consumer;
  }

  // ---- internals shared with EmbeddedAdmin ----

  /** Starts on first use, so `new Queue()` needs no explicit start. */
  async ready(): Promise<void> {
    if (this.closing !== undefined) throw closedError();
    await this.start();
  }

  getCatalog(): TopicCatalog {
    if (this.catalog === undefined) throw closedError();
    return this.catalog;
  }

  topicLogs(topic: string): PartitionLog[] {
    const logs = this.logs.get(topic);
    if (logs === undefined) {
      throw new SharqError('SHARQ_ERR_UNKNOWN_TOPIC', `Topic "${topic}" does not exist`, {
        details: { topic },
      });
    }
    return logs;
  }

  partitionLog(topic: string, partition: number): PartitionLog {
    const log = this.topicLogs(topic)[partition];
    if (log === undefined) {
      throw new SharqError(
        'SHARQ_ERR_UNKNOWN_TOPIC',
        `Topic "${topic}" has no partition ${partition}`,
        {
          details: { topic, partition },
        },
      );
    }
    return log;
  }

  /**
   * Opens (creating when missing) a topic's partitions, the highest first. A creation cut short
   * by a crash then always leaves the highest partition's directory (each is durable before the
   * next is made), so the partition count can be read off the disk: a catalog rebuilt from it
   * (a fresh data directory's first topic has no catalog yet) lists them all. Made from 0 up, a
   * cut left only the low ones, and the topic came back with fewer partitions than asked for.
   */
  async createTopicFiles(name: string, partitions: number): Promise<void> {
    const logs: PartitionLog[] = new Array(partitions);
    for (let p = partitions - 1; p >= 0; p--) logs[p] = await this.openLog(name, p);
    this.logs.set(name, logs);
  }

  /**
   * Deletes a topic. Its logs become unreachable at once (no poll brings a partition back);
   * then its directory is renamed to `.deleted-<name>-<uuid>` and that made durable: the point
   * at which the delete has happened. Then the catalog forgets the topic, every group forgets
   * its state for it (a snapshot without it, written at once), and the directory goes. A crash
   * after the rename is finished by the next open (`finishTopicDeletes`): a grave whose topic
   * directory is gone means a delete that may not have reached the catalog or the groups. A
   * crash before it leaves the topic and every group's state for it as they were, and so does
   * a rename that fails: the topic is opened again and the error thrown. (Before, the groups
   * forgot first: a crash then left the topic with its records and groups new to it, so its
   * jobs ran again or were skipped.)
   */
  async deleteTopic(name: string): Promise<void> {
    const logs = this.topicLogs(name);
    this.logs.delete(name);
    await Promise.all(logs.map((l) => l.close()));
    const root = topicsDir(this.dataDir);
    const grave = path.join(root, `${DELETED_TOPIC_PREFIX}${name}-${randomUUID()}`);
    let renamed = true;
    try {
      await this.fs.rename(this.topicDir(name), grave);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') {
        // Nothing has happened yet: the topic stays, reachable again (if it opens).
        await this.createTopicFiles(name, logs.length).catch(() => undefined);
        throw ioError('delete topic', this.topicDir(name), err);
      }
      renamed = false;
    }
    if (renamed) await fsyncDir(this.fs, root);
    this.unfinishedDeletes.add(name);
    await this.forgetDeletedTopic(name);
    if (renamed)
      await this.fs.rm(grave, { recursive: true }).catch((err: unknown) => {
        throw ioError('delete topic', grave, err);
      });
  }

  /** The catalog and every group forget a topic whose directory has gone to its grave. */
  private async forgetDeletedTopic(name: string): Promise<void> {
    await this.getCatalog().removeTopic(name);
    await this.forgetTopicInGroups(name);
    this.unfinishedDeletes.delete(name);
  }

  /**
   * Before a topic is made: a delete of one of that name that failed after its rename (the
   * catalog or a group's snapshot could not be written) is finished first, so no group's state
   * for the old topic applies to the new one; failing again, it refuses the create.
   */
  async finishFailedDelete(name: string): Promise<void> {
    if (this.unfinishedDeletes.has(name)) await this.forgetDeletedTopic(name);
  }

  private async forgetTopicInGroups(name: string): Promise<void> {
    const groups = await Promise.allSettled([...this.groups.values()]);
    await Promise.all(
      groups.flatMap((g) => (g.status === 'fulfilled' ? [g.value.forgetTopic(name)] : [])),
    );
  }

  /** Whether `dir` exists; ENOENT is no, any other failure SHARQ_ERR_IO. */
  private async isDir(dir: string): Promise<boolean> {
    try {
      return (await this.fs.stat(dir)).isDirectory;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return false;
      throw ioError('open', dir, err);
    }
  }

  /**
   * At open, the topics whose delete a crash cut short (see deleteTopic): those of a grave
   * whose topic directory is gone. A grave beside a live directory of its name (a delete whose
   * last step failed, the topic made again since) is only removed.
   */
  private async interruptedDeletes(graves: readonly string[]): Promise<Set<string>> {
    const names = new Set<string>();
    for (const grave of graves) {
      const name = topicOfGrave(grave);
      if (name !== undefined && !(await this.isDir(this.topicDir(name)))) names.add(name);
    }
    return names;
  }

  /** Finishes those deletes (the catalog and every group forget the topic), then the graves go. */
  private async finishTopicDeletes(
    names: ReadonlySet<string>,
    graves: readonly string[],
  ): Promise<void> {
    for (const name of names) {
      if (
        this.getCatalog()
          .listTopics()
          .some((t) => t.name === name)
      )
        await this.getCatalog().removeTopic(name);
      await this.forgetTopicInGroups(name);
    }
    for (const grave of graves) await this.fs.rm(grave, { recursive: true });
  }

  /**
   * Deletes a share group with no members. Its directory is renamed to `%%deleted-*` (and that
   * made durable) before the catalog forgets the group, so a crash part way leaves either the
   * whole group (the rename did not happen: the catalog still lists it and its state is intact)
   * or a listed group with no state, which opens afresh as a new group would; never a forgotten
   * directory that a group created later under the same id would take for its own. Open removes
   * the renamed leftovers.
   */
  async deleteGroup(groupId: string): Promise<void> {
    const catalog = this.getCatalog();
    if (catalog.getGroupConfig(groupId) === undefined && !this.groups.has(groupId)) {
      throw new SharqError('SHARQ_ERR_UNKNOWN_GROUP', `Share group "${groupId}" does not exist`, {
        details: { groupId },
      });
    }
    const group = await this.group(groupId);
    const members = group.members.size;
    if (members > 0) {
      throw new SharqError(
        'SHARQ_ERR_GROUP_NOT_EMPTY',
        `Share group "${groupId}" has ${members} member(s); stop them before deleting it`,
        { details: { groupId, members } },
      );
    }
    // No await between the check and this: a consumer joining from now on opens a new group.
    this.groups.delete(groupId);
    await group.close();
    const root = groupsDir(this.dataDir);
    const dir = groupDir(this.dataDir, groupId);
    const grave = path.join(root, `${DELETED_GROUP_PREFIX}${randomUUID()}`);
    let renamed = true;
    try {
      await this.fs.rename(dir, grave);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw ioError('delete group', dir, err);
      renamed = false;
    }
    if (renamed) await fsyncDir(this.fs, root);
    await catalog.removeGroup(groupId);
    if (renamed)
      await this.fs.rm(grave, { recursive: true }).catch((err: unknown) => {
        throw ioError('delete group', grave, err);
      });
  }

  group(groupId: string): Promise<EmbeddedShareGroup> {
    let g = this.groups.get(groupId);
    if (g === undefined) {
      g = this.openGroup(groupId);
      this.groups.set(groupId, g);
      g.catch(() => this.groups.delete(groupId));
    }
    return g;
  }

  openGroups(): Promise<EmbeddedShareGroup>[] {
    return [...this.groups.values()];
  }

  emitError(err: Error): void {
    for (const l of this.errorListeners) l(err);
  }

  private async open(): Promise<void> {
    try {
      this.lock = await acquireDirLock(this.dataDir, this.fs);
      for (const grave of await listDeletedGroupDirs(this.dataDir, this.fs)) {
        await this.fs.rm(grave, { recursive: true });
      }
      const topicGraves = await listDeletedTopicDirs(this.dataDir, this.fs);
      const { catalog, notices } = await openCatalog(this.dataDir, this.fs);
      this.catalog = catalog;
      for (const n of notices) this.notice(n);
      // A topic whose delete a crash cut short is not made again here (finishTopicDeletes).
      const interrupted = await this.interruptedDeletes(topicGraves);
      for (const t of catalog.listTopics()) {
        if (!interrupted.has(t.name)) await this.createTopicFiles(t.name, t.partitions);
      }
      for (const groupId of catalog.listGroups()) await this.group(groupId);
      await this.finishTopicDeletes(interrupted, topicGraves);
    } catch (err) {
      throw openError(err, this.dataDir);
    }
    this.retentionTimer = setInterval(() => {
      this.applyRetention().catch((err: unknown) => this.emitError(toError(err)));
    }, RETENTION_CHECK_MS);
    this.retentionTimer.unref();
  }

  private async release(): Promise<void> {
    clearInterval(this.retentionTimer);
    await Promise.allSettled([...this.consumers].map((c) => c.close()));
    const groups = await Promise.allSettled([...this.groups.values()]);
    await Promise.allSettled(
      groups.map((g) => (g.status === 'fulfilled' ? g.value.close() : undefined)),
    );
    this.groups.clear();
    const logs = [...this.logs.values()].flat();
    this.logs.clear();
    await Promise.allSettled(logs.map((l) => l.close()));
    await this.lock?.release();
    this.lock = undefined;
    this.catalog = undefined;
  }

  private async openLog(topic: string, partition: number): Promise<PartitionLog> {
    const log = await PartitionLog.open(partitionDir(this.dataDir, topic, partition), {
      fsync: this.config.fsync,
      fsyncIntervalMs: this.config.fsyncIntervalMs,
      segmentBytes: this.config.segmentBytes,
      maxRecordBytes: this.config.maxRecordBytes,
      fs: this.fs,
      onTornTail: (info) =>
        this.notice({
          kind: 'torn-write',
          message: `Recovered ${info.file}: cut a torn write of ${info.droppedBytes} bytes at byte ${info.position} (an append a crash cut short; under fsync "always" it had not been confirmed)`,
          details: info,
        }),
    });
    log.onDurable(() => this.wakeConsumersOf(topic));
    return log;
  }

  /** New records in `topic`: wake the waiting polls of each group subscribed to it, once per group. */
  private wakeConsumersOf(topic: string): void {
    const woken = new Set<string>();
    for (const c of this.consumers) {
      if (woken.has(c.groupId) || !c.subscribedTopics.includes(topic)) continue;
      woken.add(c.groupId);
      void this.groups.get(c.groupId)?.then(
        (g) => g.wake(),
        () => undefined,
      );
    }
  }

  private async openGroup(groupId: string): Promise<EmbeddedShareGroup> {
    const catalog = this.getCatalog();
    const config = {
      ...DEFAULT_GROUP_CONFIG,
      ...catalog.getGroupConfig(groupId),
    } as ShareGroupConfig;
    // The catalog keeps only what was set on the group, so `describeGroup` can tell a setting
    // from a default (directories written before kept every key: all count as set).
    if (catalog.getGroupConfig(groupId) === undefined) await catalog.setGroupConfig(groupId, {});
    const dir = groupDir(this.dataDir, groupId);
    await mkdirDurable(this.fs, dir);
    const { journal, snapshot, entries } = await StateJournal.open(
      path.join(dir, 'state.journal'),
      { ...journalFsync(this.config), onSyncError: (err) => this.emitError(err), fs: this.fs },
    );
    const host: GroupHost = {
      clock: this.clock,
      maxInFlight: this.config.maxInFlightPerPartition,
      log: (t, p) => this.partitionLog(t, p),
      partitionCount: (t) => this.topicLogs(t).length,
      produce: (t, records) => this.produce(t, records),
      onError: (err) => this.emitError(err),
    };
    const group = new EmbeddedShareGroup(groupId, config, journal, host);
    group.restore(snapshot, entries);
    // Under fsync "always" a record is readable, so acquirable, only once it is on disk: state
    // past a log's end can only come from outside (a segment emptied or deleted by hand), and
    // open refuses it. Under "interval" or "never" a power loss may also leave it (a record was
    // worked and its acknowledgement journaled before the log's tail reached the disk), which
    // that policy accepts: the group's state is cut back to the log's end so that new jobs
    // there run, and a notice says so.
    const ahead = group.aheadOfLogs();
    if (ahead.length > 0 && this.config.fsync === 'always') {
      await journal.close().catch(() => undefined);
      throw groupAheadError(this.dataDir, groupId, ahead);
    }
    if (ahead.length > 0) {
      try {
        await group.cutToLogs(ahead);
      } catch (err) {
        await journal.close().catch(() => undefined);
        throw err;
      }
      for (const a of ahead) {
        this.notice({
          kind: 'group-ahead-of-log',
          message: `Share group "${groupId}" had state up to offset ${a.stateEnd - 1} of ${a.topic}/${a.partition}, whose log now ends at ${a.logEndOffset} (its tail was lost, as fsync "${this.config.fsync}" allows in a power loss): the state at and past offset ${a.logEndOffset} was dropped, so jobs written there run`,
          details: { groupId, ...a },
        });
      }
    }
    return group;
  }

  private topicDir(topic: string): string {
    return topicDir(this.dataDir, topic);
  }

  /**
   * Something opening mended by itself (SHARQ_ERR_RECOVERED). Listeners usually subscribe after
   * start, so with none it becomes a process warning rather than vanish.
   */
  private notice(n: Pick<CatalogNotice, 'message' | 'details'> & { kind: string }): void {
    const err = new SharqError('SHARQ_ERR_RECOVERED', n.message, {
      details: { ...n.details, kind: n.kind },
    });
    if (this.errorListeners.size > 0) this.emitError(err);
    else process.emitWarning(err.message, { code: err.code });
  }

  /**
   * Drops closed segments that every group is past and that are older than the retention. The
   * start offsets are read first and the groups' journals fsynced before anything is deleted:
   * under `ackFsync: "interval"` an in-memory start offset may be ahead of the disk, and a
   * power loss must not bring back a start offset below records that are gone.
   */
  private async applyRetention(): Promise<void> {
    if (this.catalog === undefined) return;
    const groups = await Promise.all(this.groups.values());
    const bounds: { log: PartitionLog; bound: number }[] = [];
    for (const [topic, logs] of this.logs) {
      for (let p = 0; p < logs.length; p++) {
        const log = logs[p]!;
        let bound = log.logEndOffset;
        for (const g of groups) {
          const s = g.startOffsetOf(topic, p);
          if (s !== undefined) bound = Math.min(bound, s);
        }
        if (bound > log.logStartOffset) bounds.push({ log, bound });
      }
    }
    if (bounds.length === 0) return;
    await Promise.all(groups.map((g) => g.durable()));
    for (const { log, bound } of bounds) {
      await log.deleteSegmentsBefore(bound, this.config.retentionMs);
    }
  }
}

/**
 * The state journal's policy: it follows `fsync`, except that `ackFsync: "interval"` relaxes
 * `always` to a timed fsync (state changes are still written before they take effect).
 */
export function journalFsync(config: EmbeddedEngineConfig): {
  fsync: EmbeddedEngineConfig['fsync'];
  fsyncIntervalMs: number;
} {
  if (config.fsync === 'always' && config.ackFsync === 'interval') {
    return { fsync: 'interval', fsyncIntervalMs: config.ackFsyncIntervalMs };
  }
  return { fsync: config.fsync, fsyncIntervalMs: config.fsyncIntervalMs };
}

function closedError(): SharqError {
  return new SharqError('SHARQ_ERR_CLOSED', 'The embedded engine is closed');
}

/**
 * What a failed open rejects with: always a SharqError naming a path. Damage gets the commands
 * that show and repair it, since the engine cannot proceed without an operator.
 */
function openError(err: unknown, dataDir: string): SharqError {
  if (!SharqError.is(err)) return ioError('open data directory', dataDir, err);
  if (err.code !== 'SHARQ_ERR_LOG_CORRUPT') return err;
  // Damage in a file is cut by a repair; other corruption (a group ahead of its log) names its
  // own way out.
  const advice =
    typeof err.details.file === 'string'
      ? `. The file was left as it is: \`sharq data check ${dataDir}\` lists every damaged spot; \`sharq data repair ${dataDir}\` says what cutting it drops and does it with --yes.`
      : '';
  return new SharqError(err.code, `${err.message}${advice}`, {
    cause: err.cause,
    details: { ...err.details, dataDir, repair: `sharq data repair ${dataDir}` },
  });
}

class EmbeddedAdmin implements EngineAdmin {
  constructor(private readonly engine: EmbeddedEngine) {}

  async createTopic(name: string, options: { partitions?: number } = {}): Promise<void> {
    await this.engine.ready();
    const partitions = checkTopic(name, options.partitions ?? this.engine.config.defaultPartitions);
    await this.engine.finishFailedDelete(name);
    const catalog = this.engine.getCatalog();
    const exists = () =>
      new SharqError('SHARQ_ERR_TOPIC_EXISTS', `Topic "${name}" already exists`, {
        details: { topic: name },
      });
    if (catalog.getTopic(name) !== undefined) throw exists();
    // Concurrent creates of one topic (several clients of sharq server) make its files once.
    const running = this.creating.get(name);
    if (running !== undefined) {
      await running.catch(() => undefined);
      throw exists();
    }
    const creation = (async () => {
      await this.engine.createTopicFiles(name, partitions);
      await catalog.addTopic(name, partitions);
    })().finally(() => this.creating.delete(name));
    this.creating.set(name, creation);
    await creation;
  }

  /** In-flight creations, so concurrent ensureTopic calls (a queue and a worker starting together) create once. */
  private readonly creating = new Map<string, Promise<void>>();

  async ensureTopic(
    name: string,
    options: { partitions?: number } = {},
  ): Promise<TopicDescription> {
    await this.engine.ready();
    const existing = this.engine.getCatalog().getTopic(name);
    if (existing !== undefined) return { name, partitions: existing.partitions };
    try {
      await this.createTopic(name, options);
    } catch (err) {
      if (!SharqError.is(err, 'SHARQ_ERR_TOPIC_EXISTS')) throw err;
    }
    return this.describeTopic(name);
  }

  async listTopics(): Promise<TopicDescription[]> {
    await this.engine.ready();
    return this.engine
      .getCatalog()
      .listTopics()
      .map((t) => ({ name: t.name, partitions: t.partitions }));
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    await this.engine.ready();
    return { name, partitions: this.engine.topicLogs(name).length };
  }

  async deleteTopic(name: string): Promise<void> {
    await this.engine.ready();
    await this.engine.deleteTopic(name);
  }

  async offsets(topic: string): Promise<PartitionOffsets[]> {
    await this.engine.ready();
    return this.engine.topicLogs(topic).map((log, partition) => ({
      partition,
      logStartOffset: log.logStartOffset,
      logEndOffset: log.logEndOffset,
    }));
  }

  async configureGroup(groupId: string, config: Partial<ShareGroupConfig>): Promise<void> {
    await this.engine.ready();
    checkGroupConfig(config);
    const group = await this.engine.group(groupId);
    const catalog = this.engine.getCatalog();
    const set = { ...catalog.getGroupConfig(groupId), ...stripUndefined(config) };
    await catalog.setGroupConfig(groupId, set);
    group.updateConfig({ ...group.groupConfig, ...stripUndefined(config) });
  }

  async describeGroup(groupId: string): Promise<ShareGroupDescription> {
    await this.engine.ready();
    const catalog = this.engine.getCatalog();
    if (catalog.getGroupConfig(groupId) === undefined) {
      throw new SharqError(
        'SHARQ_ERR_INVALID_ARGUMENT',
        `Share group "${groupId}" does not exist`,
        { details: { groupId } },
      );
    }
    const group = await this.engine.group(groupId);
    const partitions = [...group.topics()]
      .filter((t) => catalog.getTopic(t) !== undefined)
      .flatMap((t) => group.stats(t, this.engine.topicLogs(t).length));
    return {
      groupId,
      config: { ...group.groupConfig },
      configured: Object.keys(catalog.getGroupConfig(groupId) ?? {}).filter(
        (k): k is keyof ShareGroupConfig => k in DEFAULT_GROUP_CONFIG,
      ),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        topics: [...m.topics],
      })),
      partitions,
    };
  }

  async listGroups(): Promise<string[]> {
    await this.engine.ready();
    return this.engine.getCatalog().listGroups();
  }

  async resetGroupOffsets(
    groupId: string,
    topic: string,
    to: 'earliest' | 'latest' | { timestamp: number },
  ): Promise<void> {
    await this.engine.ready();
    this.engine.topicLogs(topic);
    const group = await this.engine.group(groupId);
    await group.resetOffsets(topic, (_p, log) => {
      if (to === 'earliest') return log.logStartOffset;
      if (to === 'latest') return log.logEndOffset;
      return log.offsetForTimestamp(to.timestamp);
    });
  }

  async deleteGroup(groupId: string): Promise<void> {
    await this.engine.ready();
    await this.engine.deleteGroup(groupId);
  }
}

function checkTopic(name: string, partitions: number): number {
  const r = topicName.safeParse(name);
  if (!r.success) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `Invalid topic name "${name}": ${r.error.issues[0]?.message}`,
      {
        details: { topic: name },
      },
    );
  }
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `Partitions of "${name}" must be an integer from 1 to 1024, got ${partitions}`,
      {
        details: { topic: name, partitions },
      },
    );
  }
  return partitions;
}

function checkGroupConfig(config: Partial<ShareGroupConfig>): void {
  const bad = (rule: string): never => {
    throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', `Invalid share group config: ${rule}`, {
      details: { config },
    });
  };
  const { deliveryCountLimit: limit, lockDurationMs: lock, autoOffsetReset: reset } = config;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 2 || limit > 10))
    bad('deliveryCountLimit must be an integer from 2 to 10');
  if (lock !== undefined && (!Number.isInteger(lock) || lock < 1000 || lock > 3_600_000))
    bad('lockDurationMs must be an integer from 1000 to 3600000');
  if (reset !== undefined && reset !== 'earliest' && reset !== 'latest')
    bad('autoOffsetReset must be "earliest" or "latest"');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * SHARQ_ERR_LOG_CORRUPT: a group's state reaches past the end of a partition's log. Opening
 * would let new jobs take offsets the group counts as done, and never run them.
 */
function groupAheadError(
  dataDir: string,
  groupId: string,
  ahead: ReturnType<EmbeddedShareGroup['aheadOfLogs']>,
): SharqError {
  const first = ahead[0]!;
  const where = ahead
    .map(
      (a) =>
        `${a.topic}/${a.partition} has state up to offset ${a.stateEnd - 1} (start offset ${a.startOffset}) but its log ends at ${a.logEndOffset}`,
    )
    .join('; ');
  return new SharqError(
    'SHARQ_ERR_LOG_CORRUPT',
    `Share group "${groupId}" knows records its log no longer holds: ${where}. Jobs written at those offsets again would be taken for done and never run, so the directory was left as it is: \`sharq data check ${dataDir}\` shows it; \`sharq data repair ${dataDir}\` rewrites the group's state so they run (with --yes)`,
    {
      details: {
        groupAheadOfLog: true,
        groupId,
        topic: first.topic,
        partition: first.partition,
        stateEnd: first.stateEnd,
        logEndOffset: first.logEndOffset,
        partitions: ahead,
      },
    },
  );
}

/** The topic a `.deleted-<name>-<uuid>` grave (deleteTopic) was, or undefined for another name. */
function topicOfGrave(grave: string): string | undefined {
  const base = path.basename(grave);
  const uuid = 36;
  if (
    !base.startsWith(DELETED_TOPIC_PREFIX) ||
    base.length <= DELETED_TOPIC_PREFIX.length + uuid + 1
  )
    return undefined;
  return base.slice(DELETED_TOPIC_PREFIX.length, -(uuid + 1));
}
