/**
 * `sharq data check <dir>` and `sharq data repair <dir>`: verify an embedded data directory and
 * cut its damage, saying first what that drops (src/embedded/storage/data-check.ts and
 * data-repair.ts do the work; this file parses arguments and prints).
 *
 *   stdout  the report: tables and findings, or one JSON document with --json
 *   stderr  why the directory could not be checked
 *   exit    check:  0 clean (notes allowed), 1 damage found, 2 usage or not checkable
 *           repair: 0 nothing to repair or repaired, 1 damage left (not confirmed, or some
 *           remains), 2 usage or not checkable
 *
 * Both take the directory's lock, so they refuse while an engine (a worker, `sharq server`)
 * has it open: stop it first.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { DataDirReport, Finding, RepairStep } from '../embedded/storage/data-check.js';
import { checkDataDir } from '../embedded/storage/data-check.js';
import { repairDataDir, repairSteps } from '../embedded/storage/data-repair.js';
import { SharqError, toError } from '../errors/sharq-error.js';

export const DATA_HELP = `sharq data — verify and repair an embedded data directory

Usage:
  sharq data check <dir> [--json]
  sharq data repair <dir> [--yes] [--json]

check   reads everything the engine checks at open (catalog against the topic directories,
        every segment's records and checksums, every group's snapshot and journals, group
        state against the log ends) and reports damage and notes. Changes nothing.
repair  runs the check, lists what cutting each damaged spot drops (offsets, records, bytes),
        and cuts it only when confirmed: --yes, or "yes" at the prompt on a terminal.

Options:
  --json      print one JSON document instead of tables
  --yes, -y   repair without asking
  --help, -h  show this text

Exit: 0 clean or repaired; 1 damage found or left; 2 usage, or the directory could not be
checked (missing, not a data directory, open in another process).
The directory must not be open elsewhere: stop its workers or server first.`;

export interface DataCommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Asks a question on a terminal; undefined when there is none to ask (not a TTY). */
  ask?: (question: string) => Promise<string>;
}

const processIo = (): DataCommandIo => {
  const io: DataCommandIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  };
  if (process.stdin.isTTY) {
    io.ask = async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    };
  }
  return io;
};

export async function runDataCommand(
  argv: readonly string[],
  io: DataCommandIo = processIo(),
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    io.stderr(`sharq data: ${toError(err).message}\n\n${DATA_HELP}\n`);
    return 2;
  }
  if (parsed === 'help') {
    io.stdout(`${DATA_HELP}\n`);
    return 0;
  }
  const { action, dir, json, yes } = parsed;
  try {
    if (action === 'check') {
      const report = await checkDataDir(dir);
      io.stdout(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      if (!json) io.stdout(`${verdict(report)}\n`);
      return report.damage === 0 ? 0 : 1;
    }
    let shownPlan = false;
    const outcome = await repairDataDir(dir, async (report, steps) => {
      if (json) return yes;
      io.stdout(formatReport(report));
      io.stdout(`\nRepair would, in this order:\n${formatSteps(steps)}`);
      shownPlan = true;
      if (yes) return true;
      if (io.ask === undefined) return false;
      const answer = await io.ask('\nDrop all of this? Type "yes" to repair: ');
      return answer.trim().toLowerCase() === 'yes';
    });
    const steps = repairSteps(outcome.before);
    if (json) {
      io.stdout(`${JSON.stringify({ ...outcome, steps }, null, 2)}\n`);
    } else if (!shownPlan) {
      io.stdout(formatReport(outcome.before));
      io.stdout('\nNothing to repair.\n');
    } else if (!outcome.applied) {
      io.stdout(
        `\nNothing was changed. Run \`sharq data repair ${outcome.before.dataDir} --yes\` to drop it.\n`,
      );
    } else {
      io.stdout(`\nRepaired. The directory now:\n\n${formatReport(outcome.after!)}`);
      io.stdout(`${verdict(outcome.after!)}\n`);
    }
    const left = outcome.applied ? outcome.after!.damage : outcome.before.damage;
    return left === 0 ? 0 : 1;
  } catch (err) {
    const e = toError(err);
    io.stderr(`sharq data ${action}: ${e.message}${SharqError.is(e) ? ` [${e.code}]` : ''}\n`);
    return 2;
  }
}

function parse(
  argv: readonly string[],
): 'help' | { action: 'check' | 'repair'; dir: string; json: boolean; yes: boolean } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const [action, dir, ...extra] = positionals;
  if (action !== 'check' && action !== 'repair') {
    throw new Error(action === undefined ? 'give check or repair' : `unknown action "${action}"`);
  }
  if (dir === undefined) throw new Error(`sharq data ${action} needs a directory`);
  if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  if (action === 'check' && values.yes) throw new Error('--yes is for repair');
  return { action, dir, json: values.json, yes: values.yes };
}

function formatReport(r: DataDirReport): string {
  const out: string[] = [`Data directory ${r.dataDir}`];
  const c = r.catalog;
  out.push(
    `Catalog: ${c.status}${c.status === 'damaged' ? '' : ` (${c.topics} topic(s), ${c.groups} group(s) listed)`}`,
    '',
  );
  if (r.partitions.length > 0) {
    out.push(
      ...table(
        ['TOPIC', 'PARTITION', 'SEGMENTS', 'RECORDS', 'OFFSETS', 'STATUS'],
        r.partitions.map((p) => [
          p.topic,
          String(p.partition),
          String(p.segments),
          String(p.logEndOffset - p.logStartOffset),
          p.logEndOffset > p.logStartOffset
            ? `${p.logStartOffset}..${p.logEndOffset - 1}`
            : `none (next ${p.logEndOffset})`,
          p.status,
        ]),
      ),
      '',
    );
  }
  if (r.groups.length > 0) {
    out.push(
      ...table(
        ['GROUP', 'JOURNALS', 'ENTRIES', 'PARTITIONS', 'STATUS'],
        r.groups.map((g) => [
          g.groupId,
          String(g.journals),
          String(g.entries),
          String(g.partitions),
          g.status,
        ]),
      ),
      '',
    );
  }
  const damage = r.findings.filter((f) => f.severity === 'damage');
  const notes = r.findings.filter((f) => f.severity === 'note');
  if (damage.length > 0) out.push(`Damage (${damage.length}):`, ...damage.map(finding), '');
  if (notes.length > 0) out.push(`Notes (${notes.length}):`, ...notes.map(finding), '');
  return `${out.join('\n')}\n`;
}

function finding(f: Finding): string {
  const lines = [`  ${f.severity === 'damage' ? 'DAMAGE' : 'note'}  ${f.message}`];
  if (f.repair !== undefined) lines.push(`          repair: ${f.repair.drops}`);
  return lines.join('\n');
}

function formatSteps(steps: readonly RepairStep[]): string {
  return `${steps.map((s, i) => `  ${i + 1}. ${s.drops}`).join('\n')}\n`;
}

function verdict(r: DataDirReport): string {
  if (r.damage === 0 && r.findings.length === 0)
    return 'Clean: the engine opens this directory and loses nothing.';
  // Notes are what open mends by itself; some of it (group settings of a lost catalog) is gone.
  if (r.damage === 0 && r.findings.some((f) => f.kind === 'group-state-missing'))
    return 'No damage the engine can tell: it opens this directory, but a note above names group state that is gone, and jobs may run again or be skipped.';
  if (r.damage === 0)
    return 'No damage: the engine opens this directory and loses no job; opening mends what the notes above say.';
  return `${r.damage} damaged spot(s): the engine refuses to open, or would lose or skip jobs. \`sharq data repair ${r.dataDir}\` lists what cutting them drops and does it with --yes.`;
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)];
}
