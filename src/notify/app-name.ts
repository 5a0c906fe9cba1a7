import type { Services } from '../services.ts';
import { isEmpty } from '../rest/php.ts';

/**
 * The display name of the OAuth application `clientId` as the portal picks it: its name unless
 * empty (PHP `empty`, so "0" too), else its code; '' for webhooks and unknown applications.
 */
export async function applicationName(services: Services, clientId: string | null): Promise<string> {
  if (!clientId) return '';
  const app = await services.store.apps.byClientId(clientId);
  if (!app) return '';
  return isEmpty(app.name) ? app.code : app.name;
}
