import { errors } from '../errors/rest.ts';
import { defineMethod } from '../rest/registry.ts';
import type { MethodDef } from '../rest/method.ts';
import { decodedJson, isMap, strval } from '../rest/php.ts';
import { parseSubscription, subscribe, subscriptionView } from '../webpush/subscriptions.ts';

/*
 * notify24.push.*: Web Push subscriptions of the calling user's browsers. Bitrix24 has no such
 * methods; the `notify24.` prefix keeps them apart from the portal's (docs/delivery.md).
 */

/** The server's VAPID public key: what a browser passes to `pushManager.subscribe` as `applicationServerKey`. */
export const pushKey = defineMethod({
  name: 'notify24.push.key',
  scope: 'im',
  handler: (ctx) => ({ public_key: ctx.deps.vapidPublicKey }),
});

/** Stores the browser's `PushSubscription` (SUBSCRIPTION) for the caller; USER_AGENT names the device. */
export const pushSubscribe = defineMethod({
  name: 'notify24.push.subscribe',
  scope: 'im',
  handler: async (ctx) => {
    const input = parseSubscription(ctx.params.get('SUBSCRIPTION'), ctx.deps.config);
    const record = await subscribe(ctx.deps, ctx.caller.userId, input, strval(ctx.params.get('USER_AGENT')));
    return subscriptionView(record);
  },
});

/** Forgets the caller's subscription with this ENDPOINT (or SUBSCRIPTION.endpoint): true, or false when there was none. */
export const pushUnsubscribe = defineMethod({
  name: 'notify24.push.unsubscribe',
  scope: 'im',
  handler: async (ctx) => {
    const subscription = decodedJson(ctx.params.get('SUBSCRIPTION'));
    const endpoint = ctx.params.has('ENDPOINT') ? strval(ctx.params.get('ENDPOINT')) : isMap(subscription) ? strval(subscription.endpoint) : '';
    if (!endpoint) throw errors.argumentNull('ENDPOINT');
    return ctx.deps.store.webPush.unsubscribe(ctx.caller.userId, endpoint);
  },
});

/** The caller's subscribed browsers, newest first (without their keys). */
export const pushList = defineMethod({
  name: 'notify24.push.list',
  scope: 'im',
  handler: async (ctx) => (await ctx.deps.store.webPush.list(ctx.caller.userId)).map(subscriptionView),
});

export const webPushMethods: MethodDef[] = [pushKey, pushSubscribe, pushUnsubscribe, pushList];
