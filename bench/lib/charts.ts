/**
 * The bench's results as SVG charts, drawn by hand (no chart library): each REST row as a share
 * of the floor, get and send against the stored rows, push latency against subscribers. Each
 * chart compares this run ("after") with an earlier report ("before") when one is given.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Report, Row } from './report.ts';

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"';
const BEFORE = '#9ca3af';
const AFTER = '#2563eb';
const SECOND_AFTER = '#dc2626';
const SECOND_BEFORE = '#fca5a5';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fixed = (v: number) => (Math.round(v * 10) / 10).toString();

function svg(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(title)}" ${FONT}>`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="600" fill="#111827">${esc(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(x: number, y: number, items: { label: string; color: string; dashed?: boolean }[]): string[] {
  let left = x;
  return items.flatMap((item) => {
    const at = left;
    left += 44 + item.label.length * 7;
    return legendItem(at, y, item);
  });
}

function legendItem(left: number, y: number, item: { label: string; color: string; dashed?: boolean }): string[] {
  const dash = item.dashed ? ' stroke-dasharray="5 3"' : '';
  return [
    `<line x1="${left}" y1="${y - 4}" x2="${left + 22}" y2="${y - 4}" stroke="${item.color}" stroke-width="6"${dash}/>`,
    `<text x="${left + 28}" y="${y}" fill="#374151">${esc(item.label)}</text>`,
  ];
}

/** `12 %`, `0.29 %`: two significant digits below 10 %. */
function percent(ratio: number): string {
  const p = ratio * 100;
  return `${p >= 10 ? Math.round(p) : p >= 1 ? fixed(p) : p.toPrecision(2)} %`;
}

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(v: number): number {
  if (v <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * power) return m * power;
  return 10 * power;
}

const rowsWithRatio = (r: Report | null) => (r ? r.rows.filter((row) => row.ratio !== null && !row.name.startsWith('floor')) : []);

/** Horizontal bars: every REST row's req/s as a share of the floor of its own run. */
export function floorShareChart(after: Report, before: Report | null): string {
  const rows = rowsWithRatio(after);
  const previous = new Map(rowsWithRatio(before).map((r) => [r.name, r.ratio!]));
  const labelW = 300;
  const plotW = 420;
  const band = before ? 38 : 24;
  const top = 58;
  const height = top + rows.length * band + 40;
  const max = niceMax(Math.max(...rows.map((r) => r.ratio!), ...previous.values(), 0.01));
  const x = (ratio: number) => labelW + (ratio / max) * plotW;
  const body: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const gx = labelW + (plotW * i) / 5;
    body.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 34}" stroke="#e5e7eb"/>`);
    body.push(`<text x="${gx}" y="${height - 20}" text-anchor="middle" fill="#6b7280">${percent((max * i) / 5)}</text>`);
  }
  rows.forEach((row, i) => {
    const y = top + i * band;
    body.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" fill="#111827">${esc(row.name)}</text>`);
    const bars: [number | undefined, string][] = before ? [[previous.get(row.name), BEFORE], [row.ratio!, AFTER]] : [[row.ratio!, AFTER]];
    bars.forEach(([ratio, color], k) => {
      const by = y + k * 16;
      if (ratio === undefined) {
        body.push(`<text x="${labelW + 4}" y="${by + 11}" fill="#9ca3af">not measured</text>`);
        return;
      }
      body.push(`<rect x="${labelW}" y="${by}" width="${Math.max(1, x(ratio) - labelW).toFixed(1)}" height="13" fill="${color}"/>`);
      body.push(`<text x="${(x(ratio) + 4).toFixed(1)}" y="${by + 11}" fill="#374151">${percent(ratio)}</text>`);
    });
  });
  body.push(...legend(labelW, 44, before ? [{ label: `before (${before.date.slice(0, 10)})`, color: BEFORE }, { label: `after (${after.date.slice(0, 10)})`, color: AFTER }] : [{ label: after.date.slice(0, 10), color: AFTER }]));
  return svg(labelW + plotW + 80, height, 'Requests per second as a share of the floor (bare node:http; HTTPS rows: node:https)', body);
}

/** `10k` → 10000, as report.size() writes them. */
export function parseSize(text: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(text);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === 'M' ? 1_000_000 : m[2] === 'k' ? 1000 : 1);
}

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: [number, number][];
  /** Point labels to the left of the point, so they do not cover another series' labels at the same x. */
  labelLeft?: boolean;
}

/** Lines over a logarithmic x axis (each point labelled with `format(y)`). */
function lineChart(title: string, xLabel: string, yLabel: string, series: Series[], format: (y: number) => string, xTicks: number[], xFormat: (x: number) => string): string {
  const left = 84;
  const plotW = 560;
  const top = 70;
  const plotH = 260;
  const legendRows = Math.ceil(series.length / 4);
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const yMax = niceMax(Math.max(...ys, 0) * 1.1);
  const logs = xTicks.map(Math.log10);
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  const x = (v: number) => left + (hi === lo ? plotW / 2 : ((Math.log10(v) - lo) / (hi - lo)) * plotW);
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const body: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const gy = top + plotH - (plotH * i) / 5;
    body.push(`<line x1="${left}" y1="${gy}" x2="${left + plotW}" y2="${gy}" stroke="#e5e7eb"/>`);
    body.push(`<text x="${left - 6}" y="${gy + 4}" text-anchor="end" fill="#6b7280">${format((yMax * i) / 5)}</text>`);
  }
  for (const t of xTicks) {
    body.push(`<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${top + plotH}" stroke="#f3f4f6"/>`);
    body.push(`<text x="${x(t)}" y="${top + plotH + 18}" text-anchor="middle" fill="#6b7280">${esc(xFormat(t))}</text>`);
  }
  body.push(`<text x="${left + plotW / 2}" y="${top + plotH + 38}" text-anchor="middle" fill="#374151">${esc(xLabel)}</text>`);
  body.push(`<text x="16" y="${top + plotH / 2}" text-anchor="middle" fill="#374151" transform="rotate(-90 16 ${top + plotH / 2})">${esc(yLabel)}</text>`);
  for (const s of series) {
    if (!s.points.length) continue;
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map(([px, py], i) => `${i ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
    body.push(`<path d="${path}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [px, py] of s.points) {
      body.push(`<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
      const [lx, anchor] = s.labelLeft ? [x(px) - 8, ' text-anchor="end"'] : [x(px) + 6, ''];
      body.push(`<text x="${lx.toFixed(1)}" y="${(y(py) - 6).toFixed(1)}"${anchor} fill="${s.color}">${esc(format(py))}</text>`);
    }
  }
  for (let row = 0; row < legendRows; row++) body.push(...legend(left, 44 + row * 16, series.slice(row * 4, row * 4 + 4)));
  return svg(left + plotW + 60, top + plotH + 50 + (legendRows - 1) * 16, title, body);
}

/** The stored-rows series of one request kind: the base row counts as the smallest seed. */
function growth(report: Report | null, name: string): [number, number][] {
  if (!report) return [];
  const base = report.settings.seeds[0]!;
  const points: [number, number][] = [];
  for (const row of report.rows) {
    if (row.ratio === null) continue;
    if (row.name === name) points.push([base, row.ratio]);
    const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} @(\\S+)$`).exec(row.name);
    if (m) points.push([parseSize(m[1]!), row.ratio]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

/** Get and send (share of the floor) against the number of stored notifications. */
export function growthChart(after: Report, before: Report | null): string {
  const kinds: [string, string, string, string][] = [
    ['im.notify.get (50 items)', 'get', AFTER, BEFORE],
    ['im.notify.system.add', 'send', SECOND_AFTER, SECOND_BEFORE],
  ];
  const series: Series[] = kinds.flatMap(([name, short, a, b]) => [
    ...(before ? [{ label: `${short}, before`, color: b, dashed: true, points: growth(before, name) }] : []),
    { label: before ? `${short}, after` : short, color: a, dashed: false, points: growth(after, name) },
  ]);
  const ticks = [...new Set([...after.settings.seeds, ...(before?.settings.seeds ?? [])])].sort((p, q) => p - q);
  return lineChart('get and send against stored notifications (share of the floor)', 'notifications stored (one user, log scale)', 'share of the floor', series, (v) => percent(v), ticks, sizeLabel);
}

const sizeLabel = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

/** Rows of one user's N connections (a broadcast), and of N users with one connection each. */
const BROADCAST = /^push, (\S+) WebSocket subscribers$/;
const ONE_OF_USERS = /^push, (\S+) users × 1 WebSocket, send to one$/;
/** The broadcast's floor: a server that only writes one frame to each socket. */
const PUSH_FLOOR = /^floor, push \(one write per socket\), (\S+) WebSockets$/;

function pushPoints(report: Report | null, pick: (r: Row) => number | null, rows = BROADCAST): [number, number][] {
  if (!report) return [];
  return report.rows.flatMap((row): [number, number][] => {
    const m = rows.exec(row.name);
    const v = pick(row);
    return m && v !== null ? [[parseSize(m[1]!), v]] : [];
  }).sort((a, b) => a[0] - b[0]);
}

const ONE_OF_AFTER = '#059669';
const ONE_OF_BEFORE = '#6ee7b7';
const PUSH_FLOOR_COLOR = '#6b7280';

/**
 * Send → receipt latency (p50, p99) against the number of subscribers of one user's channel,
 * the p99 of a send to one of N users who have one connection each, and the p99 of the push
 * floor (of this run only: older runs have none).
 */
export function pushChart(after: Report, before: Report | null): string {
  const series: Series[] = [
    ...(before ? [
      { label: 'p50, before', color: BEFORE, dashed: true, points: pushPoints(before, (r) => r.p50) },
      { label: 'p99, before', color: SECOND_BEFORE, dashed: true, points: pushPoints(before, (r) => r.p99) },
    ] : []),
    { label: before ? 'p50, after' : 'p50', color: AFTER, dashed: false, points: pushPoints(after, (r) => r.p50) },
    { label: before ? 'p99, after' : 'p99', color: SECOND_AFTER, dashed: false, points: pushPoints(after, (r) => r.p99) },
    ...(before ? [{ label: 'p99 to one of N users, before', color: ONE_OF_BEFORE, dashed: true, points: pushPoints(before, (r) => r.p99, ONE_OF_USERS) }] : []),
    { label: before ? 'p99 to one of N users, after' : 'p99 to one of N users (one connection each)', color: ONE_OF_AFTER, dashed: false, points: pushPoints(after, (r) => r.p99, ONE_OF_USERS) },
    { label: 'push floor, p99', color: PUSH_FLOOR_COLOR, dashed: false, labelLeft: true, points: pushPoints(after, (r) => r.p99, PUSH_FLOOR) },
  ];
  const ticks = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((p, q) => p - q);
  return lineChart('Push: send → receipt on every connection, against subscribers', 'WebSocket connections: of one user, or of N users (log scale)', 'milliseconds', series, (v) => `${v < 10 ? fixed(v) : Math.round(v)} ms`, ticks.length ? ticks : [1], sizeLabel);
}

/** Writes the three charts into `dir`; returns their paths. */
export function writeCharts(dir: string, after: Report, before: Report | null): string[] {
  mkdirSync(dir, { recursive: true });
  const charts: [string, string][] = [
    ['floor-share.svg', floorShareChart(after, before)],
    ['growth.svg', growthChart(after, before)],
    ['push.svg', pushChart(after, before)],
  ];
  return charts.map(([name, text]) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  });
}
