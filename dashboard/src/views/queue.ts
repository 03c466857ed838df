import type { QueueDetail } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import { type Ctx, hashOf, queuePath, type View } from '../context.js';
import { confirmWithDryRun } from '../dialog.js';
import { fill, h } from '../dom.js';
import { ago, duration, num, rate } from '../format.js';
import * as hist from '../history.js';
import type { LatencyTracker } from '../latency.js';
import { bucketLabel, perBucket } from '../metrics.js';
import { tile } from './overview.js';
import { crumbs } from './parts.js';

/** One queue: counts, charts, its workers (group members), partitions, and queue controls. */
export function queueView(ctx: Ctx, latency: LatencyTracker, name: string): View {
  const heading = h('h1', { tabindex: -1 }, name);
  const state = h('span', { class: 'badge' });
  const controls = h('div', { class: 'controls' });
  const tiles = h('div', { class: 'tiles' });
  const charts = h('div', { class: 'charts' });
  const workers = h('tbody');
  const partitions = h('tbody');
  const facts = h('dl', { class: 'facts' });
  const dlqLink = h('a', { href: hashOf(`${queuePath(name)}/dlq`) }, 'Dead-letter queue');
  let paused: boolean | null = null;

  const el = h(
    'section',
    { class: 'view' },
    crumbs(name),
    h('div', { class: 'title-row' }, heading, state, controls),
    tiles,
    charts,
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        {},
        h('h2', {}, 'Workers'),
        h(
          'table',
          { 'aria-label': 'Workers' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Client'),
              h('th', { scope: 'col' }, 'Member id'),
              h('th', { scope: 'col' }, 'Topics'),
            ),
          ),
          workers,
        ),
      ),
      h(
        'section',
        {},
        h('h2', {}, 'Partitions'),
        h(
          'table',
          { 'aria-label': 'Partitions' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              [
                '#',
                'Log start',
                'Start',
                'Log end',
                'Lag',
                'Available',
                'Acquired',
                'Archived',
              ].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          partitions,
        ),
      ),
      h('section', {}, h('h2', {}, 'Settings'), facts, h('p', {}, dlqLink)),
    ),
  );

  if (ctx.canWrite) buildControls();

  function buildControls(): void {
    const pauseBtn = h('button', { type: 'button', 'data-testid': 'pause-toggle' }, 'Pause');
    pauseBtn.addEventListener('click', async () => {
      pauseBtn.disabled = true;
      try {
        const s = paused
          ? await ctx.api.resume(name)
          : await ctx.api.pause(name, 'from the dashboard');
        ctx.notify(s.paused ? `${name} paused` : `${name} resumed`);
        ctx.refreshSoon();
      } catch (err) {
        ctx.notify((err as Error).message, 'error');
      } finally {
        pauseBtn.disabled = false;
      }
    });
    const enqueue = h('details', { class: 'popover' }, h('summary', {}, 'Add job'));
    const jobName = h('input', { id: 'enq-name', name: 'name', required: true, value: 'manual' });
    const data = h('textarea', { id: 'enq-data', name: 'data', rows: 4, spellcheck: false }, '{}');
    const attempts = h('input', {
      id: 'enq-attempts',
      type: 'number',
      min: 1,
      max: 1000,
      name: 'attempts',
    });
    const form = h(
      'form',
      {},
      h('label', { for: 'enq-name' }, 'Job name'),
      jobName,
      h('label', { for: 'enq-data' }, 'Data (JSON)'),
      data,
      h('label', { for: 'enq-attempts' }, 'Attempts (optional)'),
      attempts,
      h('button', { type: 'submit', class: 'primary' }, 'Add'),
    );
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      let parsed: unknown;
      try {
        parsed = data.value.trim() === '' ? undefined : JSON.parse(data.value);
      } catch {
        ctx.notify('Data is not valid JSON', 'error');
        data.focus();
        return;
      }
      try {
        const r = await ctx.api.enqueue(name, {
          name: jobName.value,
          ...(parsed === undefined ? {} : { data: parsed }),
          ...(attempts.value === '' ? {} : { opts: { attempts: Number(attempts.value) } }),
        });
        ctx.notify(`Added job ${r.id} at ${r.partition}:${r.offset}`);
        enqueue.open = false;
        ctx.refreshSoon();
      } catch (err) {
        ctx.notify((err as Error).message, 'error');
      }
    });
    enqueue.appendChild(form);
    const reset = h('details', { class: 'popover' }, h('summary', {}, 'Reset offsets'));
    const to = h(
      'select',
      { id: 'reset-to' },
      h('option', { value: 'earliest' }, 'earliest'),
      h('option', { value: 'latest' }, 'latest (skip pending jobs)'),
    );
    const resetBtn = h('button', { type: 'button', class: 'danger' }, 'Preview reset…');
    resetBtn.addEventListener('click', async () => {
      const target = to.value as 'earliest' | 'latest';
      await confirmWithDryRun({
        title: `Reset ${name} to ${target}`,
        confirmLabel: 'Reset offsets',
        danger: true,
        preview: () => ctx.api.resetOffsets(name, target, true),
        describePreview: (p) => ({
          allowed: true,
          body: h(
            'ul',
            {},
            p.partitions.map((x) =>
              h('li', {}, `partition ${x.partition}: ${x.before ?? '—'} → ${x.after}`),
            ),
          ),
        }),
        run: () => ctx.api.resetOffsets(name, target, false),
        describeResult: () => h('p', {}, 'Offsets reset.'),
      });
      ctx.refreshSoon();
    });
    reset.appendChild(
      h(
        'div',
        { class: 'form' },
        h('label', { for: 'reset-to' }, 'Move the start offset to'),
        to,
        h('p', { class: 'note' }, 'Refused while workers are connected.'),
        resetBtn,
      ),
    );
    fill(controls, pauseBtn, enqueue, reset);
  }

  function render(q: QueueDetail): void {
    paused = q.paused;
    state.textContent = q.paused
      ? `paused${q.pause.reason ? `: ${q.pause.reason}` : ''}`
      : 'running';
    state.className = `badge ${q.paused ? 'warn' : 'ok'}`;
    const toggle = controls.querySelector<HTMLButtonElement>('[data-testid="pause-toggle"]');
    if (toggle !== null) toggle.textContent = q.paused ? 'Resume' : 'Pause';
    const c = q.counts;
    fill(
      tiles,
      tile('Lag', num(c.lag), 'count-lag'),
      tile('Available', num(c.available), 'count-available'),
      tile('In flight', num(c.inFlight), 'count-inflight'),
      tile('Done', num(q.totals.completed), 'count-completed'),
      tile('Delayed', num(c.delayed), 'count-delayed'),
      tile('Retrying', `${num(c.retrying)}${c.retryingApproximate ? '+' : ''}`, 'count-retrying'),
      tile(
        'Dead-lettered',
        num(c.deadLettered),
        'count-dlq',
        c.deadLettered > 0 ? 'bad' : undefined,
      ),
      tile('Oldest waiting', duration(q.oldestPendingAgeMs), 'count-oldest'),
    );
    const buckets = latency.current.get(name);
    fill(
      charts,
      lineChart({
        title: 'Throughput (jobs/s)',
        testid: 'chart-throughput',
        format: rate,
        lines: [
          { label: 'added', cls: 'c1', points: hist.rates(name, 'enqueued') },
          { label: 'done', cls: 'c2', points: hist.rates(name, 'completed') },
          { label: 'dead-lettered', cls: 'c3', points: hist.rates(name, 'deadLettered') },
        ],
      }),
      lineChart({
        title: 'Lag and DLQ',
        testid: 'chart-lag',
        format: (v) => num(Math.round(v)),
        lines: [
          { label: 'lag', cls: 'c6', points: hist.series(name, 'lag') },
          { label: 'DLQ pending', cls: 'c3', points: hist.series(name, 'deadLetterPending') },
        ],
      }),
      lineChart({
        title: 'Latency',
        testid: 'chart-latency',
        format: duration,
        lines: [
          { label: 'oldest waiting', cls: 'c4', points: hist.series(name, 'oldestPendingAgeMs') },
          { label: 'handler p50', cls: 'c2', points: hist.series(name, 'p50Ms') },
          { label: 'handler p95', cls: 'c5', points: hist.series(name, 'p95Ms') },
        ],
      }),
      buckets === undefined
        ? barChart({
            title: 'Handler duration',
            bars: [],
            testid: 'chart-durations',
            note: 'No handler timings here: workers in this server process report them; workers elsewhere serve their own /metrics.',
          })
        : barChart({
            title: 'Handler duration (attempts since the server started)',
            testid: 'chart-durations',
            bars: perBucket(buckets).map((v, i) => ({
              label: bucketLabel(buckets.le[i]!),
              value: v,
            })),
          }),
    );
    fill(
      workers,
      q.groupMembers.length === 0
        ? h('tr', {}, h('td', { colspan: 3, class: 'empty' }, 'No worker is connected.'))
        : q.groupMembers.map((m) =>
            h(
              'tr',
              { 'data-testid': 'worker' },
              h('td', {}, m.clientId),
              h('td', { class: 'mono' }, m.memberId),
              h('td', {}, m.topics.join(', ')),
            ),
          ),
    );
    fill(
      partitions,
      q.partitionDetail.map((p) =>
        h(
          'tr',
          {},
          [
            p.partition,
            p.logStartOffset,
            p.startOffset,
            p.logEndOffset,
            p.lag,
            p.available,
            p.acquired,
            p.archived,
          ].map((v) => h('td', { class: 'num' }, num(v))),
        ),
      ),
    );
    const fact = (k: string, v: string) => [h('dt', {}, k), h('dd', {}, v)];
    fill(
      facts,
      fact('Group', q.group),
      fact('Partitions', num(q.partitions)),
      fact('Delivery limit', num(q.config.deliveryCountLimit)),
      fact('Lock duration', duration(q.config.lockDurationMs)),
      fact('DLQ topic', q.deadLetterTopic),
      fact(
        'Delay tiers',
        q.delayTiers
          .filter((t) => t.waiting > 0)
          .map((t) => `${t.topic}: ${t.waiting}`)
          .join(', ') || 'none waiting',
      ),
      q.pause.since === null
        ? null
        : fact(
            q.paused ? 'Paused' : 'Resumed',
            `${ago(q.pause.since)}${q.pause.by ? ` by ${q.pause.by}` : ''}`,
          ),
    );
    dlqLink.textContent = `Dead-letter queue (${num(c.deadLettered)} pending)`;
  }

  return {
    el,
    title: name,
    async refresh() {
      const [q] = await Promise.all([ctx.api.queue(name), latency.poll(ctx.api)]);
      hist.record(q, Date.now(), latency.interval(name));
      render(q);
    },
  };
}
