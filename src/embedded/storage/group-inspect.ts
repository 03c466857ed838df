import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SharqError } from '../../errors/sharq-error.js';
import { scanFrames } from './framed-file.js';
import {
  type ChangeState,
  decodeEntries,
  type GroupSnapshot,
  isWellFormedEntries,
  type StateChange,
} from './journal-codec.js';
import {
  journalPath,
  listGenerations,
  MAX_JOURNAL_FRAME_BYTES,
  readSnapshot,
} from './state-journal.js';
import { errnoCode, ioError } from './storage-errors.js';

/**
 * A read-only look at one share group's state files for `sharq data check`, by the rules of
 * state-journal.ts (snapshot, then journals of generation >= the snapshot's, in order), and the
 * span of offsets the state speaks of per partition, which the check compares with the log.
 *
 * Entries are absolute (a start offset and record states), so damage in one journal costs only
 * the entries after it in that file: repair cuts the file there and keeps later generations.
 */

export interface JournalDamage {
  kind: 'damaged-tail' | 'corrupt' | 'snapshot-corrupt';
  file: string;
  position: number;
  reason: string;
  /** Repair: truncate `file` at `cutAt`, or delete it (a damaged snapshot). */
  cutAt: number | 'delete';
  droppedBytes: number;
}

/** What the group's state says about one partition. */
export interface PartitionState {
  topic: string;
  partition: number;
  /** The share-partition start offset: records below it are done. */
  startOffset: number;
  /** One past the highest offset with a recorded state (delivered, acknowledged, archived). */
  stateEnd: number;
  /** Offsets from `startOffset` on with a state other than (available, 0). */
  records: Map<number, { state: ChangeState; deliveryCount: number }>;
}

export interface GroupInspection {
  groupId: string;
  base: string;
  snapshotGeneration: number | undefined;
  generations: number[];
  entries: number;
  /** Bytes of a torn write at the end of the newest journal, which open cuts. */
  tornBytes: number;
  /** Files open removes by itself: journals older than the snapshot, a snapshot temp. */
  leftovers: string[];
  damage: JournalDamage[];
  partitions: PartitionState[];
}

export async function inspectGroup(groupId: string, dir: string): Promise<GroupInspection> {
  const base = path.join(dir, 'state.journal');
  const result: GroupInspection = {
    groupId,
    base,
    snapshotGeneration: undefined,
    generations: [],
    entries: 0,
    tornBytes: 0,
    leftovers: [],
    damage: [],
    partitions: [],
  };
  const states = new Map<string, PartitionState>();
  const apply = (topic: string, partition: number, start: number, changes: StateChange[]) => {
    const key = `${topic}\u0000${partition}`;
    let st = states.get(key);
    // Replayed as share-partition.ts does: a start offset that moves back is a reset and
    // forgets everything, one that moves forward forgets what it passes; then the changes, the
    // last one for an offset winning, (available, 0) being a record nobody has seen.
    if (st === undefined || start < st.startOffset) {
      st = { topic, partition, startOffset: start, stateEnd: start, records: new Map() };
      states.set(key, st);
    }
    if (start > st.startOffset) {
      for (const o of st.records.keys()) if (o < start) st.records.delete(o);
    }
    st.startOffset = start;
    for (const c of changes) {
      const lo = Math.max(c.firstOffset, start);
      if (c.state === 'available' && c.deliveryCount === 0) {
        if (c.lastOffset - lo > st.records.size) {
          for (const o of st.records.keys()) if (o >= lo && o <= c.lastOffset) st.records.delete(o);
        } else {
          for (let o = lo; o <= c.lastOffset; o++) st.records.delete(o);
        }
      } else {
        for (let o = lo; o <= c.lastOffset; o++) {
          st.records.set(o, { state: c.state, deliveryCount: c.deliveryCount });
        }
      }
    }
  };

  const snapshotFile = `${base}.snapshot`;
  try {
    const loaded = await readSnapshot(snapshotFile);
    if (loaded !== undefined) {
      result.snapshotGeneration = loaded.generation;
      for (const p of loaded.snapshot.partitions) {
        apply(p.topic, p.partition, p.startOffset, p.entries);
      }
    }
  } catch (err) {
    if (!SharqError.is(err, 'SHARQ_ERR_LOG_CORRUPT')) throw err;
    const size = await fsp.stat(snapshotFile).then((s) => s.size);
    result.damage.push({
      kind: 'snapshot-corrupt',
      file: snapshotFile,
      position: Number(err.details.position ?? 0),
      reason: String(err.details.reason ?? err.message),
      cutAt: 'delete',
      droppedBytes: size,
    });
  }
  if (await exists(`${base}.snapshot.tmp`)) result.leftovers.push(`${base}.snapshot.tmp`);

  const first = result.snapshotGeneration ?? 0;
  const generations = await listGenerations(base);
  for (const g of generations.filter((n) => n < first)) result.leftovers.push(journalPath(base, g));
  result.generations = generations.filter((n) => n >= first);
  for (const [i, g] of result.generations.entries()) {
    const file = journalPath(base, g);
    const handle = await openForRead(file);
    try {
      const scan = await scanFrames(handle, {
        file,
        isLastFile: i === result.generations.length - 1,
        maxBodyBytes: MAX_JOURNAL_FRAME_BYTES,
        validate: isWellFormedEntries,
        damagedTail: 'report',
        onFrame: (body) => {
          for (const e of decodeEntries(body)) {
            result.entries++;
            apply(e.topic, e.partition, e.startOffset, e.changes);
          }
        },
      });
      if (scan.tail?.kind === 'damaged') {
        result.damage.push({
          kind: 'damaged-tail',
          file,
          position: scan.tail.position,
          reason: `the last entry is whole but fails its check (${scan.tail.reason}): not a torn write`,
          cutAt: scan.validEnd,
          droppedBytes: scan.droppedBytes,
        });
      } else {
        result.tornBytes += scan.droppedBytes;
      }
    } catch (err) {
      if (!SharqError.is(err, 'SHARQ_ERR_LOG_CORRUPT')) throw err;
      const position = Number(err.details.position ?? 0);
      const size = (await handle.stat()).size;
      result.damage.push({
        kind: 'corrupt',
        file,
        position,
        reason: String(err.details.reason ?? err.message),
        cutAt: position,
        droppedBytes: size - position,
      });
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
  for (const st of states.values()) {
    st.stateEnd = st.startOffset;
    for (const o of st.records.keys()) st.stateEnd = Math.max(st.stateEnd, o + 1);
  }
  result.partitions = [...states.values()].sort((a, b) =>
    a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1,
  );
  return result;
}

/**
 * The group's state as a snapshot (the form compaction writes), with the partitions in `fixes`
 * restarted: start offset `startOffset`, nothing known at or past `end`.
 */
export function snapshotOf(
  g: GroupInspection,
  fixes: ReadonlyMap<string, { end: number; startOffset: number }>,
): GroupSnapshot {
  return {
    config: {},
    partitions: g.partitions.map((p) => {
      const fix = fixes.get(`${p.topic}\u0000${p.partition}`);
      const end = fix?.end ?? Number.POSITIVE_INFINITY;
      const startOffset = fix?.startOffset ?? p.startOffset;
      const entries: StateChange[] = [];
      for (const o of [...p.records.keys()].sort((x, y) => x - y)) {
        if (o < startOffset || o >= end) continue;
        const r = p.records.get(o)!;
        const last = entries[entries.length - 1];
        if (
          last?.lastOffset === o - 1 &&
          last.state === r.state &&
          last.deliveryCount === r.deliveryCount
        ) {
          last.lastOffset = o;
        } else {
          entries.push({ firstOffset: o, lastOffset: o, ...r });
        }
      }
      return { topic: p.topic, partition: p.partition, startOffset, entries };
    }),
  };
}

async function openForRead(file: string): Promise<FileHandle> {
  try {
    return await fsp.open(file, 'r');
  } catch (err) {
    throw ioError('open journal', file, err);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.stat(file);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw ioError('stat', file, err);
  }
}
