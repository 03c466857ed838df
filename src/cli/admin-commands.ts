/**
 * The admin commands of the CLI, mirroring the admin API (docs/cli.md):
 *
 *   sharq queues                                  every queue with its counts
 *   sharq queue <name> [pause [--reason r] | resume]
 *   sharq dlq ls <queue> [filters] [--limit n] [--all]
 *   sharq dlq show <queue> <partition:offset>
 *   sharq dlq redrive <queue> [<id>...] [filters] [--dry-run | --yes] [--rate n] [--limit n]
 *   sharq dlq discard <queue> [<id>...] [filters] [--dry-run | --yes] [--limit n]
 *   sharq offsets reset <queue> --to earliest|latest|<time> [--group g] [--dry-run]
 *   sharq enqueue <queue> <job-name> [--data json] [--job-id id] [--key k] [--delay ms] [--attempts n]
 *
 * Target: --url (SHARQ_ADMIN_URL, default http://127.0.0.1:6380) with --token
 * (SHARQ_ADMIN_TOKEN), or --brokers (SHARQ_BROKERS) for a Kafka cluster, or --data-dir for an
 * embedded data directory no other process holds. --json prints the API's JSON instead of text.
 *
 * Exit codes: 0 done; 1 failed; 2 bad usage or input; 3 not found; 4 refused (the group has
 * members, the redrive ceiling, a rate limit); 5 not allowed (no token, wrong token, read-only).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type * as S from '../admin/api-schemas.js';
import { parseDlqId } from '../admin/dlq-ledger.js';
import { SharqError, toError } from '../errors/sharq-error.js';
import { type AdminTarget, openTarget } from './admin-target.js';
import { ago, progress, table } from './render.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4, denied: 5 } as const;

export const ADMIN_HELP = `Admin commands (against a running admin API, or --brokers for a Kafka cluster):
  queues                              list queues with their counts
  queue <name>                        one queue in depth
  queue <name> pause [--reason r]     pause a queue for every worker; resume: queue <name> resume
  dlq ls <queue> [filters]            dead-lettered jobs, newest first (--limit, --all, --order asc)
  dlq show <queue> <partition:offset> one dead-lettered job in full
  dlq redrive <queue> [ids] [filters] back onto the queue: --dry-run shows, --yes does (--rate n, --limit n)
  dlq discard <queue> [ids] [filters] mark done with: --dry-run shows, --yes does (--limit n)
  offsets reset <queue> --to <where>  earliest, latest or a time (ISO or epoch ms); --dry-run
  enqueue <queue> <name> [--data j]   add a job (--job-id, --key, --delay ms, --attempts n)

  filters: --reason, --error-name, --error-code, --job-id, --job-name, --from, --to (ls: --state)
  target:  --url (SHARQ_ADMIN_URL) --token (SHARQ_ADMIN_TOKEN) | --brokers (SHARQ_BROKERS) | --data-dir
  output:  tables; --json for the API's JSON
  exit:    0 ok, 1 failed, 2 usage, 3 not found, 4 refused, 5 not allowed`;

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  brokers: { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  reason: { type: 'string' },
  'error-name': { type: 'string' },
  'error-code': { type: 'string' },
  'job-id': { type: 'string' },
  'job-name': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  state: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  order: { type: 'string' },
  all: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  rate: { type: 'string' },
  group: { type: 'string' },
  data: { type: 'string' },
  key: { type: 'string' },
  delay: { type: 'string' },
  attempts: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = Partial<Record<keyof typeof OPTIONS, string | boolean>>;
type Flag = keyof typeof OPTIONS;

/** Flags every command takes: where it acts and how it prints. */
const COMMON: readonly Flag[] = ['url', 'token', 'brokers', 'data-dir', 'json', 'help'];
const DLQ_FILTERS: readonly Flag[] = [
  'reason',
  'error-name',
  'error-code',
  'job-id',
  'job-name',
  'from',
  'to',
];

/**
 * The flags each command takes besides COMMON. One flag table serves every command, so a flag
 * of another one (`--limit` on a redrive before it took one) would otherwise be dropped
 * without a word.
 */
const APPLIES: Readonly<Record<string, readonly Flag[]>> = {
  queues: [],
  queue: ['reason'],
  'dlq ls': [...DLQ_FILTERS, 'state', 'limit', 'cursor', 'order', 'all'],
  'dlq show': [],
  'dlq redrive': [...DLQ_FILTERS, 'all', 'dry-run', 'yes', 'rate', 'limit', 'cursor'],
  'dlq discard': [...DLQ_FILTERS, 'all', 'dry-run', 'yes', 'limit', 'cursor'],
  offsets: ['to', 'group', 'dry-run'],
  enqueue: ['data', 'job-id', 'key', 'delay', 'attempts'],
};

function checkFlags(command: string, args: readonly string[], f: Flags): void {
  const key = command === 'dlq' ? `dlq ${args[0] ?? ''}` : command;
  const allowed = APPLIES[key];
  if (allowed === undefined) return;
  for (const flag of Object.keys(f) as Flag[]) {
    if (f[flag] === undefined || COMMON.includes(flag) || allowed.includes(flag)) continue;
    throw new Usage(
      `--${flag} does not apply to ${key}${allowed.length === 0 ? '' : ` (it takes ${allowed.map((a) => `--${a}`).join(', ')})`}`,
    );
  }
  const targets = (['url', 'brokers', 'data-dir'] as const).filter((t) => f[t] !== undefined);
  if (targets.length > 1)
    throw new Usage(`give one target: ${targets.map((t) => `--${t}`).join(' and ')} both given`);
  if (typeof f.url === 'string' && !URL.canParse(f.url))
    throw new Usage(`--url ${f.url}: not a URL (such as http://127.0.0.1:6380)`);
  // Opening would make an empty data directory, and a typo would read as "no queues".
  if (typeof f['data-dir'] === 'string' && !existsSync(f['data-dir']))
    throw new Usage(`--data-dir ${f['data-dir']}: no such directory`, false);
}

class Usage extends Error {
  /** `help: false` for a usage error that is no mistake about the syntax (a missing --yes). */
  constructor(
    message: string,
    readonly help = true,
  ) {
    super(message);
  }
}

export const ADMIN_COMMANDS = new Set(['queues', 'queue', 'dlq', 'offsets', 'enqueue']);

export async function runAdminCommand(command: string, argv: string[]): Promise<number> {
  let flags: Flags;
  let args: string[];
  try {
    const parsed = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    flags = parsed.values as Flags;
    args = parsed.positionals;
  } catch (err) {
    process.stderr.write(
      `sharq ${command}: ${toError(err).message} [SHARQ_ERR_INVALID_OPTION]\n\n${ADMIN_HELP}\n`,
    );
    return EXIT.usage;
  }
  if (flags.help === true) {
    process.stdout.write(`${ADMIN_HELP}\n`);
    return EXIT.ok;
  }
  let target: AdminTarget | undefined;
  try {
    checkFlags(command, args, flags);
    target = openTarget({
      url: str(flags.url),
      token: str(flags.token),
      brokers: str(flags.brokers),
      'data-dir': str(flags['data-dir']),
    });
    const out = await dispatch(target, command, args, flags);
    if (out !== undefined) process.stdout.write(`${out}\n`);
    return EXIT.ok;
  } catch (err) {
    return report(command, err);
  } finally {
    await target?.close().catch(() => undefined);
  }
}

function report(command: string, err: unknown): number {
  if (err instanceof Usage) {
    process.stderr.write(
      `sharq ${command}: ${err.message} [SHARQ_ERR_INVALID_OPTION]\n${err.help ? `\n${ADMIN_HELP}\n` : ''}`,
    );
    return EXIT.usage;
  }
  const e = toError(err);
  if (!SharqError.is(e)) {
    process.stderr.write(`sharq ${command}: ${e.message}\n`);
    return EXIT.failed;
  }
  const field = typeof e.details.field === 'string' ? ` (${e.details.field})` : '';
  process.stderr.write(`sharq ${command}: ${e.message}${field} [${e.code}]\n`);
  switch (e.code) {
    case 'SHARQ_ERR_INVALID_ARGUMENT':
    case 'SHARQ_ERR_INVALID_OPTION':
    case 'SHARQ_ERR_INVALID_PAYLOAD':
      return EXIT.usage;
    case 'SHARQ_ERR_NOT_FOUND':
    case 'SHARQ_ERR_UNKNOWN_TOPIC':
      return EXIT.notFound;
    case 'SHARQ_ERR_GROUP_ACTIVE':
    case 'SHARQ_ERR_REDRIVE_LIMIT':
    case 'SHARQ_ERR_TOO_MANY_REQUESTS':
      return EXIT.refused;
    case 'SHARQ_ERR_UNAUTHORIZED':
    case 'SHARQ_ERR_FORBIDDEN':
      return EXIT.denied;
    default:
      return EXIT.failed;
  }
}

async function dispatch(
  t: AdminTarget,
  command: string,
  args: string[],
  f: Flags,
): Promise<string | undefined> {
  const json = f.json === true;
  const print = (v: unknown, text: () => string) => (json ? JSON.stringify(v, null, 2) : text());
  switch (command) {
    case 'queues': {
      if (args.length > 0) throw new Usage(`queues takes no arguments, got "${args.join(' ')}"`);
      const queues = await t.listQueues();
      return print({ queues }, () => queuesTable(queues));
    }
    case 'queue': {
      const [name, action, ...extra] = args;
      if (name === undefined) throw new Usage('queue needs a name');
      if (extra.length > 0) throw new Usage(`queue ${name}: unexpected "${extra.join(' ')}"`);
      if (action === 'pause')
        return print(await t.pause(name, str(f.reason)), () => `${name}: paused`);
      if (action === 'resume') return print(await t.resume(name), () => `${name}: resumed`);
      if (action !== undefined)
        throw new Usage(`queue ${name}: unknown action "${action}" (pause, resume)`);
      const d = await t.queue(name);
      return print(d, () => queueText(d));
    }
    case 'dlq':
      return dlq(t, args, f, print);
    case 'offsets': {
      const [sub, name, ...extra] = args;
      if (sub !== 'reset' || name === undefined || extra.length > 0)
        throw new Usage('offsets reset <queue> --to earliest|latest|<time>');
      const to = str(f.to);
      if (to === undefined) throw new Usage('offsets reset needs --to earliest, latest or a time');
      const body: Record<string, unknown> = {
        to: to === 'earliest' || to === 'latest' ? to : { timestamp: time(to, '--to') },
        dryRun: f['dry-run'] === true,
      };
      if (f.group !== undefined) body.group = str(f.group);
      const r = await t.resetOffsets(name, body);
      return print(
        r,
        () =>
          `${r.dryRun ? 'Would move' : 'Moved'} group ${r.group} on ${r.queue}:\n${table(
            ['PARTITION', 'BEFORE', 'AFTER'],
            r.partitions.map((p) => [p.partition, p.before, p.after]),
          )}`,
      );
    }
    case 'enqueue': {
      const [name, jobName] = args;
      if (name === undefined || jobName === undefined)
        throw new Usage('enqueue <queue> <job-name> [--data json]');
      let data: unknown = null;
      if (f.data !== undefined) {
        try {
          data = JSON.parse(String(f.data));
        } catch {
          throw new SharqError('SHARQ_ERR_INVALID_ARGUMENT', '--data is not JSON', {
            details: { field: 'data' },
          });
        }
      }
      const opts: Record<string, unknown> = {};
      if (f['job-id'] !== undefined) opts.jobId = str(f['job-id']);
      if (f.key !== undefined) opts.key = str(f.key);
      if (f.delay !== undefined) opts.delay = int(f.delay, '--delay');
      if (f.attempts !== undefined) opts.attempts = int(f.attempts, '--attempts');
      const added = (await t.enqueue(name, {
        name: jobName,
        data,
        ...(Object.keys(opts).length ? { opts } : {}),
      })) as { id: string; topic: string; partition: number; offset: number };
      return print(
        added,
        () =>
          `added ${added.id} to ${added.topic} partition ${added.partition} offset ${added.offset}`,
      );
    }
    default:
      throw new Usage(`unknown command "${command}"`);
  }
}

async function dlq(
  t: AdminTarget,
  args: string[],
  f: Flags,
  print: (v: unknown, text: () => string) => string,
): Promise<string | undefined> {
  const [sub, name, ...ids] = args;
  if (name === undefined) throw new Usage('dlq ls|show|redrive|discard <queue> ...');
  const filter = filterOf(f);
  switch (sub) {
    case 'ls': {
      const query: Record<string, unknown> = { ...filter };
      if (f.state !== undefined) query.state = str(f.state);
      if (f.limit !== undefined) query.limit = int(f.limit, '--limit');
      if (f.order !== undefined) query.order = str(f.order);
      if (f.cursor !== undefined) query.cursor = str(f.cursor);
      const records: S.DlqEntry[] = [];
      let page = await t.listDlq(name, query);
      records.push(...page.records);
      while (f.all === true && page.nextCursor !== null) {
        page = await t.listDlq(name, { ...query, cursor: page.nextCursor });
        records.push(...page.records);
      }
      const res = { ...page, records };
      return print(res, () => {
        const body = table(
          ['ID', 'WHEN', 'JOB', 'NAME', 'REASON', 'ERROR', 'ATTEMPTS', 'STATE'],
          records.map((r) => [
            r.id,
            new Date(r.timestamp).toISOString(),
            r.jobId,
            r.jobName,
            r.reason,
            [r.errorName, r.errorCode].filter(Boolean).join(' ') || null,
            r.attempts,
            r.state,
          ]),
        );
        return res.nextCursor === null
          ? body
          : `${body}\n(more: --cursor ${res.nextCursor} or --all)`;
      });
    }
    case 'show': {
      const [id] = ids;
      if (id === undefined) throw new Usage('dlq show <queue> <partition:offset>');
      const d = await t.dlqRecord(name, id);
      return print(d, () =>
        [
          `id         ${d.id}  (${d.state})`,
          `job        ${d.jobId ?? '-'}  ${d.jobName ?? ''}`,
          `key        ${d.key ?? '-'}`,
          `failed     ${d.failedAt ?? new Date(d.timestamp).toISOString()}  reason ${d.reason ?? '-'}  attempts ${d.attempts ?? '-'}  redrives ${d.redriveCount}`,
          `error      ${[d.errorName, d.errorCode].filter(Boolean).join(' ')}: ${d.message ?? ''}`,
          `source     ${d.source.topic}/${d.source.partition}@${d.source.offset} (group ${d.source.group})`,
          `payload    ${JSON.stringify(d.payload)}${d.payloadTruncated ? ' …(truncated)' : ''}`,
          'headers',
          ...Object.entries(d.headers)
            .filter(([k]) => k !== 'sharq.error.stack')
            .map(([k, v]) => `  ${k}: ${v}`),
          ...(d.stack === null ? [] : ['stack', d.stack]),
        ].join('\n'),
      );
    }
    case 'redrive':
    case 'discard': {
      let selection = selectionOf(ids, filter, f.all === true);
      if (f.cursor !== undefined) {
        if (!('filter' in selection))
          throw new Usage(`--cursor goes on from a ${sub} by filter or --all, not one by ids`);
        selection = { ...selection, cursor: str(f.cursor) };
      }
      const limit = f.limit === undefined ? undefined : int(f.limit, '--limit');
      if (limit !== undefined && !('filter' in selection))
        throw new Usage(`--limit goes with a ${sub} by filter or --all; name fewer ids instead`);
      const dryRun = f['dry-run'] === true;
      const body = { selection, dryRun: true, ...(limit === undefined ? {} : { limit }) };
      // Dry run first, always: its count drives the progress bar and the confirmation.
      const preview = sub === 'redrive' ? await t.redrive(name, body) : await t.discard(name, body);
      const would =
        sub === 'redrive'
          ? (preview as S.RedriveResponse).redriven
          : (preview as S.DiscardResponse).discarded;
      if (dryRun)
        return print(
          preview,
          () => `would ${sub} ${would} of ${preview.matched} matching record(s) of ${name}`,
        );
      if (f.yes !== true)
        throw new Usage(
          `${sub} would act on ${would} record(s) of ${name}: pass --yes to do it (or --dry-run to see)`,
          false,
        );
      const done = await runStepwise(t, sub, name, selection, would, f, limit);
      return print(done, () => String(done));
    }
    default:
      throw new Usage(`dlq: unknown action "${sub}" (ls, show, redrive, discard)`);
  }
}

/**
 * Redrive or discard in steps of 500 records, so a long one shows progress and can be stopped;
 * with `limit`, it stops once that many are done and says where to go on.
 */
async function runStepwise(
  t: AdminTarget,
  sub: 'redrive' | 'discard',
  name: string,
  selection: S.RedriveBody['selection'],
  total: number,
  f: Flags,
  limit: number | undefined,
): Promise<Record<string, unknown>> {
  const bar = progress(sub === 'redrive' ? 'redriving' : 'discarding', total);
  const sum = { queue: name, matched: 0, done: 0, skipped: 0, refused: 0, missing: 0 };
  // Ids go 500 to a request; a filter goes on from each answer's cursor.
  const idChunks =
    'ids' in selection
      ? Array.from({ length: Math.ceil(selection.ids.length / 500) }, (_, i) =>
          selection.ids.slice(i * 500, i * 500 + 500),
        )
      : [];
  let sel = 'ids' in selection ? { ids: idChunks.shift()! } : selection;
  let nextCursor: string | null = null;
  const rate = f.rate === undefined ? undefined : int(f.rate, '--rate');
  for (;;) {
    const step = Math.min(500, limit === undefined ? 500 : limit - sum.done);
    const res =
      sub === 'redrive'
        ? await t.redrive(name, {
            selection: sel,
            limit: step,
            ...(rate === undefined ? {} : { ratePerSec: rate }),
          })
        : await t.discard(name, { selection: sel, limit: step });
    sum.matched += res.matched;
    sum.done += 'redriven' in res ? res.redriven : res.discarded;
    sum.skipped += res.skipped;
    sum.missing += res.missing;
    if ('refused' in res) sum.refused += res.refused;
    bar.update(sum.done);
    if ('ids' in sel) {
      const next = idChunks.shift();
      if (next === undefined) break;
      sel = { ids: next };
      continue;
    }
    nextCursor = res.nextCursor;
    if (res.nextCursor === null) break;
    if (limit !== undefined && sum.done >= limit) break;
    sel = { ...sel, cursor: res.nextCursor };
  }
  bar.done();
  const key = sub === 'redrive' ? 'redriven' : 'discarded';
  const out = { ...sum, [key]: sum.done, nextCursor } as Record<string, unknown>;
  delete out.done;
  Object.defineProperty(out, 'toString', {
    enumerable: false,
    value: () =>
      `${key} ${sum.done}, skipped ${sum.skipped}${sub === 'redrive' ? `, refused ${sum.refused}` : ''}, missing ${sum.missing} (of ${sum.matched} matching)${nextCursor === null ? '' : `\n(stopped at --limit ${limit}; more: --cursor ${nextCursor})`}`,
  });
  return out;
}

function selectionOf(
  ids: string[],
  filter: Record<string, unknown>,
  all: boolean,
): S.RedriveBody['selection'] {
  if (ids.length > 0) {
    return {
      ids: ids.map(parseDlqId),
    };
  }
  if (Object.keys(filter).length === 0 && !all)
    throw new Usage('name records (<partition:offset> ...), give a filter, or pass --all');
  return { filter };
}

function filterOf(f: Flags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const map = {
    reason: 'reason',
    'error-name': 'errorName',
    'error-code': 'errorCode',
    'job-id': 'jobId',
    'job-name': 'jobName',
  } as const;
  for (const [flag, key] of Object.entries(map)) {
    const v = str(f[flag as keyof Flags]);
    if (v !== undefined) out[key] = v;
  }
  if (f.from !== undefined) out.from = time(String(f.from), '--from');
  if (f.to !== undefined && typeof f.to === 'string' && f.to !== 'earliest' && f.to !== 'latest')
    out.to = time(f.to, '--to');
  return out;
}

function queuesTable(queues: S.QueueSummary[]): string {
  if (queues.length === 0) return 'no queues';
  return table(
    [
      'QUEUE',
      'PARTS',
      'MEMBERS',
      'LAG',
      'AVAILABLE',
      'IN FLIGHT',
      'DELAYED',
      'RETRYING',
      'DLQ',
      'PAUSED',
    ],
    queues.map((q) => [
      q.name,
      q.partitions,
      q.members,
      q.counts.lag,
      q.counts.available,
      q.counts.inFlight,
      q.counts.delayed,
      `${q.counts.retrying}${q.counts.retryingApproximate ? '+' : ''}`,
      q.counts.deadLettered,
      q.paused ? 'yes' : 'no',
    ]),
  );
}

function queueText(d: S.QueueDetail): string {
  const t = d.throughput;
  const rate = (v: number | null) => (v === null ? '-' : `${v}/s`);
  return [
    `${d.name}  group ${d.group}  dlq ${d.deadLetterTopic}${d.paused ? `  PAUSED${d.pause.reason ? ` (${d.pause.reason})` : ''}` : ''}`,
    `lag ${d.counts.lag}  available ${d.counts.available ?? '-'}  in flight ${d.counts.inFlight ?? '-'}  delayed ${d.counts.delayed}  retrying ${d.counts.retrying}${d.counts.retryingApproximate ? '+' : ''}  dead-lettered ${d.counts.deadLettered}`,
    `oldest pending ${ago(d.oldestPendingAgeMs)}  enqueued ${rate(t.enqueuedPerSec)}  completed ${rate(t.completedPerSec)}  dead-lettered ${rate(t.deadLetteredPerSec)}`,
    `lock ${d.config.lockDurationMs} ms  delivery limit ${d.config.deliveryCountLimit}`,
    '',
    table(
      [
        'PARTITION',
        'LOG START',
        'LOG END',
        'START',
        'LAG',
        'AVAILABLE',
        'ACQUIRED',
        'ACKED',
        'ARCHIVED',
      ],
      d.partitionDetail.map((p) => [
        p.partition,
        p.logStartOffset,
        p.logEndOffset,
        p.startOffset,
        p.lag,
        p.available,
        p.acquired,
        p.acknowledged,
        p.archived,
      ]),
    ),
    '',
    d.groupMembers.length === 0
      ? 'no members'
      : table(
          ['MEMBER', 'CLIENT'],
          d.groupMembers.map((m) => [m.memberId, m.clientId]),
        ),
  ].join('\n');
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function int(v: string | boolean | undefined, flag: string): number {
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isSafeInteger(n))
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `${flag} must be an integer, got "${String(v)}"`,
      { details: { field: flag } },
    );
  return n;
}

/** Epoch ms from digits or an ISO date. */
function time(v: string, flag: string): number {
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n) || n < 0)
    throw new SharqError(
      'SHARQ_ERR_INVALID_ARGUMENT',
      `${flag} must be an ISO time or epoch ms, got "${v}"`,
      { details: { field: flag } },
    );
  return n;
}
