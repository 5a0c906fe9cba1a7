import { installApp, reinstallApp } from '../../apps/install.ts';
import { registerApp, removeApp, urlProblem } from '../../apps/registration.ts';
import { webErrors } from '../../errors/web.ts';
import type { Clock } from '../../lib/clock.ts';
import type { App, DeliveryStatus, EventDelivery } from '../../store/port/apps.ts';
import type { Store } from '../../store/port/store.ts';
import { readJsonObject } from '../body.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import type { Signed } from './console-api.ts';
import { field } from './console-fields.ts';

export interface AppsConsoleDeps {
  store: Store;
  clock: Clock;
  /** Runs the event delivery job now (a reinstall or retry should not wait for its next round). */
  wakeDelivery: () => void;
}

/** What the console shows of an application: never its secret hash or application token. */
function publicApp(a: App) {
  return {
    id: a.id, client_id: a.clientId, name: a.name, code: a.code, scopes: a.scopes, handler_url: a.handlerUrl,
    redirect_uri: a.redirectUri, active: a.active, installed: a.installed, installed_at: a.installedAt, created_at: a.createdAt,
  };
}

function publicDelivery(d: EventDelivery, app: App | undefined) {
  return {
    id: d.id, app_id: d.appId, app_name: app?.name ?? null, event: d.event, handler: d.handler, user_id: d.userId,
    status: d.status, attempts: d.attempts, created_at: d.createdAt, next_attempt_at: d.status === 'pending' ? d.nextAttemptAt : null,
    delivered_at: d.deliveredAt, last_status: d.lastStatus, last_error: d.lastError, log: d.log, data: d.data,
  };
}

const STATUSES: DeliveryStatus[] = ['pending', 'delivered', 'failed'];

/** A handler or redirect address from the body: absent stays undefined, empty clears it. */
function urlField(body: Record<string, unknown>, key: string): string | undefined {
  const url = field.text(body, key, 2000);
  const problem = url === undefined ? null : urlProblem(url);
  if (problem) throw webErrors.badField(key, problem);
  return url;
}

/** OAuth applications and the event delivery log in the console. */
export function consoleApps(deps: AppsConsoleDeps) {
  const { store, clock } = deps;

  async function activeApp(req: HttpRequest): Promise<App> {
    const app = await store.apps.byId(field.id(req.params.id));
    if (!app || !app.active) throw webErrors.appNotFound();
    return app;
  }

  return {
    async apps(): Promise<Reply> {
      return json({ apps: (await store.apps.list()).map(publicApp) });
    },

    /** Registers an application; its client secret is in this answer only (the store keeps a hash). */
    async addApp(req: HttpRequest, { me }: Signed): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const name = field.text(body, 'name', 100, true)!;
      const input = {
        name,
        code: field.text(body, 'code', 100) ?? '',
        scopes: field.scopes(body, 'scopes') ?? ['im'],
        handlerUrl: urlField(body, 'handler_url'),
        redirectUri: urlField(body, 'redirect_uri'),
      };
      const now = clock.now();
      const { app, clientSecret } = await registerApp(store, input, now);
      if (body.install === true) {
        await store.apps.addGrant(app.id, me.id, now);
        if (await installApp(store, app, me.id, now)) deps.wakeDelivery();
      }
      return json({ app: publicApp((await store.apps.byId(app.id))!), client_id: app.clientId, client_secret: clientSecret });
    },

    async editApp(req: HttpRequest): Promise<Reply> {
      const body = await readJsonObject(req.raw);
      const app = await activeApp(req);
      const name = field.text(body, 'name', 100);
      if (name === '') throw webErrors.badField('name', 'required');
      const changes = { name, scopes: field.scopes(body, 'scopes'), handlerUrl: urlField(body, 'handler_url'), redirectUri: urlField(body, 'redirect_uri') };
      const defined = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      if (!(await store.apps.update(app.id, defined))) throw webErrors.appNotFound();
      return json({ app: publicApp((await store.apps.byId(app.id))!) });
    },

    /** Installs it again: ONAPPINSTALL goes to its handler once more, with the administrator's tokens. */
    async reinstallApp(req: HttpRequest, { me }: Signed): Promise<Reply> {
      req.raw.resume();
      const app = await activeApp(req);
      if (!(await reinstallApp(store, app, me.id, clock.now()))) throw webErrors.appNotFound();
      deps.wakeDelivery();
      return json({ app: publicApp((await store.apps.byId(app.id))!), queued: Boolean(app.handlerUrl) });
    },

    /** Removes it: its tokens stop working at once, ONAPPUNINSTALL is queued for its handlers. */
    async removeApp(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      const app = await activeApp(req);
      if (!(await removeApp(store, app.id, clock.now()))) throw webErrors.appNotFound();
      deps.wakeDelivery();
      return json({ removed: true });
    },

    /** The event delivery log, newest first (what `notify24 events` prints): `?status=&app=&limit=`. */
    async deliveries(req: HttpRequest): Promise<Reply> {
      const q = req.url.searchParams;
      const status = q.get('status') || undefined;
      if (status !== undefined && !STATUSES.includes(status as DeliveryStatus)) throw webErrors.badField('status', 'pending, delivered or failed');
      const appId = q.get('app') ? field.id(q.get('app')!) : undefined;
      const limit = Math.min(500, Math.max(1, Number(q.get('limit')) || 100));
      const rows = await store.events.deliveries({ status: status as DeliveryStatus | undefined, appId, limit });
      const apps = new Map((await store.apps.list()).map((a) => [a.id, a]));
      return json({ deliveries: rows.map((d) => publicDelivery(d, apps.get(d.appId))) });
    },

    /** Puts a failed delivery back in the queue and runs the delivery job now. */
    async retryDelivery(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      const id = field.id(req.params.id);
      const retried = await store.events.retry(id, clock.now());
      if (!retried) throw (await store.events.byId(id)) ? webErrors.deliveryNotFailed() : webErrors.deliveryNotFound();
      deps.wakeDelivery();
      const app = (await store.apps.byId(retried.appId)) ?? undefined;
      return json({ delivery: publicDelivery(retried, app) });
    },
  };
}
