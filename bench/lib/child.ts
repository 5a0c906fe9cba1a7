/**
 * Servers under test run as child processes so the load generator (this process) and the
 * server never share an event loop; on a 2-core machine each side is pinned to its own core
 * when `taskset` is available, so the numbers do not depend on where the scheduler put them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface Placement {
  /** CPU the load generator (this process) runs on, or null when not pinned. */
  loadCpu: number | null;
  /** CPU the server child runs on, or null when not pinned. */
  serverCpu: number | null;
}

/** Long enough to write a CPU profile of a busy run. */
const STOP_TIMEOUT_MS = 20_000;

const hasTaskset = spawnSync('taskset', ['--version']).status === 0;

/** With two or more cores: load generator on CPU 0, server on CPU 1. */
export function placement(): Placement {
  if (!hasTaskset || cpus().length < 2) return { loadCpu: null, serverCpu: null };
  return { loadCpu: 0, serverCpu: 1 };
}

/** Pins this process (and the threads it already has) to the load generator's CPU. */
export function pinSelf(p: Placement): void {
  if (p.loadCpu === null) return;
  spawnSync('taskset', ['-a', '-p', '-c', String(p.loadCpu), String(process.pid)]);
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:port` once it listens. */
  url: string;
  /** `https://127.0.0.1:port` when it also listens over TLS (printed on the same line). */
  httpsUrl: string | null;
  /** Milliseconds from spawn to the first 200 on the readiness URL. */
  startMs: number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Arguments to `node`, e.g. `['bin/notify24.js', 'serve']`. */
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Path probed until it answers 200 (`/readyz`). */
  readyPath: string;
  /** Extra flags for node itself (`--cpu-prof`). */
  nodeFlags?: string[];
  placement: Placement;
  /** The checkout to run it from (another commit's worktree for a before-and-after); this one by default. */
  cwd?: string;
}

/**
 * The first line a child prints with an `http://host:port`: both servers print their URLs once
 * listening, the HTTPS one (if any) on the same line.
 */
function waitForUrl(proc: ChildProcess): Promise<{ url: string; httpsUrl: string | null }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: proc.stdout! });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += String(d)));
    lines.on('line', (line) => {
      const m = /http:\/\/[\d.]+:\d+/.exec(line);
      if (m) resolve({ url: m[0], httpsUrl: /https:\/\/[\d.]+:\d+/.exec(line)?.[0] ?? null });
    });
    proc.once('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${stderr.trim()}`)));
  });
}

/** A server not ready in this long is broken, not slow: the row fails instead of hanging. */
const READY_TIMEOUT_MS = 60_000;

async function waitReady(url: string): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not accepting yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${url} did not answer 200 within ${READY_TIMEOUT_MS / 1000} s`);
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function spawnServer(o: SpawnOptions): Promise<Child> {
  const nodeArgs = [...(o.nodeFlags ?? []), ...o.args];
  const [cmd, args] =
    o.placement.serverCpu === null ? ['node', nodeArgs] : ['taskset', ['-c', String(o.placement.serverCpu), 'node', ...nodeArgs]];
  const started = performance.now();
  const proc = spawn(cmd as string, args as string[], { cwd: o.cwd ?? ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let url: string;
  let httpsUrl: string | null;
  try {
    ({ url, httpsUrl } = await withDeadline(waitForUrl(proc), `${o.args.join(' ')} printed no URL`));
    await waitReady(url + o.readyPath);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  const startMs = performance.now() - started;
  return {
    proc,
    pid: proc.pid!,
    url,
    httpsUrl,
    startMs,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      // A server that does not wind down in time is killed: the run must go on.
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in KiB (VmRSS of /proc/<pid>/status). */
export function rssKib(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Clock ticks per second of /proc/<pid>/stat: 100 on every mainstream Linux build. */
const CLK_TCK = 100;

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
