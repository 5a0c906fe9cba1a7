import type { Store } from '../store/port/store.ts';
import type { App } from '../store/port/apps.ts';
import { REFRESH_TOKEN_EVENTS } from './event-catalog.ts';

/** The portal's language; this server speaks English. */
export const LANGUAGE_ID = 'en';

/**
 * Installs the application on this server, once: the first call marks it installed and queues
 * ONAPPINSTALL for its handler URL, with tokens issued for `userId` (the installing user) and a
 * refresh token, as the portal does for install events. Later calls do nothing and answer false.
 * Works on a bare store so the CLI can install too; a running server's worker delivers the row.
 */
export async function installApp(store: Store, app: App, userId: number, now: number): Promise<boolean> {
  return store.tx(async (t) => {
    if (!(await t.apps.markInstalled(app.id, now))) return false;
    if (app.handlerUrl) {
      await t.events.enqueue(
        [
          {
            appId: app.id,
            bindingId: null,
            event: 'ONAPPINSTALL',
            handler: app.handlerUrl,
            userId,
            data: { VERSION: String(app.version), ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID },
            withRefresh: REFRESH_TOKEN_EVENTS.has('ONAPPINSTALL'),
          },
        ],
        now,
      );
    }
    return true;
  });
}
