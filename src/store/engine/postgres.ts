import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { lazyRequire } from '../../lib/lazy-require.ts';
import { bindable } from './bindable.ts';
import type { RunResult, SqlDb } from './sql-db.ts';
import { isConflict, isConnectionLoss, rethrowStoreError, StoreUnavailable, TransactionConflict } from './unavailable.ts';

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

/**
 * The driver, loaded on first use: a static import would load it at every start, even for
 * SQLite (the bundle in dist/ inlines this file), and it costs about a quarter second.
 */
const pgModule = lazyRequire<typeof import('pg')>('pg');

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

/** A statement as sent: its numbered text, and its name when it is prepared once per connection. */
interface Prepared {
  text: string;
  name: string | undefined;
}

/** Statements rewritten so far: the repositories' texts repeat, each send's among them. */
const numbered = new Map<string, Prepared>();
/** Texts kept at most (some are built per call: IN lists of every length); past it the map starts over. */
const MAX_NUMBERED = 2000;

/**
 * Names given so far (text → name), never changed once given: a connection keeps every
 * statement it prepared under its name for its lifetime. Bounded, as each connection's server
 * process holds a plan per name.
 */
const names = new Map<string, string>();
const MAX_NAMED = 200;
/** IN lists of several ids come in every length: such texts run unnamed (parsed each time). */
const LIST = /IN \(\$\d+, /;

/**
 * Repeated statements are named, so each connection parses and plans them once and then only
 * binds and runs them (the server's parse and plan of a send's WITH cost more than running it).
 * Only statements with parameters (a text without any may be a list of statements, which the
 * extended protocol a name needs cannot run) and without long or varying lists.
 */
function preparedOnce(sql: string, params: number): Prepared {
  let p = numbered.get(sql);
  if (p === undefined) {
    if (numbered.size >= MAX_NUMBERED) numbered.clear();
    const text = numberedPlaceholders(sql);
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED && params > 0 && params <= 64 && !LIST.test(text)) names.set(text, (name = `n24_${names.size + 1}`));
    p = { text, name };
    numbered.set(sql, p);
  }
  return p;
}

type Queryable = Pool | PoolClient;

async function query<T>(on: Queryable, sql: string, params: readonly unknown[], arrays = false): Promise<QueryResult> {
  const { text, name } = preparedOnce(sql, params.length);
  const values = bindable(params);
  const run = (): Promise<QueryResult> => (arrays ? on.query({ text, name, values, rowMode: 'array' }) : on.query<T & QueryResultRow>({ text, name, values }));
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (!(on instanceof pgModule().Pool)) rethrowStoreError(err);
      // A statement on its own is its own transaction: one the server aborted over a conflict
      // (a data-modifying WITH waiting on a batch's locks) stored nothing and may run again.
      if (isConflict(err) && attempt < CONFLICT_ATTEMPTS) continue;
      // A pooled connection that died while idle fails the next statement given to it. A plain
      // read changes nothing, so it is safe to run once more on a fresh one; so is any statement
      // the driver refused to send (the connection was already known to be broken).
      if (attempt < 2 && isConnectionLoss(err) && (/^\s*SELECT\b/i.test(sql) || NOT_SENT.test((err as Error)?.message ?? ''))) continue;
      rethrowStoreError(err);
    }
  }
}

/** What node-postgres says when it did not send a statement at all: its connection had failed before. */
const NOT_SENT = /not queryable/i;

/** Runs of a transaction the server aborted over a conflict with another, before its error is answered. */
const CONFLICT_ATTEMPTS = 4;

/** How long a query waits for a pooled connection (PostgreSQL unreachable or every connection busy). */
const CONNECT_TIMEOUT_MS = 5000;

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
  async values(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return (await query(this.target, sql, params, true)).rows as unknown[][];
  }
  abstract tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  abstract savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
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
    this.target = new (pgModule().Pool)({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // A client that loses its server (restart, failover, pg_terminate_backend) must not crash
    // the process, idle (the pool's error) or checked out (the client's own): the query in
    // flight fails as StoreUnavailable, the pool drops the client and opens a fresh one.
    this.target.on('error', () => undefined);
    this.target.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Runs `fn` in a transaction. When the connection is lost before COMMIT was sent, the server
   * has rolled everything back, so `fn` (which awaits nothing but the store) is run once more
   * on a fresh connection. A connection lost during COMMIT is reported (StoreUnavailable): the
   * outcome is unknown there, and a retry could store a write twice. A transaction the server
   * aborted over a conflict (a deadlock between two batches locking the same users' counters in
   * opposite orders) is run again too, a few times: the other one has gone on meanwhile.
   */
  async tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.txOnce(fn);
      if (outcome.ok) return outcome.result;
      const again = outcome.beforeCommit && ((outcome.err instanceof StoreUnavailable && attempt < 2) || (isConflict(outcome.err) && attempt < CONFLICT_ATTEMPTS));
      if (!again) throw outcome.err;
    }
  }

  private async txOnce<T>(fn: (db: SqlDb) => Promise<T>): Promise<{ ok: true; result: T } | { ok: false; err: unknown; beforeCommit: boolean }> {
    const client = await this.begin();
    let broken: unknown = undefined;
    let committing = false;
    try {
      const result = await fn(new PostgresTx(client));
      committing = true;
      await client.query('COMMIT').catch(rethrowStoreError);
      return { ok: true, result };
    } catch (err) {
      if (err instanceof StoreUnavailable) broken = err;
      try {
        if (!broken) await client.query('ROLLBACK');
      } catch (rollbackErr) {
        broken = rollbackErr; // the connection is unusable: destroy it rather than pool it
      }
      return { ok: false, err, beforeCommit: !committing };
    } finally {
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * A pooled client with a transaction open. A pooled connection may have died while idle (a
   * restart, a killed backend) before the pool noticed: when BEGIN fails for that reason,
   * nothing has run yet, so a fresh connection is tried once before the outage is reported.
   */
  private async begin(): Promise<PoolClient> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.target.connect().catch(rethrowStoreError);
      try {
        await client.query('BEGIN');
        return client;
      } catch (err) {
        client.release(err instanceof Error ? err : new Error(String(err)));
        if (attempt >= 2 || !isConnectionLoss(err)) rethrowStoreError(err);
      }
    }
  }

  savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return this.tx(fn);
  }

  async close(): Promise<void> {
    await this.target.end();
  }
}

/** The handle a transaction's callback receives; nested `tx` joins the open transaction. */
class PostgresTx extends PgExecutor {
  readonly transaction = true;
  constructor(protected readonly target: PoolClient) {
    super();
  }
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    await this.target.query('SAVEPOINT part').catch(rethrowStoreError);
    try {
      const value = await fn(this);
      await this.target.query('RELEASE SAVEPOINT part').catch(rethrowStoreError);
      return value;
    } catch (err) {
      if (err instanceof StoreUnavailable || err instanceof TransactionConflict) throw err;
      // A deadlock would recur at once: the locks the transaction took before this savepoint
      // stay held. The whole transaction is rolled back and run again (PostgresDb.tx).
      if (isConflict(err)) throw new TransactionConflict(err);
      // Until it is rolled back to the savepoint, the transaction refuses every statement, and
      // a COMMIT would quietly roll everything back: when that fails, nothing can go on.
      await this.target.query('ROLLBACK TO SAVEPOINT part').catch((rollbackErr: unknown) => {
        throw new StoreUnavailable(rollbackErr);
      });
      await this.target.query('RELEASE SAVEPOINT part').catch(rethrowStoreError);
      throw err;
    }
  }
  async close(): Promise<void> {}
}
