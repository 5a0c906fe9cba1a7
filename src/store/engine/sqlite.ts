import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { bindable } from './bindable.ts';
import type { RunResult, SqlDb } from './sql-db.ts';

type Statement = Database.Statement<unknown[], unknown>;

/** Executes statements on one better-sqlite3 connection, with a statement cache. */
class SqliteExecutor {
  private readonly statements = new Map<string, Statement>();
  constructor(readonly db: Database.Database) {}

  prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }
  all<T>(sql: string, params: readonly unknown[]): T[] {
    return this.prepare(sql).all(...bindable(params)) as T[];
  }
  get<T>(sql: string, params: readonly unknown[]): T | null {
    return (this.prepare(sql).get(...bindable(params)) as T | undefined) ?? null;
  }
  run(sql: string, params: readonly unknown[]): RunResult {
    const stmt = this.prepare(sql);
    if (stmt.reader) {
      stmt.all(...bindable(params));
      return { changes: this.db.prepare('SELECT changes() AS c').pluck().get() as number };
    }
    return { changes: stmt.run(...bindable(params)).changes };
  }
}

function openReader(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  return db;
}

/**
 * SQLite through better-sqlite3. The driver is synchronous while transactions are async
 * (handlers await between statements), so a transaction holds the writing connection: other
 * requests' writes wait until it commits instead of running inside it. Reads outside a
 * transaction go to a second connection instead, which WAL lets read the last committed state
 * while a transaction is open — so a page of notifications never queues behind sends.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly exec: SqliteExecutor;
  /** Read-only statements outside transactions; null for an in-memory database (no second connection can see it). */
  private readonly reader: SqliteExecutor | null;
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;
  private dataVersion: Statement | null = null;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    this.exec = new SqliteExecutor(db);
    this.reader = path === ':memory:' ? null : new SqliteExecutor(openReader(path));
  }

  /** The reader when it may run `sql` now: a statement that only reads, outside any transaction. */
  private readerFor(sql: string): SqliteExecutor | null {
    return this.reader && this.reader.prepare(sql).readonly ? this.reader : null;
  }

  private async idle(): Promise<void> {
    while (this.inTx) await this.queue.catch(() => undefined);
  }
  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const reader = this.readerFor(sql);
    if (reader) return reader.all<T>(sql, params);
    if (this.inTx) await this.idle();
    return this.exec.all<T>(sql, params);
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | null> {
    const reader = this.readerFor(sql);
    if (reader) return reader.get<T>(sql, params);
    if (this.inTx) await this.idle();
    return this.exec.get<T>(sql, params);
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    if (this.inTx) await this.idle();
    return this.exec.run(sql, params);
  }

  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(() => this.runTx(fn));
    this.queue = next;
    return next;
  }

  private async runTx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    this.inTx = true;
    this.exec.run('BEGIN IMMEDIATE', []);
    try {
      const result = await fn(new SqliteTx(this.exec));
      this.exec.run('COMMIT', []);
      return result;
    } catch (err) {
      if (this.exec.db.inTransaction) this.exec.run('ROLLBACK', []);
      throw err;
    } finally {
      this.inTx = false;
    }
  }

  /** SQLite's own counter of commits made by other connections to this file (`data_version`). */
  externalVersion(): number {
    this.dataVersion ??= this.exec.db.prepare('PRAGMA data_version').pluck();
    return this.dataVersion.get() as number;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.reader?.db.close();
    this.exec.db.close();
  }
}

/** The handle a transaction's callback receives: statements run at once, inside the transaction. */
class SqliteTx implements SqlDb {
  readonly dialect = 'sqlite' as const;
  constructor(private readonly exec: SqliteExecutor) {}
  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.exec.all<T>(sql, params);
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return this.exec.get<T>(sql, params);
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return this.exec.run(sql, params);
  }
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async close(): Promise<void> {}
}
