/**
 * The narrow SQL port the repositories are written against. Repositories hold portable SQL
 * (`?` placeholders, RETURNING, no engine-specific functions unless guarded by `dialect`),
 * so SQLite and PostgreSQL share one implementation of every query; only this driver layer
 * and the migration DDL differ per engine.
 */
export type Dialect = 'sqlite' | 'postgres';

export interface RunResult {
  changes: number;
}

export interface SqlDb {
  readonly dialect: Dialect;
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<RunResult>;
  /** Runs `fn` in one transaction; a nested call joins the outer transaction. */
  tx<T>(fn: (db: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Builds `(?, ?, ?)` for an IN list; callers never interpolate values, only placeholders. */
export function placeholders(count: number): string {
  return `(${new Array(count).fill('?').join(', ')})`;
}

/** Scope lists are kept as one comma-separated column; '' is the empty list. */
export function commaList(column: string): string[] {
  return column ? column.split(',') : [];
}
