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
  // Inside a transaction a nested tx or savepoint runs on the same handle: the same store serves it.
  const store: Store = {
    engine: db.dialect,
    users: new SqlUserRepo(db),
    webhooks: new SqlWebhookRepo(db),
    notifications: new SqlNotificationRepo(db),
    sessions: new SqlWebSessionRepo(db),
    preferences: new SqlPreferenceRepo(db),
    apps: new SqlAppRepo(db),
    oauth: new SqlOAuthRepo(db),
    events: new SqlEventRepo(db),
    deliverySettings: new SqlDeliverySettingsRepo(db),
    mailOutbox: new SqlMailOutboxRepo(db),
    tables: new SqlTableStore(db),
    webPush: new SqlWebPushRepo(db),
    tx: (fn) => db.tx((t) => fn(t === db ? store : sqlStore(t))),
    savepoint: (fn) => db.savepoint((t) => fn(t === db ? store : sqlStore(t))),
    externalVersion: () => db.externalVersion?.() ?? null,
    commitVersion: () => db.commitVersion?.() ?? null,
    ping: async () => void (await db.get('SELECT 1 AS ok')),
    close: () => db.close(),
  };
  return store;
}
