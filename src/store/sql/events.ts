import type { SqlDb } from '../engine/sql-db.ts';
import { claimDueRows } from './query.ts';
import type { DeliveryAttempt, DeliveryStatus, EventBinding, EventDelivery, EventRepo, NewDelivery } from '../port/apps.ts';

interface BindingRow {
  id: number | string;
  app_id: number | string;
  event: string;
  handler: string;
  auth_user_id: number | string;
  bound_by: number | string;
  created_at: number | string;
}

interface DeliveryRow {
  id: number | string;
  app_id: number | string;
  binding_id: number | string | null;
  event: string;
  handler: string;
  user_id: number | string;
  data: string;
  with_refresh: number | string;
  status: DeliveryStatus;
  attempts: number | string;
  next_attempt_at: number | string;
  last_status: number | string | null;
  last_error: string | null;
  attempt_log: string;
  created_at: number | string;
  delivered_at: number | string | null;
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

function toBinding(r: BindingRow): EventBinding {
  return {
    id: Number(r.id),
    appId: Number(r.app_id),
    event: r.event,
    handler: r.handler,
    authUserId: Number(r.auth_user_id),
    boundBy: Number(r.bound_by),
    createdAt: Number(r.created_at),
  };
}

function toDelivery(r: DeliveryRow): EventDelivery {
  return {
    id: Number(r.id),
    appId: Number(r.app_id),
    bindingId: num(r.binding_id),
    event: r.event,
    handler: r.handler,
    userId: Number(r.user_id),
    data: JSON.parse(r.data) as Record<string, unknown>,
    withRefresh: Boolean(Number(r.with_refresh)),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastStatus: num(r.last_status),
    lastError: r.last_error,
    log: JSON.parse(r.attempt_log) as DeliveryAttempt[],
    createdAt: Number(r.created_at),
    deliveredAt: num(r.delivered_at),
  };
}

/** Rows a worker may take: waiting, due, and not held by a live claim of another worker. */
const CLAIMABLE = `status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`;
const EVENT_QUEUE = { table: 'event_deliveries', dueColumn: 'next_attempt_at', claimable: CLAIMABLE };

export class SqlEventRepo implements EventRepo {
  constructor(private readonly db: SqlDb) {}

  async bind(b: Omit<EventBinding, 'id' | 'createdAt'>, now: number) {
    const row = await this.db.get<BindingRow>(
      `INSERT INTO event_bindings (app_id, event, handler, auth_user_id, bound_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (app_id, event, handler, auth_user_id) DO NOTHING RETURNING *`,
      [b.appId, b.event, b.handler, b.authUserId, b.boundBy, now],
    );
    return row ? toBinding(row) : null;
  }
  async unbind(appId: number, event: string, handler: string, authUserId?: number) {
    const r = authUserId === undefined
      ? await this.db.run('DELETE FROM event_bindings WHERE app_id = ? AND event = ? AND handler = ?', [appId, event, handler])
      : await this.db.run('DELETE FROM event_bindings WHERE app_id = ? AND event = ? AND handler = ? AND auth_user_id = ?', [appId, event, handler, authUserId]);
    return r.changes;
  }
  async bindings(appId: number) {
    return (await this.db.all<BindingRow>('SELECT * FROM event_bindings WHERE app_id = ? ORDER BY id', [appId])).map(toBinding);
  }
  async bindingsFor(appId: number, event: string) {
    const rows = await this.db.all<BindingRow>('SELECT * FROM event_bindings WHERE app_id = ? AND event = ? ORDER BY id', [appId, event]);
    return rows.map(toBinding);
  }
  async enqueue(items: NewDelivery[], now: number) {
    for (const d of items) {
      await this.db.run(
        `INSERT INTO event_deliveries (app_id, binding_id, event, handler, user_id, data, with_refresh, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [d.appId, d.bindingId, d.event, d.handler, d.userId, JSON.stringify(d.data), d.withRefresh ? 1 : 0, now, now],
      );
    }
  }
  async claimDue(worker: string, now: number, until: number, limit: number) {
    return (await claimDueRows<DeliveryRow>(this.db, EVENT_QUEUE, worker, now, until, limit)).map(toDelivery);
  }
  async finishAttempt(
    id: number,
    worker: string,
    o: { status: DeliveryStatus; log: DeliveryAttempt[]; nextAttemptAt: number; deliveredAt: number | null },
  ) {
    const last = o.log[o.log.length - 1];
    // Only the claim holder writes: a worker whose claim lapsed (and was retaken) must not.
    await this.db.run(
      `UPDATE event_deliveries SET status = ?, last_status = ?, last_error = ?, attempt_log = ?, next_attempt_at = ?,
         delivered_at = ?, claimed_by = NULL, claimed_until = NULL
       WHERE id = ? AND claimed_by = ?`,
      [o.status, last?.status ?? null, last?.error ?? null, JSON.stringify(o.log), o.nextAttemptAt, o.deliveredAt, id, worker],
    );
  }
  async purgeFinished(before: number) {
    await this.db.run(`DELETE FROM event_deliveries WHERE status <> 'pending' AND created_at < ?`, [before]);
  }
  async deliveries(filter: { appId?: number; status?: DeliveryStatus; limit: number }) {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.appId !== undefined) {
      where.push('app_id = ?');
      params.push(filter.appId);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      params.push(filter.status);
    }
    const sql = `SELECT * FROM event_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return (await this.db.all<DeliveryRow>(sql, [...params, filter.limit])).map(toDelivery);
  }
  async byId(id: number) {
    const row = await this.db.get<DeliveryRow>('SELECT * FROM event_deliveries WHERE id = ?', [id]);
    return row ? toDelivery(row) : null;
  }
  async retry(id: number, now: number) {
    const row = await this.db.get<DeliveryRow>(
      `UPDATE event_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, delivered_at = NULL,
         claimed_by = NULL, claimed_until = NULL
       WHERE id = ? AND status = 'failed' RETURNING *`,
      [now, id],
    );
    return row ? toDelivery(row) : null;
  }
  async pendingCount() {
    const row = await this.db.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM event_deliveries WHERE status = 'pending'`);
    return Number(row?.n ?? 0);
  }
}
