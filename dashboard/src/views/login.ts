import { h } from '../dom.js';

/** Token entry: kept in sessionStorage for this tab only. */
export function loginView(message: string | null, onToken: (token: string) => void): HTMLElement {
  const input = h('input', {
    id: 'token',
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    minlength: 16,
  });
  const form = h(
    'form',
    { class: 'login', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title', tabindex: -1 }, 'sharq dashboard'),
    h(
      'p',
      {},
      'This API checks tokens. Enter an admin token, or a read token for a read-only view.',
    ),
    message === null ? null : h('p', { class: 'error', role: 'alert' }, message),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('button', { type: 'submit', class: 'primary' }, 'Open'),
    h(
      'p',
      { class: 'note' },
      'Kept in this tab only (sessionStorage); sent as a bearer token to this server.',
    ),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    onToken(input.value.trim());
  });
  queueMicrotask(() => input.focus());
  return form;
}
