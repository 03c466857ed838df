import type { DlqRecordDetail } from '../api.js';
import { type Ctx, hashOf, queuePath, type View } from '../context.js';
import { type Child, fill, h } from '../dom.js';
import { num, time } from '../format.js';
import { confirmDiscard, confirmRedrive, crumbs } from './parts.js';

/** One dead-lettered job in full: error and stack, payload, headers, where it came from, redrives. */
export function recordView(ctx: Ctx, name: string, id: string, back: Record<string, string>): View {
  const body = h('div', { class: 'record' });
  const badge = h('span', { class: 'badge' });
  const actions = h('div', { class: 'controls' });
  const [p, o] = id.split(':');
  const selection = { ids: [{ partition: Number(p), offset: Number(o) }] };
  if (ctx.canWrite) {
    const redrive = h('button', { type: 'button', class: 'primary' }, 'Redrive…');
    redrive.addEventListener('click', async () => {
      await confirmRedrive(ctx, name, selection, `Redrive ${id} of ${name}`, 'Redrive');
      ctx.refreshSoon();
    });
    const discard = h('button', { type: 'button', class: 'danger' }, 'Discard…');
    discard.addEventListener('click', async () => {
      await confirmDiscard(ctx, name, selection, `Discard ${id} of ${name}`, 'Discard');
      ctx.refreshSoon();
    });
    fill(actions, redrive, discard);
  }
  const el = h(
    'section',
    { class: 'view' },
    crumbs(
      h('a', { href: hashOf(queuePath(name)) }, name),
      ' / ',
      h('a', { href: hashOf(`${queuePath(name)}/dlq`, back) }, 'DLQ'),
      ` / ${id}`,
    ),
    h(
      'div',
      { class: 'title-row' },
      h('h1', { tabindex: -1 }, `Dead-lettered job ${id}`),
      badge,
      actions,
    ),
    body,
  );
  const fact = (k: string, v: string | number | null) => [
    h('dt', {}, k),
    h('dd', {}, v === null ? '—' : String(v)),
  ];
  const facts = (title: string, ...list: Child[]) =>
    h('section', {}, h('h2', {}, title), h('dl', { class: 'facts' }, list));
  const render = (r: DlqRecordDetail) => {
    badge.textContent = r.state;
    badge.className = `badge ${r.state === 'pending' ? 'bad' : 'ok'}`;
    badge.setAttribute('data-testid', 'record-state');
    // Redriven or discarded: nothing left to do here (a second redrive would be skipped).
    actions.hidden = r.state !== 'pending';
    fill(
      body,
      h(
        'div',
        { class: 'columns' },
        facts(
          'Job',
          fact('Job id', r.jobId),
          fact('Job name', r.jobName),
          fact('Key', r.key),
          fact('Attempts', r.attempts),
          fact('Dead-lettered', time(r.timestamp)),
          fact('Failed at', r.failedAt),
          fact('Redriven before', r.redriveCount),
        ),
        facts(
          'Error',
          fact('Reason', r.reason),
          fact('Name', r.errorName),
          fact('Code', r.errorCode),
          fact('Message', r.message),
        ),
        facts(
          'Source',
          fact('Topic', r.source.topic),
          fact('Partition', r.source.partition),
          fact('Offset', r.source.offset),
          fact('Group', r.source.group),
        ),
      ),
      h(
        'h2',
        {},
        'Payload',
        r.payloadTruncated ? ` (first part of ${num(r.valueBytes)} bytes)` : '',
      ),
      h(
        'pre',
        { class: 'code', 'data-testid': 'payload', tabindex: 0 },
        typeof r.payload === 'string' ? r.payload : JSON.stringify(r.payload, null, 2),
      ),
      r.stack === null
        ? null
        : [h('h2', {}, 'Stack'), h('pre', { class: 'code', tabindex: 0 }, r.stack)],
      h('h2', {}, 'Redrives'),
      r.redrives.length === 0
        ? h('p', { class: 'note' }, 'Not redriven yet.')
        : h(
            'ul',
            {},
            r.redrives.map((x) =>
              h(
                'li',
                {},
                `${time(x.at)} → ${x.target.topic} ${x.target.partition}:${x.target.offset}`,
              ),
            ),
          ),
      h(
        'details',
        {},
        h('summary', {}, `Headers (${Object.keys(r.headers).length})`),
        h(
          'table',
          { 'aria-label': 'Headers' },
          h(
            'tbody',
            {},
            Object.entries(r.headers).map(([k, v]) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row', class: 'mono' }, k),
                h('td', { class: 'mono' }, v),
              ),
            ),
          ),
        ),
      ),
    );
  };
  return {
    el,
    title: `${id} · ${name}`,
    async refresh() {
      render(await ctx.api.dlqRecord(name, id));
    },
  };
}
