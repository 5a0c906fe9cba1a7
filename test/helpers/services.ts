/**
 * The external services some tests need (PostgreSQL, Redis), found through the environment
 * with this machine's defaults. A missing service skips those tests loudly, or fails them when
 * NOTIFY24_REQUIRE_SERVICES=1 (CI), so they are never silently passed.
 */
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { Redis } from 'ioredis';
import { urlWithSchema } from '../../src/testing/isolated-store.ts';

export const testDatabaseUrl = (): string =>
  process.env.NOTIFY24_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const testRedisUrl = (): string => process.env.NOTIFY24_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const servicesRequired = (): boolean => process.env.NOTIFY24_REQUIRE_SERVICES === '1';

export { urlWithSchema } from '../../src/testing/isolated-store.ts';

/** A fresh, empty PostgreSQL schema for one test server; `drop()` removes it and all it holds. */
export async function createTestSchema(): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    url: urlWithSchema(testDatabaseUrl(), schema),
    async drop() {
      const c = new pg.Client({ connectionString: testDatabaseUrl() });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

async function reachable(probe: () => Promise<void>): Promise<string | null> {
  try {
    await probe();
    return null;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

export function postgresProblem(): Promise<string | null> {
  return reachable(async () => {
    const c = new pg.Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 3000 });
    await c.connect();
    await c.end();
  });
}

export function redisProblem(): Promise<string | null> {
  return reachable(async () => {
    const r = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3000 });
    try {
      await r.connect();
      await r.ping();
    } finally {
      r.disconnect();
    }
  });
}

/**
 * Call first in a test that needs Redis: returns false (and marks the test skipped) when Redis
 * is unreachable, unless services are required, in which case the test fails.
 */
export async function needsRedis(t: TestContext): Promise<boolean> {
  const problem = await redisProblem();
  if (!problem) return true;
  if (servicesRequired()) throw new Error(`Redis at ${testRedisUrl()} is required but unreachable: ${problem}`);
  t.skip(`SKIPPED: Redis at ${testRedisUrl()} unreachable (${problem})`);
  return false;
}

/** Same as needsRedis for PostgreSQL. */
export async function needsPostgres(t: TestContext): Promise<boolean> {
  const problem = await postgresProblem();
  if (!problem) return true;
  if (servicesRequired()) throw new Error(`PostgreSQL at ${testDatabaseUrl()} is required but unreachable: ${problem}`);
  t.skip(`SKIPPED: PostgreSQL at ${testDatabaseUrl()} unreachable (${problem})`);
  return false;
}

/** A Redis key prefix no other test (or earlier run) uses. */
export const uniquePrefix = (): string => `n24test:${randomBytes(6).toString('hex')}:`;
