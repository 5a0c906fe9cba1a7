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

  /** Queues everything held for publishing (call after the commit), as `publishChange` does. */
  publish(deps: Omit<PublishDeps, 'heldPushes'>): void {
    const byUser = groupBy(this.held, (h) => h.userId, (h) => h.messages);
    for (const [userId, list] of byUser) {
      publishChange(deps, userId, async (counter) => {
        const all: PushMessage[] = [];
        for (const messages of list) all.push(...(await messages(counter)));
        return all;
      });
    }
  }
}

const ignore = () => undefined;

/** A user's changes waiting to be published, and the loop publishing them. */
interface UserQueue {
  waiting: ChangeMessages[];
  loop: Promise<void>;
}

/** Per hub (one per server), per user: the queue being published (absent: none, none running). */
const queues = new WeakMap<PushHub, Map<number, UserQueue>>();

/**
 * Queues what a committed change tells the user's open pages, each message carrying `counter`
 * (the unread count after the change), as the portal's own push messages do: one frame per
 * change per connection instead of a second `counters` fan-out.
 *
 * WHY the caller does not wait: the change is committed, which is all its answer promises.
 * Waiting for the counter read and for Redis wrote each answer a turn later, on its own, and
 * left fewer changes to share each counter read and publish: not waiting takes 13–30 % off the
 * server's CPU per send on PostgreSQL + Redis (docs/performance.md). A push that fails is
 * logged and dropped; pages catch up through the replay window or a reload. `pushesSettled`
 * lets a closing server finish what is queued.
 *
 * WHY one user's changes are published one after another: two changes committed close together
 * could read their counters in one order and publish in the other, leaving the page on a stale
 * count. Reading the counter inside the queue, after the commit, makes the last message a user
 * gets carry the count after the last commit (within one process; nodes publish independently).
 * The changes that queued up while the one before them was published share one read of the
 * counter: all of them were committed before it, so it is the count after each of them, as
 * their own reads would have been (one statement per turn instead of per change under load).
 * Callers queue in commit order, so each user's pushes go out in that order.
 */
export function publishChange(deps: PublishDeps, userId: number, messages: ChangeMessages): void {
  if (deps.heldPushes) return deps.heldPushes.hold(userId, messages);
  // No page of the user is open (nor its replay feed kept): nothing to count, nothing to send.
  if (deps.hub.reaches?.(userId) === false) return;
  let perUser = queues.get(deps.hub);
  if (!perUser) {
    perUser = new Map();
    queues.set(deps.hub, perUser);
  }
  const queued = perUser.get(userId);
  if (queued) return void queued.waiting.push(messages);
  const fresh: UserQueue = { waiting: [messages], loop: Promise.resolve() };
  perUser.set(userId, fresh);
  fresh.loop = drain(deps, userId, perUser, fresh.waiting);
}

/** Resolves once every change queued on `hub` so far (and what joined it meanwhile) is published or dropped. */
export async function pushesSettled(hub: PushHub): Promise<void> {
  const perUser = queues.get(hub);
  while (perUser?.size) await Promise.all([...perUser.values()].map((q) => q.loop));
}

/** Publishes `waiting` (and what joins it meanwhile) turn by turn, one counter read per turn. Never rejects. */
async function drain(deps: PublishDeps, userId: number, queue: Map<number, UserQueue>, waiting: ChangeMessages[]): Promise<void> {
  while (waiting.length) {
    const turn = waiting.splice(0);
    // Asked after the turn's changes committed: a page subscribed by then is counted, and one
    // subscribing later would have missed a publish made now just the same. A hub that cannot
    // tell counts as heard: the publish goes ahead and fails as it always did.
    if (deps.hub.heard && !(await deps.hub.heard(userId).catch(() => true))) continue;
    let counter: number | null = null;
    let failed: unknown = null;
    try {
      counter = await deps.store.notifications.count(userId, true);
    } catch (err) {
      failed = err;
    }
    // Each change's messages are built in order, then every publish of the turn is sent in that
    // order without waiting for the one before (one connection keeps them in order), so the
    // turn waits on Redis once instead of once per message.
    const published: Promise<void>[] = [];
    for (const messages of turn) {
      let sent: Promise<unknown>;
      try {
        if (failed) throw failed;
        const list = await messages(counter!);
        sent = Promise.all(list.map((m) => deps.hub.publish(userId, { command: m.command, params: { ...m.params, counter } })));
      } catch (err) {
        sent = Promise.reject(err);
      }
      // A publish that fails (Redis or the database away) is logged and dropped: the change is
      // committed and answered. Redis commands time out (NOTIFY24_REDIS_TIMEOUT_MS), so a turn
      // never hangs.
      published.push(sent.then(ignore, (err: unknown) => {
        deps.log?.warn('push after commit dropped', { user_id: userId, error: (err as Error)?.message ?? String(err) });
      }));
    }
    await Promise.all(published);
  }
  queue.delete(userId);
}
