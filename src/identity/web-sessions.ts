import type { IncomingHttpHeaders } from 'node:http';
import { createHmac } from 'node:crypto';
import type { Config } from '../config.ts';
import { cookieValue } from '../lib/cookies.ts';
import type { Clock } from '../lib/clock.ts';
import type { Store } from '../store/port/store.ts';
import { hashSecret, randomHex, verifyPassword } from '../lib/secrets.ts';

/** What signing in and reading sessions use. */
export interface SessionDeps {
  store: Store;
  clock: Clock;
  config: Pick<Config, 'sessionIdleMs'>;
}

/** Name of the cookie that carries the session token. */
export const SESSION_COOKIE = 'notify24_session';

/** Extend a session's expiry at most this often, so page requests do not each cost a write. */
const EXTEND_EVERY_MS = 60_000;

/** What the web part and session REST authorization know of a signed-in browser. */
export interface WebSession {
  userId: number;
  /** The CSRF token the page must send with every REST call, as Bitrix24's `sessid`. */
  sessid: string;
  /** The session token's hash (the store's key). */
  tokenHash: string;
}

/**
 * The CSRF token is derived from the cookie's token, so it needs no storage and changes with
 * every sign-in; 32 hex characters, the shape of Bitrix24's `bitrix_sessid()`.
 */
export function sessidOf(token: string): string {
  return createHmac('sha256', token).update('sessid').digest('hex').slice(0, 32);
}

/** `Set-Cookie` for a new session (or, with token null, one that removes it). */
export function sessionCookie(token: string | null, secure: boolean, maxAgeMs: number): string {
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', ...(secure ? ['Secure'] : [])];
  const value = token ?? '';
  const age = token ? Math.floor(maxAgeMs / 1000) : 0;
  return [`${SESSION_COOKIE}=${value}`, `Max-Age=${age}`, ...attributes].join('; ');
}

/** A well-formed hash no password matches (its key is all zeroes). */
const NO_PASSWORD = `scrypt$${'00'.repeat(16)}$${'00'.repeat(32)}`;

/** Checks a login and password; the user on success, null otherwise (the same answer for both). */
export async function checkPassword(store: Store, login: string, password: string) {
  const user = await store.users.byLogin(login);
  // A missing user or password still costs one scrypt, so the answer time does not reveal which logins exist.
  const ok = await verifyPassword(password, user?.passwordHash ?? NO_PASSWORD);
  return ok && user && user.active ? user : null;
}

export async function startSession(deps: SessionDeps, userId: number, ip: string): Promise<{ token: string; session: WebSession }> {
  const token = randomHex(32);
  const now = deps.clock.now();
  const tokenHash = hashSecret(token);
  await deps.store.sessions.create({ tokenHash, userId, createdAt: now, expiresAt: now + deps.config.sessionIdleMs, ip });
  await deps.store.users.update(userId, { lastActivityAt: now });
  return { token, session: { userId, sessid: sessidOf(token), tokenHash } };
}

/** The live session behind a request's cookie, or null (none, expired, user deactivated). */
export async function sessionFromHeaders(deps: SessionDeps, headers: IncomingHttpHeaders): Promise<WebSession | null> {
  const token = cookieValue(headers, SESSION_COOKIE);
  if (!token || !/^[0-9a-f]{64}$/.test(token)) return null;
  const now = deps.clock.now();
  const tokenHash = hashSecret(token);
  const record = await deps.store.sessions.byTokenHash(tokenHash, now);
  if (!record) return null;
  const user = await deps.store.users.byId(record.userId);
  if (!user || !user.active) return null;
  if (now - record.lastSeenAt > EXTEND_EVERY_MS) {
    await deps.store.sessions.extend(record.id, now, now + deps.config.sessionIdleMs);
    await deps.store.users.update(record.userId, { lastActivityAt: now });
  }
  return { userId: record.userId, sessid: sessidOf(token), tokenHash };
}

export async function endSession(store: Store, session: WebSession): Promise<void> {
  await store.sessions.remove(session.tokenHash);
}
