/**
 * The integrator's test kit, measured: how long `startPortal()` and `reset()` take (targets:
 * start < 300 ms, reset < 50 ms), and with `--snapshot`, exporting and importing a store of
 * a million notifications (time and the process's peak memory, which must not grow with it).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startPortal } from '../../src/index.ts';
import { exportSnapshot, importSnapshot, textLines } from '../../src/snapshot/stream.ts';
import { openStore } from '../../src/store/open.ts';
import type { Row } from './report.ts';

const benchDatabaseUrl = process.env.NOTIFY24_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const row = (name: string, ms: number[], note: string): Row => ({
  name, rps: null, p50: percentile(ms, 50), p99: percentile(ms, 99), aloneP50: null, ratio: null, note,
});

async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: benchDatabaseUrl, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/** startPortal() then close(), `starts` times; reset() of a portal holding a little state, `resets` times. */
async function engineRows(label: string, databaseUrl: string | undefined, starts: number, resets: number): Promise<Row[]> {
  // One start first, unmeasured: it loads the modules a test process loads once.
  await (await startPortal({ databaseUrl })).close();
  const startMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    const t = performance.now();
    const p = await startPortal({ databaseUrl });
    startMs.push(performance.now() - t);
    await p.close();
  }
  const portal = await startPortal({ databaseUrl });
  const resetMs: number[] = [];
  try {
    for (let i = 0; i < resets; i++) {
      const user = await portal.createUser({ login: `u${i}` });
      await fetch(`${portal.webhookUrl}im.notify.system.add?USER_ID=${user.id}&MESSAGE=hello`).then((r) => r.text());
      const t = performance.now();
      await portal.reset();
      resetMs.push(performance.now() - t);
    }
  } finally {
    await portal.close();
  }
  return [
    row(`startPortal() ${label}`, startMs, `${starts} starts (free ports, HTTP and HTTPS, fresh store, admin webhook); target < 300 ms`),
    row(`reset() ${label}`, resetMs, `${resets} resets after a user and a notification; target < 50 ms`),
  ];
}

export async function testkitRows(starts: number, resets: number, log: (line: string) => void): Promise<Row[]> {
  const rows = await engineRows('SQLite', undefined, starts, resets);
  if (await postgresReachable()) rows.push(...(await engineRows('PostgreSQL', benchDatabaseUrl, starts, resets)));
  else log(`  PostgreSQL at ${benchDatabaseUrl} unreachable: its startPortal()/reset() rows skipped`);
  return rows;
}

/** Peak RSS above the level at the start, sampled every 20 ms and at each callback, while `fn` runs. */
async function peakGrowth<T>(fn: (sample: () => void) => Promise<T>): Promise<{ value: T; growth: number; ms: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().rss));
  const timer = setInterval(sample, 20);
  const t = performance.now();
  try {
    const value = await fn(sample);
    sample();
    return { value, growth: peak - base, ms: performance.now() - t };
  } finally {
    clearInterval(timer);
  }
}

/** Export of a seeded SQLite store (`dir`/notify24.db) to a file, then import of that file into a fresh store. */
export async function snapshotRows(dir: string, size: string, workDir: string): Promise<Row[]> {
  const file = join(workDir, `snapshot-${Date.now()}.jsonl`);
  const source = await openStore(join(dir, 'notify24.db'));
  const out = createWriteStream(file);
  const exported = await peakGrowth(async (sample) => {
    const r = await exportSnapshot(source, async (text) => {
      if (!out.write(text)) await once(out, 'drain');
      sample();
    });
    out.end();
    await once(out, 'finish');
    return r.rows;
  });
  await source.close();
  const target = await openStore(join(workDir, `import-${Date.now()}.db`));
  const imported = await peakGrowth((sample) => importSnapshot(target, textLines(createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>), () => sample()));
  await target.close();
  const bytes = statSync(file).size;
  rmSync(file, { force: true });
  const mb = (n: number) => `${Math.round(n / 1_048_576)} MB`;
  return [
    { name: `export @${size}`, rps: exported.value / (exported.ms / 1000), p50: exported.ms, p99: null, aloneP50: null, ratio: null, note: `${exported.value} rows to a ${mb(bytes)} file; rows/s in the rps column, total ms in p50; peak RSS growth ${mb(exported.growth)}` },
    { name: `import @${size}`, rps: imported.value.rows / (imported.ms / 1000), p50: imported.ms, p99: null, aloneP50: null, ratio: null, note: `staged in batches, swapped in one transaction; peak RSS growth ${mb(imported.growth)}` },
  ];
}
