import type { LoginThrottle } from '../../identity/login-throttle.ts';
import {
  checkPassword, endSession, sessionCookie, sessionFromHeaders, startSession, type SessionDeps, type WebSession,
} from '../../identity/web-sessions.ts';
import { webErrors } from '../../errors/web.ts';
import { sameToken } from '../../lib/secrets.ts';
import { bodyParams } from '../body.ts';
import { FORM_LIMIT, formText as text } from '../forms.ts';
import { localPath } from '../local-path.ts';
import { json, redirect, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';

export interface LoginDeps extends SessionDeps {
  loginThrottle: LoginThrottle;
}

/** A plain HTML form post (no script) wants a page back; fetch and API clients get JSON. */
function wantsPage(req: HttpRequest): boolean {
  return /text\/html/.test(req.headers.accept ?? '');
}

function sessionBody(session: WebSession) {
  return { user_id: session.userId, sessid: session.sessid };
}

/**
 * Web sign-in: `POST /login` (form or JSON `login`, `password`, optional `next`) sets the
 * session cookie; `POST /logout` needs the session's `sessid`; `GET /session` tells the page
 * who is signed in and the `sessid` its REST calls must carry.
 */
export function loginHandlers(deps: LoginDeps) {
  const throttle = deps.loginThrottle;
  return {
    async signIn(req: HttpRequest): Promise<Reply> {
      const params = await bodyParams(req.raw, FORM_LIMIT);
      // Decided before any session exists: only a path on this site (anything else goes to `/`).
      const next = localPath(params.next) ?? '/';
      const login = text(params.login).trim();
      const now = deps.clock.now();
      const waitMs = await throttle.wait(req.ip, login, now);
      if (waitMs > 0) throw webErrors.tooManyAttempts(waitMs);
      const user = login ? await checkPassword(deps.store, login, text(params.password)) : null;
      if (!user) {
        await throttle.fail(req.ip, login, now);
        if (wantsPage(req)) return redirect(303, '/?login=failed');
        throw webErrors.wrongLogin();
      }
      await throttle.succeed(req.ip, login);
      const { token, session } = await startSession(deps, user.id, req.ip);
      const cookie = { 'Set-Cookie': sessionCookie(token, req.secure, deps.config.sessionIdleMs) };
      return wantsPage(req) ? redirect(303, next, cookie) : json(sessionBody(session), 200, cookie);
    },

    async signOut(req: HttpRequest): Promise<Reply> {
      const params = await bodyParams(req.raw, FORM_LIMIT);
      const session = await sessionFromHeaders(deps, req.headers);
      const header = req.headers['x-bitrix-csrf-token'];
      const sessid = text(params.sessid) || (typeof header === 'string' ? header : '');
      // Without the CSRF token another site could sign the user out by posting a form.
      if (session && !sameToken(sessid, session.sessid)) throw webErrors.logoutSessidFailed();
      if (session) await endSession(deps.store, session);
      const cookie = { 'Set-Cookie': sessionCookie(null, req.secure, 0) };
      return wantsPage(req) ? redirect(303, '/', cookie) : json({ result: true }, 200, cookie);
    },

    async current(req: HttpRequest): Promise<Reply> {
      const session = await sessionFromHeaders(deps, req.headers);
      if (!session) throw webErrors.notSignedIn();
      return json(sessionBody(session));
    },
  };
}
