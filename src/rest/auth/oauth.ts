import { hashSecret } from '../../lib/secrets.ts';
import type { AuthOutcome, AuthProvider, AuthRequest } from './index.ts';
import { errors } from '../../errors/rest.ts';

/**
 * The access token of a call, looked for where the portal looks: `Authorization: Bearer`
 * (any case), else the `auth` parameter, else `access_token`. Array values do not count.
 */
function accessToken(req: AuthRequest): string | null {
  const header = req.headers.authorization;
  const bearer = typeof header === 'string' ? /^bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (bearer) return bearer[1]!;
  for (const key of ['auth', 'access_token']) {
    const value = req.params[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

/**
 * OAuth 2.0 access tokens of applications. Checks in the portal's order: the token is known,
 * its application exists and is active, it has not expired; the method's scope is checked
 * after (by the edge, against the token's scopes); the user must be active.
 */
export const oauthAuth: AuthProvider = {
  kind: 'oauth',
  detect: (req) => accessToken(req) !== null,

  async authenticate(req, deps): Promise<AuthOutcome> {
    const tokenHash = hashSecret(accessToken(req)!);
    // Looked up by its hash: the index is over a digest, so lookup time says nothing about the token.
    const token = await deps.store.oauth.byAccessHash(tokenHash);
    if (!token) throw errors.invalidToken();
    // A removed application's tokens are revoked with it; the portal names the application.
    const app = await deps.store.apps.byId(token.appId);
    if (!app || !app.active) throw errors.applicationNotFound();
    if (token.revoked) throw errors.invalidToken();
    if (token.accessExpiresAt <= deps.clock.now()) throw errors.expiredToken();
    const user = await deps.store.users.byId(token.userId);
    if (!user || !user.active) throw errors.authorizationError();
    return {
      caller: {
        kind: 'oauth',
        userId: user.id,
        scopes: new Set(token.scopes),
        clientId: app.clientId,
        credentialId: app.id,
        tokenHash,
      },
      consumed: ['auth', 'access_token'],
    };
  },
};
