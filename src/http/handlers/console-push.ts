import { webErrors } from '../../errors/web.ts';
import type { Store } from '../../store/port/store.ts';
import { subscriptionView } from '../../webpush/subscriptions.ts';
import { json, type Reply } from '../reply.ts';
import type { HttpRequest } from '../request.ts';
import { field } from './console-fields.ts';

export interface PushConsoleDeps {
  store: Store;
}

/** Browsers subscribed to Web Push, per user, in the console; an administrator may revoke one. */
export function consolePush(deps: PushConsoleDeps) {
  const { store } = deps;
  return {
    /** Every subscription (newest first), or one user's with `?user_id=`. */
    async list(req: HttpRequest): Promise<Reply> {
      const param = req.url.searchParams.get('user_id');
      const subscriptions = await store.webPush.list(param === null ? null : field.id(param));
      const users = new Map((await store.users.byIds([...new Set(subscriptions.map((s) => s.userId))])).map((u) => [u.id, u.login]));
      return json({
        subscriptions: subscriptions.map((s) => {
          // The endpoint's path is the browser's address at its push service: the host says enough here.
          const { endpoint: _endpoint, ...view } = subscriptionView(s);
          return { ...view, user_login: users.get(s.userId) ?? null, push_service: new URL(s.endpoint).host };
        }),
      });
    },

    /** Deletes the subscription: the browser gets no more pushes until its user switches push on again. */
    async revoke(req: HttpRequest): Promise<Reply> {
      req.raw.resume();
      if (!(await store.webPush.remove(field.id(req.params.id)))) throw webErrors.pushSubscriptionNotFound();
      return json({ revoked: true });
    },
  };
}
