/**
 * The narrow SQL port the repositories are written against. Repositories hold portable SQL
 * (`?` placeholders, RETURNING, no engine-specific functions unless guarded by `dialect`),
 * so SQLite and PostgreSQL share one implementation of every query (store/sql/); only the
 * drivers beside this file and the migration DDL differ per engine.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
  /** SQLite: the rowid of the row the statement inserted (last_insert_rowid). */
  lastId?: number;
}

/**
 * What transactions on one database may carry over from earlier ones (SQLite, see SqliteDb):
 * a user's chat id (a chat never changes once committed) and users found without a push
 * subscription. It answers only inside a group's transaction — no other connection can commit
 * while it holds the writer, and the group checked for other connections' commits when it
 * began — and forgets everything whenever anything is rolled back. Repositories tell it when
 * what it holds may have changed (a subscription added, whole tables replaced).
 */
export interface KnownFacts {
  chat(userId: number): number | undefined;
  knowChat(userId: number, chatId: number): void;
  /** True when the user is known to have no push subscription. */
  withoutPush(userId: number): boolean;
  knowWithoutPush(userId: number): void;
  /** A push subscription was added (or moved to another user). */
  forgetPush(): void;
  forget(): void;
}

export interface SqlDb {
  readonly dialect: Dialect;
  /** Facts kept across transactions (SQLite); absent where nothing is kept. */
  readonly facts?: KnownFacts;
  /** True on the handle a PostgreSQL transaction's callback receives (statements there run in order, in that transaction). */
  readonly transaction?: boolean;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or null when there is none. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | null>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /**
   * Rows as arrays of column values in SELECT order: no object per row, no key per value —
   * for the hot listings that read many rows (a page of notifications).
   */
  values(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  /**
   * `values`, when the engine can read them at once, waiting for nothing (SQLite's reader
   * connection); else undefined, and the caller asks `values`. Throws what `values` rejects with.
   * WHY: a call that only reads one row (a read of one notification's state) is then answered
   * in the turn it started, with no promise.
   */
  valuesNow?(sql: string, params?: readonly unknown[]): unknown[][] | undefined;
  /** Runs `fn` in one transaction; a nested call joins the outer transaction. */
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: runs `fn` in a savepoint, so that when it throws only its own writes
   * are undone and the transaction goes on. When the transaction itself is gone (the connection
   * was lost, SQLite ended it on an I/O error), throws StoreUnavailable: nothing can go on.
   * Outside a transaction: the same as `tx`.
   */
  savepoint<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  /**
   * A number that changes whenever another connection (another process: the CLI) commits to
   * the same database; absent where the engine cannot tell (PostgreSQL).
   */
  externalVersion?(): number;
  /**
   * A number that changes whenever anything is committed to the database, by this process or
   * another, read outside any transaction; absent where the engine cannot tell (PostgreSQL, an
   * in-memory SQLite database). What was read while it held one value is still what the store
   * holds while it holds that value.
   */
  commitVersion?(): number;
  close(): Promise<void>;
}
