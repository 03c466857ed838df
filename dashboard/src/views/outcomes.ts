import type { DiscardResponse, RedriveResponse } from '../api.js';
import { h } from '../dom.js';

/** What a redrive or discard did (or, dry, would do), as the confirmation dialog shows it. */
function counts(pairs: [string, number][]): HTMLElement {
  return h(
    'dl',
    { class: 'counts', 'data-testid': 'outcome' },
    pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
  );
}

function items(r: RedriveResponse): HTMLElement | null {
  const odd = r.items.filter((i) => i.outcome !== 'redriven' && i.outcome !== 'would-redrive');
  if (odd.length === 0) return null;
  return h(
    'ul',
    { class: 'items' },
    odd.slice(0, 20).map((i) => h('li', {}, `${i.id}: ${i.outcome}${i.why ? ` (${i.why})` : ''}`)),
  );
}

export function describeRedrivePreview(r: RedriveResponse) {
  return {
    allowed: r.redriven > 0,
    body: [
      counts([
        ['Would redrive', r.redriven],
        ['Matched', r.matched],
        ['Already redriven (skipped)', r.skipped],
        ['Refused (redrive limit)', r.refused],
        ['Missing', r.missing],
      ]),
      items(r),
      r.nextCursor === null
        ? null
        : h('p', { class: 'note' }, 'More records match than one run takes; run again to go on.'),
    ],
  };
}

export function describeRedrive(r: RedriveResponse) {
  return [
    h('p', {}, `Redrove ${r.redriven} job(s): back on the queue with fresh attempts.`),
    counts([
      ['Redriven', r.redriven],
      ['Skipped', r.skipped],
      ['Refused', r.refused],
      ['Missing', r.missing],
    ]),
    items(r),
  ];
}

export function describeDiscardPreview(r: DiscardResponse) {
  return {
    allowed: r.discarded > 0,
    body: counts([
      ['Would discard', r.discarded],
      ['Matched', r.matched],
      ['Already discarded (skipped)', r.skipped],
      ['Missing', r.missing],
    ]),
  };
}

export function describeDiscard(r: DiscardResponse) {
  return [
    h('p', {}, `Discarded ${r.discarded} job(s).`),
    counts([
      ['Discarded', r.discarded],
      ['Skipped', r.skipped],
      ['Missing', r.missing],
    ]),
  ];
}
