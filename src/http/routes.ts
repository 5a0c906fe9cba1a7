import { consoleAccounts, type AccountsDeps } from './handlers/console-accounts.ts';
import { consoleActivity, type ActivityDeps } from './handlers/console-activity.ts';
import { consoleApi, consoleGuards } from './handlers/console-api.ts';
import { consoleApps, type AppsConsoleDeps } from './handlers/console-apps.ts';
import { consoleOutbox, type OutboxConsoleDeps } from './handlers/console-outbox.ts';
import { consolePush, type PushConsoleDeps } from './handlers/console-push.ts';
import { testingApi, type TestingDeps } from './handlers/console-testing.ts';
import { healthHandlers, type HealthDeps } from './handlers/health.ts';
import { loginHandlers, type LoginDeps } from './handlers/login.ts';
import { metricsHandlers, type MetricsDeps } from './handlers/metrics.ts';
import { oauthHandlers, type OAuthServerDeps } from './handlers/oauth.ts';
import { pageHandlers } from './handlers/pages.ts';
import { preferenceHandlers } from './handlers/preferences.ts';
import { historyTypesHandler } from './handlers/history-types.ts';
import { pushHandlers, type PushDeps } from './handlers/push.ts';
import { preflight, restHandler, type RestEdgeDeps } from './handlers/rest.ts';
import { unsubscribeHandlers, type UnsubscribeDeps } from './handlers/unsubscribe.ts';
import type { Route } from './router.ts';

export type RouteDeps = RestEdgeDeps & LoginDeps & OAuthServerDeps & AccountsDeps & AppsConsoleDeps & ActivityDeps & PushDeps & HealthDeps & MetricsDeps & UnsubscribeDeps & TestingDeps & OutboxConsoleDeps & PushConsoleDeps;

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
  const api = consoleApi;
  const accounts = consoleAccounts(deps);
  const apps = consoleApps(deps);
  const activity = consoleActivity(deps);
  const testing = testingApi(deps);
  const webPush = consolePush(deps);
  const pages = pageHandlers(deps);
  const preferences = preferenceHandlers(deps);
  const mail = unsubscribeHandlers(deps);
  const outbox = consoleOutbox(deps);
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
    ['GET', '/sw.js', pages.serviceWorker],

    // One-click unsubscribe links of e-mails (signed; no session needed)
    ['GET', '/mail/unsubscribe', mail.confirm],
    ['POST', '/mail/unsubscribe', mail.unsubscribe],

    // Push channel of the page
    ['UPGRADE', '/ws', push.websocket],
    ['GET', '/events/stream', push.events],

    // Console API (signed-in users; administrators for all but `me`; writes need X-Sessid)
    ['GET', '/console/api/me', signedIn(api.me)],
    ['GET', '/console/api/users', admin(accounts.users)],
    ['POST', '/console/api/users', admin(accounts.addUser)],
    ['POST', '/console/api/users/:id', admin(accounts.editUser)],
    ['POST', '/console/api/users/:id/password', admin(accounts.setUserPassword)],
    ['GET', '/console/api/webhooks', admin(accounts.webhooks)],
    ['POST', '/console/api/webhooks', admin(accounts.addWebhook)],
    ['POST', '/console/api/webhooks/:id/revoke', admin(accounts.revokeWebhook)],
    ['GET', '/console/api/apps', admin(apps.apps)],
    ['POST', '/console/api/apps', admin(apps.addApp)],
    ['POST', '/console/api/apps/:id', admin(apps.editApp)],
    ['POST', '/console/api/apps/:id/reinstall', admin(apps.reinstallApp)],
    ['POST', '/console/api/apps/:id/remove', admin(apps.removeApp)],
    ['GET', '/console/api/events', admin(apps.deliveries)],
    ['POST', '/console/api/events/:id/retry', admin(apps.retryDelivery)],
    ['GET', '/console/api/inspector', admin(activity.inspector)],
    ['GET', '/console/api/inspector/stream', admin(activity.inspectorStream)],
    ['GET', '/console/api/inspector/:seq', admin(activity.inspectedCall)],
    ['GET', '/console/api/traffic', admin(activity.traffic)],
    ['GET', '/console/api/outbox', admin(outbox.list)],
    ['GET', '/console/api/outbox/:id', admin(outbox.mail)],
    ['POST', '/console/api/outbox/:id/retry', admin(outbox.retry)],
    // A server for tests (NOTIFY24_TEST_MODE=1): fault injection and time control; TEST_MODE_OFF elsewhere
    ['GET', '/console/api/faults', admin(testing.listFaults)],
    ['POST', '/console/api/faults', admin(testing.addFault)],
    ['DELETE', '/console/api/faults', admin(testing.clearFaults)],
    ['DELETE', '/console/api/faults/:id', admin(testing.removeFault)],
    ['GET', '/console/api/clock', admin(testing.clock)],
    ['POST', '/console/api/clock', admin(testing.advanceClock)],
    ['GET', '/console/api/push-subscriptions', admin(webPush.list)],
    ['POST', '/console/api/push-subscriptions/:id/revoke', admin(webPush.revoke)],
    ['ANY', '/console/api/*', admin(api.notFound)],

    // Probes for load balancers and orchestrators; Prometheus metrics (404 unless NOTIFY24_METRICS_PORT=main)
    ['GET', '/healthz', health.live],
    ['GET', '/readyz', health.ready],
    ['GET', '/metrics', metrics.onMainPort],
  ];
}
