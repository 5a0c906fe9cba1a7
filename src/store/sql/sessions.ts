import type { SqlDb } from '../engine/sql-db.ts';
import type { NewWebSession, WebSessionRecord, WebSessionRepo } from '../port/identity.ts';

interface SessionRow {
  id: number | string;
  token_hash: string;
  user_id: number | string;
  created_at: number | string;
  last_seen_at: number | string;
  expires_at: number | string;
  ip: string;
}

function toSession(r: SessionRow): WebSessionRecord {
  return {
    id: Number(r.id),
    tokenHash: r.token_hash,
    userId: Number(r.user_id),
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    expiresAt: Number(r.expires_at),
    ip: r.ip,
  };
}

export class SqlWebSessionRepo implements WebSessionRepo {
  constructor(private readonly db: SqlDb) {}

  async create(s: NewWebSession) {
    const row = await this.db.get<SessionRow>(
      `INSERT INTO web_sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
      [s.tokenHash, s.userId, s.createdAt, s.createdAt, s.expiresAt, s.ip],
    );
    return toSession(row!);
  }
  async byTokenHash(tokenHash: string, now: number) {
    const row = await this.db.get<SessionRow>('SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?', [tokenHash, now]);
    return row ? toSession(row) : null;
  }
  async extend(id: number, now: number, expiresAt: number) {
    await this.db.run('UPDATE web_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?', [now, expiresAt, id]);
  }
  async remove(tokenHash: string) {
    return (await this.db.run('DELETE FROM web_sessions WHERE token_hash = ?', [tokenHash])).changes > 0;
  }
  async removeForUser(userId: number) {
    return (await this.db.run('DELETE FROM web_sessions WHERE user_id = ?', [userId])).changes;
  }
  async purgeExpired(now: number) {
    return (await this.db.run('DELETE FROM web_sessions WHERE expires_at <= ?', [now])).changes;
  }
}
