import type { SqlDb } from '../engine/sql-db.ts';
import { commaList } from './query.ts';
import type { NewOAuthToken, OAuthCode, OAuthRepo, OAuthToken } from '../port/apps.ts';

interface CodeRow {
  app_id: number | string;
  user_id: number | string;
  scopes: string;
  expires_at: number | string;
}

interface TokenRow {
  id: number | string;
  app_id: number | string;
  user_id: number | string;
  scopes: string;
  access_hash: string;
  refresh_hash: string | null;
  access_expires_at: number | string;
  refresh_expires_at: number | string;
  refresh_used_at: number | string | null;
  revoked: number | string;
  created_at: number | string;
}

function toToken(r: TokenRow): OAuthToken {
  return {
    id: Number(r.id),
    appId: Number(r.app_id),
    userId: Number(r.user_id),
    scopes: commaList(r.scopes),
    accessHash: r.access_hash,
    refreshHash: r.refresh_hash,
    accessExpiresAt: Number(r.access_expires_at),
    refreshExpiresAt: Number(r.refresh_expires_at),
    refreshUsedAt: r.refresh_used_at === null ? null : Number(r.refresh_used_at),
    revoked: Boolean(Number(r.revoked)),
    createdAt: Number(r.created_at),
  };
}

export class SqlOAuthRepo implements OAuthRepo {
  constructor(private readonly db: SqlDb) {}

  async saveCode(codeHash: string, c: OAuthCode) {
    await this.db.run('INSERT INTO oauth_codes (code_hash, app_id, user_id, scopes, expires_at) VALUES (?, ?, ?, ?, ?)', [
      codeHash, c.appId, c.userId, c.scopes.join(','), c.expiresAt,
    ]);
  }
  async takeCode(codeHash: string) {
    // DELETE ... RETURNING: of two concurrent exchanges only one gets the row back.
    const row = await this.db.get<CodeRow>('DELETE FROM oauth_codes WHERE code_hash = ? RETURNING *', [codeHash]);
    return row ? { appId: Number(row.app_id), userId: Number(row.user_id), scopes: commaList(row.scopes), expiresAt: Number(row.expires_at) } : null;
  }
  async saveToken(t: NewOAuthToken, now: number) {
    const row = await this.db.get<TokenRow>(
      `INSERT INTO oauth_tokens (app_id, user_id, scopes, access_hash, refresh_hash, access_expires_at, refresh_expires_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [t.appId, t.userId, t.scopes.join(','), t.accessHash, t.refreshHash, t.accessExpiresAt, t.refreshExpiresAt, now],
    );
    return toToken(row!);
  }
  async byAccessHash(accessHash: string) {
    const row = await this.db.get<TokenRow>('SELECT * FROM oauth_tokens WHERE access_hash = ?', [accessHash]);
    return row ? toToken(row) : null;
  }
  async byRefreshHash(refreshHash: string) {
    const row = await this.db.get<TokenRow>('SELECT * FROM oauth_tokens WHERE refresh_hash = ?', [refreshHash]);
    return row ? toToken(row) : null;
  }
  async useRefresh(id: number, now: number) {
    const r = await this.db.run(
      'UPDATE oauth_tokens SET refresh_used_at = ? WHERE id = ? AND refresh_used_at IS NULL AND revoked = 0',
      [now, id],
    );
    return r.changes > 0;
  }
  async revokeFor(appId: number, userId?: number) {
    const r = userId === undefined
      ? await this.db.run('UPDATE oauth_tokens SET revoked = 1 WHERE app_id = ? AND revoked = 0', [appId])
      : await this.db.run('UPDATE oauth_tokens SET revoked = 1 WHERE app_id = ? AND user_id = ? AND revoked = 0', [appId, userId]);
    return r.changes;
  }
  async purgeExpired(now: number) {
    await this.db.run('DELETE FROM oauth_codes WHERE expires_at < ?', [now]);
    // A token row is kept while either half may still be used (or refused as expired).
    await this.db.run('DELETE FROM oauth_tokens WHERE refresh_expires_at < ? AND access_expires_at < ?', [now, now]);
  }
}
