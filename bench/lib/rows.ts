/** Each row of the table: start what it needs, load it, stop it. */
import { join } from 'node:path';
import { cpuSeconds, spawnServer, type Child, type Placement } from './child.ts';
import { runCopy, type Dataset } from './dataset.ts';
import { failures, runLoad, type LoadResult, type Request } from './load.ts';
import { serverArgs, serverEnv } from './notify24.ts';
import { measurePush, pushNote, type PushOutcome } from './push.ts';
import { size, type Row } from './report.ts';
import { median } from './stats.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface Settings {
  connections: number;
  durationS: number;
  warmupS: number;
  /** Requests on one connection, before the load, for the unloaded p50. */
  aloneRequests: number;
  seeds: number[];
  /** The largest push row; smaller ones (pushSteps) are measured before it, for the push chart. */
  subscribers: number;
  pushSteps: number[];
  pushSends: number;
  /** Users of the one-connection-per-user push rows (one row each). */
  pushUsers: number[];
  /** Sends of those rows, each to one user picked at random. */
  pushUserSends: number;
  /** Processes the push rows' WebSocket clients are spread over. */
  clientProcesses: number;
  coldStarts: number;
}

export interface Ctx {
  settings: Settings;
  placement: Placement;
  workDir: string;
  /** Extra node flags for notify24 children (`--cpu-prof` when profiling). */
  nodeFlags?: string[];
  log: (line: string) => void;
}

/** `env`: settings on top of the bench's own (HTTPS, PostgreSQL, Redis). */
export function startNotify24(ctx: Ctx, dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  return spawnServer({ args: serverArgs(), env: { ...serverEnv(dataDir), ...env }, readyPath: '/readyz', placement: ctx.placement, nodeFlags: ctx.nodeFlags });
}

/**
 * One answer checked by hand before loading: autocannon counts HTTP statuses only, and a
 * REST error inside a 200 (or a wrong path) must not pass for a fast request.
 */
async function probe(base: string, r: Request): Promise<void> {
  const req = typeof r.setupRequest === 'function' ? r.setupRequest({ ...r }, {}) : r;
  const res = await fetch(base + req.path, { method: req.method, headers: req.headers as Record<string, string>, body: req.body === undefined ? undefined : String(req.body) });
  const text = await res.text();
  if (res.status !== 200 || /"error"\s*:/.test(text)) throw new Error(`probe ${req.path}: HTTP ${res.status} ${text.slice(0, 200)}`);
}

export interface Measured {
  loaded: LoadResult;
  /** One connection, one request at a time, on the fresh server: no queueing in the figure. */
  alone: LoadResult | null;
  /** How long the measured run lasted (longer than the setting for slow rows). */
  durationS: number;
  /** A slow row: no loaded warm-up, maybe a longer run. */
  slow: boolean;
  /** Requests of the loaded warm-up (0 when skipped). */
  warmupRequests: number;
  /** Server CPU (user + system) per request of the measured run, ms; null when not asked for. */
  cpuMs: number | null;
}

/** Longest a measured run may be stretched to for a slow row. */
const MAX_RUN_S = 120;

/** A request costing this much alone makes a slow row. */
const SLOW_MS = 10;

/**
 * One connection first (a server just started has nothing queued, so this is the request's own
 * cost; it also warms the JIT), then a warm-up under load, then the measured run.
 * A slow row skips the loaded warm-up — the requests it leaves in flight would still be queued
 * in the server when the measured run starts — and its run is stretched so every connection
 * finishes about three requests: with 50 connections and 600 ms a request, the first answers
 * only come after ~30 s.
 */
export async function load(ctx: Ctx, url: string, requests: Request[], check = true, serverPid: number | null = null): Promise<Measured> {
  const s = ctx.settings;
  if (check) await probe(url, requests[0]!);
  const alone = s.aloneRequests ? await runLoad({ url, connections: 1, amount: s.aloneRequests, requests }) : null;
  const aloneMs = alone?.p50 ?? 0;
  const spec = { url, connections: s.connections, requests };
  const warmup = aloneMs < SLOW_MS ? await runLoad({ ...spec, duration: s.warmupS }) : null;
  const duration = Math.min(MAX_RUN_S, Math.max(s.durationS, Math.ceil((3 * aloneMs * s.connections) / 1000)));
  // The server's CPU per request hardly moves when other work shares the machine (req/s does).
  const cpuBefore = serverPid === null ? 0 : cpuSeconds(serverPid);
  const loaded = await runLoad({ ...spec, duration });
  const cpuMs = serverPid === null || !loaded.requests ? null : ((cpuSeconds(serverPid) - cpuBefore) * 1000) / loaded.requests;
  return { alone, loaded, durationS: duration, slow: aloneMs >= SLOW_MS, warmupRequests: warmup?.requests ?? 0, cpuMs };
}

export function loadRow(name: string, m: Measured, note: string): Row {
  const r = m.loaded;
  const bad = [failures(r), m.alone && failures(m.alone) ? `alone: ${failures(m.alone)}` : null].filter(Boolean).join('; ');
  const stretched = m.slow ? `slow row: no loaded warm-up, measured over ${m.durationS} s` : '';
  const cpu = m.cpuMs === null ? '' : `server CPU ${m.cpuMs.toFixed(3)} ms/request`;
  return {
    name,
    rps: r.rps,
    p50: r.p50,
    p99: r.p99,
    aloneP50: m.alone?.p50 ?? null,
    ratio: null,
    ...(m.cpuMs === null ? {} : { cpuMs: m.cpuMs }),
    note: [note, cpu, stretched, bad].filter(Boolean).join('; '),
  };
}

/** A row that threw still gets its line: the table must show every row, and why one failed. */
export async function guarded(name: string, measure: () => Promise<Row | Row[]>): Promise<Row[]> {
  try {
    const r = await measure();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    return [{ name, rps: null, p50: null, p99: null, aloneP50: null, ratio: null, note: `failed: ${(err as Error).message}` }];
  }
}

export async function floorRow(ctx: Ctx, sample: Request, name = 'floor (bare node:http, fixed JSON)'): Promise<Row> {
  const floor = await spawnServer({ args: ['--import', 'tsx', join(ROOT, 'bench/floor-server.ts')], readyPath: '/', placement: ctx.placement });
  try {
    // The same request a send row makes, so both sides read the same bytes.
    const m = await load(ctx, floor.url, [sample], false, floor.pid);
    return loadRow(name, m, 'same connections and request as the send row');
  } finally {
    await floor.stop();
  }
}

/** Spawn to first 200 on /readyz, on a folder that already holds data; median of a few. */
export async function coldStartRow(ctx: Ctx, ds: Dataset, firstStartMs: number): Promise<Row> {
  const copy = runCopy(ds, ctx.workDir, 'cold');
  const times: number[] = [];
  for (let i = 0; i < ctx.settings.coldStarts; i++) {
    const server = await startNotify24(ctx, copy.dir);
    times.push(server.startMs);
    await server.stop();
  }
  return {
    name: 'cold start (spawn → /readyz 200)',
    rps: null,
    p50: median(times),
    p99: null,
    aloneP50: null,
    ratio: null,
    note: `median of ${times.length}, max ${Math.round(Math.max(...times))} ms; first start on an empty folder ${Math.round(firstStartMs)} ms`,
  };
}

export interface RestCase {
  name: string;
  requests: (ds: Dataset) => Request[];
  note: (r: LoadResult, ds: Dataset) => string;
}

/** A fresh copy of the data per row: every row starts from the same stored state. */
export async function restRow(ctx: Ctx, ds: Dataset, c: RestCase): Promise<Row> {
  const copy = runCopy(ds, ctx.workDir, 'rest');
  const server = await startNotify24(ctx, copy.dir);
  try {
    const m = await load(ctx, server.url, c.requests(copy), true, server.pid);
    return loadRow(c.name, m, c.note(m.loaded, copy));
  } finally {
    await server.stop();
  }
}

/**
 * The same rows over a large seed, one fresh server each: a slow run leaves requests the server
 * is still working through after the load generator gave up, and they must not land in the
 * next row. get runs first on the seed folder itself (copying 1 M rows per row costs more than
 * the row), since it leaves the stored data as it found it; send runs last.
 */
export async function growthRows(ctx: Ctx, ds: Dataset, cases: RestCase[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases) {
    const server = await startNotify24(ctx, ds.dir);
    try {
      const m = await load(ctx, server.url, c.requests(ds), true, server.pid);
      rows.push(loadRow(`${c.name} @${size(ds.size)}`, m, `${c.note(m.loaded, ds)}; server start ${Math.round(server.startMs)} ms`));
    } finally {
      await server.stop();
    }
  }
  return rows;
}

export async function pushRow(ctx: Ctx, ds: Dataset, n = ctx.settings.subscribers): Promise<Row> {
  const name = `push, ${size(n)} WebSocket subscribers`;
  const copy = runCopy(ds, ctx.workDir, 'push');
  const server = await startNotify24(ctx, copy.dir);
  try {
    return pushFiguresRow(name, await measurePush(server, ds.webhookCode, ds.webUserId, n, ctx.settings.pushSends, ctx.settings.clientProcesses, ctx.placement), `send→receipt over ${ctx.settings.pushSends} sends × ${size(n)}`);
  } finally {
    await server.stop();
  }
}

/**
 * The broadcast's floor: a server that does nothing but write one prebuilt frame to each of
 * `n` WebSockets (bench/push-floor-server.ts), measured with the same clients and sends as
 * notify24's broadcast row. Its latency and CPU per frame are what this machine allows any
 * server; the broadcast row is read against them.
 */
export async function pushFloorRow(ctx: Ctx, n = ctx.settings.subscribers): Promise<Row> {
  const floor = await spawnServer({ args: ['--import', 'tsx', join(ROOT, 'bench/push-floor-server.ts')], readyPath: '/readyz', placement: ctx.placement });
  try {
    const p = await measurePush(floor, 'floor', 1, n, ctx.settings.pushSends, ctx.settings.clientProcesses, ctx.placement);
    return pushFiguresRow(`floor, push (one write per socket), ${size(n)} WebSockets`, p, `the same clients and sends as the broadcast row below`);
  } finally {
    await floor.stop();
  }
}

function pushFiguresRow(name: string, p: PushOutcome, what: string): Row {
  if ('skipped' in p) return { name, rps: null, p50: null, p99: null, aloneP50: null, ratio: null, note: p.skipped };
  const usPerFrame = (p.serverCpuS * 1e6) / (p.subscribers * p.sends);
  return { name, rps: null, p50: p.p50, p99: p.p99, aloneP50: null, ratio: null, usPerFrame, note: `${what}; server CPU ${usPerFrame.toFixed(1)} µs per frame; ${pushNote(p)}` };
}
