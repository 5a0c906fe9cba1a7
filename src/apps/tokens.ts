import { hashSecret, randomHex, sameHash } from '../lib/secrets.ts';
import type { Config } from '../config.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';
import type { App, OAuthToken } from '../store/port/apps.ts';
import { oauthErrors } from '../errors/oauth.ts';
import type { PortalFacts } from './portal.ts';

/** What issuing and checking tokens needs. */
export interface OAuthDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'oauthCodeTtl' | 'oauthAccessTtl' | 'oauthRefreshTtl'>;
}

/** A freshly issued pair: the plain tokens exist only here; the store has their hashes. */
export interface IssuedTokens {
  accessToken: string;
  /** Null when none was issued (event deliveries that carry no refresh token). */
  refreshToken: string | null;
  token: OAuthToken;
}

/** Issues tokens for `userId` within the app's scopes; the refresh token only when asked for. */
export async function issueTokens(deps: OAuthDeps, app: App, userId: number, scopes: string[], withRefresh = true): Promise<IssuedTokens> {
  const now = deps.clock.now();
  const accessToken = randomHex(32);
  const refreshToken = withRefresh ? randomHex(32) : null;
  const token = await deps.store.oauth.saveToken(
    {
      appId: app.id,
      userId,
      scopes,
      accessHash: hashSecret(accessToken),
      refreshHash: refreshToken ? hashSecret(refreshToken) : null,
      accessExpiresAt: now + deps.config.oauthAccessTtl * 1000,
      refreshExpiresAt: now + (withRefresh ? deps.config.oauthRefreshTtl : deps.config.oauthAccessTtl) * 1000,
    },
    now,
  );
  return { accessToken, refreshToken, token };
}

/** A one-time authorization code for `userId`, living `oauthCodeTtl` seconds. */
export async function issueCode(deps: OAuthDeps, app: App, userId: number): Promise<string> {
  const code = randomHex(32);
  await deps.store.oauth.saveCode(hashSecret(code), {
    appId: app.id,
    userId,
    scopes: app.scopes,
    expiresAt: deps.clock.now() + deps.config.oauthCodeTtl * 1000,
  });
  return code;
}

/** The token endpoint's answer (and the `auth[...]` of events), as the Bitrix24 OAuth server words it. */
export function tokenBody(issued: IssuedTokens, portal: PortalFacts): Record<string, unknown> {
  const { token } = issued;
  const body: Record<string, unknown> = {
    access_token: issued.accessToken,
    expires: Math.floor(token.accessExpiresAt / 1000),
    expires_in: Math.round((token.accessExpiresAt - token.createdAt) / 1000),
    scope: token.scopes.join(','),
    domain: portal.domain,
    server_endpoint: portal.restEndpoint,
    status: 'L',
    client_endpoint: portal.restEndpoint,
    member_id: portal.memberId,
    user_id: token.userId,
  };
  if (issued.refreshToken) body.refresh_token = issued.refreshToken;
  return body;
}

/** The application named by client_id/client_secret, or invalid_client (removed apps included). */
export async function authenticateClient(deps: OAuthDeps, clientId: string, clientSecret: string): Promise<App> {
  const app = clientId ? await deps.store.apps.byClientId(clientId) : null;
  // The hash is compared even for an unknown client so timing does not tell ids apart.
  const secretOk = sameHash(app?.clientSecretHash ?? hashSecret('-'), hashSecret(clientSecret));
  if (!app || !app.active || !secretOk || !clientSecret) throw oauthErrors.invalidClient();
  return app;
}

/** grant_type=authorization_code: spends the code (once, even under races) for a token pair. */
export async function exchangeCode(deps: OAuthDeps, app: App, code: string): Promise<IssuedTokens> {
  if (!code) throw oauthErrors.invalidRequest('code');
  const found = await deps.store.oauth.takeCode(hashSecret(code));
  if (!found || found.appId !== app.id) throw oauthErrors.invalidCode();
  if (found.expiresAt <= deps.clock.now()) throw oauthErrors.expiredCode();
  const user = await deps.store.users.byId(found.userId);
  if (!user || !user.active) throw oauthErrors.invalidCode();
  return issueTokens(deps, app, found.userId, found.scopes);
}

/**
 * grant_type=refresh_token: a refresh token is single-use. The old access token stays valid
 * until its own expiry (requests in flight keep working); the old refresh token never again.
 */
export async function refreshTokens(deps: OAuthDeps, app: App, refreshToken: string): Promise<IssuedTokens> {
  if (!refreshToken) throw oauthErrors.invalidRequest('refresh_token');
  const old = await deps.store.oauth.byRefreshHash(hashSecret(refreshToken));
  if (!old || old.appId !== app.id || old.revoked || old.refreshUsedAt !== null) throw oauthErrors.invalidRefresh();
  const now = deps.clock.now();
  if (old.refreshExpiresAt <= now) throw oauthErrors.expiredRefresh();
  const user = await deps.store.users.byId(old.userId);
  if (!user || !user.active) throw oauthErrors.invalidRefresh();
  // Two refreshes racing with one token: only the one that marks it used gets new tokens.
  if (!(await deps.store.oauth.useRefresh(old.id, now))) throw oauthErrors.invalidRefresh();
  return issueTokens(deps, app, old.userId, old.scopes);
}
