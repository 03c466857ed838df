import { h, s } from './dom.js';
import type { Point } from './history.js';

/**
 * Hand-drawn SVG charts: a time-series line chart (the last minutes sampled by this page), a
 * sparkline, and a bar chart for the duration histogram. Sized by a viewBox and scaled by CSS.
 */
export interface Line {
  label: string;
  /** CSS class giving the colour (.c1 ... .c6). */
  cls: string;
  points: Point[];
}

const W = 480;
const H = 160;
const PAD = { l: 44, r: 8, t: 8, b: 20 };

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

export function lineChart(opts: {
  title: string;
  lines: Line[];
  format: (v: number) => string;
  windowMs?: number;
  now?: number;
  testid?: string;
}): HTMLElement {
  const now = opts.now ?? Date.now();
  const windowMs = opts.windowMs ?? 5 * 60_000;
  const from = now - windowMs;
  const values = opts.lines.flatMap((l) =>
    l.points.filter((p) => p.at >= from && p.value !== null).map((p) => p.value!),
  );
  const max = niceMax(Math.max(0, ...values));
  const x = (t: number) => PAD.l + ((t - from) / windowMs) * (W - PAD.l - PAD.r);
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  // The middle line's label only when it reads differently from both ends: a count chart
  // scaled to 1 would say 0 / 1 / 1 (0.5 rounds up).
  const label = (f: number) => {
    const text = opts.format(max * f);
    return f === 0.5 && (text === opts.format(max) || text === opts.format(0)) ? null : text;
  };
  const grid = [0, 0.5, 1].map((f) =>
    s(
      'g',
      { class: 'grid' },
      s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(max * f), y2: y(max * f) }),
      s('text', { x: PAD.l - 4, y: y(max * f) + 4, 'text-anchor': 'end' }, label(f)),
    ),
  );
  const ticks = [windowMs, windowMs / 2, 0].map((back) =>
    s(
      'text',
      {
        class: 'tick',
        x: x(now - back),
        y: H - 4,
        'text-anchor': back === windowMs ? 'start' : back === 0 ? 'end' : 'middle',
      },
      back === 0 ? 'now' : `-${Math.round(back / 60_000)}m`,
    ),
  );
  const paths = opts.lines.map((l) => {
    let d = '';
    let pen = false;
    for (const p of l.points) {
      if (p.at < from || p.value === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`;
      pen = true;
    }
    return s('path', { class: `series ${l.cls}`, d });
  });
  const latest = (l: Line) => {
    for (let i = l.points.length - 1; i >= 0; i--) {
      const v = l.points[i]!.value;
      if (v !== null) return opts.format(v);
    }
    return '—';
  };
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `${opts.title}: ${opts.lines.map((l) => `${l.label} ${latest(l)}`).join(', ')}`,
    },
    grid,
    ticks,
    paths,
  );
  return h(
    'figure',
    { class: 'chart', 'data-testid': opts.testid },
    h('figcaption', {}, opts.title),
    svg,
    h(
      'ul',
      { class: 'legend' },
      opts.lines.map((l) =>
        h(
          'li',
          { class: l.cls },
          h('span', { class: 'swatch' }),
          `${l.label} `,
          h('b', {}, latest(l)),
        ),
      ),
    ),
  );
}

export function sparkline(points: Point[], label: string): SVGElement {
  const w = 100;
  const hgt = 24;
  const vals = points.filter((p) => p.value !== null);
  const max = Math.max(1e-9, ...vals.map((p) => p.value!));
  const t0 = vals[0]?.at ?? 0;
  const t1 = vals[vals.length - 1]?.at ?? 1;
  const span = Math.max(1, t1 - t0);
  const d = vals
    .map(
      (p, i) =>
        `${i === 0 ? 'M' : 'L'}${(((p.at - t0) / span) * w).toFixed(1)},${(hgt - 2 - (p.value! / max) * (hgt - 4)).toFixed(1)}`,
    )
    .join('');
  return s(
    'svg',
    { class: 'spark', viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': label },
    s('path', { class: 'series c2', d }),
  );
}

export function barChart(opts: {
  title: string;
  bars: { label: string; value: number }[];
  note?: string;
  testid?: string;
}): HTMLElement {
  const max = niceMax(Math.max(0, ...opts.bars.map((b) => b.value)));
  const n = Math.max(1, opts.bars.length);
  const bw = (W - PAD.l - PAD.r) / n;
  const y = (v: number) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const svg = s(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      role: 'img',
      'aria-label': `${opts.title}: ${opts.bars.map((b) => `${b.label} ${b.value}`).join(', ')}`,
    },
    [0, 0.5, 1].map((f) =>
      s(
        'g',
        { class: 'grid' },
        s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(max * f), y2: y(max * f) }),
        s('text', { x: PAD.l - 4, y: y(max * f) + 4, 'text-anchor': 'end' }, String(max * f)),
      ),
    ),
    opts.bars.map((b, i) =>
      s(
        'g',
        {},
        s('rect', {
          class: 'bar',
          x: PAD.l + i * bw + 1,
          y: y(b.value),
          width: Math.max(1, bw - 2),
          height: Math.max(0, H - PAD.b - y(b.value)),
        }),
        // Every other label when bars are narrow, so they do not overlap.
        bw >= 36 || i % 2 === 0
          ? s(
              'text',
              { class: 'tick', x: PAD.l + i * bw + bw / 2, y: H - 4, 'text-anchor': 'middle' },
              b.label,
            )
          : null,
      ),
    ),
  );
  return h(
    'figure',
    { class: 'chart', 'data-testid': opts.testid },
    h('figcaption', {}, opts.title),
    svg,
    opts.note === undefined ? null : h('p', { class: 'note' }, opts.note),
  );
}
