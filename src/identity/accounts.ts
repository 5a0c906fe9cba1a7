import type { BaseUrls } from '../http/addresses.ts';
import type { Store } from '../store/port/store.ts';
import type { NewUser, User, Webhook } from '../store/port/identity.ts';
import { hashPassword, hashSecret, randomCode } from '../lib/secrets.ts';

/** Creates a user; a password, when given, is stored as an scrypt hash for web login. */
export async function createUser(
  store: Store,
  fields: Omit<NewUser, 'passwordHash'> & { password?: string },
  now: number,
): Promise<User> {
  const { password, ...rest } = fields;
  return store.users.create({ ...rest, passwordHash: password ? await hashPassword(password) : null }, now);
}

/** Sets a new password and signs the user out of every browser (an old session must not outlive it). */
export async function setPassword(store: Store, userId: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await store.tx(async (t) => {
    await t.users.update(userId, { passwordHash });
    await t.sessions.removeForUser(userId);
  });
}

/** What an administrator may change of a user in the console. */
export type UserChanges = Partial<Pick<User, 'name' | 'lastName' | 'email' | 'active' | 'isAdmin'>>;

/** Applies an administrator's changes; a deactivated user is signed out of every browser at once. */
export async function updateUser(store: Store, userId: number, changes: UserChanges): Promise<void> {
  await store.tx(async (t) => {
    await t.users.update(userId, changes);
    if (changes.active === false) await t.sessions.removeForUser(userId);
  });
}

/** A new incoming webhook. The plain code exists only in the returned value; the store keeps its hash. */
export async function createWebhook(
  store: Store,
  input: { userId: number; scopes: string[]; title?: string },
  now: number,
): Promise<{ webhook: Webhook; code: string }> {
  const code = randomCode(16);
  const webhook = await store.webhooks.create(
    { userId: input.userId, codeHash: hashSecret(code), title: input.title ?? '', scopes: input.scopes },
    now,
  );
  return { webhook, code };
}

/** `https://host/rest/{userId}/{code}/`: what integrators paste into their client. */
export function webhookUrl(base: string, userId: number, code: string): string {
  return `${base.replace(/\/+$/, '')}/rest/${userId}/${code}/`;
}

/**
 * A webhook URL in both forms: official SDKs insist on HTTPS, curl and quick scripts take
 * either. A form is null when that listener is off.
 */
export function webhookUrls(bases: BaseUrls, userId: number, code: string): { http: string | null; https: string | null } {
  return {
    http: bases.http ? webhookUrl(bases.http, userId, code) : null,
    https: bases.https ? webhookUrl(bases.https, userId, code) : null,
  };
}
