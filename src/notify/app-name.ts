import type { Services } from '../services.ts';

/**
 * The display name of the OAuth application `clientId` (its name, else its code), or '' for
 * webhooks and unknown applications.
 */
export async function applicationName(services: Services, clientId: string | null): Promise<string> {
  if (!clientId) return '';
  const app = await services.store.apps.byClientId(clientId);
  return (app?.name || app?.code || '').trim();
}
