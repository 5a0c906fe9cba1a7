import { SqliteDb } from './engine/sqlite.ts';
import { migrate } from './migrations/index.ts';
import type { Store } from './port/store.ts';
import { sqlStore } from './sql/store.ts';

/** Opens the store named by `url`: a file path (SQLite, the default) or `postgres://...`. */
export async function openStore(url: string): Promise<Store> {
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
  return sqlStore(db);
}
