import { createRequire } from 'node:module';
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { bindable } from './bindable.ts';
import type { RunResult, SqlDb } from './sql-db.ts';

const INT8 = 20;
const NUMERIC = 1700;

/**
 * Repositories read ids, counts and ms timestamps as plain numbers; pg hands int8/numeric back
 * as strings by default. Set per pool (not globally) so other pg users in the process are
 * unaffected. Our values (ids, Unix ms) stay far below 2^53.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 || oid === NUMERIC) return (value: string) => Number(value);
    return pgModule().types.getTypeParser(oid, format as 'text');
  },
};

let pg: typeof import('pg') | null = null;

/**
 * The driver, loaded on first use: a static import would load it at every start, even for
 * SQLite (the bundle in dist/ inlines this file), and it costs about a quarter second.
 */
function pgModule(): typeof import('pg') {
  return (pg ??= createRequire(import.meta.url)('pg') as typeof import('pg'));
}

/** Rewrites `?` placeholders to `$1, $2, ...`, leaving quoted literals and identifiers alone. */
export function numberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

type Queryable = Pool | PoolClient;

async function query<T>(on: Queryable, sql: string, params: readonly unknown[]): Promise<QueryResult> {
  return on.query<T & QueryResultRow>(numberedPlaceholders(sql), bindable(params));
}

/** Statements shared by the pool and a transaction's client. */
abstract class PgExecutor implements SqlDb {
  readonly dialect = 'postgres' as const;
  protected abstract readonly target: Queryable;

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await query<T>(this.target, sql, params)).rows as T[];
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return ((await query<T>(this.target, sql, params)).rows[0] as T | undefined) ?? null;
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return { changes: (await query(this.target, sql, params)).rowCount ?? 0 };
  }
  abstract tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

/**
 * PostgreSQL through a pg Pool. Statements outside a transaction take any pooled connection;
 * a transaction holds one dedicated client from BEGIN to COMMIT/ROLLBACK.
 * `url` is a libpq-style URL; `?options=-c search_path=NAME` selects a schema.
 */
export class PostgresDb extends PgExecutor {
  protected readonly target: Pool;

  constructor(url: string, poolSize = 10) {
    super();
    this.target = new (pgModule().Pool)({ connectionString: url, max: poolSize, types });
    // An idle client that loses its server (restart, failover) must not crash the process;
    // the pool drops it and the next query opens a fresh connection.
    this.target.on('error', () => undefined);
  }

  async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.target.connect();
    let broken: unknown = undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresTx(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr; // the connection is unusable: destroy it rather than pool it
      }
      throw err;
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  async close(): Promise<void> {
    await this.target.end();
  }
}

/** The handle a transaction's callback receives; nested `tx` joins the open transaction. */
class PostgresTx extends PgExecutor {
  constructor(protected readonly target: PoolClient) {
    super();
  }
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
}
