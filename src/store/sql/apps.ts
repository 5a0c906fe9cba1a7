import type { SqlDb } from '../engine/sql-db.ts';
import { commaList } from './query.ts';
import type { App, AppRepo, NewApp } from '../port/apps.ts';

interface AppRow {
  id: number | string;
  client_id: string;
  client_secret_hash: string;
  name: string;
  code: string;
  version: number | string;
  scopes: string;
  handler_url: string;
  redirect_uri: string;
  active: number | string;
  installed: number | string;
  installed_at: number | string | null;
  application_token: string;
  created_at: number | string;
}

function toApp(r: AppRow): App {
  return {
    id: Number(r.id),
    clientId: r.client_id,
    clientSecretHash: r.client_secret_hash,
    name: r.name,
    code: r.code,
    version: Number(r.version),
    scopes: commaList(r.scopes),
    handlerUrl: r.handler_url,
    redirectUri: r.redirect_uri,
    active: Boolean(Number(r.active)),
    installed: Boolean(Number(r.installed)),
    installedAt: r.installed_at === null ? null : Number(r.installed_at),
    applicationToken: r.application_token,
    createdAt: Number(r.created_at),
  };
}

export class SqlAppRepo implements AppRepo {
  constructor(private readonly db: SqlDb) {}

  async create(a: NewApp, now: number) {
    const row = await this.db.get<AppRow>(
      `INSERT INTO apps (client_id, client_secret_hash, name, code, scopes, handler_url, redirect_uri, application_token, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [a.clientId, a.clientSecretHash, a.name, a.code, a.scopes.join(','), a.handlerUrl, a.redirectUri, a.applicationToken, now],
    );
    return toApp(row!);
  }
  async byId(id: number) {
    const row = await this.db.get<AppRow>('SELECT * FROM apps WHERE id = ?', [id]);
    return row ? toApp(row) : null;
  }
  async byClientId(clientId: string) {
    const row = await this.db.get<AppRow>('SELECT * FROM apps WHERE client_id = ?', [clientId]);
    return row ? toApp(row) : null;
  }
  async list() {
    return (await this.db.all<AppRow>('SELECT * FROM apps ORDER BY id')).map(toApp);
  }
  async update(id: number, fields: Partial<Pick<App, 'name' | 'scopes' | 'handlerUrl' | 'redirectUri'>>) {
    // Column names come from this fixed map, never from the caller.
    const columns: [string, unknown][] = [];
    if (fields.name !== undefined) columns.push(['name', fields.name]);
    if (fields.scopes !== undefined) columns.push(['scopes', fields.scopes.join(',')]);
    if (fields.handlerUrl !== undefined) columns.push(['handler_url', fields.handlerUrl]);
    if (fields.redirectUri !== undefined) columns.push(['redirect_uri', fields.redirectUri]);
    if (columns.length === 0) return Boolean(await this.db.get('SELECT 1 AS ok FROM apps WHERE id = ? AND active = 1', [id]));
    const set = columns.map(([name]) => `${name} = ?`).join(', ');
    const r = await this.db.run(`UPDATE apps SET ${set} WHERE id = ? AND active = 1`, [...columns.map(([, v]) => v), id]);
    return r.changes > 0;
  }
  async remove(id: number) {
    return (await this.db.run('UPDATE apps SET active = 0 WHERE id = ? AND active = 1', [id])).changes > 0;
  }
  async markInstalled(id: number, now: number) {
    const r = await this.db.run('UPDATE apps SET installed = 1, installed_at = ? WHERE id = ? AND installed = 0', [now, id]);
    return r.changes > 0;
  }
  async markReinstalled(id: number, now: number) {
    const r = await this.db.run('UPDATE apps SET installed = 1, installed_at = ? WHERE id = ? AND active = 1', [now, id]);
    return r.changes > 0;
  }
  async hasGrant(appId: number, userId: number) {
    return Boolean(await this.db.get('SELECT 1 AS ok FROM app_grants WHERE app_id = ? AND user_id = ?', [appId, userId]));
  }
  async addGrant(appId: number, userId: number, now: number) {
    const r = await this.db.run(
      'INSERT INTO app_grants (app_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT (app_id, user_id) DO NOTHING',
      [appId, userId, now],
    );
    return r.changes > 0;
  }
  async memberId() {
    const row = await this.db.get<{ value: string }>("SELECT value FROM instance_facts WHERE name = 'member_id'");
    return row?.value ?? null;
  }
  async claimMemberId(candidate: string) {
    // Two nodes may create it at once: the first insert wins and both read the winner.
    await this.db.run("INSERT INTO instance_facts (name, value) VALUES ('member_id', ?) ON CONFLICT (name) DO NOTHING", [candidate]);
    return (await this.memberId())!;
  }
}
