/**
 * Linux `perf` on the server's core during a measured run: where that core's time went, per
 * request, by function. WHY: on loopback the kernel does much of a request's work on the
 * writer's core (the receiving socket's TCP work, waking the reader), which a V8 CPU profile
 * does not see; `perf record -C` charges it to the core it is spent on. JavaScript functions
 * are named from the map the server writes with node's `--perf-basic-prof`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Nanoseconds of the core per function over one run, and that run's requests. */
export interface PerfTally {
  ns: Map<string, number>;
  requests: number;
}

/** How long `perf record` takes to start sampling: the load starts after it. */
const RECORDER_READY_MS = 500;

/**
 * Node flags for a server recorded with `perf`: V8 writes the map that names JavaScript
 * functions (`/tmp/perf-<pid>.map`), and its log goes to `workDir` instead of an
 * `isolate-*-v8.log` file per process in the checkout.
 */
export function perfNodeFlags(workDir: string): string[] {
  return ['--perf-basic-prof', `--logfile=${join(workDir, 'v8.log')}`, '--no-logfile-per-isolate'];
}

/** Throws a clear error when `perf` is missing, before anything is started. */
export function requirePerf(): void {
  if (spawnSync('perf', ['--version']).status !== 0) throw new Error('--perf needs Linux perf on the PATH (Debian: apt-get install linux-perf)');
}

let runs = 0;

/**
 * Starts recording CPU `cpu` (the server's, when it is pinned: softirq work done there for its
 * sockets included), or the process `pid` alone when the server is not pinned. Resolves once
 * sampling has started; `stop` ends it and tallies the samples by function.
 */
export async function recordCore(cpu: number | null, pid: number, workDir: string): Promise<{ stop(requests: number): Promise<PerfTally> }> {
  const file = join(workDir, `perf-${++runs}.data`);
  const target = cpu === null ? ['-p', String(pid)] : ['-C', String(cpu)];
  const recorder = spawn('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-g', '-o', file, ...target], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => recorder.once('exit', () => resolve()));
  await sleep(RECORDER_READY_MS);
  return {
    async stop(requests) {
      recorder.kill('SIGINT');
      await exited;
      try {
        return { ns: bySymbol(file), requests };
      } finally {
        rmSync(file, { force: true });
        rmSync(`/tmp/perf-${pid}.map`, { force: true });
      }
    },
  };
}

/** `perf report`'s sample periods (ns) per symbol, kernel ones as `[k] name`, the rest as `[.] name`. */
function bySymbol(file: string): Map<string, number> {
  const report = spawnSync('perf', ['report', '-i', file, '--stdio', '--no-children', '--sort', 'sym', '-g', 'none', '-F', 'period,sym'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (report.status !== 0) throw new Error(`perf report: ${report.stderr.trim()}`);
  const ns = new Map<string, number>();
  for (const line of report.stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\[[k.]\])\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const symbol = `${m[2]} ${m[3]}`;
    ns.set(symbol, (ns.get(symbol) ?? 0) + Number(m[1]));
  }
  return ns;
}

/** Every run of a side together: µs per request by symbol, and in all. */
function perRequest(tallies: PerfTally[]): { total: number; bySymbol: Map<string, number> } {
  const requests = tallies.reduce((n, t) => n + t.requests, 0);
  const bySymbol = new Map<string, number>();
  for (const t of tallies) for (const [sym, ns] of t.ns) bySymbol.set(sym, (bySymbol.get(sym) ?? 0) + ns / 1000 / requests);
  let total = 0;
  for (const us of bySymbol.values()) total += us;
  return { total, bySymbol };
}

const us = (v: number | undefined) => (v ?? 0).toFixed(2).padStart(8);

/** Prints the `top` functions by µs per request (the largest on either side first), each side a column. */
export function printPerf(sides: { label: string; tallies: PerfTally[] }[], top: number): void {
  const figures = sides.map((s) => perRequest(s.tallies));
  const kernel = (f: ReturnType<typeof perRequest>) => [...f.bySymbol].filter(([sym]) => sym.startsWith('[k]')).reduce((n, [, v]) => n + v, 0);
  console.log(`  the server's core, µs per request; columns: ${sides.map((s) => `${s.label} (${s.tallies.length} runs)`).join(', ')}`);
  console.log(`  ${figures.map((f) => us(f.total)).join('')}  in all`);
  console.log(`  ${figures.map((f) => us(kernel(f))).join('')}  of it in the kernel ([k])`);
  const names = new Set(figures.flatMap((f) => [...f.bySymbol.keys()]));
  const ranked = [...names].sort((a, b) => Math.max(...figures.map((f) => f.bySymbol.get(b) ?? 0)) - Math.max(...figures.map((f) => f.bySymbol.get(a) ?? 0)));
  for (const sym of ranked.slice(0, top)) console.log(`  ${figures.map((f) => us(f.bySymbol.get(sym))).join('')}  ${sym.slice(0, 110)}`);
}
