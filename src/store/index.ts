import type { SqlDb } from './sql.ts';
import { SqliteDb } from './sqlite.ts';
import { migrate } from './migrations/index.ts';
import type { UserRepo, WebhookRepo } from './types.ts';
import { SqlUserRepo } from './users.ts';
import { SqlWebhookRepo } from './webhooks.ts';

/**
 * The storage interface the rest of the server sees: one repository per kind of record,
 * and transactions. Callers never see SQL or the engine.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  users: UserRepo;
  webhooks: WebhookRepo;
  /** Runs `fn` against a store whose every repository works inside one transaction. */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

function storeOver(db: SqlDb): Store {
  return {
    engine: db.dialect,
    users: new SqlUserRepo(db),
    webhooks: new SqlWebhookRepo(db),
    tx: (fn) => db.tx((t) => fn(storeOver(t))),
    close: () => db.close(),
  };
}

/** Opens the store named by `url`: a file path (SQLite, the default) or `postgres://...`. */
export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) throw new Error('PostgreSQL store is not available yet');
  const db = new SqliteDb(url.replace(/^sqlite:(\/\/)?/, ''));
  await migrate(db);
  return storeOver(db);
}
