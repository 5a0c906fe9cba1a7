import { consoleApi, consoleGuards, type ConsoleDeps } from './handlers/console-api.ts';
import { healthHandlers, type HealthDeps } from './handlers/health.ts';
import { loginHandlers, type LoginDeps } from './handlers/login.ts';
import { metricsHandlers, type MetricsDeps } from './handlers/metrics.ts';
import { oauthHandlers, type OAuthServerDeps } from './handlers/oauth.ts';
import { pageHandlers } from './handlers/pages.ts';
import { preferenceHandlers } from './handlers/preferences.ts';
import { historyTypesHandler } from './handlers/history-types.ts';
import { pushHandlers, type PushDeps } from './handlers/push.ts';
import { preflight, restHandler, type RestEdgeDeps } from './handlers/rest.ts';
import type { Route } from './router.ts';

export type RouteDeps = RestEdgeDeps & LoginDeps & OAuthServerDeps & ConsoleDeps & PushDeps & HealthDeps & MetricsDeps;

/**
 * Every URL the server answers, in one table: `[method, pattern, handler]`, first match wins.
 * GET lines answer HEAD too; a known path with another method gets 405 with `Allow`; an unknown
 * path 404. What each can answer with is in the handler's file; error codes in docs/errors.md.
 */
export function routes(deps: RouteDeps): Route[] {
  const rest = restHandler(deps);
  const login = loginHandlers(deps);
  const oauth = oauthHandlers(deps);
  const push = pushHandlers(deps);
  const health = healthHandlers(deps);
  const metrics = metricsHandlers(deps);
  const api = consoleApi(deps);
  const pages = pageHandlers(deps);
  const preferences = preferenceHandlers(deps);
  const { signedIn, admin } = consoleGuards(deps);

  return [
    // The Bitrix24 REST API: /rest/{method} and /rest/{user}/{code}/{method}[.json|.xml]
    ['OPTIONS', '/*', preflight],
    ['ANY', '/rest*', rest],

    // OAuth 2.0 server (applications)
    ['GET', '/oauth/authorize/?', oauth.authorize],
    ['POST', '/oauth/authorize/?', oauth.authorize],
    ['GET', '/oauth/token/?', oauth.token],
    ['POST', '/oauth/token/?', oauth.token],

    // Signing in to the web page
    ['POST', '/login', login.signIn],
    ['POST', '/logout', login.signOut],
    ['GET', '/session', login.current],
    ['GET', '/preferences', preferences.get],
    ['POST', '/preferences', preferences.set],
    ['GET', '/history/types', historyTypesHandler(deps)],

    // Pages and their files
    ['GET', '/', pages.center],
    ['GET', '/console', pages.console],
    ['GET', '/web/:file', pages.asset],
    ['GET', '/favicon.ico', pages.favicon],

    // Push channel of the page
    ['UPGRADE', '/ws', push.websocket],
    ['GET', '/events/stream', push.events],

    // Console API (signed-in users; administrators for all but `me`)
    ['GET', '/console/api/me', signedIn(api.me)],
    ['GET', '/console/api/users', admin(api.users)],
    ['POST', '/console/api/users', admin(api.addUser)],
    ['GET', '/console/api/webhooks', admin(api.webhooks)],
    ['POST', '/console/api/webhooks', admin(api.addWebhook)],
    ['POST', '/console/api/webhooks/:id/revoke', admin(api.revokeWebhook)],
    ['GET', '/console/api/apps', admin(api.apps)],
    ['GET', '/console/api/inspector', admin(api.inspector)],
    ['GET', '/console/api/inspector/stream', admin(api.inspectorStream)],
    ['ANY', '/console/api/*', admin(api.notFound)],

    // Probes for load balancers and orchestrators; Prometheus metrics (404 unless NOTIFY24_METRICS_PORT=main)
    ['GET', '/healthz', health.live],
    ['GET', '/readyz', health.ready],
    ['GET', '/metrics', metrics.onMainPort],
  ];
}
