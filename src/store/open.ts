import { SqliteDb } from './engine/sqlite.ts';
import { watched } from './engine/watched.ts';
import { migrate } from './migrations/index.ts';
import type { Store } from './port/store.ts';
import { sqlStore } from './sql/store.ts';

export interface StoreOptions {
  /** Told about every query that failed once the store is open (the store-errors metric). */
  onQueryError?: (err: unknown) => void;
}

/** Opens the store named by `url`: a file path (SQLite, the default) or `postgres://...`. */
export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  // The PostgreSQL driver is loaded only when asked for: the default SQLite start stays fast.
  const db = /^postgres(ql)?:\/\//.test(url)
    ? new (await import('./engine/postgres.ts')).PostgresDb(url)
    : new SqliteDb(url.replace(/^sqlite:(\/\/)?/, ''));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return sqlStore(options.onQueryError ? watched(db, options.onQueryError) : db);
}
