import { EVENT_SCOPES } from '../apps/event-catalog.ts';
import { hasScope } from '../rest/caller.ts';
import { defineMethod } from '../rest/registry.ts';
import type { MethodContext } from '../rest/method.ts';
import { intval, strval } from '../rest/php.ts';
import type { App } from '../store/port/apps.ts';
import type { User } from '../store/port/identity.ts';
import { errors } from '../errors/rest.ts';
import { checkHost, NetworkRefused } from '../lib/networks.ts';

/** The application and user of an OAuth call; every other kind is refused as on the portal. */
async function appContext(ctx: MethodContext): Promise<{ app: App; user: User }> {
  if (ctx.caller.kind !== 'oauth' || !ctx.caller.clientId) throw errors.wrongAuthType();
  const app = await ctx.deps.store.apps.byClientId(ctx.caller.clientId);
  const user = await ctx.deps.store.users.byId(ctx.caller.userId);
  if (!app || !user) throw errors.applicationNotFound();
  return { app, user };
}

function required(ctx: MethodContext, key: string): string {
  const value = strval(ctx.params.get(key)).trim();
  if (!value) throw errors.argumentNull(key);
  return value;
}

/** Offline events (a queue read with event.offline.get) are not served; docs/apps.md. */
function refuseOffline(ctx: MethodContext, user: User): void {
  if (strval(ctx.params.get('EVENT_TYPE')).toLowerCase() !== 'offline') return;
  if (!user.isAdmin) throw errors.accessDenied();
  throw errors.unsupportedEventType();
}

/** The handler must be an http(s) URL whose host has a dot, as the portal demands. */
function checkHandler(handler: string): URL {
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    throw errors.wrongHandlerUrl();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw errors.unsupportedProtocol();
  }
  if (!url.hostname.includes('.')) throw errors.wrongHandlerUrl();
  return url;
}

/** How long a bind waits for DNS; a name that does not resolve in time is checked at delivery. */
const BIND_LOOKUP_MS = 2000;

/**
 * Beyond the portal's checks: the handler's host (the address itself, or every address its
 * name resolves to now) must be on a network `handlerNetworks` allows. Deliveries check again
 * on the address they connect to, since DNS answers change.
 */
async function checkHandlerNetwork(ctx: MethodContext, url: URL): Promise<void> {
  try {
    await checkHost(url.hostname, ctx.deps.config.handlerNetworks, BIND_LOOKUP_MS);
  } catch (err) {
    if (err instanceof NetworkRefused) throw errors.handlerNetworkRefused(err.message);
    throw err;
  }
}

/**
 * The user whose tokens the handler gets. Admins choose anyone (0 = whoever causes the event);
 * other users only themselves, which is also their default.
 */
function authUserFor(ctx: MethodContext, user: User): number {
  const given = intval(ctx.params.get('AUTH_TYPE'));
  if (user.isAdmin) return given;
  if (given !== 0 && given !== user.id) throw errors.accessDenied();
  return user.id;
}

export const eventBind = defineMethod({
  name: 'event.bind',
  scope: '_global',
  handler: async (ctx) => {
    const { app, user } = await appContext(ctx);
    const event = required(ctx, 'EVENT').toUpperCase();
    const handler = required(ctx, 'HANDLER');
    refuseOffline(ctx, user);
    const scope = EVENT_SCOPES[event];
    if (scope === undefined || !hasScope(ctx.caller, scope)) throw errors.eventNotFound();
    await checkHandlerNetwork(ctx, checkHandler(handler));
    const authUserId = authUserFor(ctx, user);
    const bound = await ctx.deps.store.events.bind({ appId: app.id, event, handler, authUserId, boundBy: user.id }, ctx.deps.clock.now());
    if (!bound) throw errors.handlerAlreadyBound();
    return true;
  },
});

export const eventUnbind = defineMethod({
  name: 'event.unbind',
  scope: '_global',
  handler: async (ctx) => {
    const { app, user } = await appContext(ctx);
    const event = required(ctx, 'EVENT').toUpperCase();
    const handler = required(ctx, 'HANDLER');
    if (strval(ctx.params.get('EVENT_TYPE')).toLowerCase() === 'offline') return { count: 0 };
    // Absent auth_type: every binding of the pair (an admin's call); 0 or empty: only those of "the triggering user".
    const authUserId = user.isAdmin ? (ctx.params.has('AUTH_TYPE') ? intval(ctx.params.get('AUTH_TYPE')) : undefined) : authUserFor(ctx, user);
    return { count: await ctx.deps.store.events.unbind(app.id, event, handler, authUserId) };
  },
});

export const eventGet = defineMethod({
  name: 'event.get',
  scope: '_global',
  handler: async (ctx) => {
    const { app, user } = await appContext(ctx);
    const bindings = await ctx.deps.store.events.bindings(app.id);
    return bindings
      .filter((b) => user.isAdmin || b.authUserId === user.id)
      .map((b) => ({ event: b.event, handler: b.handler, auth_type: String(b.authUserId), offline: 0 }));
  },
});

export const eventMethods = [eventBind, eventUnbind, eventGet];
