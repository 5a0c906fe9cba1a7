import type { SqlDb } from './sql.ts';
import { SqliteDb } from './sqlite.ts';
import { migrate } from './migrations/index.ts';
import type { UserRepo, WebhookRepo, WebSessionRepo } from './types.ts';
import { SqlWebSessionRepo } from './sessions.ts';
import { SqlUserRepo } from './users.ts';
import { SqlWebhookRepo } from './webhooks.ts';
import type { NotificationRepo } from './notify-types.ts';
import { SqlNotificationRepo } from './notifications.ts';
import type { AppRepo, EventRepo, OAuthRepo } from './apps-types.ts';
import { SqlAppRepo } from './apps.ts';
import { SqlOAuthRepo } from './oauth.ts';
import { SqlEventRepo } from './events.ts';

/**
 * The storage interface the rest of the server sees: one repository per kind of record,
 * and transactions. Callers never see SQL or the engine.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  users: UserRepo;
  webhooks: WebhookRepo;
  notifications: NotificationRepo;
  /** Browser sessions of the web page. */
  sessions: WebSessionRepo;
  /** OAuth applications, their grants and install state. */
  apps: AppRepo;
  /** Authorization codes and access/refresh tokens (hashed). */
  oauth: OAuthRepo;
  /** Event bindings and the durable delivery queue. */
  events: EventRepo;
  /** Runs `fn` against a store whose every repository works inside one transaction. */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Resolves when the database answers a trivial query (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function storeOver(db: SqlDb): Store {
  return {
    engine: db.dialect,
    users: new SqlUserRepo(db),
    webhooks: new SqlWebhookRepo(db),
    notifications: new SqlNotificationRepo(db),
    sessions: new SqlWebSessionRepo(db),
    apps: new SqlAppRepo(db),
    oauth: new SqlOAuthRepo(db),
    events: new SqlEventRepo(db),
    tx: (fn) => db.tx((t) => fn(storeOver(t))),
    ping: async () => void (await db.get('SELECT 1 AS ok')),
    close: () => db.close(),
  };
}

/** Opens the store named by `url`: a file path (SQLite, the default) or `postgres://...`. */
export async function openStore(url: string): Promise<Store> {
  // The PostgreSQL driver is loaded only when asked for: the default SQLite start stays fast.
  const db = /^postgres(ql)?:\/\//.test(url)
    ? new (await import('./postgres.ts')).PostgresDb(url)
    : new SqliteDb(url.replace(/^sqlite:(\/\/)?/, ''));
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return storeOver(db);
}
