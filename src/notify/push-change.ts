import { groupBy } from '../lib/group-by.ts';
import type { PushHub, PushMessage } from '../realtime/hub.ts';
import type { Store } from '../store/port/store.ts';
import type { Logger } from '../lib/log.ts';

/** What a change tells a user's pages, given the unread count after it. */
export type ChangeMessages = (counter: number) => Promise<PushMessage[]> | PushMessage[];

export interface PublishDeps {
  store: Pick<Store, 'notifications'>;
  hub: PushHub;
  log?: Pick<Logger, 'warn'>;
  /** Set while the change is in a transaction that has not committed yet (a batch's): its pushes wait there. */
  heldPushes?: HeldPushes;
}

/**
 * The pushes of changes made inside a transaction that is still open: the calls of a `batch`
 * share one commit, and no page may hear of a change before it is committed. Published after
 * the commit, each user's messages in order behind one read of the counter (the count after
 * the whole batch, which is what each of them would carry had they been published one by one
 * after the same commit).
 */
export class HeldPushes {
  private readonly held: { userId: number; messages: ChangeMessages }[] = [];

  hold(userId: number, messages: ChangeMessages): void {
    this.held.push({ userId, messages });
  }

  /** How many are held: a mark to `forgetAfter` when the call that followed it failed. */
  get size(): number {
    return this.held.length;
  }

  /** Drops what was held after `mark` (the writes behind it were rolled back). */
  forgetAfter(mark: number): void {
    this.held.length = mark;
  }

  /** Publishes everything held (call after the commit). */
  async publish(deps: Omit<PublishDeps, 'heldPushes'>): Promise<void> {
    const byUser = groupBy(this.held, (h) => h.userId, (h) => h.messages);
    await Promise.all([...byUser].map(([userId, list]) => publishChange(deps, userId, async (counter) => {
      const all: PushMessage[] = [];
      for (const messages of list) all.push(...(await messages(counter)));
      return all;
    })));
  }
}

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
export function publishChange(deps: PublishDeps, userId: number, messages: ChangeMessages): Promise<void> {
  if (deps.heldPushes) {
    deps.heldPushes.hold(userId, messages);
    return Promise.resolve();
  }
  // No page of the user is open (nor its replay feed kept): nothing to count, nothing to send.
  if (deps.hub.reaches?.(userId) === false) return Promise.resolve();
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
