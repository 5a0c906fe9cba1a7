import { sameToken } from '../../lib/secrets.ts';
import { sessionFromHeaders } from '../../identity/web-sessions.ts';
import type { AuthOutcome, AuthProvider, AuthRequest } from './index.ts';
import { errors } from '../../errors/rest.ts';

const CSRF_HEADER = 'x-bitrix-csrf-token';

function sentSessid(req: AuthRequest): string | null {
  const header = req.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  return typeof req.params.sessid === 'string' ? req.params.sessid : null;
}

/**
 * The web page's own REST calls: the session cookie plus the CSRF token `sessid` (parameter or
 * `X-Bitrix-Csrf-Token` header), as the portal's page calls it. The token's presence is what
 * selects this kind; the cookie alone never authorizes, so another site cannot call REST as the user.
 * Answers carry the right `sessid` so the page can retry after its token went stale, as the portal's do.
 */
export const sessionAuth: AuthProvider = {
  kind: 'session',
  detect: (req) => req.headers[CSRF_HEADER] !== undefined || req.params.sessid !== undefined,

  async authenticate(req, deps): Promise<AuthOutcome> {
    const session = await sessionFromHeaders(deps, req.headers);
    if (!session) {
      throw errors.sessionUnauthorized();
    }
    if (!sameToken(sentSessid(req) ?? '', session.sessid)) {
      throw errors.sessionFailed(session.sessid);
    }
    return {
      // A session may call every method of every scope (the portal's page can).
      caller: { kind: 'session', userId: session.userId, scopes: null, clientId: null, credentialId: 0 },
      consumed: ['sessid'],
    };
  },
};
