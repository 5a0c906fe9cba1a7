import type { Store } from '../store/port/store.ts';

/**
 * The display name of the OAuth application `clientId` (its name, else its code), or '' for
 * webhooks and unknown applications.
 */
export async function applicationName(store: Store, clientId: string | null): Promise<string> {
  if (!clientId) return '';
  const app = await store.apps.byClientId(clientId);
  return (app?.name || app?.code || '').trim();
}
