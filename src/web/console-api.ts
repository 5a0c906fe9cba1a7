import type { IncomingMessage, ServerResponse } from 'node:http';
import { createUser, createWebhook, webhookUrl } from '../identity/accounts.ts';
import { sameToken } from '../lib/secrets.ts';
import type { WebSession } from '../identity/web-sessions.ts';
import type { Services } from '../services.ts';
import type { User, Webhook } from '../store/port/identity.ts';
import type { App } from '../store/port/apps.ts';
import { openEventStream } from '../realtime/sse.ts';
import { readJson, sendJson } from './http-util.ts';
import type { RequestInspector } from './inspector.ts';

/** The browser session behind a request (its user and CSRF token), or null. */
export type SessionReader = (req: IncomingMessage) => Promise<WebSession | null>;

export const CONSOLE_API = '/console/api/';

/** What the console shows of a user: never the password hash. */
function publicUser(u: User) {
  return { id: u.id, login: u.login, name: u.name, last_name: u.lastName, email: u.email, is_admin: u.isAdmin, active: u.active };
}

function publicWebhook(w: Webhook) {
  return {
    id: w.id, user_id: w.userId, title: w.title, scopes: w.scopes, active: w.active,
    created_at: w.createdAt, last_used_at: w.lastUsedAt, last_used_ip: w.lastUsedIp,
  };
}

function baseUrl(services: Services, req: IncomingMessage, secure: boolean): string {
  return services.config.publicUrl ?? `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
}

/** What the console shows of an application: never its secret hash or application token. */
function publicApp(a: App) {
  return {
    id: a.id, client_id: a.clientId, name: a.name, code: a.code, scopes: a.scopes, handler_url: a.handlerUrl,
    redirect_uri: a.redirectUri, active: a.active, installed: a.installed, created_at: a.createdAt,
  };
}

/**
 * `/console/api/*`: JSON endpoints of the integrator's console, for signed-in administrators.
 * Writes need the session's `sessid` in the `X-Sessid` header (CSRF), like REST calls do.
 */
export function consoleApi(services: Services, sessionOf: SessionReader, inspector: RequestInspector) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL, secure: boolean): Promise<boolean> => {
    if (!url.pathname.startsWith(CONSOLE_API)) return false;
    const session = await sessionOf(req);
    const me = session ? await services.store.users.byId(session.userId) : null;
    if (!session || !me || !me.active) return sendJson(res, 401, { error: 'NOT_SIGNED_IN' });
    // Any signed-in user may ask whether the console is theirs (the center shows the link).
    if (req.method === 'GET' && url.pathname === `${CONSOLE_API}me`) return sendJson(res, 200, { user: publicUser(me) });
    if (!me.isAdmin) return sendJson(res, 403, { error: 'ACCESS_DENIED' });
    const route = `${req.method} ${url.pathname.slice(CONSOLE_API.length)}`;
    if (req.method === 'POST') {
      const token = req.headers['x-sessid'];
      if (typeof token !== 'string' || !sameToken(token, session.sessid)) return sendJson(res, 403, { error: 'WRONG_SESSID' });
    }
    const { store, clock } = services;

    if (route === 'GET users') {
      const { items } = await store.users.list({}, { offset: 0, limit: 500 });
      return sendJson(res, 200, { users: items.map(publicUser) });
    }
    if (route === 'POST users') {
      const body = await readJson(req);
      const login = String(body.login ?? '').trim();
      if (!/^[\w.@-]{1,64}$/.test(login)) return sendJson(res, 400, { error: 'BAD_LOGIN' });
      if (await store.users.byLogin(login)) return sendJson(res, 409, { error: 'LOGIN_TAKEN' });
      const password = typeof body.password === 'string' && body.password ? body.password : undefined;
      const user = await createUser(store, { login, name: String(body.name ?? login), isAdmin: body.is_admin === true, password }, clock.now());
      return sendJson(res, 200, { user: publicUser(user) });
    }
    if (route === 'GET webhooks') {
      return sendJson(res, 200, { webhooks: (await store.webhooks.list()).map(publicWebhook) });
    }
    if (route === 'POST webhooks') {
      const body = await readJson(req);
      const userId = Number(body.user_id);
      const user = Number.isInteger(userId) ? await store.users.byId(userId) : null;
      if (!user) return sendJson(res, 400, { error: 'USER_NOT_FOUND' });
      const scopes = Array.isArray(body.scopes) ? body.scopes.map(String).filter((s) => /^[\w.]+$/.test(s)) : ['im'];
      const { webhook, code } = await createWebhook(store, { userId, scopes, title: String(body.title ?? '') }, clock.now());
      // The code exists only now: the store keeps its hash, so this is the one chance to copy the URL.
      return sendJson(res, 200, { webhook: publicWebhook(webhook), url: webhookUrl(baseUrl(services, req, secure), userId, code) });
    }
    const revoke = /^POST webhooks\/(\d+)\/revoke$/.exec(route);
    if (revoke) return sendJson(res, 200, { revoked: await store.webhooks.revoke(Number(revoke[1])) });
    if (route === 'GET apps') return sendJson(res, 200, { apps: (await store.apps.list()).map(publicApp) });
    if (route === 'GET inspector') return sendJson(res, 200, { calls: inspector.recent() });
    if (route === 'GET inspector/stream') {
      const write = openEventStream(res);
      const stop = inspector.subscribe((call) => write({ data: call }));
      res.on('close', stop);
      return true;
    }
    return sendJson(res, 404, { error: 'NOT_FOUND' });
  };
}
