import { settle } from '../../lib/maybe.ts';
import { sameDigest, secretDigest } from '../../lib/secrets.ts';
import type { Webhook as WebhookRecord } from '../../store/port/identity.ts';
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

function resolveUserId(user: string, deps: Pick<AuthDeps, 'store'>): number | null | Promise<number | null> {
  if (/^\d+$/.test(user)) return Number(user);
  return deps.store.users.byLogin(user).then((byLogin) => byLogin?.id ?? null);
}

/** A stored code hash as bytes, made once per record (the identity cache hands out the same one). */
const hashBytes = new WeakMap<object, Buffer>();
function codeHashOf(webhook: { codeHash: string }): Buffer {
  let bytes = hashBytes.get(webhook);
  if (!bytes) {
    bytes = Buffer.from(webhook.codeHash, 'hex');
    hashBytes.set(webhook, bytes);
  }
  return bytes;
}

const NO_CANDIDATES: WebhookRecord[] = [];

/**
 * The code each cached record was last matched with, as bytes. WHY: hashing the code is the
 * largest single step of a webhook call; a record the identity cache hands out again (for at
 * most its entry's age, and never after a write to webhooks) is matched by comparing the code
 * itself, in constant time, with the one that already hashed to its stored hash. Records read
 * anew (a store without the cache, a dropped cache) have no entry and are hashed as always.
 */
const matchedCodes = new WeakMap<WebhookRecord, Buffer>();

/** The candidate whose code this is, or null. Every candidate is compared, so the time taken does not reveal which one matched. */
function matching(candidates: readonly WebhookRecord[], code: string): WebhookRecord | null {
  const bytes = Buffer.from(code);
  let webhook: WebhookRecord | null = null;
  for (const w of candidates) {
    const known = matchedCodes.get(w);
    if (known && sameDigest(known, bytes)) webhook = w;
  }
  if (webhook) return webhook;
  const digest = secretDigest(code);
  for (const w of candidates) if (sameDigest(codeHashOf(w), digest)) webhook = w;
  if (webhook) matchedCodes.set(webhook, bytes);
  return webhook;
}

/**
 * Incoming webhooks: `/rest/{userId}/{code}/{method}`, the path alone authorizes the call.
 * Answers at once when the user's webhooks and the user are in the identity cache (`settle`).
 */
export const webhookAuth: AuthProvider = {
  kind: 'webhook',
  detect: (req) => credentials(req) !== null,

  authenticate(req, deps): AuthOutcome | Promise<AuthOutcome> {
    const cred = credentials(req)!;
    if (deps.config.webhookRequiresHttps && !req.secure) throw errors.httpsRequired();
    return settle(resolveUserId(cred.user, deps), (userId) =>
      settle(userId === null ? NO_CANDIDATES : deps.store.webhooks.activeForUser(userId), (candidates) => {
        const webhook = matching(candidates, cred.code);
        if (!webhook) throw errors.invalidCredentials();
        const found = webhook;
        return settle(deps.store.users.byId(found.userId), (user) => {
          if (!user || !user.active) throw errors.authorizationError();
          const now = deps.clock.now();
          if (found.lastUsedAt !== null && now - found.lastUsedAt <= TOUCH_EVERY_MS) return outcome(user.id, found);
          return deps.store.webhooks.touch(found.id, now, req.ip).then(() => {
            // The record may be the identity cache's copy: keep it current so the next call does not touch again.
            found.lastUsedAt = now;
            found.lastUsedIp = req.ip;
            return outcome(user.id, found);
          });
        });
      }),
    );
  },
};

function outcome(userId: number, webhook: WebhookRecord): AuthOutcome {
  return {
    caller: { kind: 'webhook', userId, scopes: scopesOf(webhook), clientId: null, credentialId: webhook.id },
    consumed: CONSUMED,
  };
}

/** Parameter keys that carried the credentials (the method never sees them). */
const CONSUMED: readonly string[] = ['aplogin', 'ap'];
