/**
 * The REST rows with the server on PostgreSQL and Redis configured: the set-up of several nodes
 * behind a balancer, measured on one. Each case gets a schema of its own (created and dropped
 * here, as the test kit's isolated stores do), a Redis key prefix no one else uses (its keys
 * removed afterwards) and the same seed as the SQLite rows, written with one multi-row INSERT.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { isolatedStore } from '../../src/testing/isolated-store.ts';
import { OWNER_ID, RECOUNT_SQL, seededNotification, type Dataset } from './dataset.ts';
import type { Child } from './child.ts';
import type { Row } from './report.ts';
import { guarded, load, loadRow, startNotify24, type Ctx, type RestCase } from './rows.ts';

export const DATABASE_URL = process.env.NOTIFY24_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.NOTIFY24_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** What the rows' names end with; the SQLite row of the same case has the name without it. */
export const PG_SUFFIX = ', PostgreSQL + Redis';

/** Why PostgreSQL or Redis cannot be used, or null when both answer. */
async function unreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    return `PostgreSQL at ${DATABASE_URL} unreachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    return `Redis at ${REDIS_URL} unreachable (${(err as Error).message})`;
  } finally {
    redis.disconnect();
  }
  return null;
}

/** `size` notifications as the SQLite seed has them, in one statement over parameter arrays. */
export async function seed(url: string, size: number): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = Date.now();
    const rows = Array.from({ length: size }, (_, k) => seededNotification(k + 1, size, now));
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO notifications (id, user_id, author_id, notify_type, module, event, body, is_read, created_at)
       SELECT id, user_id, 0, 4, 'rest', 'rest_notify', body, is_read, created_at
       FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::bigint[]) AS t(id, user_id, body, is_read, created_at)`,
      [rows.map((r) => r.id), rows.map((r) => r.userId), rows.map((r) => r.body), rows.map((r) => r.isRead), rows.map((r) => r.createdAt)],
    );
    // Ids were given: the sequence must continue after them, as it would have.
    await client.query(`SELECT setval(pg_get_serial_sequence('notifications', 'id'), $1)`, [size]);
    await client.query('INSERT INTO notify_chats (user_id) VALUES ($1) ON CONFLICT DO NOTHING', [OWNER_ID]);
    await client.query('DELETE FROM notify_counters');
    await client.query(RECOUNT_SQL);
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
}

/** Removes every key under `prefix`; returns how many there were. */
export async function removeKeys(prefix: string): Promise<number> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let removed = 0;
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 1000 }) as AsyncIterable<string[]>) {
      if (keys.length) removed += await redis.del(...keys);
    }
    return removed;
  } finally {
    redis.disconnect();
  }
}

async function pgRow(ctx: Ctx, size: number, c: RestCase): Promise<Row> {
  const store = await isolatedStore(DATABASE_URL);
  const prefix = `notify24-bench:${randomBytes(6).toString('hex')}:`;
  const env = { NOTIFY24_DATABASE_URL: store.databaseUrl, NOTIFY24_REDIS_URL: REDIS_URL, NOTIFY24_REDIS_PREFIX: prefix };
  let server: Child | null = null;
  // Ctrl-C in the middle of the row still leaves no schema and no keys behind: once the server
  // is gone (it writes to Redis as it shuts down).
  const interrupted = () => {
    void (async () => {
      await server?.stop();
      await Promise.allSettled([removeKeys(prefix), store.dispose()]);
      process.exit(130);
    })();
  };
  process.once('SIGINT', interrupted);
  let keys = 0;
  try {
    // The first start migrates the schema and makes user 1 with its webhook; the seed goes in
    // with the server stopped, as the SQLite one does.
    server = await startNotify24(ctx, store.dataDir, env);
    await server.stop();
    const { code } = JSON.parse(readFileSync(join(store.dataDir, 'admin-webhook.json'), 'utf8')) as { code: string };
    await seed(store.databaseUrl, size);
    const ds: Dataset = { dir: store.dataDir, size, maxId: size, webhookCode: code, webUserId: OWNER_ID };
    server = await startNotify24(ctx, store.dataDir, env);
    try {
      const m = await load(ctx, server.url, c.requests(ds), true, server.pid);
      return loadRow(`${c.name}${PG_SUFFIX}`, m, c.note(m.loaded, ds));
    } finally {
      await server.stop();
    }
  } finally {
    try {
      keys = await removeKeys(prefix);
    } finally {
      await store.dispose();
      process.off('SIGINT', interrupted);
    }
    ctx.log(`  (PostgreSQL schema dropped; ${keys} Redis keys under ${prefix} removed)`);
  }
}

/** Send, get and read on PostgreSQL + Redis; one row saying why when either is not there. */
export async function pgRows(ctx: Ctx, size: number, cases: RestCase[]): Promise<Row[]> {
  const missing = await unreachable();
  if (missing) return [{ name: `REST rows${PG_SUFFIX}`, rps: null, p50: null, p99: null, aloneP50: null, ratio: null, note: `skipped: ${missing}` }];
  const rows: Row[] = [];
  for (const c of cases) rows.push(...(await guarded(`${c.name}${PG_SUFFIX}`, () => pgRow(ctx, size, c))));
  return rows;
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)} %`;

/**
 * Each PostgreSQL row's note gets the SQLite row's ratio and the quotient of the two (target
 * ≥ ½), and the same for notify24's CPU per request: PostgreSQL shares this machine's cores
 * with the load generator and the server, so its req/s says as much about the machine as about
 * notify24; the server's own CPU per request is what a node with a database elsewhere spends.
 */
export function compareWithSqlite(rows: Row[]): void {
  for (const r of rows) {
    if (!r.name.endsWith(PG_SUFFIX) || r.ratio === null) continue;
    const sqlite = rows.find((s) => s.name === r.name.slice(0, -PG_SUFFIX.length));
    if (sqlite?.ratio) r.note += `; SQLite ${percent(sqlite.ratio)}, PostgreSQL/SQLite ${(r.ratio / sqlite.ratio).toFixed(2)}`;
    if (sqlite?.cpuMs && r.cpuMs) r.note += `; server CPU per request SQLite/PostgreSQL ${(sqlite.cpuMs / r.cpuMs).toFixed(2)}`;
  }
}
