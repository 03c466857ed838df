import type { DlqEntry } from '../api.js';
import { type Ctx, hashOf, queuePath, type View } from '../context.js';
import { fill, h } from '../dom.js';
import { num, time } from '../format.js';
import { confirmDiscard, confirmRedrive, crumbs } from './parts.js';

const REASONS = [
  'attempts-exhausted',
  'unrecoverable',
  'invalid-payload',
  'delivery-limit',
  'rejected',
  'backoff-failed',
];
const TEXT_FILTERS = [
  ['jobName', 'Job name'],
  ['jobId', 'Job id'],
  ['errorName', 'Error name'],
  ['errorCode', 'Error code'],
] as const;

export type DlqFilters = Record<string, string>;

/**
 * The DLQ browser: filters live in the URL (`#/queues/<q>/dlq?reason=...&jobName=...`) so a
 * view can be shared; newest first, paged by the API's cursor; redrive and discard of the
 * selected records or of every record matching the filter, each after a dry run.
 */
export function dlqView(ctx: Ctx, name: string, filters: DlqFilters): View {
  const selected = new Set<string>();
  let cursor: string | null = null;
  let pages = 1;
  let records: DlqEntry[] = [];
  const rows = h('tbody');
  const status = h('p', { class: 'note', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const apiQuery = (): Record<string, string> => {
    const q: Record<string, string> = { limit: '50' };
    for (const [k, v] of Object.entries(filters)) {
      if (v === '') continue;
      q[k] = k === 'from' || k === 'to' ? String(Date.parse(v)) : v;
    }
    return q;
  };
  const filterBody = (): Record<string, string | number> => {
    const f: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(filters)) {
      if (v === '' || k === 'state' || k === 'order') continue;
      f[k] = k === 'from' || k === 'to' ? Date.parse(v) : v;
    }
    return f;
  };

  // Filters form
  const field = (id: string, label: string, input: HTMLElement) =>
    h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const reason = h(
    'select',
    { id: 'f-reason', name: 'reason' },
    h('option', { value: '' }, 'any'),
    REASONS.map((r) => h('option', { value: r, selected: filters.reason === r }, r)),
  );
  const state = h(
    'select',
    { id: 'f-state', name: 'state' },
    ['pending', 'redriven', 'discarded', 'all'].map((s) =>
      h('option', { value: s, selected: (filters.state ?? 'pending') === s }, s),
    ),
  );
  const texts = TEXT_FILTERS.map(([k, label]) => {
    const input = h('input', {
      id: `f-${k}`,
      name: k,
      value: filters[k] ?? '',
      autocomplete: 'off',
    });
    return { k, input, el: field(`f-${k}`, label, input) };
  });
  const from = h('input', {
    id: 'f-from',
    name: 'from',
    type: 'datetime-local',
    value: filters.from ?? '',
  });
  const to = h('input', {
    id: 'f-to',
    name: 'to',
    type: 'datetime-local',
    value: filters.to ?? '',
  });
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter dead-lettered jobs' },
    field('f-reason', 'Reason', reason),
    texts.map((t) => t.el),
    field('f-from', 'From', from),
    field('f-to', 'To', to),
    field('f-state', 'State', state),
    h(
      'div',
      { class: 'field buttons' },
      h('button', { type: 'submit', class: 'primary' }, 'Apply'),
      h('a', { href: hashOf(`${queuePath(name)}/dlq`), class: 'button' }, 'Clear'),
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next: Record<string, string> = { reason: reason.value, from: from.value, to: to.value };
    for (const t of texts) next[t.k] = t.input.value.trim();
    if (state.value !== 'pending') next.state = state.value;
    location.hash = hashOf(`${queuePath(name)}/dlq`, next);
  });

  // Batch actions (admins only)
  const actions = h('div', { class: 'batch' });
  const selRedrive = h(
    'button',
    { type: 'button', class: 'primary', disabled: true },
    'Redrive selected',
  );
  const selDiscard = h(
    'button',
    { type: 'button', class: 'danger', disabled: true },
    'Discard selected',
  );
  const allRedrive = h('button', { type: 'button' }, 'Redrive all matching…');
  const allDiscard = h('button', { type: 'button' }, 'Discard all matching…');
  const updateSelection = () => {
    selRedrive.textContent = `Redrive selected (${selected.size})`;
    selDiscard.textContent = `Discard selected (${selected.size})`;
    selRedrive.disabled = selDiscard.disabled = selected.size === 0;
  };
  const ids = () =>
    [...selected].map((id) => {
      const [p, o] = id.split(':');
      return { partition: Number(p), offset: Number(o) };
    });
  const after = () => {
    selected.clear();
    updateSelection();
    ctx.refreshSoon();
  };
  selRedrive.addEventListener('click', async () => {
    const selection = { ids: ids() };
    const title = `Redrive ${selection.ids.length} job(s) of ${name}`;
    await confirmRedrive(ctx, name, selection, title, 'Redrive');
    after();
  });
  selDiscard.addEventListener('click', async () => {
    const selection = { ids: ids() };
    const title = `Discard ${selection.ids.length} job(s) of ${name}`;
    await confirmDiscard(ctx, name, selection, title, 'Discard');
    after();
  });
  allRedrive.addEventListener('click', async () => {
    const selection = { filter: filterBody() };
    const title = `Redrive every pending job matching the filter`;
    await confirmRedrive(ctx, name, selection, title, 'Redrive all');
    after();
  });
  allDiscard.addEventListener('click', async () => {
    const selection = { filter: filterBody() };
    const title = `Discard every pending job matching the filter`;
    await confirmDiscard(ctx, name, selection, title, 'Discard all');
    after();
  });
  if (ctx.canWrite) fill(actions, selRedrive, selDiscard, allRedrive, allDiscard);

  const all = h('input', { type: 'checkbox', 'aria-label': 'Select all shown' });
  all.addEventListener('change', () => {
    for (const r of records)
      if (r.state === 'pending') all.checked ? selected.add(r.id) : selected.delete(r.id);
    renderRows();
    updateSelection();
  });
  const detailHref = (id: string) => hashOf(`${queuePath(name)}/dlq/${id}`, filters);
  const renderRows = () => {
    fill(
      rows,
      records.length === 0
        ? h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No dead-lettered job matches.'))
        : records.map((r) => {
            const box = h('input', {
              type: 'checkbox',
              'aria-label': `Select ${r.id}`,
              checked: selected.has(r.id),
              disabled: r.state !== 'pending',
            });
            box.addEventListener('change', () => {
              box.checked ? selected.add(r.id) : selected.delete(r.id);
              updateSelection();
            });
            return h(
              'tr',
              { 'data-id': r.id, 'data-testid': 'dlq-row' },
              ctx.canWrite ? h('td', {}, box) : null,
              h('td', {}, h('a', { href: detailHref(r.id) }, time(r.timestamp))),
              h('td', { class: 'mono' }, r.jobId ?? '—'),
              h('td', {}, r.jobName ?? '—'),
              h('td', {}, r.reason ?? '—'),
              h(
                'td',
                { class: 'error-cell' },
                h('b', {}, r.errorName ?? ''),
                r.errorCode ? ` ${r.errorCode}` : '',
                h('br'),
                r.message ?? '',
              ),
              h('td', { class: 'num' }, num(r.attempts)),
              h(
                'td',
                {},
                h('span', { class: `badge ${r.state === 'pending' ? 'bad' : 'ok'}` }, r.state),
              ),
              h('td', { class: 'num' }, num(r.redriveCount)),
            );
          }),
    );
  };
  more.addEventListener('click', async () => {
    if (cursor === null) return;
    const page = await ctx.api.dlq(name, { ...apiQuery(), cursor });
    records = records.concat(page.records);
    cursor = page.nextCursor;
    pages++;
    more.hidden = cursor === null;
    renderRows();
  });

  const el = h(
    'section',
    { class: 'view' },
    crumbs(h('a', { href: hashOf(queuePath(name)) }, name), ' / DLQ'),
    h('h1', { tabindex: -1 }, `Dead-letter queue of ${name}`),
    form,
    actions,
    status,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'dlq', 'aria-label': 'Dead-lettered jobs' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ctx.canWrite ? h('th', { scope: 'col' }, all) : null,
            [
              'Dead-lettered',
              'Job id',
              'Job',
              'Reason',
              'Error',
              'Attempts',
              'State',
              'Redrives',
            ].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        rows,
      ),
    ),
    more,
  );

  return {
    el,
    title: `DLQ · ${name}`,
    async refresh() {
      // Live only while the first page is shown; a paged-through list stays as loaded.
      if (pages > 1) return;
      const page = await ctx.api.dlq(name, apiQuery());
      records = page.records;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      const shown = new Set(records.map((r) => r.id));
      for (const id of selected) if (!shown.has(id)) selected.delete(id);
      updateSelection();
      status.textContent = `${records.length} shown · ${page.scanned} scanned · topic ${page.deadLetterTopic}`;
      renderRows();
    },
  };
}
