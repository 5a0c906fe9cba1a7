/**
 * `node --import tsx bench/pg-cpu.ts [--rows send,get,read] [--seconds 5] [--repeat 2] [--against <checkout>]`:
 * the PostgreSQL + Redis rows (bench/lib/pg.ts) as server CPU time per request and round trips
 * per request: statements sent to PostgreSQL and commands sent to Redis, counted in the server
 * by a preloaded hook (bench/lib/count-trips.mjs) over the measured run, and the CPU time of
 * every PostgreSQL and Redis process on the machine over it per request (their background work
 * included, and anyone else's use of them meanwhile: a figure for side-by-side runs on a quiet
 * database, not an absolute one). Each run gets a fresh
 * schema, Redis prefix and 1k seed. `--against` runs another checkout's server the same way,
 * alternating run by run; take the lowest CPU figure of each side (other work only ever adds).
 * `--detail` lists the statements and commands; `--profile <dir>` writes each server's CPU profile
 * there (for bench/profile-summary.ts; the first start, migrating, writes one too).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { isolatedStore } from '../src/testing/isolated-store.ts';
import { CASES } from './lib/cases.ts';
import { cpuSeconds, pinSelf, placement, spawnServer, type Child } from './lib/child.ts';
import { OWNER_ID, type Dataset } from './lib/dataset.ts';
import { runLoad } from './lib/load.ts';
import { LIBRARIES_SETTLE_MS, serverArgs, serverEnv } from './lib/notify24.ts';
import { DATABASE_URL, REDIS_URL, removeKeys, seed } from './lib/pg.ts';
import { median } from './lib/stats.ts';

const CONNECTIONS = 50;
const SIZE = 1000;
const HOOK = resolve(import.meta.dirname, 'lib/count-trips.mjs');

interface Tally {
  pg: Record<string, number>;
  redis: Record<string, number>;
}
interface Measured {
  ms: number;
  /** PostgreSQL's and Redis's processes' CPU time per request over the run (ms). */
  pgMs: number;
  redisMs: number;
  rps: number;
  pg: number;
  redis: number;
  requests: number;
  tally: Tally;
}

const sum = (t: Record<string, number>) => Object.values(t).reduce((a, b) => a + b, 0);

type ServiceCpu = Map<number, { name: string; s: number }>;

/**
 * CPU seconds so far of every PostgreSQL and Redis process on this machine, by pid: their share
 * of a run is what they spend on the same two cores. A backend that exits during the run is lost
 * (its time not counted); one that starts during it counts whole.
 */
function serviceCpu(): ServiceCpu {
  const out: ServiceCpu = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (name === 'postgres' || name === 'redis-server') out.set(Number(entry), { name, s: cpuSeconds(Number(entry)) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function serviceDelta(before: ServiceCpu, after: ServiceCpu, name: string): number {
  let s = 0;
  for (const [pid, a] of after) if (a.name === name) s += a.s - (before.get(pid)?.s ?? 0);
  return s;
}

async function tallyOf(server: Child, file: string): Promise<Tally> {
  rmSync(file, { force: true });
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 200; i++) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Tally;
    } catch {
      await sleep(10);
    }
  }
  throw new Error('no tally from the server');
}

async function measure(key: string, seconds: number, root: string | undefined, workDir: string, profileDir?: string): Promise<Measured> {
  const c = CASES[key]!;
  const store = await isolatedStore(DATABASE_URL);
  const prefix = `notify24-bench:${randomBytes(6).toString('hex')}:`;
  const trips = join(workDir, `trips-${process.pid}.json`);
  const env = { ...serverEnv(store.dataDir), NOTIFY24_DATABASE_URL: store.databaseUrl, NOTIFY24_REDIS_URL: REDIS_URL, NOTIFY24_REDIS_PREFIX: prefix, NOTIFY24_BENCH_TRIPS_FILE: trips };
  const p = placement();
  const start = () => spawnServer({ args: serverArgs(), env, readyPath: '/readyz', placement: p, cwd: root, nodeFlags: ['--import', HOOK, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])] });
  try {
    let server = await start();
    await server.stop();
    const { code } = JSON.parse(readFileSync(join(store.dataDir, 'admin-webhook.json'), 'utf8')) as { code: string };
    await seed(store.databaseUrl, SIZE);
    const ds: Dataset = { dir: store.dataDir, size: SIZE, maxId: SIZE, webhookCode: code, webUserId: OWNER_ID };
    server = await start();
    try {
      const requests = c.requests(ds);
      await runLoad({ url: server.url, connections: CONNECTIONS, duration: 1, requests });
      await sleep(LIBRARIES_SETTLE_MS);
      await tallyOf(server, trips);
      const services = serviceCpu();
      const before = cpuSeconds(server.pid);
      const r = await runLoad({ url: server.url, connections: CONNECTIONS, duration: seconds, requests });
      const ms = ((cpuSeconds(server.pid) - before) * 1000) / r.requests;
      const servicesAfter = serviceCpu();
      const pgMs = (serviceDelta(services, servicesAfter, 'postgres') * 1000) / r.requests;
      const redisMs = (serviceDelta(services, servicesAfter, 'redis-server') * 1000) / r.requests;
      const tally = await tallyOf(server, trips);
      if (r.errors || r.non2xx) throw new Error(`${key}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`);
      return { ms, pgMs, redisMs, rps: r.rps, pg: sum(tally.pg) / r.requests, redis: sum(tally.redis) / r.requests, requests: r.requests, tally };
    } finally {
      await server.stop();
    }
  } finally {
    await removeKeys(prefix).catch(() => 0);
    await store.dispose();
  }
}

const fmt = (v: number) => v.toFixed(4);

function top(t: Record<string, number>, requests: number): string {
  return Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, n]) => `      ${(n / requests).toFixed(2).padStart(6)}  ${k}`)
    .join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, seconds: { type: 'string' }, repeat: { type: 'string' }, against: { type: 'string' }, detail: { type: 'boolean' }, profile: { type: 'string' } } });
  const keys = (values.rows ?? 'send,get,read').split(',');
  for (const k of keys) if (!CASES[k]) throw new Error(`--rows: each one of ${Object.keys(CASES).join(', ')}`);
  const seconds = Number(values.seconds ?? 5);
  const repeat = Number(values.repeat ?? 2);
  const sides: { label: string; root: string | undefined }[] = [{ label: 'this checkout', root: undefined }];
  if (values.against) sides.push({ label: resolve(values.against), root: resolve(values.against) });
  pinSelf(placement());
  const workDir = mkdtempSync(join(tmpdir(), 'notify24-pg-cpu-'));
  try {
    console.log(`PostgreSQL + Redis, ${SIZE} stored: server CPU per request (ms; lowest and median of ${repeat} runs of ${seconds} s, ${CONNECTIONS} connections), PostgreSQL statements and Redis commands per request`);
    for (const key of keys) {
      const runs = sides.map(() => [] as Measured[]);
      for (let i = 0; i < repeat; i++) for (const [n, side] of sides.entries()) runs[n]!.push(await measure(key, seconds, side.root, workDir, values.profile && resolve(values.profile, `${key}-${n}-${i}`)));
      for (const [n, side] of sides.entries()) {
        const rs = runs[n]!;
        const ms = rs.map((r) => r.ms);
        console.log(`${CASES[key]!.name.padEnd(28)} ${fmt(Math.min(...ms))} ms lowest, ${fmt(median(ms))} median (${ms.map(fmt).join(', ')}; ${Math.round(median(rs.map((r) => r.rps)))} req/s); pg ${median(rs.map((r) => r.pg)).toFixed(2)}, redis ${median(rs.map((r) => r.redis)).toFixed(2)} per request; CPU ms per request in PostgreSQL ${fmt(median(rs.map((r) => r.pgMs)))}, Redis ${fmt(median(rs.map((r) => r.redisMs)))}; ${side.label}`);
        if (values.detail) {
          const last = rs.at(-1)!;
          const requests = last.requests;
          console.log(`    pg:\n${top(last.tally.pg, requests)}\n    redis:\n${top(last.tally.redis, requests)}`);
        }
      }
    }
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
