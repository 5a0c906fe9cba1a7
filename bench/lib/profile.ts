/**
 * Profiles one row: notify24 runs under `node --cpu-prof` through warm-up and load, and on its
 * clean exit V8 writes a .cpuprofile, which is then summarised by self time.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary, summarise } from '../profile-summary.ts';
import { makeBase, makeDataset } from './dataset.ts';
import { CASES } from './cases.ts';
import { load, startNotify24, type Ctx } from './rows.ts';
import { cpuSeconds } from './child.ts';
import { makeTls } from './https.ts';

/**
 * The server's main-thread profile: V8 names them CPU.<date>.<time>.<pid>.<thread>.<seq>, and
 * tsx's module loader runs in a second thread that writes a profile of its own.
 */
function mainThreadProfile(dir: string, pid: number): string {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`));
  if (!file) throw new Error(`no main-thread .cpuprofile of process ${pid} in ${dir}`);
  return join(dir, file);
}

/** `https`: the row over HTTPS (a certificate made for the run, as the HTTPS rows use). */
export async function profileRow(ctx: Ctx, key: string, seed: number, resultsDir: string, https = false): Promise<void> {
  const c = CASES[key];
  if (!c) throw new Error(`--profile: one of ${Object.keys(CASES).join(', ')}`);
  const dir = join(resultsDir, 'profiles');
  mkdirSync(dir, { recursive: true });
  const base = await makeBase(ctx.workDir, ctx.placement);
  const ds = makeDataset(base, ctx.workDir, seed);
  const tls = https ? await makeTls(ctx.workDir) : null;
  const env = tls ? { NOTIFY24_HTTPS_PORT: '0', NOTIFY24_TLS_CERT: tls.cert, NOTIFY24_TLS_KEY: tls.key } : {};
  const server = await startNotify24({ ...ctx, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] }, ds.dir, env);
  try {
    // Server CPU per request (user + system of its process over the whole load): unlike req/s,
    // it hardly moves when other work shares the machine, so runs on a busy machine compare.
    const cpuBefore = cpuSeconds(server.pid);
    const url = tls ? server.httpsUrl : server.url;
    if (!url) throw new Error('the server printed no https:// URL');
    const m = await load(ctx, url, c.requests(ds), !tls);
    const r = m.loaded;
    const served = r.requests + (m.alone?.requests ?? 0) + m.warmupRequests;
    const cpuMs = ((cpuSeconds(server.pid) - cpuBefore) * 1000) / served;
    ctx.log(`${c.name}${tls ? ' over HTTPS' : ''} @${seed}: ${Math.round(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (under the profiler); server CPU ${cpuMs.toFixed(3)} ms per request over ${served} requests`);
  } finally {
    await server.stop();
  }
  const file = mainThreadProfile(dir, server.pid);
  console.log(`${file}\n`);
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8')))));
}
