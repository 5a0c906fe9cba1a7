import { parseArgs } from 'node:util';
import { installApp } from '../apps/install.ts';
import { registerApp, removeApp } from '../apps/registration.ts';
import { checkHost, NETWORK_CLASSES, NetworkRefused, type NetworkClass } from '../lib/networks.ts';
import type { Store } from '../store/port/store.ts';
import type { DeliveryStatus, EventDelivery } from '../store/port/apps.ts';

type Out = (line: string) => void;

const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());

/** `notify24 app add|list|remove|install`: OAuth applications. */
export async function appCommand(sub: string | undefined, args: string[], store: Store, base: string, out: Out, handlerNetworks: readonly NetworkClass[] = NETWORK_CLASSES): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      code: { type: 'string' },
      scope: { type: 'string' },
      handler: { type: 'string' },
      redirect: { type: 'string' },
      id: { type: 'string' },
      user: { type: 'string' },
    },
  });
  const now = Date.now();
  if (sub === 'add') {
    if (!values.name) throw new Error('app add needs --name');
    const scopes = (values.scope ?? 'im').split(',').map((s) => s.trim()).filter(Boolean);
    const { app, clientSecret } = await registerApp(
      store,
      { name: values.name, code: values.code, scopes, handlerUrl: values.handler, redirectUri: values.redirect },
      now,
    );
    out(`application ${app.id} "${app.name}"${app.code ? ` (${app.code})` : ''}, scopes ${scopes.join(',')}`);
    out(`client_id:     ${app.clientId}`);
    out(`client_secret: ${clientSecret}`);
    out('(the secret is stored hashed and shown only now)');
    out(`authorize:     ${base}/oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}`);
    out(`token:         ${base}/oauth/token/`);
    if (app.handlerUrl) await warnUnreachable(app.handlerUrl, handlerNetworks, out);
    return 0;
  }
  if (sub === 'list') {
    for (const a of await store.apps.list()) {
      const state = !a.active ? 'removed' : a.installed ? 'installed' : 'not installed';
      out(`${a.id}\t${a.clientId}\t${a.name}\t${a.code || '-'}\t${a.scopes.join(',')}\t${state}\t${a.handlerUrl || '-'}\t${a.redirectUri || '-'}`);
    }
    return 0;
  }
  if (sub === 'remove') {
    const ok = await removeApp(store, Number(values.id), now);
    out(ok ? `application ${values.id} removed, its tokens revoked` : `no active application ${values.id}`);
    return ok ? 0 : 1;
  }
  if (sub === 'install') {
    const app = await store.apps.byId(Number(values.id));
    if (!app || !app.active) throw new Error('app install needs --id of an active application');
    const userId = Number(values.user ?? 1);
    const user = await store.users.byId(userId);
    if (!user || !user.active) throw new Error(`no active user ${userId}`);
    await store.apps.addGrant(app.id, userId, now);
    const installed = await installApp(store, app, userId, now);
    if (!installed) out(`application ${app.id} was already installed`);
    else out(`application ${app.id} installed by user ${userId}${app.handlerUrl ? `; ONAPPINSTALL queued for ${app.handlerUrl}` : ''}`);
    return 0;
  }
  throw new Error(`unknown command: app ${sub ?? ''}`);
}

function deliveryLine(d: EventDelivery): string {
  const last = d.lastError ?? (d.lastStatus === null ? '' : `HTTP ${d.lastStatus}`);
  return `${d.id}\t${iso(d.createdAt)}\tapp ${d.appId}\t${d.event}\t${d.handler}\t${d.status}\tattempts ${d.attempts}\t${last}`;
}

/** `notify24 events`: the delivery log, newest first. */
export async function eventsCommand(args: string[], store: Store, out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      app: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  const status = values.status as DeliveryStatus | undefined;
  if (status && !['pending', 'delivered', 'failed'].includes(status)) throw new Error('--status is pending, delivered or failed');
  const rows = await store.events.deliveries({
    appId: values.app ? Number(values.app) : undefined,
    status,
    limit: values.limit ? Number(values.limit) : 50,
  });
  for (const d of rows) {
    out(deliveryLine(d));
    if (!values.verbose) continue;
    if (d.status === 'pending') out(`\tnext attempt ${iso(d.nextAttemptAt)}`);
    for (const a of d.log) out(`\t${iso(a.at)}\t${a.status ?? '-'}\t${a.error ?? 'ok'}\t${a.ms} ms`);
  }
  return 0;
}

/** The operator is told at once when deliveries to the handler would be refused (docs/apps.md). */
async function warnUnreachable(handlerUrl: string, allowed: readonly NetworkClass[], out: Out): Promise<void> {
  try {
    await checkHost(new URL(handlerUrl).hostname, allowed, 2000);
  } catch (err) {
    if (!(err instanceof NetworkRefused)) throw err;
    out(`warning: ${err.message}: events to this handler will not be delivered (add \`${err.addressClass}\` to NOTIFY24_HANDLER_NETWORKS to allow it)`);
  }
}
