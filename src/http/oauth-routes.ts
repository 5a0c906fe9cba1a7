import type { IncomingMessage, ServerResponse } from 'node:http';
import { installApp } from '../apps/install.ts';
import { oauthErrors } from '../errors/oauth.ts';
import { portalFacts } from '../apps/portal.ts';
import { authenticateClient, exchangeCode, issueCode, refreshTokens, tokenBody } from '../apps/tokens.ts';
import { sameToken } from '../lib/secrets.ts';
import type { Services } from '../services.ts';
import type { App } from '../store/port/apps.ts';
import type { SessionReader } from '../web/console-api.ts';
import type { Route } from './app.ts';
import { bodyParams, mergeParams } from './body.ts';
import { FORM_LIMIT, formText as text, redirect } from './forms.ts';
import { sendOAuthError, sendConsent } from './oauth-pages.ts';
import { parsePhpQuery } from '../lib/php-query.ts';
import { sendBody, sendError } from './render.ts';
import { requestInfo } from './rest-handler.ts';

/** `/oauth/authorize/` and `/oauth/token/`, with or without the final slash. */
function endpoint(pathname: string): 'authorize' | 'token' | null {
  const m = /^\/oauth\/(authorize|token)\/?$/.exec(pathname);
  return m ? (m[1] as 'authorize' | 'token') : null;
}

/** Where the code goes: the registered redirect URI (the request's is ignored, as on the portal), else the handler URL. */
function redirectTarget(app: App): string {
  return app.redirectUri || app.handlerUrl;
}

function withQuery(target: string, params: Record<string, string>): string {
  const url = new URL(target);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * The OAuth 2.0 authorization server, as a Bitrix24 portal and oauth.bitrix.info together:
 * the signed-in user approves an application on `/oauth/authorize/` and is sent back to it with
 * a code; the application trades the code (then refresh tokens) on `/oauth/token/`.
 */
export function oauthRoutes(services: Services, sessionOf: SessionReader, wakeDelivery: () => void): Route {
  /** Redirects the browser back to the application with a fresh code. */
  async function grant(req: IncomingMessage, res: ServerResponse, secure: boolean, app: App, userId: number, state: string): Promise<true> {
    const code = await issueCode(services, app, userId);
    const portal = await portalFacts(services, requestInfo(req, secure, services.config.trustProxy).origin);
    const params: Record<string, string> = { code };
    if (state) params.state = state;
    Object.assign(params, { domain: portal.domain, member_id: portal.memberId, scope: app.scopes.join(','), server_domain: portal.domain });
    return redirect(res, 302, withQuery(redirectTarget(app), params));
  }

  /** The application of an authorize request, or an error page (the portal never redirects on these). */
  async function appFor(res: ServerResponse, clientId: string): Promise<App | null> {
    const app = clientId ? await services.store.apps.byClientId(clientId) : null;
    if (!app || !app.active) {
      sendOAuthError(res, 400, 'Unknown application (client_id).');
      return null;
    }
    if (!redirectTarget(app)) {
      sendOAuthError(res, 400, 'The application has no redirect URI registered.');
      return null;
    }
    return app;
  }

  async function authorize(req: IncomingMessage, res: ServerResponse, url: URL, secure: boolean): Promise<true> {
    const post = req.method === 'POST';
    const params = post ? await bodyParams(req, FORM_LIMIT) : Object.fromEntries(url.searchParams);
    const app = await appFor(res, text(params.client_id));
    if (!app) return true;
    const session = await sessionOf(req);
    const user = session ? await services.store.users.byId(session.userId) : null;
    if (!session || !user || !user.active) {
      // Signing in first; the page comes back here afterwards.
      return redirect(res, 302, `/?next=${encodeURIComponent(post ? `/oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}` : url.pathname + url.search)}`);
    }
    const state = text(params.state);
    const now = services.clock.now();
    if (!post) {
      // Approved once: later authorizations go straight back, as for an installed app on the portal.
      if (await services.store.apps.hasGrant(app.id, user.id)) return grant(req, res, secure, app, user.id, state);
      return sendConsent(res, app, { state, sessid: session.sessid }, redirectTarget(app));
    }
    if (!sameToken(text(params.sessid), session.sessid)) return sendOAuthError(res, 403, 'The form has expired; open the authorization link again.');
    if (params.decision !== 'allow') return redirect(res, 302, withQuery(redirectTarget(app), { error: 'access_denied', ...(state ? { state } : {}) }));
    await services.store.apps.addGrant(app.id, user.id, now);
    return grant(req, res, secure, app, user.id, state);
  }

  async function token(req: IncomingMessage, res: ServerResponse, url: URL, secure: boolean): Promise<true> {
    try {
      const body = req.method === 'POST' ? await bodyParams(req, FORM_LIMIT) : {};
      const params = mergeParams(parsePhpQuery(url.search.slice(1)), body);
      const grantType = text(params.grant_type);
      if (!grantType) throw oauthErrors.invalidRequest('grant_type');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw oauthErrors.unsupportedGrantType(grantType);
      const app = await authenticateClient(services, text(params.client_id), text(params.client_secret));
      const issued = grantType === 'authorization_code'
        ? await exchangeCode(services, app, text(params.code))
        : await refreshTokens(services, app, text(params.refresh_token));
      // The first code exchanged installs the application (ONAPPINSTALL goes to its handler).
      if (grantType === 'authorization_code' && (await installApp(services.store, app, issued.token.userId, services.clock.now()))) {
        wakeDelivery();
      }
      const portal = await portalFacts(services, requestInfo(req, secure, services.config.trustProxy).origin);
      sendBody(res, 200, tokenBody(issued, portal));
    } catch (err) {
      sendError(res, err, services.log);
    }
    return true;
  }

  return async (req, res, url, secure) => {
    const which = endpoint(url.pathname);
    if (!which) return false;
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, POST', 'Content-Length': 0 });
      res.end();
      return true;
    }
    return which === 'authorize' ? authorize(req, res, url, secure) : token(req, res, url, secure);
  };
}
