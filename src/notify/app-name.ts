import type { Store } from '../store/port/store.ts';
import { isEmpty } from '../rest/php.ts';

/**
 * The display name of the OAuth application `clientId` as the portal picks it: its name unless
 * empty (PHP `empty`, so "0" too), else its code; '' for webhooks and unknown applications.
 */
export async function applicationName(store: Store, clientId: string | null): Promise<string> {
  if (!clientId) return '';
  const app = await store.apps.byClientId(clientId);
  if (!app) return '';
  return isEmpty(app.name) ? app.code : app.name;
}
