// The traffic panel: requests per second, errors by code and p99 latency over the last 15
// minutes, as small live charts drawn in inline SVG (no chart library). The numbers come from
// the same per-request observation that feeds /metrics.
import { el, formatNumber, t } from './console-kit.js';

const REFRESH_MS = 2000;
/** Seconds per drawn point: 15 minutes become 90 points. */
const STEP = 10;
const W = 300;
const H = 60;
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** Per-second points folded into STEP-second ones: requests and errors per second, the worst p99 of the step. */
function fold(series) {
  const out = [];
  for (let i = 0; i < series.length; i += STEP) {
    const part = series.slice(i, i + STEP);
    const p99s = part.map((p) => p.p99Ms).filter((v) => v !== null);
    out.push({
      at: part[0].at,
      rps: part.reduce((n, p) => n + p.requests, 0) / part.length,
      errors: part.reduce((n, p) => n + p.errors, 0),
      p99: p99s.length ? Math.max(...p99s) : null,
    });
  }
  return out;
}

/** A line (and the area under it) over `values`; null values break the line. */
function lineChart(values, max, kind) {
  const x = (i) => (values.length < 2 ? W : (i / (values.length - 1)) * W);
  const y = (v) => H - (max > 0 ? (v / max) * (H - 4) : 0);
  const runs = [];
  let run = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push([x(i), y(v)]);
  });
  if (run.length) runs.push(run);
  const shapes = runs.flatMap((pts) => {
    const line = pts.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
    const area = `${pts[0][0].toFixed(1)},${H} ${line} ${pts.at(-1)[0].toFixed(1)},${H}`;
    return [svg('polygon', { points: area, class: `area ${kind}` }), svg('polyline', { points: line, class: `line ${kind}`, 'vector-effect': 'non-scaling-stroke' })];
  });
  return shapes;
}

function barChart(values, max, kind) {
  const w = W / values.length;
  return values.flatMap((v, i) => (v > 0 ? [svg('rect', { x: (i * w).toFixed(1), y: (H - (v / max) * (H - 4)).toFixed(1), width: Math.max(1, w - 1).toFixed(1), height: ((v / max) * (H - 4)).toFixed(1), class: `bar ${kind}` })] : []));
}

/** One chart: a heading with the headline figure, the drawing, its scale, and a text for screen readers. */
function chart(id, title, headline, label, shapes, top) {
  return el('figure', { class: 'chart', dataset: { chart: id } },
    el('figcaption', {}, el('span', {}, title), el('strong', { class: 'headline' }, headline)),
    el('div', { class: 'plot' },
      svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': label, width: '100%', height: H },
        svg('title', {}, label),
        svg('line', { x1: 0, y1: H - 0.5, x2: W, y2: H - 0.5, class: 'axis' }),
        ...shapes),
      el('span', { class: 'scale top', 'aria-hidden': 'true' }, top)),
    el('div', { class: 'scale-x', 'aria-hidden': 'true' }, el('span', {}, t('console.traffic.ago')), el('span', {}, t('console.traffic.now'))));
}

/** Requests per second over the last minute, two decimals: what the application is doing now. */
function lastMinute(series) {
  const recent = series.slice(-60);
  return Math.round((recent.reduce((n, p) => n + p.requests, 0) / Math.max(1, recent.length)) * 100) / 100;
}

const ms = (v) => (v === null ? '—' : t('console.inspector.ms', { ms: formatNumber(Math.round(v * 10) / 10) }));

function draw(box, { summary, series }) {
  const points = fold(series);
  const rps = points.map((p) => p.rps);
  const errs = points.map((p) => p.errors);
  const p99 = points.map((p) => p.p99);
  const maxRps = Math.max(...rps, 0);
  const maxErr = Math.max(...errs, 0);
  const maxP99 = Math.max(...p99.filter((v) => v !== null), 0);
  const codes = Object.entries(summary.errorsByCode);
  box.replaceChildren(
    el('div', { class: 'charts' },
      chart('rps', t('console.traffic.rps'), t('console.traffic.lastMinute', { rate: formatNumber(lastMinute(series)) }),
        t('console.traffic.rpsLabel', { avg: formatNumber(summary.perSecond), peak: formatNumber(Math.round(maxRps * 10) / 10), count: summary.requests }),
        lineChart(rps, maxRps, 'rps'), formatNumber(Math.round(maxRps * 10) / 10)),
      chart('errors', t('console.traffic.errors'), formatNumber(summary.errors),
        t('console.traffic.errorsLabel', { count: summary.errors }),
        barChart(errs, maxErr, 'errors'), formatNumber(maxErr)),
      chart('p99', t('console.traffic.p99'), ms(summary.p99Ms),
        t('console.traffic.p99Label', { p99: ms(summary.p99Ms), p50: ms(summary.p50Ms) }),
        lineChart(p99, maxP99, 'p99'), ms(maxP99))),
    el('div', { class: 'codes' },
      el('h3', {}, t('console.traffic.byCode')),
      codes.length
        ? el('ul', { class: 'code-list' }, codes.map(([code, n]) => el('li', { dataset: { code } }, el('span', { class: 'mono' }, code), el('strong', {}, formatNumber(n)))))
        : el('p', { class: 'dim' }, t('console.traffic.noErrors'))));
}

export const section = {
  id: 'traffic',
  title: () => t('console.traffic.title'),
  wide: true,
  async mount(card, ctx) {
    const box = el('div', { class: 'traffic' });
    card.append(el('p', { class: 'dim' }, t('console.traffic.intro')), box);
    const refresh = async () => draw(box, await ctx.api('traffic'));
    await refresh();
    card.dataset.updated = '1';
    setInterval(() => {
      if (!document.hidden) void refresh().then(() => (card.dataset.updated = String(Number(card.dataset.updated) + 1)), () => undefined);
    }, REFRESH_MS);
  },
};
