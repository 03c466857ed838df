import type { Api } from '../api.js';
import type { Ctx } from '../context.js';
import { confirmWithDryRun } from '../dialog.js';
import { type Child, h } from '../dom.js';
import {
  describeDiscard,
  describeDiscardPreview,
  describeRedrive,
  describeRedrivePreview,
} from './outcomes.js';

/** Pieces the queue, DLQ and record views share. */

/** The same shape for redrive and discard. */
type Selection = Parameters<Api['redrive']>[1]['selection'];

/** Redrives `selection` of queue `name` after a dry run the user confirms. */
export async function confirmRedrive(
  ctx: Ctx,
  name: string,
  selection: Selection,
  title: string,
  confirmLabel: string,
): Promise<void> {
  await confirmWithDryRun({
    title,
    confirmLabel,
    preview: () => ctx.api.redrive(name, { selection, dryRun: true }),
    describePreview: describeRedrivePreview,
    run: () => ctx.api.redrive(name, { selection }),
    describeResult: describeRedrive,
  });
}

/** Discards `selection` of queue `name` after a dry run the user confirms. */
export async function confirmDiscard(
  ctx: Ctx,
  name: string,
  selection: Selection,
  title: string,
  confirmLabel: string,
): Promise<void> {
  await confirmWithDryRun({
    title,
    confirmLabel,
    danger: true,
    preview: () => ctx.api.discard(name, { selection, dryRun: true }),
    describePreview: describeDiscardPreview,
    run: () => ctx.api.discard(name, { selection }),
    describeResult: describeDiscard,
  });
}

/** The breadcrumb trail: `Queues / ` and then `trail`. */
export function crumbs(...trail: Child[]): HTMLElement {
  return h(
    'nav',
    { class: 'crumbs', 'aria-label': 'Breadcrumb' },
    h('a', { href: '#/' }, 'Queues'),
    ' / ',
    trail,
  );
}
