import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoginThrottle } from '../identity/login-throttle.ts';
import {
  checkPassword, endSession, sessionCookie, sessionFromHeaders, startSession, type WebSession,
} from '../identity/web-sessions.ts';
import { sameToken } from '../lib/secrets.ts';
import type { Services } from '../services.ts';
import { sendJson } from '../web/http-util.ts';
import type { Route } from './app.ts';
import { bodyParams } from './body.ts';
import { FORM_LIMIT, formText as text, redirect } from './forms.ts';
import { clientIp } from './rest-handler.ts';

/** A same-site path to go to after signing in; anything else (other hosts, `//x`) becomes `/`. */
function safeNext(value: unknown): string {
  const next = text(value);
  return /^\/(?![/\\])/.test(next) ? next : '/';
}

/** A plain HTML form post (no script) wants a page back; fetch and API clients get JSON. */
function wantsPage(req: IncomingMessage): boolean {
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
export function loginRoutes(services: Services): Route {
  const throttle = new LoginThrottle();

  async function login(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<true> {
    const params = await bodyParams(req, FORM_LIMIT);
    const login = text(params.login).trim();
    const ip = clientIp(req, services.config.trustProxy);
    const keys = [`ip:${ip}`, `login:${login.toLowerCase()}`];
    const now = services.clock.now();
    if (throttle.blocked(keys, now)) {
      return sendJson(res, 429, { error: 'TOO_MANY_ATTEMPTS', error_description: 'Too many failed sign-ins, try again later' });
    }
    const user = login ? await checkPassword(services, login, text(params.password)) : null;
    if (!user) {
      throttle.fail(keys, now);
      if (wantsPage(req)) return redirect(res, 303, '/?login=failed');
      return sendJson(res, 401, { error: 'WRONG_LOGIN', error_description: 'Wrong login or password' });
    }
    throttle.succeed([keys[1]!]);
    const { token, session } = await startSession(services, user.id, ip);
    const cookie = sessionCookie(token, secure, services.config.sessionIdleMs);
    if (wantsPage(req)) return redirect(res, 303, safeNext(params.next), { 'Set-Cookie': cookie });
    res.setHeader('Set-Cookie', cookie);
    return sendJson(res, 200, sessionBody(session));
  }

  async function logout(req: IncomingMessage, res: ServerResponse, secure: boolean): Promise<true> {
    const params = await bodyParams(req, FORM_LIMIT);
    const session = await sessionFromHeaders(services, req.headers);
    const header = req.headers['x-bitrix-csrf-token'];
    const sessid = text(params.sessid) || (typeof header === 'string' ? header : '');
    // Without the CSRF token another site could sign the user out by posting a form.
    if (session && !sameToken(sessid, session.sessid)) {
      return sendJson(res, 403, { error: 'session_failed', error_description: 'Sessid check failed' });
    }
    if (session) await endSession(services, session);
    const cookie = sessionCookie(null, secure, 0);
    if (wantsPage(req)) return redirect(res, 303, '/', { 'Set-Cookie': cookie });
    res.setHeader('Set-Cookie', cookie);
    return sendJson(res, 200, { result: true });
  }

  return async (req, res, url, secure) => {
    if (url.pathname === '/login' && req.method === 'POST') return login(req, res, secure);
    if (url.pathname === '/logout' && req.method === 'POST') return logout(req, res, secure);
    if (url.pathname === '/session' && req.method === 'GET') {
      const session = await sessionFromHeaders(services, req.headers);
      return session
        ? sendJson(res, 200, sessionBody(session))
        : sendJson(res, 401, { error: 'NOT_SIGNED_IN', error_description: 'User not authorized' });
    }
    return false;
  };
}
