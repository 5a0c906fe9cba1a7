import type { AppRepo, EventRepo, OAuthRepo } from './apps.ts';
import type { DeliverySettingsRepo, MailOutboxRepo } from './delivery.ts';
import type { UserRepo, WebhookRepo, WebSessionRepo } from './identity.ts';
import type { NotificationRepo } from './notifications.ts';
import type { PreferenceRepo } from './preferences.ts';
import type { TableStore } from './tables.ts';
import type { WebPushRepo } from './webpush.ts';

/**
 * The storage interface the rest of the server sees: one repository per kind of record,
 * and transactions. Callers never see SQL or the engine. Every "find one" answers `null`
 * when there is no such record.
 *
 * Inside `tx` only store calls may be awaited: a transaction holds SQLite's one writer (and a
 * PostgreSQL connection), so waiting there on the network or a timer stalls every other write.
 */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  users: UserRepo;
  webhooks: WebhookRepo;
  notifications: NotificationRepo;
  /** Browser sessions of the web page. */
  sessions: WebSessionRepo;
  /** Theme and language each user chose for the web pages. */
  preferences: PreferenceRepo;
  /** OAuth applications, their grants and install state, and facts about this installation. */
  apps: AppRepo;
  /** Authorization codes and access/refresh tokens (hashed). */
  oauth: OAuthRepo;
  /** Event bindings and the durable delivery queue. */
  events: EventRepo;
  /** Which notification types reach which channel; do-not-disturb and quiet hours. */
  deliverySettings: DeliverySettingsRepo;
  /** E-mails waiting, sent, failed or cancelled, and the mails rendered for them. */
  mailOutbox: MailOutboxRepo;
  /** Whole tables, generic over the schema: snapshots, imports, test resets. */
  tables: TableStore;
  /** Web Push: the VAPID keys, browsers' subscriptions and the queue of pushes. */
  webPush: WebPushRepo;
  /** Runs `fn` against a store whose every repository works inside one transaction. */
  tx<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /**
   * Inside a transaction: runs `fn` so that when it throws, only its own writes are undone and
   * the transaction goes on (a savepoint; the calls of one `batch` each run in one). Throws
   * StoreUnavailable when the transaction itself was lost. Outside a transaction: `tx`.
   */
  savepoint<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Changes when another process commits to the database; null where the engine cannot tell. */
  externalVersion(): number | null;
  /**
   * Changes whenever anything is committed to the database (by this process too); null where
   * the engine cannot tell. An answer read while it held one value may be given again while it
   * holds that value: the store has not changed.
   */
  commitVersion(): number | null;
  /** Resolves when the database answers a trivial query (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
