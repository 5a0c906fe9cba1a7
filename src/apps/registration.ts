import { randomInt } from 'node:crypto';
import { hashSecret, randomCode, randomHex } from '../lib/secrets.ts';
import type { Store } from '../store/port/store.ts';
import type { App } from '../store/port/apps.ts';
import { LANGUAGE_ID } from './install.ts';

export interface AppInput {
  name: string;
  code?: string;
  scopes: string[];
  handlerUrl?: string;
  redirectUri?: string;
}

/**
 * `local.<14 hex>.<8 digits>`: the shape of a Bitrix24 local application's client id, so
 * clients that validate or log it see what they expect.
 */
export function newClientId(): string {
  const digits = String(randomInt(0, 100_000_000)).padStart(8, '0');
  return `local.${randomHex(7)}.${digits}`;
}

/** Why `value` cannot be a handler or redirect address, or null when it can (empty means none). */
export function urlProblem(value: string): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? null : 'must be http or https';
}

function checkUrl(label: string, value: string | undefined): string {
  const problem = urlProblem(value ?? '');
  if (problem) throw new Error(`${label} ${problem === 'not a URL' ? 'is not a URL' : problem}: ${value}`);
  return value ?? '';
}

/**
 * Registers an application. The client secret exists only in the returned value (printed
 * once by the CLI); the store keeps its hash, like webhook codes.
 */
export async function registerApp(store: Store, input: AppInput, now: number): Promise<{ app: App; clientSecret: string }> {
  if (!input.name.trim()) throw new Error('an application needs a name');
  const clientSecret = randomCode(50);
  const app = await store.apps.create(
    {
      clientId: newClientId(),
      clientSecretHash: hashSecret(clientSecret),
      name: input.name.trim(),
      code: (input.code ?? '').trim(),
      scopes: input.scopes,
      handlerUrl: checkUrl('handler URL', input.handlerUrl),
      redirectUri: checkUrl('redirect URI', input.redirectUri),
      // 32 hex, as the portal's; constant for the installation (docs/apps.md).
      applicationToken: randomHex(16),
    },
    now,
  );
  return { app, clientSecret };
}

/**
 * Removes an application: its tokens stop working at once (APPLICATION_NOT_FOUND), and its
 * ONAPPUNINSTALL handlers are told, without tokens, as the portal does on uninstall.
 */
export async function removeApp(store: Store, id: number, now: number): Promise<boolean> {
  return store.tx(async (t) => {
    const app = await t.apps.byId(id);
    if (!app || !(await t.apps.remove(id))) return false;
    await t.oauth.revokeFor(id);
    if (app.installed) {
      const bindings = await t.events.bindingsFor(id, 'ONAPPUNINSTALL');
      await t.events.enqueue(
        bindings.map((b) => ({
          appId: id, bindingId: b.id, event: 'ONAPPUNINSTALL', handler: b.handler, userId: 0,
          data: { LANGUAGE_ID, CLEAN: 0 }, withRefresh: false,
        })),
        now,
      );
    }
    return true;
  });
}
