import type { QueueSummary } from '../api.js';
import { lineChart, sparkline } from '../charts.js';
import { type Ctx, hashOf, queuePath, type View } from '../context.js';
import { fill, h } from '../dom.js';
import { duration, num, rate } from '../format.js';
import * as hist from '../history.js';
import type { LatencyTracker } from '../latency.js';

/** Every queue: totals, charts over all queues, and one row per queue. */
export function overview(ctx: Ctx, latency: LatencyTracker): View {
  const tiles = h('div', { class: 'tiles' });
  const charts = h('div', { class: 'charts' });
  const rows = h('tbody');
  const empty = h(
    'p',
    { class: 'empty', hidden: true },
    'No queues yet. Add a job (Queue.add, or POST /api/queues/<name>/jobs) and it shows up here.',
  );
  const el = h(
    'section',
    { class: 'view' },
    h('h1', { tabindex: -1 }, 'Queues'),
    tiles,
    charts,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'queues', 'aria-label': 'Queues' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Queue', 'State'].map((t) => h('th', { scope: 'col' }, t)),
            // Numbers are right-aligned: so are their headings.
            ['Workers', 'Lag', 'In flight', 'Delayed', 'Retrying', 'DLQ'].map((t) =>
              h('th', { scope: 'col', class: 'num' }, t),
            ),
            h('th', { scope: 'col', class: 'num' }, 'Done/s'),
            h('th', { scope: 'col' }, 'Last 5 min'),
          ),
        ),
        rows,
      ),
    ),
    empty,
  );

  const row = (q: QueueSummary) =>
    h(
      'tr',
      { 'data-queue': q.name },
      h('th', { scope: 'row' }, h('a', { href: hashOf(queuePath(q.name)) }, q.name)),
      h(
        'td',
        {},
        h('span', { class: `badge ${q.paused ? 'warn' : 'ok'}` }, q.paused ? 'paused' : 'running'),
      ),
      h('td', { class: 'num' }, num(q.members)),
      h('td', { class: 'num', 'data-testid': 'lag' }, num(q.counts.lag)),
      h('td', { class: 'num' }, num(q.counts.inFlight)),
      h('td', { class: 'num' }, num(q.counts.delayed)),
      h(
        'td',
        { class: 'num' },
        `${num(q.counts.retrying)}${q.counts.retryingApproximate ? '+' : ''}`,
      ),
      h(
        'td',
        { class: 'num' },
        q.counts.deadLettered > 0
          ? h(
              'a',
              { href: hashOf(`${queuePath(q.name)}/dlq`), class: 'badge bad' },
              num(q.counts.deadLettered),
            )
          : '0',
      ),
      h(
        'td',
        { class: 'num', 'data-testid': 'done-rate' },
        rate(hist.lastRate(q.name, 'completed')),
      ),
      h('td', {}, sparkline(hist.rates(q.name, 'completed'), `${q.name} jobs done per second`)),
    );

  return {
    el,
    title: 'Queues',
    async refresh() {
      const [{ queues }] = await Promise.all([ctx.api.queues(), latency.poll(ctx.api)]);
      const now = Date.now();
      for (const q of queues) hist.record(q, now, latency.interval(q.name));
      const names = queues.map((q) => q.name);
      const total = (k: 'enqueued' | 'completed' | 'deadLettered') =>
        hist.sum(names.map((n) => hist.rates(n, k)));
      const lagAll = hist.sum(names.map((n) => hist.series(n, 'lag')));
      const dlq = queues.reduce((n, q) => n + q.counts.deadLettered, 0);
      const workers = queues.reduce((n, q) => n + q.members, 0);
      const lastOf = (p: hist.Point[]) => p[p.length - 1]?.value ?? null;
      fill(
        tiles,
        tile('Queues', num(queues.length)),
        tile('Workers', num(workers)),
        tile('Done / s', rate(lastOf(total('completed'))), 'total-done-rate'),
        tile('Lag', num(queues.reduce((n, q) => n + q.counts.lag, 0)), 'total-lag'),
        tile('Dead-lettered', num(dlq), 'total-dlq', dlq > 0 ? 'bad' : undefined),
      );
      // Latency: the slowest queue's oldest pending job, and handler p95 where measured here.
      const worst = (key: 'oldestPendingAgeMs' | 'p95Ms') => {
        const byAt = new Map<number, number>();
        for (const n of names)
          for (const p of hist.series(n, key))
            if (p.value !== null) byAt.set(p.at, Math.max(byAt.get(p.at) ?? 0, p.value));
        return [...byAt].sort((a, b) => a[0] - b[0]).map(([at, value]) => ({ at, value }));
      };
      fill(
        charts,
        lineChart({
          title: 'Throughput (jobs/s, all queues)',
          testid: 'chart-throughput',
          format: rate,
          lines: [
            { label: 'added', cls: 'c1', points: total('enqueued') },
            { label: 'done', cls: 'c2', points: total('completed') },
            { label: 'dead-lettered', cls: 'c3', points: total('deadLettered') },
          ],
        }),
        lineChart({
          title: 'Latency',
          testid: 'chart-latency',
          format: duration,
          lines: [
            { label: 'oldest waiting', cls: 'c4', points: worst('oldestPendingAgeMs') },
            ...(latency.available
              ? [{ label: 'handler p95', cls: 'c5', points: worst('p95Ms') }]
              : []),
          ],
        }),
        lineChart({
          title: 'Lag (jobs not yet finished)',
          testid: 'chart-lag',
          format: (v) => num(Math.round(v)),
          lines: [{ label: 'all queues', cls: 'c6', points: lagAll }],
        }),
      );
      fill(rows, queues.map(row));
      empty.hidden = queues.length > 0;
    },
  };
}

export function tile(label: string, value: string, testid?: string, cls?: string): HTMLElement {
  return h(
    'div',
    { class: `tile ${cls ?? ''}`, 'data-testid': testid },
    h('span', { class: 'label' }, label),
    h('span', { class: 'value' }, value),
  );
}
