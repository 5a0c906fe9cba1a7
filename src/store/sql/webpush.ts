import type { SqlDb } from '../engine/sql-db.ts';
import { claimDueRows } from './query.ts';
import type { NewPushSubscription, PushDelivery, PushSubscriptionRecord, VapidKeys, WebPushRepo } from '../port/webpush.ts';

interface SubscriptionRow {
  id: number | string;
  user_id: number | string;
  endpoint: string;
  p256dh: string;
  auth: string;
  user_agent: string;
  created_at: number | string;
  last_success_at: number | string | null;
  last_error: string;
}

interface DeliveryRow {
  id: number | string;
  subscription_id: number | string;
  notification_id: number | string;
  user_id: number | string;
  due_at: number | string;
  attempts: number | string;
}

function toSubscription(r: SubscriptionRow): PushSubscriptionRecord {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    endpoint: r.endpoint,
    p256dh: r.p256dh,
    auth: r.auth,
    userAgent: r.user_agent,
    createdAt: Number(r.created_at),
    lastSuccessAt: r.last_success_at === null ? null : Number(r.last_success_at),
    lastError: r.last_error,
  };
}

function toDelivery(r: DeliveryRow): PushDelivery {
  return {
    id: Number(r.id),
    subscriptionId: Number(r.subscription_id),
    notificationId: Number(r.notification_id),
    userId: Number(r.user_id),
    dueAt: Number(r.due_at),
    attempts: Number(r.attempts),
  };
}

const VAPID_FACT = 'vapid_keys';
/** Due, and not held by a live claim of some worker. */
const PUSH_QUEUE = { table: 'push_deliveries', dueColumn: 'due_at', claimable: 'due_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)' };

export class SqlWebPushRepo implements WebPushRepo {
  constructor(private readonly db: SqlDb) {
    if (db.dialect === 'sqlite') this.beginRun = () => void (this.unsubscribed ??= new Set());
  }

  async vapidKeys() {
    const row = await this.db.get<{ value: string }>('SELECT value FROM instance_facts WHERE name = ?', [VAPID_FACT]);
    return row ? (JSON.parse(row.value) as VapidKeys) : null;
  }
  async claimVapidKeys(candidate: VapidKeys) {
    // One row holds both keys, so racing nodes never end up with halves of different pairs.
    await this.db.run('INSERT INTO instance_facts (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [
      VAPID_FACT,
      JSON.stringify({ publicKey: candidate.publicKey, privateKey: candidate.privateKey }),
    ]);
    return (await this.vapidKeys())!;
  }

  async subscribe(s: NewPushSubscription) {
    this.unsubscribed = this.unsubscribed && new Set();
    this.db.facts?.forgetPush();
    const row = await this.db.get<SubscriptionRow>(
      `INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, user_agent, created_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, p256dh = excluded.p256dh, auth = excluded.auth,
         user_agent = excluded.user_agent, created_at = excluded.created_at, last_success_at = NULL, last_error = ''
       RETURNING *`,
      [s.userId, s.endpoint, s.p256dh, s.auth, s.userAgent, s.createdAt],
    );
    return toSubscription(row!);
  }
  async unsubscribe(userId: number, endpoint: string) {
    return (await this.db.run('DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?', [userId, endpoint])).changes > 0;
  }
  async remove(id: number) {
    return (await this.db.run('DELETE FROM push_subscriptions WHERE id = ?', [id])).changes > 0;
  }
  async trim(userId: number, keep: number) {
    const r = await this.db.run(
      `DELETE FROM push_subscriptions WHERE user_id = ? AND id NOT IN
         (SELECT id FROM push_subscriptions WHERE user_id = ? ORDER BY id DESC LIMIT ?)`,
      [userId, userId, keep],
    );
    return r.changes;
  }
  async byId(id: number) {
    const row = await this.db.get<SubscriptionRow>('SELECT * FROM push_subscriptions WHERE id = ?', [id]);
    return row ? toSubscription(row) : null;
  }
  async list(userId: number | null) {
    const rows = userId === null
      ? await this.db.all<SubscriptionRow>('SELECT * FROM push_subscriptions ORDER BY id DESC')
      : await this.db.all<SubscriptionRow>('SELECT * FROM push_subscriptions WHERE user_id = ? ORDER BY id DESC', [userId]);
    return rows.map(toSubscription);
  }
  async noteResult(id: number, at: number, error: string) {
    if (error) await this.db.run('UPDATE push_subscriptions SET last_error = ? WHERE id = ?', [error, id]);
    else await this.db.run("UPDATE push_subscriptions SET last_success_at = ?, last_error = '' WHERE id = ?", [at, id]);
  }

  readonly beginRun?: () => void;
  /** Users found without subscriptions during a run (`beginRun`); null outside one. */
  private unsubscribed: Set<number> | null = null;

  endRun(): void {
    this.unsubscribed = null;
  }

  async enqueue(notificationId: number, userId: number, now: number) {
    if (this.unsubscribed?.has(userId) || this.db.facts?.withoutPush(userId)) return 0;
    const r = await this.db.run(
      `INSERT INTO push_deliveries (subscription_id, notification_id, user_id, due_at, created_at)
       SELECT id, ?, user_id, ?, ? FROM push_subscriptions WHERE user_id = ?`,
      [notificationId, now, now, userId],
    );
    if (r.changes === 0) {
      this.unsubscribed?.add(userId);
      this.db.facts?.knowWithoutPush(userId);
    }
    return r.changes;
  }
  async claimDue(worker: string, now: number, until: number, limit: number) {
    return (await claimDueRows<DeliveryRow>(this.db, PUSH_QUEUE, worker, now, until, limit)).map(toDelivery);
  }
  async finish(id: number) {
    await this.db.run('DELETE FROM push_deliveries WHERE id = ?', [id]);
  }
  async reschedule(id: number, dueAt: number, countAttempt: boolean) {
    await this.db.run(
      `UPDATE push_deliveries SET due_at = ?, claimed_by = NULL, claimed_until = NULL, attempts = attempts - ? WHERE id = ?`,
      [dueAt, countAttempt ? 0 : 1, id],
    );
  }
  async pendingCount() {
    const row = await this.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM push_deliveries');
    return Number(row?.n ?? 0);
  }
}
