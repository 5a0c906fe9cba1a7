import type { Services } from '../services.ts';

/**
 * The display name of the OAuth application `clientId` (its name, else its code), or '' for
 * webhooks and unknown applications. Read through the apps store when it is present.
 */
export async function applicationName(services: Services, clientId: string | null): Promise<string> {
  if (!clientId) return '';
  const apps = (services.store as { apps?: { byClientId?: (id: string) => Promise<{ name?: string; code?: string } | null> } }).apps;
  const app = apps?.byClientId ? await apps.byClientId(clientId) : null;
  return (app?.name || app?.code || '').trim();
}
