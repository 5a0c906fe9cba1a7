/**
 * `npm run bench -- --soak`: a long run under the load one busy team produces, reported per
 * 30 s window. REST traffic on 32 kept-alive connections (60 % get / 30 % send / 10 % read.all,
 * all as one web user), 200 WebSocket clients of that user that stay connected, 20 WebSocket
 * opens and closes a second, and `server.time` on fresh connections 4 times a second. Each kind
 * of client is its own process (bench/soak-client.ts), pinned with the others away from the
 * server's CPU when `taskset` is there. Checks at the end: no REST errors, stored =
 * acknowledged, every steady client got every acknowledged notification in order.
 *
 * `--root <dir>` runs the server (and its CLI) of another checkout, e.g. an earlier commit in a
 * `git worktree`, with this bench's clients: the before-and-after of docs/performance.md.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatSummary, summarise } from '../profile-summary.ts';
import { listenQueues } from '../../src/observability/accept-queue.ts';
import { cpuSeconds, rssKib, spawnServer, type Child, type Placement } from './child.ts';
import { machine } from './machine.ts';
import { serverEnv } from './notify24.ts';
import { percentile } from './stats.ts';
import type { SoakClientConfig } from '../soak-client.ts';

const BENCH = new URL('../', import.meta.url).pathname;
const WINDOW_S = 30;
const LOGIN = { login: 'soak', password: 'soak-password-1' };

export interface SoakOptions {
  root: string;
  workDir: string;
  placement: Placement;
  durationS: number;
  /** REST connections and steady clients (32 and 200; smaller to tell which load does what). */
  connections?: number;
  steadyClients?: number;
  /** Extra NOTIFY24_* settings for the server under test (`NOTIFY24_ACCEPTOR=1`). */
  env?: NodeJS.ProcessEnv;
  /** Run the server under `node --cpu-prof`, writing its profile here (summarised after the run). */
  cpuProfDir?: string;
  log: (line: string) => void;
}

interface Second {
  second: number;
  [key: string]: number | number[] | undefined;
}

interface Window {
  from: number;
  restPerS: number;
  sendsPerS: number;
  restP99: number;
  restErrors: number;
  probeP50: number;
  probeP99: number;
  probeMax: number;
  probes: number;
  probeFailed: number;
  churnOpens: number;
  churnReady: number;
  churnP99: number;
  framesPerS: number;
  loopP99: number | null;
  loopMax: number | null;
  acceptQueueMax: number;
  rssMiB: number;
  fds: number;
  serverCpu: number;
  load: number;
}

export interface SoakReport {
  date: string;
  label: string;
  machine: ReturnType<typeof machine>;
  placement: string;
  durationS: number;
  windows: Window[];
  totals: Record<string, number | string>;
  checks: Array<{ check: string; ok: boolean; detail: string }>;
}

function cli(root: string, dataDir: string, args: string[]): string {
  const r = spawnSync('node', ['bin/notify24.js', ...args], { cwd: root, env: { ...process.env, ...serverEnv(dataDir) }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`notify24 ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** A fresh data folder with the web user and a webhook of theirs (made by the server under test). */
async function prepare(o: SoakOptions): Promise<{ dataDir: string; userId: number; hook: string }> {
  const dataDir = join(o.workDir, 'soak');
  mkdirSync(dataDir, { recursive: true });
  const first = await spawnServer({ args: ['bin/notify24.js', 'serve'], env: serverEnv(dataDir), readyPath: '/readyz', placement: o.placement, cwd: o.root });
  await first.stop();
  const created = /user (\d+)/.exec(cli(o.root, dataDir, ['user', 'add', '--login', LOGIN.login, '--password', LOGIN.password]));
  if (!created) throw new Error('user add printed no id');
  const userId = Number(created[1]);
  const hook = /\/rest\/\d+\/[^/\s]+\//.exec(cli(o.root, dataDir, ['webhook', 'add', '--user', String(userId), '--scope', 'im']));
  if (!hook) throw new Error('webhook add printed no URL');
  return { dataDir, userId, hook: hook[0] };
}

async function signIn(base: string): Promise<string> {
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(LOGIN).toString(),
    redirect: 'manual',
  });
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]!).filter((c) => !c.endsWith('=')).join('; ');
  if (!cookie) throw new Error(`web login failed: HTTP ${res.status}`);
  return cookie;
}

interface Role {
  proc: ChildProcess;
  seconds: Second[];
  final: Promise<Record<string, unknown>>;
  connected: Promise<void>;
}

function startRole(cfg: SoakClientConfig, p: Placement): Role {
  const proc = fork(join(BENCH, 'soak-client.ts'), [JSON.stringify(cfg)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (p.loadCpu !== null) spawnSync('taskset', ['-a', '-p', '-c', String(p.loadCpu), String(proc.pid)]);
  const seconds: Second[] = [];
  let connected!: () => void;
  const role: Role = {
    proc,
    seconds,
    connected: new Promise((r) => (connected = r)),
    final: new Promise((resolve, reject) => {
      proc.on('message', (m: Record<string, unknown>) => {
        if ('final' in m) resolve(m.final as Record<string, unknown>);
        else if ('connected' in m) connected();
        else seconds.push(m as unknown as Second);
      });
      proc.once('exit', (code) => reject(new Error(`soak ${cfg.role} client exited (${code})`)));
    }),
  };
  return role;
}

/** Prometheus text → value of a series (first match), or null. */
function metric(text: string, name: string, labels = ''): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
}

/** Event-loop delay of the window that this scrape ends, in ms (the server resets it per scrape). */
async function loopDelay(base: string): Promise<{ p99: number | null; max: number | null }> {
  try {
    const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(25_000) });
    const text = await res.text();
    const ours = metric(text, 'notify24_event_loop_delay_seconds', '{stat="p99"}');
    const p99 = ours ?? metric(text, 'nodejs_eventloop_lag_p99_seconds');
    const max = ours === null ? metric(text, 'nodejs_eventloop_lag_max_seconds') : metric(text, 'notify24_event_loop_delay_seconds', '{stat="max"}');
    return { p99: p99 === null ? null : p99 * 1000, max: max === null ? null : max * 1000 };
  } catch {
    return { p99: null, max: null };
  }
}

/** The server and its children (the server process behind an acceptor). */
function tree(pid: number): number[] {
  const kids: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) kids.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return [pid, ...kids.flatMap(tree)];
}
const sumOver = (pid: number, f: (p: number) => number) => tree(pid).reduce((a, p) => { try { return a + f(p); } catch { return a; } }, 0);
const fdCount = (pid: number) => sumOver(pid, (p) => readdirSync(`/proc/${p}/fd`).length);
const port = (url: string) => Number(new URL(url).port);

function acceptQueue(p: number): number {
  const text = ['/proc/net/tcp', '/proc/net/tcp6'].map((f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } }).join('\n');
  const sample = listenQueues(text, [{ name: 'http', port: p }]);
  return Array.isArray(sample) ? (sample[0]?.[1] ?? 0) : 0;
}

interface ServerSample {
  second: number;
  rssKib: number;
  fds: number;
  cpuS: number;
  acceptQueue: number;
  load: number;
}

function inWindow<T extends { second: number }>(rows: T[], w: number): T[] {
  return rows.filter((r) => r.second >= w * WINDOW_S && r.second < (w + 1) * WINDOW_S);
}
const total = (rows: Second[], key: string) => rows.reduce((a, r) => a + ((r[key] as number | undefined) ?? 0), 0);
const all = (rows: Second[], key: string) => rows.flatMap((r) => (r[key] as number[] | undefined) ?? []).sort((a, b) => a - b);

export async function soak(o: SoakOptions, label: string): Promise<SoakReport> {
  const atStart = machine();
  const { dataDir, userId, hook } = await prepare(o);
  const nodeFlags = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [];
  const server: Child = await spawnServer({ args: ['bin/notify24.js', 'serve'], env: { ...serverEnv(dataDir), ...o.env }, nodeFlags, readyPath: '/readyz', placement: o.placement, cwd: o.root });
  const roles: Role[] = [];
  try {
    const base = server.url;
    const cookie = await signIn(base);
    const common = { base, hook, userId, cookie, durationS: o.durationS, connections: o.connections ?? 32, steadyClients: o.steadyClients ?? 200, churnPerS: 20, probesPerS: 4 };
    // The steady clients report by epoch second (they start before the load's start is known).
    const steady = startRole({ ...common, role: 'steady', startAt: 0 }, o.placement);
    roles.push(steady);
    await Promise.race([steady.connected, steady.final]);
    o.log(`soak: ${common.steadyClients} steady WebSocket clients connected; ${o.durationS} s of load from now`);
    const fdsIdle = fdCount(server.pid);
    const startAt = Math.ceil((Date.now() + 2000) / 1000) * 1000;
    const others = (['rest', 'churn', 'probe'] as const).map((role) => startRole({ ...common, role, startAt }, o.placement));
    roles.push(...others);
    const [rest, churn, probe] = others as [Role, Role, Role];
    // Samples of the server once a second; a scrape at every window's end.
    const samples: ServerSample[] = [];
    const loops: Array<{ p99: number | null; max: number | null }> = [];
    await new Promise((r) => setTimeout(r, startAt - Date.now()));
    await loopDelay(base); // the first window starts now
    const t0 = performance.now();
    const windows = Math.ceil(o.durationS / WINDOW_S);
    for (let s = 0; s < o.durationS; s++) {
      await new Promise((r) => setTimeout(r, Math.max(0, t0 + (s + 1) * 1000 - performance.now())));
      samples.push({ second: s, rssKib: sumOver(server.pid, rssKib), fds: fdCount(server.pid), cpuS: sumOver(server.pid, cpuSeconds), acceptQueue: acceptQueue(port(base)), load: loadavg()[0]! });
      if ((s + 1) % WINDOW_S === 0 || s + 1 === o.durationS) {
        loops.push(await loopDelay(base));
        o.log(`soak: ${s + 1} s`);
      }
    }
    const restFinal = (await rest.final) as { acked: number[]; errors: number; sent: number };
    await Promise.all([churn.final, probe.final]);
    steady.proc.send({ stop: restFinal.acked.length });
    const steadyFinal = (await steady.final) as { clients: number; got: Array<[number, number]>; duplicates: number; outOfOrder: number; reconnects: number; resyncs: number; closes: Record<string, number> };
    for (const x of steady.seconds) x.second -= startAt / 1000;
    const fdsAfter = fdCount(server.pid);
    const stored = await storedCount(base, hook);

    const cpuAt = (s: number) => samples.find((x) => x.second === s)?.cpuS ?? NaN;
    const rows: Window[] = [];
    for (let w = 0; w < windows; w++) {
      const r = inWindow(rest.seconds, w);
      const pr = inWindow(probe.seconds, w);
      const ch = inWindow(churn.seconds, w);
      const st = inWindow(steady.seconds, w);
      const sv = inWindow(samples, w);
      const span = Math.max(1, Math.min(WINDOW_S, o.durationS - w * WINDOW_S));
      const restMs = all(r, 'ms');
      const probeMs = all(pr, 'ms');
      const last = sv.at(-1)!;
      rows.push({
        from: w * WINDOW_S,
        restPerS: total(r, 'requests') / span,
        sendsPerS: total(r, 'acks') / span,
        restP99: percentile(restMs, 99),
        restErrors: total(r, 'errors'),
        probeP50: percentile(probeMs, 50),
        probeP99: percentile(probeMs, 99),
        probeMax: probeMs.at(-1) ?? NaN,
        probes: total(pr, 'probes'),
        probeFailed: total(pr, 'failed'),
        churnOpens: total(ch, 'opens'),
        churnReady: total(ch, 'ready'),
        churnP99: percentile(all(ch, 'ms'), 99),
        framesPerS: total(st, 'frames') / span,
        loopP99: loops[w]?.p99 ?? null,
        loopMax: loops[w]?.max ?? null,
        acceptQueueMax: Math.max(...sv.map((x) => x.acceptQueue)),
        rssMiB: last.rssKib / 1024,
        fds: last.fds,
        serverCpu: (cpuAt(last.second) - (w === 0 ? cpuAt(0) : cpuAt(w * WINDOW_S - 1))) / span,
        load: last.load,
      });
    }

    const acked = restFinal.acked;
    const got = new Map(steadyFinal.got);
    const missing = acked.reduce((a, id) => a + (steadyFinal.clients - (got.get(id) ?? 0)), 0);
    const opens = total(churn.seconds, 'opens');
    const ready = total(churn.seconds, 'ready');
    const probes = total(probe.seconds, 'probes');
    const probeFailed = total(probe.seconds, 'failed');
    const probeAll = all(probe.seconds, 'ms');
    const restAll = all(rest.seconds, 'ms');
    const cpuS = cpuAt(o.durationS - 1) - cpuAt(0);
    const frames = total(steady.seconds, 'frames');
    const checks = [
      { check: 'no REST errors', ok: restFinal.errors === 0, detail: `${restFinal.errors} errors of ${total(rest.seconds, 'requests') + restFinal.errors} requests` },
      { check: 'stored = acknowledged', ok: stored === acked.length, detail: `${stored} stored, ${acked.length} acknowledged (${restFinal.sent} sent)` },
      { check: '100 % delivery to steady clients, in order', ok: missing === 0 && steadyFinal.duplicates === 0 && steadyFinal.outOfOrder === 0, detail: `${missing} missing of ${acked.length * steadyFinal.clients}; ${steadyFinal.duplicates} duplicates; ${steadyFinal.outOfOrder} out of order; ${steadyFinal.reconnects} reconnects (close codes ${JSON.stringify(steadyFinal.closes)}), ${steadyFinal.resyncs} resyncs` },
      { check: 'fresh connections: none failed', ok: probeFailed === 0, detail: `${probeFailed} of ${probes} failed (20 s limit)` },
      { check: 'churn: ≥ 95 % of opens reach ready', ok: opens > 0 && ready / opens >= 0.95, detail: `${ready} of ${opens} (${((100 * ready) / Math.max(1, opens)).toFixed(1)} %)` },
      { check: 'no leaked sockets', ok: fdsAfter <= fdsIdle + 10, detail: `${fdsIdle} fds with the steady clients before the load, ${fdsAfter} after it` },
    ];
    return {
      date: new Date().toISOString(),
      label,
      machine: atStart,
      placement: o.placement.serverCpu === null ? 'not pinned' : `server on CPU ${o.placement.serverCpu}; the four client processes on CPU ${o.placement.loadCpu}`,
      durationS: o.durationS,
      windows: rows,
      totals: {
        restPerS: total(rest.seconds, 'requests') / o.durationS,
        sendsPerS: acked.length / o.durationS,
        restP99: percentile(restAll, 99),
        probeP50: percentile(probeAll, 50),
        probeP99: percentile(probeAll, 99),
        probeMax: probeAll.at(-1) ?? NaN,
        churnReadyPct: (100 * ready) / Math.max(1, opens),
        // What the server's work costs, whatever share of its core it got: CPU per send (with its
        // share of gets and read-alls) and per frame delivered to the steady clients.
        cpuMsPerSend: (1000 * cpuS) / Math.max(1, acked.length * ((o.durationS - 1) / o.durationS)),
        cpuUsPerFrame: (1e6 * cpuS) / Math.max(1, frames * ((o.durationS - 1) / o.durationS)),
        loadAtEnd: loadavg()[0]!,
        cpus: cpus().length,
      },
      checks,
    };
  } finally {
    for (const r of roles) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    await server.stop();
    if (o.cpuProfDir) {
      for (const name of readdirSync(o.cpuProfDir).filter((n) => n.endsWith('.cpuprofile'))) {
        o.log(`soak: server CPU profile ${join(o.cpuProfDir, name)}\n${formatSummary(summarise(JSON.parse(readFileSync(join(o.cpuProfDir, name), 'utf8'))))}`);
      }
    }
  }
}

async function storedCount(base: string, hook: string): Promise<number> {
  const res = await fetch(`${base}${hook}im.notify.get.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"LIMIT":1}' });
  const body = (await res.json()) as { result?: { total_count?: number } };
  return body.result?.total_count ?? 0;
}

const f = (v: number | null, digits = 0) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(digits));

export function soakTable(r: SoakReport): string {
  const head = ['window', 'REST req/s', 'sends/s', 'REST p99 ms', 'fresh server.time p50 / p99 / max ms (failed)', 'churn ready (p99 ms)', 'loop delay p99 / max ms', 'accept queue max', 'frames/s to steady', 'server CPU', 'RSS MiB', 'fds', 'load'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const w of r.windows) {
    lines.push(`| ${w.from}–${w.from + WINDOW_S} s | ${f(w.restPerS)} | ${f(w.sendsPerS)} | ${f(w.restP99)} | ${f(w.probeP50)} / ${f(w.probeP99)} / ${f(w.probeMax)} (${w.probeFailed} of ${w.probes}) | ${w.churnReady}/${w.churnOpens} = ${f((100 * w.churnReady) / Math.max(1, w.churnOpens), 1)} % (${f(w.churnP99)}) | ${f(w.loopP99)} / ${f(w.loopMax)} | ${w.acceptQueueMax} | ${f(w.framesPerS)} | ${f(w.serverCpu * 100)} % | ${f(w.rssMiB)} | ${w.fds} | ${f(w.load, 1)} |`);
  }
  const t = r.totals;
  lines.push('');
  lines.push(`Whole run: ${f(t.restPerS as number)} REST req/s, ${f(t.sendsPerS as number, 1)} sends/s, REST p99 ${f(t.restP99 as number)} ms; fresh server.time p50 ${f(t.probeP50 as number)} / p99 ${f(t.probeP99 as number)} / max ${f(t.probeMax as number)} ms; churn ${f(t.churnReadyPct as number, 1)} % ready; server CPU ${f(t.cpuMsPerSend as number, 2)} ms per send, ${f(t.cpuUsPerFrame as number, 1)} µs per frame to the steady clients.`);
  lines.push('');
  for (const c of r.checks) lines.push(`- ${c.ok ? 'PASS' : 'FAIL'} ${c.check}: ${c.detail}`);
  return lines.join('\n');
}

/** bench/results/soak-<date>.{json,md}; returns the paths written. */
export function writeSoak(dir: string, r: SoakReport, table: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = r.date.replace(/[:.]/g, '-');
  const json = join(dir, `soak-${stamp}.json`);
  const md = join(dir, `soak-${stamp}.md`);
  writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  const m = r.machine;
  writeFileSync(md, `# Soak ${r.date} (${r.label})\n\n${m.cpus} × ${m.cpuModel}, Node ${m.node}, load average ${m.loadAtStart} at the start; ${r.placement}; ${r.durationS} s.\n\n${table}\n`);
  return [json, md];
}
