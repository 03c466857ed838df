import { Api, ApiError } from './api.js';
import type { Ctx, View } from './context.js';
import { fill, h } from './dom.js';
import { LatencyTracker } from './latency.js';
import { dlqView } from './views/dlq.js';
import { loginView } from './views/login.js';
import { overview } from './views/overview.js';
import { queueView } from './views/queue.js';
import { recordView } from './views/record.js';

/**
 * The dashboard: a page of the admin API's own server, talking to nothing but that API. Views
 * are picked by the URL's hash (so links and filters can be shared and reloaded) and refreshed
 * by polling while the tab is visible.
 */
const api = new Api(location.href);
const latency = new LatencyTracker();
const pollMs = Math.max(500, Number(new URLSearchParams(location.search).get('poll')) || 2000);

const main = h('main', { id: 'main' });
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
const live = h('span', { class: 'live', 'data-testid': 'live' }, '');
const who = h('span', { class: 'who' });
const signOut = h('button', { type: 'button', hidden: true }, 'Sign out');
signOut.addEventListener('click', () => {
  api.token = null;
  void start();
});
document.body.replaceChildren(
  h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
  h(
    'header',
    {},
    h('a', { class: 'brand', href: '#/' }, 'sharq'),
    h('nav', { 'aria-label': 'Main' }, h('a', { href: '#/' }, 'Queues')),
    h('div', { class: 'spacer' }),
    live,
    who,
    signOut,
  ),
  main,
  status,
);
// The skip link targets #main, which is not a route: keep the view, move focus.
document.querySelector('.skip')?.addEventListener('click', (ev) => {
  ev.preventDefault();
  main.querySelector<HTMLElement>('h1')?.focus();
});

let view: View | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let ctx: Ctx | null = null;
let generation = 0;

function notify(message: string, kind: 'info' | 'error' = 'info'): void {
  status.textContent = message;
  status.className = `status ${kind}`;
}

async function start(message: string | null = null): Promise<void> {
  clearTimeout(timer);
  view = null;
  try {
    const session = await api.session();
    ctx = {
      api,
      session,
      canWrite: session.role === 'admin',
      notify,
      refreshSoon: () => schedule(0),
    };
    document.body.classList.toggle('read-only', !ctx.canWrite);
    who.textContent = session.role === 'admin' ? 'admin' : 'read-only';
    who.className = `who badge ${ctx.canWrite ? 'ok' : 'warn'}`;
    who.setAttribute('data-testid', 'role');
    signOut.hidden = !session.authRequired;
    route();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const stale = api.token !== null;
      api.token = null;
      who.textContent = '';
      signOut.hidden = true;
      fill(
        main,
        loginView(stale ? 'That token was not accepted.' : message, (t) => {
          api.token = t;
          void start();
        }),
      );
      return;
    }
    fill(
      main,
      h(
        'p',
        { class: 'error', role: 'alert' },
        `Cannot reach the admin API: ${(err as Error).message}`,
      ),
    );
    timer = setTimeout(() => void start(), pollMs);
  }
}

function route(): void {
  if (ctx === null) return;
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  const params = Object.fromEntries(new URLSearchParams(query));
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  view?.dispose?.();
  if (parts[0] === 'queues' && parts[1] !== undefined) {
    const q = parts[1];
    if (parts[2] === 'dlq' && parts[3] !== undefined) view = recordView(ctx, q, parts[3], params);
    else if (parts[2] === 'dlq') view = dlqView(ctx, q, params);
    else view = queueView(ctx, latency, q);
  } else {
    view = overview(ctx, latency);
  }
  document.title = `${view.title} · sharq`;
  fill(main, view.el);
  main.querySelector<HTMLElement>('h1')?.focus();
  generation++;
  schedule(0);
}

function schedule(ms: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void tick(), ms);
}

async function tick(): Promise<void> {
  const v = view;
  const gen = generation;
  if (v === null) return;
  if (document.hidden) {
    schedule(pollMs);
    return;
  }
  try {
    await v.refresh();
    if (gen !== generation) return;
    live.textContent = `live · ${new Date().toLocaleTimeString()}`;
    live.classList.remove('stale');
  } catch (err) {
    if (gen !== generation) return;
    if (err instanceof ApiError && err.status === 401) {
      void start('The token is no longer accepted.');
      return;
    }
    if (err instanceof ApiError && err.status === 404) {
      // No such queue or record: the page says so in place of controls that would act on it.
      v.dispose?.();
      document.title = 'Not found · sharq';
      fill(
        main,
        h(
          'section',
          { class: 'not-found', 'data-testid': 'not-found' },
          h('h1', { tabindex: '-1' }, 'Not found'),
          h('p', {}, err.message),
          h('p', {}, h('a', { href: '#/' }, 'All queues')),
        ),
      );
      live.textContent = '';
      return;
    }
    live.textContent = 'not updating';
    live.classList.add('stale');
    notify(
      err instanceof ApiError && err.status === 404
        ? `Not found: ${err.message}`
        : `API error: ${(err as Error).message}`,
      'error',
    );
  }
  if (gen === generation) schedule(pollMs);
}

window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) schedule(0);
});
void start();
