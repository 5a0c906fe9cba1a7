import { placeholders, type SqlDb } from './sql.ts';
import type { NewNotification, NotificationRepo, NotificationRow, NotificationSearch } from './notify-types.ts';

const COLS = `id, user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, is_read, buttons, params, sender_client_id, created_at`;

function row(r: Record<string, unknown>): NotificationRow {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    authorId: Number(r.author_id),
    type: Number(r.notify_type),
    module: String(r.module),
    event: String(r.event),
    tag: String(r.tag),
    subTag: String(r.sub_tag),
    title: String(r.title),
    text: String(r.body),
    messageOut: String(r.message_out ?? ''),
    read: Number(r.is_read) === 1,
    buttons: String(r.buttons),
    params: String(r.params),
    senderClientId: String(r.sender_client_id),
    createdAt: Number(r.created_at),
  };
}

/** WHERE clause and arguments for a history search. */
function searchWhere(userId: number, f: NotificationSearch): [string, unknown[]] {
  const parts = ['user_id = ?'];
  const args: unknown[] = [userId];
  for (const w of f.words) {
    parts.push('LOWER(body) LIKE ?');
    args.push(`%${w.toLowerCase()}%`);
  }
  if (f.types.length === 1) {
    const [module, event] = f.types[0]!.split('|');
    parts.push(event === undefined ? 'module = ?' : 'module = ? AND event = ?');
    args.push(...(event === undefined ? [module] : [module, event]));
  } else if (f.types.length > 1) {
    parts.push(`module IN ${placeholders(f.types.length)}`);
    args.push(...f.types);
  }
  if (f.from !== null && f.to !== null) {
    parts.push('created_at >= ? AND created_at <= ?');
    args.push(f.from, f.to);
  }
  if (f.authors.length) {
    parts.push(`author_id IN ${placeholders(f.authors.length)}`);
    args.push(...f.authors);
  }
  if (f.confirmOnly) parts.push('notify_type = 1');
  if (f.lastId !== null) {
    parts.push('id < ?');
    args.push(f.lastId);
  }
  return [parts.join(' AND '), args];
}

export class SqlNotificationRepo implements NotificationRepo {
  constructor(private readonly db: SqlDb) {}

  async search(userId: number, f: NotificationSearch): Promise<NotificationRow[]> {
    const [where, args] = searchWhere(userId, f);
    const limit = f.limit === null ? '' : ' LIMIT ?';
    const rows = await this.db.all(`SELECT ${COLS} FROM notifications WHERE ${where} ORDER BY id DESC${limit}`, f.limit === null ? args : [...args, f.limit]);
    return rows.map(row);
  }

  async searchCount(userId: number, f: NotificationSearch): Promise<number> {
    const [where, args] = searchWhere(userId, f);
    const r = await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications WHERE ${where}`, args);
    return Number(r?.n ?? 0);
  }

  async insert(n: NewNotification): Promise<number> {
    const r = await this.db.get<{ id: number }>(
      `INSERT INTO notifications (user_id, author_id, notify_type, module, event, tag, sub_tag, title, body, message_out, is_read, buttons, params, sender_client_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id`,
      [n.userId, n.authorId, n.type, n.module, n.event, n.tag, n.subTag, n.title, n.text, n.messageOut, n.buttons, n.params, n.senderClientId, n.createdAt],
    );
    return Number(r!.id);
  }

  async byId(id: number): Promise<NotificationRow | undefined> {
    const r = await this.db.get(`SELECT ${COLS} FROM notifications WHERE id = ?`, [id]);
    return r ? row(r) : undefined;
  }

  async deleteByTag(userId: number, tag: string): Promise<number[]> {
    const rows = await this.db.all<{ id: number }>('DELETE FROM notifications WHERE user_id = ? AND tag = ? RETURNING id', [userId, tag]);
    return rows.map((r) => Number(r.id));
  }

  async page(userId: number, confirm: boolean, beforeId: number | null, limit: number | null): Promise<NotificationRow[]> {
    const args: unknown[] = beforeId === null ? [userId] : [userId, beforeId];
    if (limit !== null) args.push(limit);
    const rows = await this.db.all(
      `SELECT ${COLS} FROM notifications WHERE user_id = ? AND ${confirm ? 'notify_type = 1' : 'notify_type <> 1'}
       ${beforeId === null ? '' : 'AND id < ?'} ORDER BY id DESC${limit === null ? '' : ' LIMIT ?'}`,
      args,
    );
    return rows.map(row);
  }

  async count(userId: number, unreadOnly: boolean): Promise<number> {
    const r = await this.db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM notifications WHERE user_id = ?${unreadOnly ? ' AND is_read = 0' : ''}`,
      [userId],
    );
    return Number(r?.n ?? 0);
  }

  async countUnreadConfirms(userId: number): Promise<number> {
    const r = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND is_read = 0 AND notify_type = 1', [userId]);
    return Number(r?.n ?? 0);
  }

  async setRead(userId: number, ids: number[], read: boolean): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db.run(`UPDATE notifications SET is_read = ? WHERE user_id = ? AND id IN ${placeholders(ids.length)}`, [read ? 1 : 0, userId, ...ids]);
    return r.changes;
  }

  async setReadFrom(userId: number, fromId: number, read: boolean, skipConfirms: boolean): Promise<number> {
    const r = await this.db.run(
      `UPDATE notifications SET is_read = ? WHERE user_id = ? AND id >= ?${skipConfirms ? ' AND notify_type <> 1' : ''}`,
      [read ? 1 : 0, userId, fromId],
    );
    return r.changes;
  }

  async sameTagIds(userId: number, ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<{ id: number }>(
      `SELECT n.id FROM notifications n JOIN notifications o ON o.user_id = n.user_id AND o.tag = n.tag
       WHERE o.user_id = ? AND o.tag <> '' AND o.id IN ${placeholders(ids.length)}`,
      [userId, ...ids],
    );
    return rows.map((r) => Number(r.id));
  }

  async deleteIds(userId: number, ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<{ id: number }>(
      `DELETE FROM notifications WHERE user_id = ? AND id IN ${placeholders(ids.length)} RETURNING id`,
      [userId, ...ids],
    );
    return rows.map((r) => Number(r.id));
  }

  async deleteAllByTag(column: 'tag' | 'sub_tag', value: string): Promise<{ id: number; userId: number }[]> {
    const sql = column === 'tag' ? 'DELETE FROM notifications WHERE tag = ? RETURNING id, user_id' : 'DELETE FROM notifications WHERE sub_tag = ? RETURNING id, user_id';
    const rows = await this.db.all<{ id: number; user_id: number }>(sql, [value]);
    return rows.map((r) => ({ id: Number(r.id), userId: Number(r.user_id) }));
  }

  async chatId(userId: number): Promise<number | null> {
    const found = await this.db.get<{ id: number }>('SELECT id FROM notify_chats WHERE user_id = ?', [userId]);
    return found ? Number(found.id) : null;
  }

  async claimChat(userId: number): Promise<number> {
    // ON CONFLICT: two nodes creating a user's first chat at once must both succeed.
    await this.db.run('INSERT INTO notify_chats (user_id) VALUES (?) ON CONFLICT (user_id) DO NOTHING', [userId]);
    // SQLite transactions already hold the database's one write lock (BEGIN IMMEDIATE).
    const lock = this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
    const row = await this.db.get<{ id: number }>(`SELECT id FROM notify_chats WHERE user_id = ?${lock}`, [userId]);
    return Number(row!.id);
  }

  async purgeOlderThan(ms: number): Promise<number> {
    return (await this.db.run('DELETE FROM notifications WHERE created_at < ?', [ms])).changes;
  }
}
