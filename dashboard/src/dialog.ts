import { type Child, fill, h } from './dom.js';

/**
 * A confirmation that shows what an action would do before doing it: `preview` runs the dry run
 * and renders its answer; Confirm runs `run` and shows the result. A modal <dialog>: focus moves
 * into it, Escape cancels, and focus goes back to the control that opened it.
 */
export async function confirmWithDryRun<P, R>(opts: {
  title: string;
  confirmLabel: string;
  danger?: boolean;
  preview: () => Promise<P>;
  describePreview: (p: P) => { body: Child; allowed: boolean };
  run: () => Promise<R>;
  describeResult: (r: R) => Child;
}): Promise<R | null> {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const body = h('div', { class: 'dialog-body', 'aria-live': 'polite' }, 'Checking (dry run)…');
  const confirm = h(
    'button',
    { type: 'button', class: opts.danger ? 'danger' : 'primary', disabled: true },
    opts.confirmLabel,
  );
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const dialog = h(
    'dialog',
    { 'aria-labelledby': titleId },
    h('h2', { id: titleId }, opts.title),
    body,
    h('div', { class: 'actions' }, cancel, confirm),
  );
  document.body.appendChild(dialog);
  dialog.showModal();
  cancel.focus();
  let result: R | null = null;
  const done = new Promise<void>((resolve) => {
    dialog.addEventListener('close', () => resolve());
  });
  cancel.addEventListener('click', () => dialog.close());
  try {
    const p = await opts.preview();
    const d = opts.describePreview(p);
    fill(
      body,
      h('p', { class: 'dry-run-label' }, 'Dry run — nothing has been changed yet:'),
      d.body,
    );
    confirm.disabled = !d.allowed;
    if (d.allowed) confirm.focus();
  } catch (err) {
    fill(body, h('p', { class: 'error' }, `Dry run failed: ${(err as Error).message}`));
  }
  confirm.addEventListener('click', async () => {
    confirm.disabled = true;
    fill(body, 'Working…');
    try {
      result = await opts.run();
      fill(body, opts.describeResult(result));
      cancel.textContent = 'Close';
      cancel.focus();
    } catch (err) {
      fill(body, h('p', { class: 'error' }, `Failed: ${(err as Error).message}`));
    }
  });
  await done;
  dialog.remove();
  opener?.focus();
  return result;
}
