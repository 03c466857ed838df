import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { topicName } from '../../options/parse.js';
import { compareCatalog } from './catalog-recovery.js';
import {
  CATALOG_FILE,
  catalogPath,
  groupDir,
  listDeletedTopicDirs,
  listDiskGroups,
  listDiskTopics,
  partitionDir,
} from './data-dir-layout.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { inspectGroup, type PartitionState } from './group-inspect.js';
import { inspectPartition } from './partition-inspect.js';
import { errnoCode, invalidArgument, ioError } from './storage-errors.js';
import { TopicCatalog } from './topic-catalog.js';

/**
 * `sharq data check`: everything the engine verifies at open, read-only, over a whole data
 * directory, with what `sharq data repair` would do about each damaged spot.
 *
 *   catalog       parses, and lists every partition that holds records (else open rebuilds it)
 *   partitions    every segment's frames and checksums, offsets without gap, batch ends, tails
 *   groups        snapshot and journals (frames, checksums, entries), and that no group's state
 *                 speaks of offsets past its partition's end: new jobs written there would
 *                 pass for done (a log cut short by repair, a power loss under fsync "never",
 *                 a topic deleted and created again)
 *
 * Findings are `damage` (open refuses, or would silently skip or lose jobs; repair acts on it)
 * or `note` (open mends it by itself: a torn write, a missing catalog, leftover temp files).
 * The check holds the directory's lock while it reads, so nothing writes meanwhile.
 */

export type RepairStep =
  | { op: 'rebuild-catalog'; file: string; movedTo: string; drops: string }
  | {
      op: 'cut-log';
      topic: string;
      partition: number;
      file: string;
      at: number;
      deleteFiles: string[];
      droppedOffsets: { from: number; to: number };
      droppedBytes: number;
      intactRecordsDropped: number;
      drops: string;
    }
  | { op: 'cut-journal'; group: string; file: string; at: number | 'delete'; drops: string }
  | {
      op: 'rewrite-group-state';
      group: string;
      /** The group's journal base path (`.../state.journal`). */
      base: string;
      /** Partitions whose state must start at `startOffset` and know nothing from `end` on. */
      fixes: { topic: string; partition: number; end: number; startOffset: number }[];
      drops: string;
    };

export interface Finding {
  severity: 'damage' | 'note';
  kind: string;
  /** The file or directory concerned. */
  path: string;
  message: string;
  /** Damage only: what repair does, and what that drops. */
  repair?: RepairStep;
}

export interface PartitionSummary {
  topic: string;
  partition: number;
  segments: number;
  logStartOffset: number;
  logEndOffset: number;
  status: 'ok' | 'torn-write' | 'damaged' | 'missing' | 'unlisted';
}

export interface GroupSummary {
  groupId: string;
  journals: number;
  entries: number;
  partitions: number;
  status: 'ok' | 'torn-write' | 'damaged' | 'no-state';
}

export interface DataDirReport {
  dataDir: string;
  catalog: { file: string; status: 'ok' | 'missing' | 'damaged'; topics: number; groups: number };
  partitions: PartitionSummary[];
  groups: GroupSummary[];
  findings: Finding[];
  /** Number of `damage` findings; 0 means the directory opens and loses nothing. */
  damage: number;
}

/** Checks `dataDir` under its lock. Throws when it is not a data directory or is in use. */
export async function checkDataDir(dataDir: string): Promise<DataDirReport> {
  return withDataDirLock(dataDir, (dir) => inspectDataDir(dir));
}

/**
 * Runs `fn` holding the lock of an existing data directory (never creates one: a typo must not
 * become a new empty directory that checks clean).
 */
export async function withDataDirLock<T>(
  dataDir: string,
  fn: (dir: string) => Promise<T>,
): Promise<T> {
  const dir = path.resolve(dataDir);
  let isDir: boolean;
  try {
    isDir = (await fsp.stat(dir)).isDirectory();
  } catch (err) {
    throw ioError('open data directory', dir, err);
  }
  if (!isDir) throw invalidArgument(`${dir} is not a directory`, { dataDir: dir });
  const names = await fsp.readdir(dir).catch((err: unknown) => {
    throw ioError('list directory', dir, err);
  });
  if (!names.some((n) => n === CATALOG_FILE || n === 'topics' || n === 'groups')) {
    throw invalidArgument(
      `${dir} is not a sharq data directory (it has no ${CATALOG_FILE}, topics/ or groups/)`,
      { dataDir: dir },
    );
  }
  let lock: DirLock;
  try {
    lock = await acquireDirLock(dir);
  } catch (err) {
    // On a read-only file system nobody can be writing: read it as it is (a mounted backup).
    if (SharqError.is(err, 'SHARQ_ERR_IO') && err.details.errno === 'EROFS') return fn(dir);
    throw err;
  }
  try {
    return await fn(lock.dir);
  } finally {
    await lock.release();
  }
}

/** The check itself; the caller holds the lock. */
export async function inspectDataDir(dataDir: string): Promise<DataDirReport> {
  const findings: Finding[] = [];
  const file = catalogPath(dataDir);
  const rel = (p: string) => path.relative(dataDir, p) || '.';

  let catalog: TopicCatalog;
  let status: DataDirReport['catalog']['status'] = 'ok';
  try {
    catalog = await TopicCatalog.load(file, { readOnly: true });
    if (!catalog.found) status = 'missing';
  } catch (err) {
    if (!SharqError.is(err, 'SHARQ_ERR_CATALOG_CORRUPT')) throw err;
    status = 'damaged';
    catalog = TopicCatalog.absent(file);
    const lostGroups = await listDiskGroups(dataDir);
    const movedTo = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    findings.push({
      severity: 'damage',
      kind: 'catalog-corrupt',
      path: file,
      message: `${CATALOG_FILE} is damaged (${String(err.details.reason)}): the engine refuses to open`,
      repair: {
        op: 'rebuild-catalog',
        file,
        movedTo,
        drops:
          `move ${CATALOG_FILE} aside to ${rel(movedTo)} and rebuild it from the topic directories` +
          (lostGroups.length === 0
            ? ''
            : `; the settings of group(s) ${lostGroups.join(', ')} are lost (defaults until a Queue or Worker sets them again; they are still in the moved file)`),
      },
    });
  }
  for (const d of await compareCatalog(dataDir, catalog)) {
    if (status === 'damaged') continue;
    findings.push({
      severity: 'note',
      kind: d.kind,
      path: file,
      message: `open will mend it: ${d.message}`,
    });
  }

  // Partitions: whatever the catalog lists, and whatever directories exist.
  const disk = (await listDiskTopics(dataDir)).filter((t) => topicName.safeParse(t.name).success);
  const wanted = new Map<string, Set<number>>();
  const add = (t: string, p: number) => {
    const set = wanted.get(t) ?? new Set<number>();
    wanted.set(t, set);
    set.add(p);
  };
  for (const t of catalog.listTopics()) for (let p = 0; p < t.partitions; p++) add(t.name, p);
  for (const t of disk) for (const p of t.partitions) add(t.name, p.partition);
  const partitions: PartitionSummary[] = [];
  for (const [topic, set] of [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const listed = catalog.getTopic(topic);
    for (const partition of [...set].sort((a, b) => a - b)) {
      const dir = partitionDir(dataDir, topic, partition);
      const p = await inspectPartition(dir);
      let st: PartitionSummary['status'] = 'ok';
      if (!p.exists) {
        st = 'missing';
        findings.push({
          severity: 'note',
          kind: 'missing-partition',
          path: dir,
          message: `${rel(dir)} is missing: open creates it empty`,
        });
      } else if (p.damage !== undefined) {
        st = 'damaged';
        const d = p.damage;
        const { from, to } = d.droppedOffsets;
        const deletes = d.deleteFiles.length;
        findings.push({
          severity: 'damage',
          kind: d.kind,
          path: d.file,
          message: `${rel(d.file)} at byte ${d.position}: ${d.reason}`,
          repair: {
            op: 'cut-log',
            topic,
            partition,
            file: d.cutFile,
            at: d.cutAt,
            deleteFiles: d.deleteFiles,
            droppedOffsets: d.droppedOffsets,
            droppedBytes: d.droppedBytes,
            intactRecordsDropped: d.intactRecordsDropped,
            drops:
              `cut ${rel(d.cutFile)} at byte ${d.cutAt}` +
              (deletes > 0 ? ` and delete ${deletes} later segment(s)` : '') +
              `: drops offsets ${from}..${to} of ${topic}/${partition} (${to - from + 1} record(s), ${d.intactRecordsDropped} of them intact; ${d.droppedBytes} bytes). Their add() may have been confirmed: those jobs are lost`,
          },
        });
      } else if (p.tornBytes > 0) {
        st = 'torn-write';
        findings.push({
          severity: 'note',
          kind: 'torn-write',
          path: dir,
          message: `${rel(dir)}: a torn write of ${p.tornBytes} bytes at the end; open cuts it (an append a crash cut short)`,
        });
      }
      if (listed === undefined && status === 'ok' && p.exists && p.logEndOffset === 0) {
        st = 'unlisted';
        if (partition === 0) {
          findings.push({
            severity: 'note',
            kind: 'orphan-topic',
            path: path.dirname(dir),
            message: `${rel(path.dirname(dir))} holds no records and is not in ${CATALOG_FILE} (a topic creation cut short): ignored`,
          });
        }
      }
      partitions.push({
        topic,
        partition,
        segments: p.segments,
        logStartOffset: p.logStartOffset,
        logEndOffset: p.logEndOffset,
        status: st,
      });
    }
  }

  // Groups: their files, then their state against the (repaired) log ends.
  const groupIds = [
    ...new Set([...catalog.listGroups(), ...(await listDiskGroups(dataDir))]),
  ].sort();
  const groups: GroupSummary[] = [];
  for (const groupId of groupIds) {
    const g = await checkGroup(dataDir, groupId, partitions, findings);
    groups.push(g);
    // The engine makes a group's journal as it makes the group: a listed group without one
    // lost it (deleted by hand), unless a crash cut its making or its delete short.
    if (g.status === 'no-state' && catalog.listGroups().includes(groupId)) {
      findings.push({
        severity: 'note',
        kind: 'group-state-missing',
        path: groupDir(dataDir, groupId),
        message: `group "${groupId}" is listed with its settings but has no state journal: unless a crash cut its making or its delete short, its state was deleted, and opening starts it afresh (autoOffsetReset "earliest": every retained job runs again, those in the DLQ too; "latest": pending jobs are skipped)`,
      });
    }
  }

  // Leftovers open or the lock removes by itself.
  for (const grave of await listDeletedTopicDirs(dataDir)) {
    findings.push({
      severity: 'note',
      kind: 'leftover',
      path: grave,
      message: `${rel(grave)}: a topic whose delete was cut short; open removes it`,
    });
  }
  for (const name of await listNames(dataDir)) {
    if (name.startsWith(`${CATALOG_FILE}.`) && name.endsWith('.tmp')) {
      const p = path.join(dataDir, name);
      findings.push({
        severity: 'note',
        kind: 'leftover',
        path: p,
        message: `${name}: an interrupted catalog write; open removes it`,
      });
    }
  }

  return {
    dataDir,
    catalog: {
      file,
      status,
      topics: catalog.listTopics().length,
      groups: catalog.listGroups().length,
    },
    partitions,
    groups,
    findings,
    damage: findings.filter((f) => f.severity === 'damage').length,
  };
}

/** One group's files, and its state against the log ends (after repair) of `partitions`. */
async function checkGroup(
  dataDir: string,
  groupId: string,
  partitions: readonly PartitionSummary[],
  findings: Finding[],
): Promise<GroupSummary> {
  const rel = (p: string) => path.relative(dataDir, p) || '.';
  const logEnds = new Map(
    partitions.map((p) => [`${p.topic}\u0000${p.partition}`, p.logEndOffset]),
  );
  const dir = groupDir(dataDir, groupId);
  const g = await inspectGroup(groupId, dir);
  let st: GroupSummary['status'] =
    g.generations.length === 0 && g.snapshotGeneration === undefined ? 'no-state' : 'ok';
  for (const d of g.damage) {
    st = 'damaged';
    findings.push({
      severity: 'damage',
      kind: d.kind === 'snapshot-corrupt' ? 'snapshot-corrupt' : `journal-${d.kind}`,
      path: d.file,
      message: `${rel(d.file)} at byte ${d.position}: ${d.reason}`,
      repair: {
        op: 'cut-journal',
        group: groupId,
        file: d.file,
        at: d.cutAt,
        drops:
          d.cutAt === 'delete'
            ? `delete ${rel(d.file)}: group "${groupId}" loses its state as of that snapshot; partitions its later journals mention resume from them, any other is new to the group (its autoOffsetReset decides: jobs may run again or be skipped)`
            : `cut ${rel(d.file)} at byte ${d.cutAt}: drops ${d.droppedBytes} bytes of group "${groupId}" state changes (acknowledgements there are forgotten and those jobs run again; delivery counts there go back)`,
      },
    });
  }
  if (st === 'ok' && g.tornBytes > 0) {
    st = 'torn-write';
    findings.push({
      severity: 'note',
      kind: 'torn-write',
      path: dir,
      message: `${rel(dir)}: a torn write of ${g.tornBytes} bytes at the end of the journal; open cuts it`,
    });
  }
  for (const leftover of g.leftovers) {
    findings.push({
      severity: 'note',
      kind: 'leftover',
      path: leftover,
      message: `${rel(leftover)}: left by an interrupted compaction; open removes it`,
    });
  }
  const ahead: { s: PartitionState; end: number }[] = [];
  for (const s of g.partitions) {
    const end = logEnds.get(`${s.topic}\u0000${s.partition}`);
    if (end === undefined) {
      findings.push({
        severity: 'note',
        kind: 'group-state-without-topic',
        path: dir,
        message: `group "${groupId}" has state for ${s.topic}/${s.partition}, which does not exist: a topic created again under that name would have jobs below offset ${s.stateEnd} taken for done`,
      });
    } else if (s.stateEnd > end) {
      ahead.push({ s, end });
    }
  }
  if (ahead.length > 0) {
    st = 'damaged';
    const summary = (t: string, p: number) =>
      partitions.find((x) => x.topic === t && x.partition === p);
    const fixes = ahead.map(({ s, end }) => {
      const p = summary(s.topic, s.partition);
      // Below a cut made by this repair the records are the ones the group saw. A whole log
      // shorter than the group's start offset is ambiguous (a topic deleted and created
      // again, or a log tail lost in a power loss under fsync "never"): restart at the log
      // start, so jobs there run again rather than pass for done.
      const startOffset =
        s.startOffset <= end
          ? s.startOffset
          : p?.status === 'damaged'
            ? end
            : (p?.logStartOffset ?? 0);
      return { topic: s.topic, partition: s.partition, end, startOffset, s };
    });
    findings.push({
      severity: 'damage',
      kind: 'group-ahead-of-log',
      path: dir,
      message: fixes
        .map(
          ({ s, end, topic, partition }) =>
            `group "${groupId}" ${describeState(s)}, but the log ends at ${end}${summary(topic, partition)?.status === 'damaged' ? ' once its damage is cut' : ''}: jobs written at offsets ${Math.min(end, s.startOffset)}..${s.stateEnd - 1} would be taken for done and never run`,
        )
        .join('; ')
        .concat(
          ' (an engine with fsync "interval" or "never", where a power loss can cause this, cuts such state back to the log end by itself at open; under "always" it refuses to open)',
        ),
      repair: {
        op: 'rewrite-group-state',
        group: groupId,
        base: g.base,
        fixes: fixes.map(({ topic, partition, end, startOffset }) => ({
          topic,
          partition,
          end,
          startOffset,
        })),
        drops: `rewrite the state of group "${groupId}" as one snapshot in which ${fixes
          .map(
            ({ topic, partition, end, startOffset, s }) =>
              `${topic}/${partition} starts at offset ${startOffset}${startOffset < Math.min(end, s.startOffset) ? ` (jobs ${startOffset}..${end - 1} may run again)` : ''} with nothing known at or past ${end}`,
          )
          .join(', ')}, so jobs written there run`,
      },
    });
  }
  return {
    groupId,
    journals: g.generations.length,
    entries: g.entries,
    partitions: g.partitions.length,
    status: st,
  };
}

function describeState(s: PartitionState): string {
  const at = `${s.topic}/${s.partition}`;
  return s.stateEnd > s.startOffset
    ? `has start offset ${s.startOffset} on ${at} and record states up to offset ${s.stateEnd - 1}`
    : `has start offset ${s.startOffset} on ${at} (everything below it counts as done)`;
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return [];
    throw ioError('list directory', dir, err);
  }
}
