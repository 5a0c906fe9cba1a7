import type { Config } from '../../config.ts';
import { webErrors } from '../../errors/web.ts';
import { createUser, createWebhook, webhookUrl } from '../../identity/accounts.ts';
import { sessionFromHeaders, type SessionDeps, type WebSession } from '../../identity/web-sessions.ts';
import { sameToken } from '../../lib/secrets.ts';
import type { App } from '../../store/port/apps.ts';
import type { User, Webhook } from '../../store/port/identity.ts';
import type { RequestInspector } from '../../web/inspector.ts';
import { readJsonObject } from '../body.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import type { Handler } from '../router.ts';
import { eventStream } from '../sse-stream.ts';

export interface ConsoleDeps extends SessionDeps {
  config: SessionDeps['config'] & Pick<Config, 'publicUrl'>;
  inspector: RequestInspector;
}

/** Who is calling the console: the session and its (active) user. */
export interface Signed {
  session: WebSession;
  me: User;
}

type SignedHandler = (req: HttpRequest, who: Signed) => Reply | Promise<Reply>;

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

/** What the console shows of an application: never its secret hash or application token. */
function publicApp(a: App) {
  return {
    id: a.id, client_id: a.clientId, name: a.name, code: a.code, scopes: a.scopes, handler_url: a.handlerUrl,
    redirect_uri: a.redirectUri, active: a.active, installed: a.installed, created_at: a.createdAt,
  };
}

/**
 * Who may call a console endpoint, as route wrappers: `signedIn` any user with a live session,
 * `admin` administrators, whose writes (any method but GET/HEAD) must also carry the session's
 * `sessid` in `X-Sessid` (CSRF), like the page's REST calls.
 */
export function consoleGuards(deps: SessionDeps) {
  async function signed(req: HttpRequest): Promise<Signed> {
    const session = await sessionFromHeaders(deps, req.headers);
    const me = session ? await deps.store.users.byId(session.userId) : null;
    if (!session || !me || !me.active) throw webErrors.notSignedIn();
    return { session, me };
  }
  return {
    signedIn: (handler: SignedHandler): Handler => async (req) => handler(req, await signed(req)),
    admin: (handler: SignedHandler): Handler => async (req) => {
      const who = await signed(req);
      if (!who.me.isAdmin) throw webErrors.adminOnly();
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const token = req.headers['x-sessid'];
        if (typeof token !== 'string' || !sameToken(token, who.session.sessid)) throw webErrors.wrongSessid();
      }
      return handler(req, who);
    },
  };
}

/** `/console/api/*`: the JSON endpoints of the integrator's console (routes.ts puts the guards in front). */
export function consoleApi(deps: ConsoleDeps) {
  const { store, clock, inspector } = deps;
  return {
    /** Any signed-in user may ask whether the console is theirs (the center shows the link). */
    me: (_req: HttpRequest, { me }: Signed) => json({ user: publicUser(me) }),

    async users(): Promise<Reply> {
      const { items } = await store.users.list({}, { offset: 0, limit: 500 });
      return json({ users: items.map(publicUser) });
    },

    async addUser(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const login = String(body.login ?? '').trim();
      if (!/^[\w.@-]{1,64}$/.test(login)) throw webErrors.badLogin();
      if (await store.users.byLogin(login)) throw webErrors.loginTaken();
      const password = typeof body.password === 'string' && body.password ? body.password : undefined;
      const user = await createUser(store, { login, name: String(body.name ?? login), isAdmin: body.is_admin === true, password }, clock.now());
      return json({ user: publicUser(user) });
    },

    async webhooks(): Promise<Reply> {
      return json({ webhooks: (await store.webhooks.list()).map(publicWebhook) });
    },

    async addWebhook(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const userId = Number(body.user_id);
      const user = Number.isInteger(userId) ? await store.users.byId(userId) : null;
      if (!user) throw webErrors.userNotFound();
      const scopes = Array.isArray(body.scopes) ? body.scopes.map(String).filter((s) => /^[\w.]+$/.test(s)) : ['im'];
      const { webhook, code } = await createWebhook(store, { userId, scopes, title: String(body.title ?? '') }, clock.now());
      // The code exists only now: the store keeps its hash, so this is the one chance to copy the URL.
      return json({ webhook: publicWebhook(webhook), url: webhookUrl(deps.config.publicUrl ?? req.origin, userId, code) });
    },

    async revokeWebhook(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      if (!/^\d+$/.test(req.params.id!)) throw webErrors.notFound();
      return json({ revoked: await store.webhooks.revoke(Number(req.params.id)) });
    },

    async apps(): Promise<Reply> {
      return json({ apps: (await store.apps.list()).map(publicApp) });
    },

    inspector: () => json({ calls: inspector.recent() }),

    /** The inspector's calls as they happen (server-sent events). */
    inspectorStream: () => eventStream((write) => inspector.subscribe((call) => write({ data: call }))),

    notFound(req: HttpRequest): Reply {
      req.raw.resume();
      throw webErrors.notFound();
    },
  };
}
