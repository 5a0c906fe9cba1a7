import { installApp } from '../../apps/install.ts';
import { portalFacts } from '../../apps/portal.ts';
import { authenticateClient, exchangeCode, issueCode, refreshTokens, tokenBody, type OAuthDeps } from '../../apps/tokens.ts';
import type { Config } from '../../config.ts';
import { oauthErrors } from '../../errors/oauth.ts';
import { toRestError } from '../../errors/rest.ts';
import type { SessionDeps } from '../../identity/web-sessions.ts';
import { sessionFromHeaders } from '../../identity/web-sessions.ts';
import { tagged, type Logger } from '../../lib/log.ts';
import { parsePhpQuery } from '../../lib/php-query.ts';
import { sameToken } from '../../lib/secrets.ts';
import type { App } from '../../store/port/apps.ts';
import { bodyParams, mergeParams } from '../body.ts';
import { FORM_LIMIT, formText as text } from '../forms.ts';
import { portalError, portalReply, redirect, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import { pickLanguage } from '../../web/i18n.ts';
import { consentPage, errorPage } from './oauth-pages.ts';

export interface OAuthServerDeps extends OAuthDeps, SessionDeps {
  log: Pick<Logger, 'error'>;
  config: OAuthDeps['config'] & SessionDeps['config'] & Pick<Config, 'publicUrl'>;
  /** Asks the event delivery job to run soon (an install queued ONAPPINSTALL). */
  wakeDelivery: () => void;
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
export function oauthHandlers(deps: OAuthServerDeps) {
  const { store, clock } = deps;

  /** Sends the browser back to the application with a fresh code. */
  async function grant(req: HttpRequest, app: App, userId: number, state: string): Promise<Reply> {
    const code = await issueCode(deps, app, userId);
    const portal = await portalFacts(deps, req.origin);
    const params: Record<string, string> = { code };
    if (state) params.state = state;
    Object.assign(params, { domain: portal.domain, member_id: portal.memberId, scope: app.scopes.join(','), server_domain: portal.domain });
    return redirect(302, withQuery(redirectTarget(app), params));
  }

  /** The portal shows an error page, never a redirect, when the application itself is wrong. */
  async function appFor(clientId: string, lang: string): Promise<App | Reply> {
    const app = clientId ? await store.apps.byClientId(clientId) : null;
    if (!app || !app.active) return errorPage(oauthErrors.unknownApplication(), lang);
    if (!redirectTarget(app)) return errorPage(oauthErrors.noRedirectUri(), lang);
    return app;
  }

  return {
    /** GET: the consent page (or straight back, once approved); POST: the user's decision. */
    async authorize(req: HttpRequest): Promise<Reply> {
      const post = req.method === 'POST';
      const params = post ? await bodyParams(req.raw, FORM_LIMIT) : Object.fromEntries(req.url.searchParams);
      const app = await appFor(text(params.client_id), pickLanguage(null, req.headers['accept-language']));
      if (!('clientId' in app)) return app;
      const session = await sessionFromHeaders(deps, req.headers);
      const user = session ? await store.users.byId(session.userId) : null;
      if (!session || !user || !user.active) {
        // Signing in first; the page comes back here afterwards.
        const back = post ? `/oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}` : req.url.pathname + req.url.search;
        return redirect(302, `/?next=${encodeURIComponent(back)}`);
      }
      const state = text(params.state);
      if (!post) {
        // Approved once: later authorizations go straight back, as for an installed app on the portal.
        if (await store.apps.hasGrant(app.id, user.id)) return grant(req, app, user.id, state);
        const { language } = await store.preferences.get(user.id);
        return consentPage(app, { state, sessid: session.sessid }, redirectTarget(app), pickLanguage(language, req.headers['accept-language']));
      }
      if (!sameToken(text(params.sessid), session.sessid)) return errorPage(oauthErrors.formExpired(), pickLanguage(null, req.headers['accept-language']));
      if (params.decision !== 'allow') {
        return redirect(302, withQuery(redirectTarget(app), { error: oauthErrors.accessDenied.code, ...(state ? { state } : {}) }));
      }
      await store.apps.addGrant(app.id, user.id, clock.now());
      return grant(req, app, user.id, state);
    },

    /** Trades a code or a refresh token for tokens; answers and errors in the OAuth server's JSON. */
    async token(req: HttpRequest): Promise<Reply> {
      try {
        const body = await bodyParams(req.raw, FORM_LIMIT);
        const params = mergeParams(parsePhpQuery(req.url.search.slice(1)), body);
        const grantType = text(params.grant_type);
        if (!grantType) throw oauthErrors.invalidRequest('grant_type');
        if (grantType !== 'authorization_code' && grantType !== 'refresh_token') throw oauthErrors.unsupportedGrantType(grantType);
        const app = await authenticateClient(deps, text(params.client_id), text(params.client_secret));
        const issued = grantType === 'authorization_code'
          ? await exchangeCode(deps, app, text(params.code))
          : await refreshTokens(deps, app, text(params.refresh_token));
        // The first code exchanged installs the application (ONAPPINSTALL goes to its handler).
        if (grantType === 'authorization_code' && (await installApp(store, app, issued.token.userId, clock.now()))) deps.wakeDelivery();
        return portalReply(200, tokenBody(issued, await portalFacts(deps, req.origin)));
      } catch (err) {
        return portalError(toRestError(err, tagged(deps.log, { request_id: req.id })));
      }
    },
  };
}
