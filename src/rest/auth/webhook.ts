import { hashSecret, sameHash } from '../../lib/secrets.ts';
import type { AuthDeps, AuthOutcome, AuthProvider, AuthRequest } from './index.ts';
import { errors } from '../../errors/rest.ts';

/**
 * A webhook record's scopes as a set, made once per record: the identity cache hands every call
 * the same record until it is read again, and callers never change their scopes.
 */
const scopeSets = new WeakMap<object, ReadonlySet<string>>();
function scopesOf(webhook: { scopes: string[] }): ReadonlySet<string> {
  let set = scopeSets.get(webhook);
  if (!set) {
    set = new Set(webhook.scopes);
    scopeSets.set(webhook, set);
  }
  return set;
}

/** Remember a webhook's last use at most this often, so calls do not each cost a write. */
const TOUCH_EVERY_MS = 60_000;

function credentials(req: AuthRequest): { user: string; code: string } | null {
  if (req.webhook) return req.webhook;
  const { aplogin, ap } = req.params;
  return typeof aplogin === 'string' && typeof ap === 'string' ? { user: aplogin, code: ap } : null;
}

async function resolveUserId(user: string, deps: Pick<AuthDeps, 'store'>): Promise<number | null> {
  if (/^\d+$/.test(user)) return Number(user);
  const byLogin = await deps.store.users.byLogin(user);
  return byLogin?.id ?? null;
}

/** Incoming webhooks: `/rest/{userId}/{code}/{method}`, the path alone authorizes the call. */
export const webhookAuth: AuthProvider = {
  kind: 'webhook',
  detect: (req) => credentials(req) !== null,

  async authenticate(req, deps): Promise<AuthOutcome> {
    const cred = credentials(req)!;
    if (deps.config.webhookRequiresHttps && !req.secure) throw errors.httpsRequired();
    const userId = await resolveUserId(cred.user, deps);
    const codeHash = hashSecret(cred.code);
    const candidates = userId === null ? [] : await deps.store.webhooks.activeForUser(userId);
    // Every candidate is compared, so the time taken does not reveal which one matched.
    let webhook = null;
    for (const w of candidates) if (sameHash(w.codeHash, codeHash)) webhook = w;
    if (!webhook) throw errors.invalidCredentials();

    const user = await deps.store.users.byId(webhook.userId);
    if (!user || !user.active) throw errors.authorizationError();

    const now = deps.clock.now();
    if (webhook.lastUsedAt === null || now - webhook.lastUsedAt > TOUCH_EVERY_MS) {
      await deps.store.webhooks.touch(webhook.id, now, req.ip);
      // The record may be the identity cache's copy: keep it current so the next call does not touch again.
      webhook.lastUsedAt = now;
      webhook.lastUsedIp = req.ip;
    }
    return {
      caller: {
        kind: 'webhook',
        userId: user.id,
        scopes: scopesOf(webhook),
        clientId: null,
        credentialId: webhook.id,
      },
      consumed: ['aplogin', 'ap'],
    };
  },
};
