import type { SqlDb } from '../engine/sql-db.ts';
import { commaList } from './query.ts';
import type { Webhook, WebhookRepo } from '../port/identity.ts';

interface WebhookRow {
  id: number | string;
  user_id: number | string;
  code_hash: string;
  title: string;
  scopes: string;
  active: number;
  created_at: number | string;
  last_used_at: number | string | null;
  last_used_ip: string | null;
}

function toWebhook(r: WebhookRow): Webhook {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    codeHash: r.code_hash,
    title: r.title,
    scopes: commaList(r.scopes),
    active: Boolean(Number(r.active)),
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    lastUsedIp: r.last_used_ip,
  };
}

export class SqlWebhookRepo implements WebhookRepo {
  constructor(private readonly db: SqlDb) {}

  async create(w: { userId: number; codeHash: string; title: string; scopes: string[] }, now: number) {
    const row = await this.db.get<WebhookRow>(
      `INSERT INTO webhooks (user_id, code_hash, title, scopes, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *`,
      [w.userId, w.codeHash, w.title, w.scopes.join(','), now],
    );
    return toWebhook(row!);
  }
  async byId(id: number) {
    const row = await this.db.get<WebhookRow>('SELECT * FROM webhooks WHERE id = ?', [id]);
    return row ? toWebhook(row) : null;
  }
  async activeForUser(userId: number) {
    const rows = await this.db.all<WebhookRow>('SELECT * FROM webhooks WHERE user_id = ? AND active = 1', [userId]);
    return rows.map(toWebhook);
  }
  async list() {
    return (await this.db.all<WebhookRow>('SELECT * FROM webhooks ORDER BY id')).map(toWebhook);
  }
  async revoke(id: number) {
    return (await this.db.run('UPDATE webhooks SET active = 0 WHERE id = ? AND active = 1', [id])).changes > 0;
  }
  async touch(id: number, now: number, ip: string | null) {
    await this.db.run('UPDATE webhooks SET last_used_at = ?, last_used_ip = ? WHERE id = ?', [now, ip, id]);
  }
}
