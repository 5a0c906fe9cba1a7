import { webErrors } from '../../errors/web.ts';
import { sessionFromHeaders, type SessionDeps, type WebSession } from '../../identity/web-sessions.ts';
import { sameToken } from '../../lib/secrets.ts';
import type { User } from '../../store/port/identity.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import type { Handler } from '../router.ts';

/** Who is calling the console: the session and its (active) user. */
export interface Signed {
  session: WebSession;
  me: User;
}

export type SignedHandler = (req: HttpRequest, who: Signed) => Reply | Promise<Reply>;

/** What the console shows of a user: never the password hash. */
export function publicUser(u: User) {
  return {
    id: u.id, login: u.login, name: u.name, last_name: u.lastName, email: u.email, is_admin: u.isAdmin, active: u.active,
    last_activity_at: u.lastActivityAt,
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
    req.notes.caller = 'session';
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

/**
 * `/console/api/*`: the JSON endpoints of the integrator's console, one file per area
 * (console-accounts.ts, console-apps.ts, console-activity.ts, ...); routes.ts puts the guards
 * in front. This file holds what every area shares.
 */
export const consoleApi = {
  /** Any signed-in user may ask whether the console is theirs (the center shows the link). */
  me: (_req: HttpRequest, { me }: Signed) => json({ user: publicUser(me) }),

  notFound(req: HttpRequest): Reply {
    req.raw.resume();
    throw webErrors.notFound();
  },
};
