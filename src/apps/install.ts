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
    await queueInstallEvent(t, app, userId, now);
    return true;
  });
}

/**
 * Installs it again, as an administrator's "reinstall": marked installed whatever it was, and
 * ONAPPINSTALL queued once more (an application re-runs its setup on it). False when removed.
 */
export async function reinstallApp(store: Store, app: App, userId: number, now: number): Promise<boolean> {
  return store.tx(async (t) => {
    if (!(await t.apps.markReinstalled(app.id, now))) return false;
    await t.apps.addGrant(app.id, userId, now);
    await queueInstallEvent(t, app, userId, now);
    return true;
  });
}

async function queueInstallEvent(t: Store, app: App, userId: number, now: number): Promise<void> {
  if (!app.handlerUrl) return;
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
