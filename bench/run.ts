/**
 * `npm run bench [-- --quick]`: throughput, latency, growth with stored data and push fan-out
 * of notify24, each as a ratio to a bare node:http server on the same machine. Writes
 * bench/results/latest.{json,md}. `-- --profile <row> [--seed N] [--https]` instead runs one row against
 * a server under `node --cpu-prof` and prints where its time goes (docs/performance.md).
 * Every run also times `startPortal()` and `reset()` (the test kit); `-- --snapshot` adds the
 * export and import of the largest seeded store (1M notifications in a full run). `-- --testkit`
 * runs only those rows (with `--snapshot`: 1M rows, 100k with `--quick`) and prints them.
 * Every run also draws docs/charts/*.svg, against `--before <report.json>` when given;
 * `-- --charts <report.json> [--before <report.json>]` only draws them from stored reports.
 * `-- --only <text>` runs only the steps whose name holds the text (and the floors), printed, not stored.
 * `-- --soak [--seconds 150] [--root <checkout>] [--label L] [--acceptor] [--cpu-prof]` instead runs the soak (bench/lib/soak.ts)
 * and writes bench/results/soak-*.{json,md}.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pinSelf, placement, type Placement } from './lib/child.ts';
import { makeBase, makeDataset, type Dataset } from './lib/dataset.ts';
import { machine } from './lib/machine.ts';
import { sendRequest } from './lib/notify24.ts';
import { CASES } from './lib/cases.ts';
import { driftWarning, size, textTable, writeReport, type Report, type Row } from './lib/report.ts';
import { coldStartRow, floorRow, growthRows, guarded, pushFloorRow, pushRow, restRow, type Ctx, type Settings } from './lib/rows.ts';
import { profileRow } from './lib/profile.ts';
import { writeCharts } from './lib/charts.ts';
import { readFileSync } from 'node:fs';
import { snapshotRows, testkitRows } from './lib/testkit.ts';
import { soak, soakTable, writeSoak } from './lib/soak.ts';
import { httpsFloorRow, httpsRows, makeTls } from './lib/https.ts';
import { compareWithSqlite, pgRows } from './lib/pg.ts';
import { pushUsersRow } from './lib/push-users.ts';

const RESULTS = new URL('./results/', import.meta.url).pathname;
const ROOT = new URL('../', import.meta.url).pathname;
/** Drawn where docs/performance.md shows them. */
const CHARTS = new URL('../docs/charts/', import.meta.url).pathname;

const QUICK: Settings = { connections: 50, durationS: 5, warmupS: 1, aloneRequests: 20, seeds: [1000, 100_000], subscribers: 1000, pushSteps: [100], pushSends: 10, pushUsers: [1000], pushUserSends: 100, clientProcesses: 4, coldStarts: 3 };
const FULL: Settings = { connections: 50, durationS: 10, warmupS: 2, aloneRequests: 50, seeds: [1000, 100_000, 1_000_000], subscribers: 10_000, pushSteps: [100, 1000], pushSends: 20, pushUsers: [1000, 10_000], pushUserSends: 300, clientProcesses: 4, coldStarts: 5 };

/** Milliseconds as the log shows them. */
const fmt = (v: number | null) => (v === null ? '—' : v < 10 ? v.toFixed(1) : Math.round(v).toString());

function describe(p: Placement): string {
  return p.serverCpu === null
    ? 'load generator (autocannon) in this process, WebSocket clients in client processes, each server in its own child process, not pinned (no taskset)'
    : `load generator (autocannon) in this process and WebSocket clients in client processes, on CPU ${p.loadCpu}; each server (floor, notify24) in its own child process pinned to CPU ${p.serverCpu}`;
}

async function benchmark(ctx: Ctx, mode: 'quick' | 'full', snapshot: boolean, only: string | null = null): Promise<Report> {
  const started = performance.now();
  const atStart = machine();
  const s = ctx.settings;
  const base = await makeBase(ctx.workDir, ctx.placement);
  const rows: Row[] = [];
  // `--only`: the steps whose name holds that text, with the floors they are measured against.
  const wanted = (name: string) => only === null || name.startsWith('floor') || name.toLowerCase().includes(only.toLowerCase());
  const add = async (name: string, measure: () => Promise<Row | Row[]>) => {
    if (!wanted(name)) return;
    for (const r of await guarded(name, measure)) {
      rows.push(r);
      ctx.log(`  ${r.name}: ${r.rps === null ? '' : `${Math.round(r.rps)} req/s, `}p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; ${r.note}`);
    }
  };
  const datasets: Dataset[] = [];
  for (const n of s.seeds) {
    const t = performance.now();
    datasets.push(makeDataset(base, ctx.workDir, n));
    ctx.log(`seeded ${size(n)} notifications in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const [small, ...large] = datasets;
  const sample = sendRequest(small!.webhookCode, 1);
  await add('floor', () => floorRow(ctx, sample));
  await add('cold start', () => coldStartRow(ctx, small!, base.firstStartMs));
  for (const key of ['edge', 'send', 'get', 'read', 'mixed', 'batch']) await add(CASES[key]!.name, () => restRow(ctx, small!, CASES[key]!));
  const sendGetRead = ['send', 'get', 'read'].map((key) => CASES[key]!);
  // Over HTTPS: a floor of its own before and after the same rows (ratios to the higher one, below).
  const tls = makeTls(ctx.workDir);
  await add('floor, HTTPS', async () => httpsFloorRow(ctx, sample, await tls));
  await add('HTTPS', async () => httpsRows(ctx, small!, sendGetRead, await tls));
  await add('floor, HTTPS again', async () => httpsFloorRow(ctx, sample, await tls, 'floor, HTTPS again (after the HTTPS rows)'));
  await add('PostgreSQL + Redis', () => pgRows(ctx, small!.size, sendGetRead));
  for (const ds of large) await add(`get and send @${size(ds.size)}`, () => growthRows(ctx, ds, [CASES.get!, CASES.send!]));
  for (const n of s.pushSteps) await add(`push @${size(n)}`, () => pushRow(ctx, small!, n));
  // The broadcast's own floor, just before it: what one write per socket costs on this machine.
  await add('push floor', () => pushFloorRow(ctx));
  await add('push', () => pushRow(ctx, small!));
  for (const n of s.pushUsers) await add(`push to one of ${size(n)} users`, () => pushUsersRow(ctx, small!, n));
  // The test kit: in this process, as an integrator's test file runs it.
  await add('startPortal/reset', () => testkitRows(mode === 'quick' ? 5 : 10, mode === 'quick' ? 30 : 100, ctx.log));
  if (snapshot) for (const ds of datasets.slice(-1)) await add(`snapshot @${size(ds.size)}`, () => snapshotRows(ds.dir, size(ds.size), ctx.workDir));
  // The floor again, last: if it moved, something else used the machine during the run.
  await add('floor again', () => floorRow(ctx, sample, 'floor again (end of run)'));
  // Other work on the machine can only slow a run down, so the higher floor is the closer one
  // to what the machine can do; ratios to it err against notify24, never in its favour.
  const floors = [rows[0]!.rps ?? 0, rows.at(-1)!.rps ?? 0];
  const floor = Math.max(...floors);
  setRatios(rows, floor);
  setCpuShares(rows);
  compareWithSqlite(rows);
  compareWithPushFloor(rows);
  return {
    date: new Date().toISOString(),
    mode,
    machine: atStart,
    placement: describe(ctx.placement),
    settings: { connections: s.connections, durationS: s.durationS, warmupS: s.warmupS, aloneRequests: s.aloneRequests, seeds: s.seeds, subscribers: s.subscribers },
    rows,
    floorDrift: floor > 0 ? Math.abs(floors[0]! - floors[1]!) / floor : 0,
    loadAtEnd: Math.round(loadavg()[0]! * 100) / 100,
    totalS: (performance.now() - started) / 1000,
  };
}

const isHttpsFloor = (r: Row) => r.name.startsWith('floor, HTTPS');

/**
 * Every row's req/s as a share of its floor: the HTTPS rows (and floors) of the higher HTTPS
 * floor, measured before and after them by the HTTP floor's rule (it moves more from run to run:
 * its client, on one core, spends more per request than the server does); the others of
 * `httpFloor`, unless they came with a ratio of their own. An HTTPS row without an HTTPS floor
 * keeps none: the HTTP floor is not its measure.
 */
function setRatios(rows: Row[], httpFloor: number): void {
  const httpsFloor = Math.max(0, ...rows.filter(isHttpsFloor).map((r) => r.rps ?? 0));
  for (const r of rows) {
    if (r.rps === null) continue;
    if (r.name.includes('HTTPS')) r.ratio = httpsFloor > 0 ? r.rps / httpsFloor : null;
    else if (r.ratio === null && httpFloor > 0) r.ratio = r.rps / httpFloor;
  }
}

/** The lowest CPU per request among `floors` (other work only ever adds to it), or null. */
function lowestCpu(floors: (Row | undefined)[]): number | null {
  const figures = floors.map((r) => r?.cpuMs ?? null).filter((v): v is number => v !== null);
  return figures.length ? Math.min(...figures) : null;
}

/**
 * Every row with a server CPU figure gets its share of the floor by cost: the HTTPS rows against
 * the lower of the HTTPS floors' CPU per request, the others against the lower of the HTTP floors'.
 */
function setCpuShares(rows: Row[]): void {
  const httpFloor = lowestCpu([rows[0], rows.at(-1)]);
  const httpsFloor = lowestCpu(rows.filter(isHttpsFloor));
  for (const r of rows) {
    if (!r.cpuMs) continue;
    const floor = r.name.includes('HTTPS') ? httpsFloor : httpFloor;
    r.cpuRatio = floor === null ? null : floor / r.cpuMs;
  }
}

/**
 * The broadcast row read against the push floor measured just before it with the same clients:
 * its CPU per frame as a share of the floor's (as the REST rows' CPU share), and the floor's p99.
 */
function compareWithPushFloor(rows: Row[]): void {
  const floor = rows.find((r) => r.name.startsWith('floor, push'));
  const m = floor && /, (\S+) WebSockets$/.exec(floor.name);
  const row = m && rows.find((r) => r.name === `push, ${m[1]} WebSocket subscribers`);
  if (!floor?.usPerFrame || !row?.usPerFrame) return;
  row.cpuRatio = floor.usPerFrame / row.usPerFrame;
  row.note += `; the push floor (above): p99 ${floor.p99?.toFixed(0)} ms, ${floor.usPerFrame.toFixed(1)} µs per frame`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' }, profile: { type: 'string' }, https: { type: 'boolean' }, seed: { type: 'string' }, keep: { type: 'boolean' },
      soak: { type: 'boolean' }, before: { type: 'string' }, charts: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, steady: { type: 'string' }, acceptor: { type: 'boolean' }, 'cpu-prof': { type: 'boolean' }, root: { type: 'string' }, label: { type: 'string' },
      snapshot: { type: 'boolean' }, testkit: { type: 'boolean' }, only: { type: 'string' },
    },
  });
  const before = values.before ? (JSON.parse(readFileSync(values.before, 'utf8')) as Report) : null;
  if (values.charts) {
    // Charts only, from a stored report (`--charts bench/results/latest.json [--before other.json]`).
    for (const f of writeCharts(CHARTS, JSON.parse(readFileSync(values.charts, 'utf8')) as Report, before)) console.error(`wrote ${f}`);
    return;
  }
  const mode = values.quick ? 'quick' : 'full';
  const p = placement();
  pinSelf(p);
  const workDir = mkdtempSync(join(tmpdir(), 'notify24-bench-'));
  const ctx: Ctx = { settings: values.quick ? QUICK : FULL, placement: p, workDir, log: (l) => console.error(l) };
  console.error(`notify24 bench (${values.profile ? `profile ${values.profile}` : mode}); ${describe(p)}; data in ${workDir}`);
  try {
    if (values.testkit) {
      // Only the test kit's rows, printed (the latest results are left as they are).
      const rows = await testkitRows(values.quick ? 5 : 10, values.quick ? 30 : 100, ctx.log);
      if (values.snapshot) {
        const base = await makeBase(workDir, p);
        const n = values.quick ? 100_000 : 1_000_000;
        rows.push(...(await snapshotRows(makeDataset(base, workDir, n).dir, size(n), workDir)));
      }
      console.log(textTable(rows));
      console.log(`\n${describe(p)}; the machine is shared with other work, so figures vary between runs (load ${loadavg()[0]!.toFixed(1)} at the end).`);
      return;
    }
    if (values.soak) {
      const root = values.root ? resolve(values.root) : ROOT;
      const report = await soak({ root, workDir, placement: p, durationS: Number(values.seconds ?? 150), connections: values.connections ? Number(values.connections) : undefined, steadyClients: values.steady ? Number(values.steady) : undefined, env: values.acceptor ? { NOTIFY24_ACCEPTOR: '1' } : {}, cpuProfDir: values['cpu-prof'] ? join(workDir, 'profile') : undefined, log: ctx.log }, values.label ?? (values.root ? root : 'this checkout'));
      console.log('');
      console.log(soakTable(report));
      for (const f of writeSoak(RESULTS, report, soakTable(report))) console.error(`wrote ${f}`);
      return;
    }
    if (values.profile) {
      await profileRow(ctx, values.profile, Number(values.seed ?? 1000), RESULTS, values.https ?? false);
      return;
    }
    const only = values.only ?? null;
    const report = await benchmark(ctx, mode, values.snapshot === true, only);
    console.log('');
    console.log(textTable(report.rows));
    console.log('');
    console.log(`${describe(p)}. Total ${Math.round(report.totalS)} s.`);
    const warning = driftWarning(report);
    if (warning) console.log(warning);
    // A partial run is printed only: the stored reports and the charts stay those of whole runs.
    if (only !== null) return;
    for (const f of writeReport(RESULTS, report)) console.error(`wrote ${f}`);
    for (const f of writeCharts(CHARTS, report, before)) console.error(`wrote ${f}`);
  } finally {
    if (!values.keep) rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
