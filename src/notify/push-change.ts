import type { PushHub, PushMessage } from '../realtime/hub.ts';
import type { Store } from '../store/port/store.ts';
import type { Logger } from '../lib/log.ts';

/** Per hub (one per server), per user: the tail of that user's publishing queue. */
const tails = new WeakMap<PushHub, Map<number, Promise<void>>>();

/**
 * Publishes what a committed change tells the user's open pages, each message carrying
 * `counter` (the unread count after the change), as the portal's own push messages do: one
 * frame per change per connection instead of a second `counters` fan-out.
 *
 * WHY one user's changes are published one after another: two changes committed close together
 * could read their counters in one order and publish in the other, leaving the page on a stale
 * count. Reading the counter inside the queue, after the commit, makes the last message a user
 * gets carry the count after the last commit (within one process; nodes publish independently).
 */
export function publishChange(
  deps: { store: Pick<Store, 'notifications'>; hub: PushHub; log?: Pick<Logger, 'warn'> },
  userId: number,
  messages: (counter: number) => Promise<PushMessage[]> | PushMessage[],
): Promise<void> {
  let perUser = tails.get(deps.hub);
  if (!perUser) {
    perUser = new Map();
    tails.set(deps.hub, perUser);
  }
  const queue = perUser;
  const job = (queue.get(userId) ?? Promise.resolve()).then(async () => {
    const counter = await deps.store.notifications.count(userId, true);
    for (const m of await messages(counter)) await deps.hub.publish(userId, { command: m.command, params: { ...m.params, counter } });
  });
  // The change is committed: a publish that fails (Redis or the database away) is logged and
  // dropped, never the caller's error — answering an error for a stored write would make
  // clients retry and store it twice. Pages catch up through the replay window or a reload.
  // Redis commands time out (NOTIFY24_REDIS_TIMEOUT_MS), so this never hangs a request.
  const tail = job.catch((err: unknown) => {
    deps.log?.warn('push after commit dropped', { user_id: userId, error: (err as Error)?.message ?? String(err) });
  });
  queue.set(userId, tail);
  void tail.then(() => {
    if (queue.get(userId) === tail) queue.delete(userId);
  });
  return tail;
}
