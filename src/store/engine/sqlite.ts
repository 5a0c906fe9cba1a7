import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { lazyRequire } from '../../lib/lazy-require.ts';
import { bindable } from './bindable.ts';
import type { KnownFacts, RunResult, SqlDb } from './sql-db.ts';
import { StoreUnavailable } from './unavailable.ts';

type Statement = Database.Statement<unknown[], unknown>;

/** Required, not imported: see lazyRequire (a PostgreSQL server never loads it). */
const betterSqlite = lazyRequire<typeof Database>('better-sqlite3');

function openConnection(path: string): Database.Database {
  const Connection = betterSqlite();
  return new Connection(path);
}

/** Executes statements on one better-sqlite3 connection, with a statement cache. */
class SqliteExecutor {
  private readonly statements = new Map<string, Statement>();
  /** The same statements in raw mode (rows as arrays): better-sqlite3 keeps the mode per statement. */
  private readonly rawStatements = new Map<string, Statement>();
  /** Statements run that may have written (any but read-only ones), counted when they succeed. */
  writes = 0;
  /** Called before every ROLLBACK statement (whole or to a savepoint). */
  onRollback: (() => void) | null = null;
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
    const stmt = this.prepare(sql);
    const rows = stmt.all(...bindable(params)) as T[];
    if (!stmt.readonly) this.writes++;
    return rows;
  }
  values(sql: string, params: readonly unknown[]): unknown[][] {
    let stmt = this.rawStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql).raw(true);
      this.rawStatements.set(sql, stmt);
    }
    const rows = stmt.all(...bindable(params)) as unknown[][];
    if (!stmt.readonly) this.writes++;
    return rows;
  }
  get<T>(sql: string, params: readonly unknown[]): T | null {
    const stmt = this.prepare(sql);
    const row = stmt.get(...bindable(params)) as T | undefined;
    if (!stmt.readonly) this.writes++;
    return row ?? null;
  }
  run(sql: string, params: readonly unknown[]): RunResult {
    // What was learned inside the writes undone may no longer hold.
    if (sql.startsWith('ROLLBACK')) this.onRollback?.();
    const stmt = this.prepare(sql);
    if (stmt.reader) {
      stmt.all(...bindable(params));
      this.writes++;
      return { changes: this.db.prepare('SELECT changes() AS c').pluck().get() as number };
    }
    const r = stmt.run(...bindable(params));
    this.writes++;
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) };
  }
}

/** KnownFacts of one SQLite database: answers while `open` (inside a group's transaction). */
class Facts implements KnownFacts {
  open = false;
  private chats = new Map<number, number>();
  private unsubscribed = new Set<number>();

  chat(userId: number): number | undefined {
    return this.open ? this.chats.get(userId) : undefined;
  }
  knowChat(userId: number, chatId: number): void {
    if (this.open) this.chats.set(userId, chatId);
  }
  withoutPush(userId: number): boolean {
    return this.open && this.unsubscribed.has(userId);
  }
  knowWithoutPush(userId: number): void {
    if (this.open) this.unsubscribed.add(userId);
  }
  forgetPush(): void {
    this.unsubscribed = new Set();
  }
  forget(): void {
    this.chats = new Map();
    this.unsubscribed = new Set();
  }
}

function openReader(path: string): Database.Database {
  const db = openConnection(path);
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A transaction waiting for its group: its callback and how to answer its caller. */
interface Member {
  fn: (db: SqlDb) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Most transactions one commit carries: bounds how long a group holds the writer. */
const MAX_GROUP = 256;
/**
 * After this long, a group commits with what it ran so far and the rest wait for the next
 * group. A member is answered only at its group's COMMIT, so without a bound a long member (a
 * batch of 50 sends) would hold every other member's answer, and everything they keep alive
 * for it, until the whole queue ran.
 */
const GROUP_BUDGET_MS = 10;

/**
 * SQLite through better-sqlite3. The driver is synchronous while transactions are async
 * (handlers await between statements), so a transaction holds the writing connection: other
 * requests' writes wait until it commits instead of running inside it. Reads outside a
 * transaction go to a second connection while a transaction is open, which WAL lets read the
 * last committed state — so a page of notifications never queues behind sends — and to the
 * writing connection otherwise (see `readerFor`).
 *
 * Group commit: the transactions asked for during one event-loop turn run one after the other
 * inside one SQLite transaction (one BEGIN, one COMMIT, each changed page written to the WAL
 * once), each in a savepoint of its own, so one that fails is rolled back alone and fails only
 * its caller. Every caller is answered after the COMMIT that carries its writes, never before.
 */
export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly exec: SqliteExecutor;
  /** Read-only statements outside transactions while one is open; null for an in-memory database (no second connection can see it). */
  private readonly reader: SqliteExecutor | null;
  /** Transactions asked for and not yet started. */
  private pending: Member[] = [];
  /** Running groups until `pending` is empty; null when idle. */
  private draining: Promise<void> | null = null;
  private inTx = false;
  /** The handle every transaction's callback gets (it holds no state of its own). */
  private readonly txHandle: SqliteTx;
  readonly facts = new Facts();
  /** `externalVersion()` when the facts were last checked against other connections' commits. */
  private factsVersion: number | null = null;
  /**
   * The next group runs each member in a savepoint: it holds the members of a group that was
   * rolled back for one that failed after writing.
   */
  private savepointsNext = false;
  private dataVersion: Statement | null = null;
  private counted = { transactions: 0, commits: 0 };
  /**
   * A number that changes whenever anything may have been committed (`currentVersion`). Absent
   * for an in-memory database (no reader).
   */
  readonly commitVersion?: () => number;
  /** `currentVersion`'s inputs when it last changed, and the number it gave. */
  private seen = { writes: -1, external: -1, version: 0 };

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = openConnection(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The commit that takes the WAL past this many pages copies them back into the database
    // (a checkpoint). 4000 (16 MB with 4 KiB pages) instead of SQLite's 1000: a page that many
    // commits change (the newest index leaves, the counters row) is copied back once per
    // checkpoint, so fewer checkpoints copy fewer pages in all (~2-3 us less per send in a
    // loop of group commits with page reads between them). Durability is the WAL's either way.
    db.pragma('wal_autocheckpoint = 4000');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Savepoints (one per transaction of a commit group, one per call of a batch) keep the pages
    // they change in a journal of their own: in memory, not in a temporary file once it grows.
    db.pragma('temp_store = MEMORY');
    this.exec = new SqliteExecutor(db);
    this.txHandle = new SqliteTx(this.exec, this.facts);
    this.exec.onRollback = () => this.facts.forget();
    this.reader = path === ':memory:' ? null : new SqliteExecutor(openReader(path));
    if (this.reader) this.commitVersion = () => this.currentVersion();
  }

  /**
   * Changes whenever the writer ran a statement that may have written (its COMMIT and ROLLBACK
   * included) or another connection committed (the writer's `data_version`). Read on the writer:
   * the reader's `data_version` would tell as much, but the first read on the reader after each
   * of the writer's commits empties the reader's page cache (~1.5 us more, once per commit).
   */
  private currentVersion(): number {
    const writes = this.exec.writes;
    const external = this.externalVersion();
    if (writes !== this.seen.writes || external !== this.seen.external) this.seen = { writes, external, version: this.seen.version + 1 };
    return this.seen.version;
  }

  /**
   * Where a statement that only reads runs now, outside any transaction (null: `sql` writes).
   * The writer's own connection when it holds no transaction: every commit by another connection
   * (the writer's, for the reader) empties a connection's page cache, so the reader would read
   * every page of every statement after a commit again, while the writer keeps its pages across its
   * own commits. The reader while a group is open, which WAL lets read the last committed state.
   */
  private readerFor(sql: string): SqliteExecutor | null {
    if (!this.reader || !this.reader.prepare(sql).readonly) return null;
    return this.inTx || this.exec.db.inTransaction ? this.reader : this.exec;
  }

  private async idle(): Promise<void> {
    while (this.inTx) await this.draining?.catch(() => undefined);
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
  async values(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    const reader = this.readerFor(sql);
    if (reader) return reader.values(sql, params);
    if (this.inTx) await this.idle();
    return this.exec.values(sql, params);
  }
  valuesNow(sql: string, params: readonly unknown[] = []): unknown[][] | undefined {
    const reader = this.readerFor(sql);
    return reader ? reader.values(sql, params) : undefined;
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    if (this.inTx) await this.idle();
    return this.exec.run(sql, params);
  }

  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      // The first transaction of a turn waits for the turn's end (setImmediate runs after the
      // I/O callbacks in which the other requests of this turn ask for theirs).
      this.draining ??= new Promise<void>((done) => setImmediate(() => void this.drain().finally(done)));
    });
  }

  savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return this.tx(fn);
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const savepoints = this.savepointsNext;
        this.savepointsNext = false;
        await this.runGroup(this.pending.splice(0, MAX_GROUP), savepoints);
        // Let the I/O of the next turn in, so the next group collects what it brings.
        if (this.pending.length) await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.draining = null;
    }
  }

  /**
   * Runs `group` in one transaction. Optimistically without a savepoint per member (two
   * statements each, and every page a member changes copied into the savepoint's journal): a
   * member that fails before it wrote anything has nothing to undo, and fails alone. One that
   * fails after writing can only be undone by rolling back the whole transaction: it fails
   * alone still (it would have failed the same way, in the same state, in a savepoint), and
   * the others run again in the next group, each in a savepoint of its own (`savepoints`).
   * Callbacks may run again: they only touch the store (PostgreSQL runs a transaction again
   * after a conflict too).
   */
  private async runGroup(group: Member[], savepoints: boolean): Promise<void> {
    this.inTx = true;
    const done: { member: Member; value: unknown }[] = [];
    const began = performance.now();
    let next = 0;
    let end = group.length;
    try {
      this.exec.run('BEGIN IMMEDIATE', []);
      // Holding the writer, no other connection commits until this group ends: what the facts
      // hold is right for the whole group if nothing was committed elsewhere since the last.
      const version = this.externalVersion();
      if (version !== this.factsVersion) {
        this.facts.forget();
        this.factsVersion = version;
      }
      this.facts.open = true;
      // A lone transaction needs no savepoint: if it fails, the whole transaction is rolled back.
      const inSavepoint = savepoints && group.length > 1;
      for (let i = 0; i < end; i++) {
        const member = group[i]!;
        next = i;
        if (inSavepoint) this.exec.run('SAVEPOINT member', []);
        const writes = this.exec.writes;
        try {
          const value = await member.fn(this.txHandle);
          if (inSavepoint) this.exec.run('RELEASE member', []);
          done.push({ member, value });
        } catch (err) {
          member.reject(err);
          if (!this.exec.db.inTransaction) {
            // SQLite itself ended the transaction (an I/O error, a full disk): the writes of the
            // members before this one are gone too. They run again, in the next group.
            this.facts.forget();
            this.requeue(done, group.slice(i + 1, end));
            return;
          }
          if (inSavepoint) {
            this.exec.run('ROLLBACK TO member', []);
            this.exec.run('RELEASE member', []);
          } else if (this.exec.writes !== writes) {
            this.exec.run('ROLLBACK', []);
            this.requeue(done, group.slice(i + 1, end));
            return;
          }
        }
        next = i + 1;
        if (next < end && performance.now() - began >= GROUP_BUDGET_MS) {
          this.pending.unshift(...group.slice(next));
          end = next;
        }
      }
      this.exec.run('COMMIT', []);
      this.counted.commits += 1;
      this.counted.transactions += done.length;
      for (const d of done) d.member.resolve(d.value);
    } catch (err) {
      // BEGIN, a savepoint or COMMIT failed: nothing of the group is stored, everyone not yet
      // answered gets the error.
      this.facts.forget();
      try {
        if (this.exec.db.inTransaction) this.exec.run('ROLLBACK', []);
      } catch {
        // the connection reports its own failure on the next statement
      }
      for (const d of done) d.member.reject(err);
      for (const m of group.slice(next, end)) m.reject(err);
    } finally {
      this.facts.open = false;
      this.inTx = false;
    }
  }

  /** Members of a rolled-back group go first in the next one, each in a savepoint. */
  private requeue(done: { member: Member }[], rest: Member[]): void {
    if (!done.length && !rest.length) return;
    this.pending.unshift(...done.map((d) => d.member), ...rest);
    this.savepointsNext = true;
  }

  /** Transactions committed and the commits that carried them, since the database was opened. */
  stats(): { transactions: number; commits: number } {
    return { ...this.counted };
  }

  /** SQLite's own counter of commits made by other connections to this file (`data_version`). */
  externalVersion(): number {
    this.dataVersion ??= this.exec.db.prepare('PRAGMA data_version').pluck();
    return this.dataVersion.get() as number;
  }

  async close(): Promise<void> {
    while (this.draining) await this.draining.catch(() => undefined);
    this.reader?.db.close();
    this.exec.db.close();
  }
}

/** The handle a transaction's callback receives: statements run at once, inside the transaction. */
class SqliteTx implements SqlDb {
  readonly dialect = 'sqlite' as const;
  constructor(
    private readonly exec: SqliteExecutor,
    readonly facts: KnownFacts,
  ) {}
  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.exec.all<T>(sql, params);
  }
  async get<T>(sql: string, params: readonly unknown[] = []): Promise<T | null> {
    return this.exec.get<T>(sql, params);
  }
  async values(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.exec.values(sql, params);
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<RunResult> {
    return this.exec.run(sql, params);
  }
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }
  async savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T> {
    this.exec.run('SAVEPOINT part', []);
    try {
      const value = await fn(this);
      this.exec.run('RELEASE part', []);
      return value;
    } catch (err) {
      // SQLite ends the whole transaction itself on some errors (I/O, a full disk): there is no
      // savepoint left to return to, and statements run now would each commit on their own.
      if (!this.exec.db.inTransaction) throw new StoreUnavailable(err);
      this.exec.run('ROLLBACK TO part', []);
      this.exec.run('RELEASE part', []);
      throw err;
    }
  }
  async close(): Promise<void> {}
}
