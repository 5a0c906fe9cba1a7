import type { SqlDb } from '../engine/sql-db.ts';
import type { Store } from '../port/store.ts';
import { SqlAppRepo } from './apps.ts';
import { SqlDeliverySettingsRepo } from './delivery-settings.ts';
import { SqlEventRepo } from './events.ts';
import { SqlMailOutboxRepo } from './mail-outbox.ts';
import { SqlNotificationRepo } from './notifications.ts';
import { SqlOAuthRepo } from './oauth.ts';
import { SqlPreferenceRepo } from './preferences.ts';
import { SqlWebSessionRepo } from './sessions.ts';
import { SqlTableStore } from './tables.ts';
import { SqlUserRepo } from './users.ts';
import { SqlWebhookRepo } from './webhooks.ts';
import { SqlWebPushRepo } from './webpush.ts';

/** The Store over one SQL connection (or one open transaction): every repository shares it. */
export function sqlStore(db: SqlDb): Store {
  return sqlStoreOf(db).store;
}

/** A store with the repositories that keep state for a batch's run (dropped between transactions). */
interface SqlStoreParts {
  store: Store;
  notifications: SqlNotificationRepo;
  webPush: SqlWebPushRepo;
  mailOutbox: SqlMailOutboxRepo;
}

function sqlStoreOf(db: SqlDb): SqlStoreParts {
  // Inside a transaction a nested tx or savepoint runs on the same handle: the same store serves
  // it. SQLite hands every transaction the same handle: its store is made once, and what its
  // repositories keep for one transaction (a batch's run: deferred counter changes, chats, users
  // without push subscriptions, e-mails not yet queued) is dropped when the next one starts on it (a transaction that
  // failed may have left some).
  const inner = new WeakMap<SqlDb, SqlStoreParts>();
  const wrap = (t: SqlDb): Store => {
    if (t === db) return store;
    let s = inner.get(t);
    if (!s) inner.set(t, (s = sqlStoreOf(t)));
    else {
      s.notifications.forgetRun();
      s.webPush.endRun();
      s.mailOutbox.forgetRun();
    }
    return s.store;
  };
  const notifications = new SqlNotificationRepo(db);
  const webPush = new SqlWebPushRepo(db);
  const mailOutbox = new SqlMailOutboxRepo(db);
  const store: Store = {
    engine: db.dialect,
    users: new SqlUserRepo(db),
    webhooks: new SqlWebhookRepo(db),
    notifications,
    sessions: new SqlWebSessionRepo(db),
    preferences: new SqlPreferenceRepo(db),
    apps: new SqlAppRepo(db),
    oauth: new SqlOAuthRepo(db),
    events: new SqlEventRepo(db),
    deliverySettings: new SqlDeliverySettingsRepo(db),
    mailOutbox,
    tables: new SqlTableStore(db),
    webPush,
    tx: (fn) => db.tx((t) => fn(wrap(t))),
    savepoint: (fn) => db.savepoint((t) => fn(wrap(t))),
    externalVersion: () => db.externalVersion?.() ?? null,
    commitVersion: () => db.commitVersion?.() ?? null,
    ping: async () => void (await db.get('SELECT 1 AS ok')),
    close: () => db.close(),
  };
  return { store, notifications, webPush, mailOutbox };
}
