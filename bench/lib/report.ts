/** The table: printed, and written as JSON and Markdown under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from './machine.ts';

export interface Row {
  name: string;
  /** Requests per second, or null when the row measures something else (start, push). */
  rps: number | null;
  /** Milliseconds. */
  p50: number | null;
  p99: number | null;
  /** p50 with one connection and nothing else going on: the request's own cost, no queueing. */
  aloneP50: number | null;
  /** rps / floor rps (the higher of the floor measured first and last). */
  ratio: number | null;
  /** Server CPU time (user + system) per request of the measured run, ms. */
  cpuMs?: number;
  /**
   * The floor's server CPU per request / this row's: the share of the floor by cost, which the
   * load generator's own limits cannot distort (it sets the HTTPS floor's req/s on one core).
   */
  cpuRatio?: number | null;
  /** Push rows: the server's CPU per delivered frame during the sends, µs. */
  usPerFrame?: number;
  /** Anything needed to read the row: data size, memory, failures, why it was skipped. */
  note: string;
}

export interface Report {
  date: string;
  mode: 'quick' | 'full';
  machine: Machine;
  /** What ran where (process, CPU). */
  placement: string;
  settings: { connections: number; durationS: number; warmupS: number; aloneRequests: number; seeds: number[]; subscribers: number };
  rows: Row[];
  /** |first floor − last floor| / the larger: how much the machine changed under the run. */
  floorDrift: number;
  /** 1-minute load average when the run ended. */
  loadAtEnd: number;
  totalS: number;
}

function num(v: number | null, digits = 0): string {
  if (v === null || Number.isNaN(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ms(v: number | null): string {
  if (v === null) return '—';
  if (v === 0) return '<1';
  return v < 10 ? num(v, 1) : num(v);
}

/** Small ratios keep two significant digits: 0.09 % and 0.9 % are different findings. */
function percent(ratio: number | null): string {
  if (ratio === null) return '—';
  const p = ratio * 100;
  return `${p >= 10 ? num(p) : p >= 1 ? num(p, 1) : p.toPrecision(2)} %`;
}

const HEAD = ['row', 'req/s', 'p50 ms', 'p99 ms', 'vs floor', 'CPU share', '1-conn p50 ms', 'notes'];

function cells(r: Row): string[] {
  return [r.name, num(r.rps), ms(r.p50), ms(r.p99), percent(r.ratio), percent(r.cpuRatio ?? null), ms(r.aloneP50), r.note];
}

export function textTable(rows: Row[]): string {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => (i === 0 || i === c.length - 1 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

export function markdownTable(rows: Row[]): string {
  const esc = (v: string) => v.replace(/\|/g, '\\|');
  return [
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map((_, i) => (i === 0 || i === HEAD.length - 1 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${cells(r).map(esc).join(' | ')} |`),
  ].join('\n');
}

/** Set when the two floors disagree: then other work shared the machine and ratios are rough. */
export function driftWarning(r: Report): string | null {
  if (r.floorDrift <= 0.2) return null;
  return `WARNING: the floor moved ${Math.round(r.floorDrift * 100)} % between the start and the end of the run (load average ${r.machine.loadAtStart} → ${r.loadAtEnd}); something else used the CPU, rerun on a quiet machine.`;
}

export function markdownReport(r: Report): string {
  const m = r.machine;
  const warning = driftWarning(r);
  return [
    `# notify24 benchmark (${r.mode}), ${r.date}`,
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}; load average ${m.loadAtStart} at start, ${r.loadAtEnd} at the end.`,
    `Placement: ${r.placement}.`,
    `Load: autocannon, ${r.settings.connections} connections, ${r.settings.durationS} s per row after ${r.settings.warmupS} s warm-up; ` +
      `"1-conn p50" is the median of ${r.settings.aloneRequests} requests on one connection before the load; ` +
      `seeds ${r.settings.seeds.map(size).join(', ')}; ${size(r.settings.subscribers)} WebSocket subscribers. Total ${Math.round(r.totalS)} s.`,
    ...(warning ? ['', `**${warning}**`] : []),
    '',
    markdownTable(r.rows),
    '',
  ].join('\n');
}

export function size(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

/** latest.json/.md plus a timestamped copy of each. */
export function writeReport(dir: string, r: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/[:.]/g, '-');
  const files: [string, string][] = [
    ['latest.json', JSON.stringify(r, null, 2) + '\n'],
    ['latest.md', markdownReport(r)],
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    for (const file of [name, name.replace('latest', `${stamp}-${r.mode}`)]) {
      writeFileSync(join(dir, file), text);
      written.push(join(dir, file));
    }
  }
  return written;
}
