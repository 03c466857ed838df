import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { openCatalog } from './catalog-recovery.js';
import {
  type DataDirReport,
  inspectDataDir,
  type RepairStep,
  withDataDirLock,
} from './data-check.js';
import { nodeFs } from './fs-layer.js';
import { fsyncDir } from './fs-util.js';
import { inspectGroup, snapshotOf } from './group-inspect.js';
import { StateJournal } from './state-journal.js';
import { ioError } from './storage-errors.js';

/**
 * `sharq data repair`: cuts the damage `sharq data check` finds, once the caller has seen what
 * it drops and agreed. All under the directory's lock, which is held from the check through
 * the cuts, so the plan agreed to is the plan carried out.
 *
 * Order, so that a crash part way leaves a directory a second repair finishes:
 *   1. a damaged catalog is moved aside (kept for its group settings) and rebuilt from disk
 *   2. logs: later segments are deleted newest first, then the damaged one is truncated and
 *      fdatasynced; each step leaves a log that is a prefix of the one before
 *   3. journals: a damaged one is truncated at the damage, a damaged snapshot deleted
 *   4. a group whose state speaks of offsets past its log's new end has its state rewritten as
 *      one snapshot without them (a compaction through StateJournal), so jobs written there
 *      later run instead of passing for done
 */

export interface RepairOutcome {
  /** The check before repairing: what was (or would be) done is its `repair` steps. */
  before: DataDirReport;
  /** Whether the steps were carried out (the caller agreed, and there were some). */
  applied: boolean;
  /** The check after repairing; only when applied. */
  after?: DataDirReport;
}

/** Repair steps of a report, in the order they are applied. */
export function repairSteps(report: DataDirReport): RepairStep[] {
  const order: RepairStep['op'][] = [
    'rebuild-catalog',
    'cut-log',
    'cut-journal',
    'rewrite-group-state',
  ];
  return report.findings
    .flatMap((f) => (f.repair === undefined ? [] : [f.repair]))
    .sort((a, b) => order.indexOf(a.op) - order.indexOf(b.op));
}

/**
 * Checks `dataDir`, asks `confirm` with the report (only when there is something to repair),
 * and applies the steps if it says yes; then checks again.
 */
export async function repairDataDir(
  dataDir: string,
  confirm: (report: DataDirReport, steps: RepairStep[]) => Promise<boolean>,
): Promise<RepairOutcome> {
  return withDataDirLock(dataDir, async (dir) => {
    const before = await inspectDataDir(dir);
    const steps = repairSteps(before);
    if (steps.length === 0 || !(await confirm(before, steps))) return { before, applied: false };
    for (const step of steps) await apply(dir, step);
    return { before, applied: true, after: await inspectDataDir(dir) };
  });
}

async function apply(dataDir: string, step: RepairStep): Promise<void> {
  switch (step.op) {
    case 'rebuild-catalog':
      await rename(step.file, step.movedTo);
      await fsyncDir(nodeFs, path.dirname(step.file));
      await openCatalog(dataDir);
      return;
    case 'cut-log':
      for (const file of [...step.deleteFiles].reverse()) {
        await remove(file);
        await fsyncDir(nodeFs, path.dirname(file));
      }
      await truncate(step.file, step.at);
      return;
    case 'cut-journal':
      if (step.at === 'delete') {
        await remove(step.file);
        await fsyncDir(nodeFs, path.dirname(step.file));
      } else {
        await truncate(step.file, step.at);
      }
      return;
    case 'rewrite-group-state': {
      // Compaction, not a journal entry: replaying a start offset that moves back does not
      // lower the end a restored share partition has seen, so only a fresh snapshot forgets it.
      const group = await inspectGroup(step.group, path.dirname(step.base));
      const fixes = new Map(step.fixes.map((f) => [`${f.topic}\u0000${f.partition}`, f]));
      const { journal } = await StateJournal.open(step.base, { fsync: 'always' });
      try {
        await journal.compact(snapshotOf(group, fixes));
      } finally {
        await journal.close();
      }
      return;
    }
  }
}

async function truncate(file: string, at: number): Promise<void> {
  try {
    const handle = await fsp.open(file, 'r+');
    try {
      await handle.truncate(at);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw ioError('truncate', file, err);
  }
}

async function remove(file: string): Promise<void> {
  await fsp.rm(file, { force: true }).catch((err: unknown) => {
    throw ioError('delete', file, err);
  });
}

async function rename(from: string, to: string): Promise<void> {
  await fsp.rename(from, to).catch((err: unknown) => {
    throw ioError('rename', from, err);
  });
}
