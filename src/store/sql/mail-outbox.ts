import type { SqlDb } from '../engine/sql-db.ts';
import type { MailMessage, MailOutboxRepo, NewMailMessage, NewOutboxItem, OutboxItem, OutboxOutcome, OutboxState } from '../port/delivery.ts';
import { idChunks, placeholders } from './query.ts';

type Row = Record<string, unknown>;

/** Why a queued mail was cancelled before its time: the console's outbox shows it. */
export const SETTLED = 'read or deleted before it was sent';

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

function item(r: Row): OutboxItem {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    notificationId: Number(r.notification_id),
    typeKey: String(r.type_key),
    state: r.state as OutboxState,
    dueAt: Number(r.due_at),
    attempts: Number(r.attempts),
    lastError: String(r.last_error),
    mailId: num(r.mail_id),
    createdAt: Number(r.created_at),
    finishedAt: num(r.finished_at),
  };
}

/** Items a worker may take: queued, due, and not held by a live claim of another worker. */
const CLAIMABLE = `state = 'queued' AND due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`;

/** Cancels the queued mails of `count` notifications of a user: binds now, SETTLED, the ids, the user. */
function cancelForSql(count: number): string {
  return `UPDATE mail_outbox SET state = 'cancelled', finished_at = ?, last_error = ?
         WHERE notification_id IN ${placeholders(count)} AND user_id = ? AND state = 'queued' AND claimed_by IS NULL`;
}

/** Rows one multi-row INSERT of a run's queued items carries at most. */
const QUEUED_PER_INSERT = 50;
const insertSql: string[] = [];

/** The INSERT of `n` outbox rows (n ≤ QUEUED_PER_INSERT), built once per size. */
function insertRows(n: number): string {
  return (insertSql[n] ??= `INSERT INTO mail_outbox (user_id, notification_id, type_key, due_at, created_at) VALUES ${Array(n).fill('(?, ?, ?, ?, ?)').join(', ')}`);
}

export class SqlMailOutboxRepo implements MailOutboxRepo {
  readonly beginRun?: () => void;
  /** Items queued during a run (`beginRun`), as INSERT arguments, not yet written; null outside one. */
  private queued: unknown[] | null = null;

  constructor(private readonly db: SqlDb) {
    if (db.dialect === 'sqlite') this.beginRun = () => void (this.queued ??= []);
  }

  async enqueue(i: NewOutboxItem, now: number) {
    if (this.queued) {
      this.queued.push(i.userId, i.notificationId, i.typeKey, i.dueAt, now);
      return;
    }
    await this.db.run(insertRows(1), [i.userId, i.notificationId, i.typeKey, i.dueAt, now]);
  }

  /** Writes what the run queued, in order, and ends the run. */
  async endRun(): Promise<void> {
    await this.writeQueued();
    this.queued = null;
  }

  /** Drops what a run queued when its transaction ended without `endRun` (rolled back). */
  forgetRun(): void {
    this.queued = null;
  }

  /** The run's queued items, written (every other statement on the outbox comes after them). */
  private async writeQueued(): Promise<void> {
    const queued = this.queued;
    if (!queued?.length) return;
    this.queued = [];
    const step = QUEUED_PER_INSERT * 5;
    for (let at = 0; at < queued.length; at += step) {
      const args = queued.slice(at, at + step);
      await this.db.run(insertRows(args.length / 5), args);
    }
  }

  async claimDue(worker: string, now: number, until: number, users: number) {
    await this.writeQueued();
    const userIds = await this.db.all<{ user_id: number | string }>(
      `SELECT user_id FROM mail_outbox WHERE ${CLAIMABLE} GROUP BY user_id ORDER BY MIN(due_at) LIMIT ?`,
      [now, now, users],
    );
    if (!userIds.length) return [];
    const ids = userIds.map((u) => Number(u.user_id));
    // The WHERE is checked again by the UPDATE itself: rows another node claimed since the
    // SELECT no longer match (PostgreSQL re-evaluates it after waiting on the row locks).
    const rows = await this.db.all<Row>(
      `UPDATE mail_outbox SET claimed_by = ?, claimed_until = ?
       WHERE user_id IN ${placeholders(ids.length)} AND ${CLAIMABLE} RETURNING *`,
      [worker, until, ...ids, now, now],
    );
    return rows.map(item).sort((a, b) => a.id - b.id);
  }
  async finish(ids: number[], worker: string, o: OutboxOutcome, now: number) {
    await this.writeQueued();
    if (!ids.length) return;
    const finished = o.state === 'queued' ? null : now;
    await this.db.run(
      `UPDATE mail_outbox SET state = ?, due_at = ?, last_error = ?, mail_id = COALESCE(?, mail_id), finished_at = ?,
         attempts = attempts + ?, claimed_by = NULL, claimed_until = NULL
       WHERE id IN ${placeholders(ids.length)} AND claimed_by = ?`,
      [o.state, o.dueAt, o.lastError, o.mailId, finished, o.attempted ? 1 : 0, ...ids, worker],
    );
  }
  async cancelSettled(userId: number, now: number) {
    await this.writeQueued();
    // Claimed rows are left to their worker, which checks the notifications again itself. Each
    // queued mail looks up its own notification (by key): the cost follows the user's queued
    // mails, not their unread notifications.
    const r = await this.db.run(
      `UPDATE mail_outbox SET state = 'cancelled', finished_at = ?, last_error = ?
       WHERE user_id = ? AND state = 'queued' AND claimed_by IS NULL
         AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = mail_outbox.notification_id AND n.is_read = 0)`,
      [now, SETTLED, userId],
    );
    return r.changes;
  }
  async cancelFor(userId: number, notificationIds: readonly number[], now: number) {
    await this.writeQueued();
    let changes = 0;
    for (const chunk of idChunks(notificationIds)) {
      const r = await this.db.run(cancelForSql(chunk.length), [now, SETTLED, ...chunk, userId]);
      changes += r.changes;
    }
    return changes;
  }
  async requeue(ids: number[], now: number) {
    await this.writeQueued();
    if (!ids.length) return 0;
    const r = await this.db.run(
      `UPDATE mail_outbox SET state = 'queued', due_at = ?, attempts = 0, finished_at = NULL
       WHERE id IN ${placeholders(ids.length)} AND state = 'failed'`,
      [now, ...ids],
    );
    return r.changes;
  }
  async saveMessage(m: NewMailMessage) {
    const r = await this.db.get<{ id: number | string }>(
      `INSERT INTO mail_messages (user_id, recipient, subject, text_body, html_body, headers, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [m.userId, m.recipient, m.subject, m.text, m.html, JSON.stringify(m.headers), m.createdAt],
    );
    return Number(r!.id);
  }
  async message(id: number): Promise<MailMessage | null> {
    const r = await this.db.get<Row>('SELECT * FROM mail_messages WHERE id = ?', [id]);
    if (!r) return null;
    return {
      id: Number(r.id),
      userId: Number(r.user_id),
      recipient: String(r.recipient),
      subject: String(r.subject),
      text: String(r.text_body),
      html: String(r.html_body),
      headers: JSON.parse(String(r.headers)) as Record<string, string>,
      createdAt: Number(r.created_at),
    };
  }
  async list(f: { state?: OutboxState; userId?: number; limit: number }) {
    await this.writeQueued();
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.state) {
      where.push('state = ?');
      args.push(f.state);
    }
    if (f.userId !== undefined) {
      where.push('user_id = ?');
      args.push(f.userId);
    }
    const rows = await this.db.all<Row>(
      `SELECT * FROM mail_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      [...args, f.limit],
    );
    return rows.map(item);
  }
  async byId(id: number) {
    await this.writeQueued();
    const r = await this.db.get<Row>('SELECT * FROM mail_outbox WHERE id = ?', [id]);
    return r ? item(r) : null;
  }
  async purgeFinished(before: number) {
    await this.writeQueued();
    await this.db.run(`DELETE FROM mail_outbox WHERE state <> 'queued' AND finished_at < ?`, [before]);
    await this.db.run('DELETE FROM mail_messages WHERE created_at < ? AND id NOT IN (SELECT mail_id FROM mail_outbox WHERE mail_id IS NOT NULL)', [before]);
  }
  async queuedCount() {
    await this.writeQueued();
    const r = await this.db.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE state = 'queued'");
    return Number(r?.n ?? 0);
  }
  async claimSigningKey(candidate: string) {
    await this.db.run("INSERT INTO instance_facts (name, value) VALUES ('mail_signing_key', ?) ON CONFLICT (name) DO NOTHING", [candidate]);
    const row = await this.db.get<{ value: string }>("SELECT value FROM instance_facts WHERE name = 'mail_signing_key'");
    return row!.value;
  }
}
