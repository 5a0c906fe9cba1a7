/**
 * `node --import tsx bench/edge-cpu.ts [--rows floor,edge,send,get,read] [--seconds 5] [--repeat 3] [--https] [--against <checkout> [--paired]] [--perf [--top 25]]`:
 * server CPU time per request (user + system of the server process, over a steady loaded run,
 * no profiler) for a few REST rows; `floor` is the bare floor server with the send row's
 * request, and `--https` loads every row over HTTPS (a certificate made as notify24 makes its
 * own). It moves far less than req/s when other work shares the machine, but still moves
 * (preemption, caches): `--against` runs the server of another
 * checkout on the same data, alternating with this one run by run, and the lowest figure of
 * each side (other work only ever adds) is the one to compare. `--paired` starts both servers
 * together and loads them at the same time instead: each run's two figures then met the same
 * contention, and their ratio (printed per run) holds on a machine too busy for the lowest
 * figures to mean much. `--perf` (not with `--paired`) also records the server's core with
 * Linux `perf` during each measured run and prints where that core's time went, per request, by
 * function — the kernel's included, which a V8 profile cannot see (bench/lib/perf-record.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CASES } from './lib/cases.ts';
import { cpuSeconds, pinSelf, placement, spawnServer, type Child } from './lib/child.ts';
import { makeBase, makeDataset, runCopy, type Dataset } from './lib/dataset.ts';
import { makeTls, type TlsFiles } from './lib/https.ts';
import { runLoad } from './lib/load.ts';
import { LIBRARIES_SETTLE_MS, serverArgs, serverEnv } from './lib/notify24.ts';
import { median } from './lib/stats.ts';
import { perfNodeFlags, printPerf, recordCore, requirePerf, type PerfTally } from './lib/perf-record.ts';

const CONNECTIONS = 50;

interface Options {
  seconds: number;
  /** Set: every row over HTTPS with this certificate. */
  tls: TlsFiles | null;
  /** Record the server's core with `perf` during each measured run. */
  perf: boolean;
}

const ROOT = new URL('../', import.meta.url).pathname;

/** The floor server (or notify24 of `root`) on a copy of the data, over HTTPS when `o.tls` is set. */
async function startRow(ds: Dataset, key: string, workDir: string, o: Options, root: string | undefined, tag: string) {
  const p = placement();
  const urlOf = (server: Child) => (o.tls ? server.httpsUrl : server.url)!;
  const nodeFlags = o.perf ? perfNodeFlags(workDir) : [];
  if (key === 'floor') {
    const tlsArgs = o.tls ? ['--cert', o.tls.cert, '--key', o.tls.key] : [];
    const server = await spawnServer({ args: ['--import', 'tsx', join(ROOT, 'bench/floor-server.ts'), ...tlsArgs], readyPath: '/', placement: p, nodeFlags });
    return { server, url: urlOf(server), requests: CASES.send!.requests(ds) };
  }
  const copy = runCopy(ds, workDir, tag);
  const tlsEnv = o.tls ? { NOTIFY24_HTTPS_PORT: '0', NOTIFY24_TLS_CERT: o.tls.cert, NOTIFY24_TLS_KEY: o.tls.key } : {};
  const server = await spawnServer({ args: serverArgs(), env: { ...serverEnv(copy.dir), ...tlsEnv }, readyPath: '/readyz', placement: p, cwd: root, nodeFlags });
  return { server, url: urlOf(server), requests: CASES[key]!.requests(copy) };
}

/** One fresh server on a copy of the data: a warm-up, then CPU ms per request of a measured run. */
async function cpuPerRequest(ds: Dataset, key: string, workDir: string, o: Options, root: string | undefined): Promise<{ ms: number; rps: number; perf: PerfTally | null }> {
  const { server, url, requests } = await startRow(ds, key, workDir, o, root, `cpu-${key}`);
  try {
    await runLoad({ url, connections: CONNECTIONS, duration: 1, requests });
    await sleep(LIBRARIES_SETTLE_MS);
    const recording = o.perf ? await recordCore(placement().serverCpu, server.pid, workDir) : null;
    const before = cpuSeconds(server.pid);
    const r = await runLoad({ url, connections: CONNECTIONS, duration: o.seconds, requests });
    const ms = ((cpuSeconds(server.pid) - before) * 1000) / r.requests;
    const perf = recording ? await recording.stop(r.requests) : null;
    if (r.errors || r.non2xx) throw new Error(`${key}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`);
    return { ms, rps: r.rps, perf };
  } finally {
    await server.stop();
  }
}

/**
 * One server per checkout, started together on copies of the same data and loaded at the same
 * time (warm-up included): CPU ms per request of each over the same moments.
 */
async function pairedRun(ds: Dataset, key: string, workDir: string, o: Options, roots: (string | undefined)[], run: number): Promise<{ ms: number; rps: number }[]> {
  const started = await Promise.all(roots.map((root, n) => startRow(ds, key, workDir, o, root, `cpu-${key}-${run}-${n}`)));
  try {
    await Promise.all(started.map((s) => runLoad({ url: s.url, connections: CONNECTIONS, duration: 1, requests: s.requests })));
    await sleep(LIBRARIES_SETTLE_MS);
    const before = started.map((s) => cpuSeconds(s.server.pid));
    const results = await Promise.all(started.map((s) => runLoad({ url: s.url, connections: CONNECTIONS, duration: o.seconds, requests: s.requests })));
    return results.map((r, n) => {
      if (r.errors || r.non2xx) throw new Error(`${key}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`);
      return { ms: ((cpuSeconds(started[n]!.server.pid) - before[n]!) * 1000) / r.requests, rps: r.rps };
    });
  } finally {
    await Promise.all(started.map((s) => s.server.stop()));
  }
}

const fmt = (v: number) => v.toFixed(4);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, seconds: { type: 'string' }, repeat: { type: 'string' }, against: { type: 'string' }, paired: { type: 'boolean' }, https: { type: 'boolean' }, perf: { type: 'boolean' }, top: { type: 'string' } } });
  if (values.perf && values.paired) throw new Error('--perf records one server at a time: not with --paired');
  if (values.perf) requirePerf();
  const keys = (values.rows ?? 'edge,send,get,read').split(',');
  for (const k of keys) if (k !== 'floor' && !CASES[k]) throw new Error(`--rows: each one of floor, ${Object.keys(CASES).join(', ')}`);
  const sides: { label: string; root: string | undefined }[] = [{ label: 'this checkout', root: undefined }];
  if (values.against) sides.push({ label: resolve(values.against), root: resolve(values.against) });
  const repeat = Number(values.repeat ?? 3);
  const p = placement();
  pinSelf(p);
  const workDir = mkdtempSync(join(tmpdir(), 'notify24-edge-cpu-'));
  const o: Options = { seconds: Number(values.seconds ?? 5), tls: values.https ? await makeTls(workDir) : null, perf: Boolean(values.perf) };
  try {
    const ds = makeDataset(await makeBase(workDir, p), workDir, 1000);
    console.log(`server CPU per request (ms): lowest and median of ${repeat} runs of ${o.seconds} s, ${CONNECTIONS} connections${o.tls ? ', over HTTPS' : ''}`);
    for (const key of keys) {
      const runs = sides.map(() => [] as { ms: number; rps: number; perf?: PerfTally | null }[]);
      const paired = Boolean(values.paired) && sides.length === 2;
      for (let i = 0; i < repeat; i++) {
        if (paired) {
          const both = await pairedRun(ds, key, workDir, o, sides.map((side) => side.root), i);
          for (const [n, r] of both.entries()) runs[n]!.push(r);
        } else for (const [n, side] of sides.entries()) runs[n]!.push(await cpuPerRequest(ds, key, workDir, o, side.root));
      }
      for (const [n, side] of sides.entries()) {
        const ms = runs[n]!.map((r) => r.ms);
        console.log(`${(CASES[key]?.name ?? `floor (bare node:${o.tls ? 'https' : 'http'})`).padEnd(40)} ${fmt(Math.min(...ms))} ms lowest, ${fmt(median(ms))} median (${ms.map(fmt).join(', ')}; ${Math.round(median(runs[n]!.map((r) => r.rps)))} req/s) ${side.label}`);
      }
      if (o.perf) printPerf(sides.map((side, n) => ({ label: side.label, tallies: runs[n]!.map((r) => r.perf!) })), Number(values.top ?? 25));
      if (paired) {
        const ratios = runs[0]!.map((r, i) => r.ms / runs[1]![i]!.ms);
        console.log(`${''.padEnd(40)} this checkout / the other, run by run: ${ratios.map((r) => r.toFixed(3)).join(', ')} (median ${median(ratios).toFixed(3)})`);
      }
    }
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
