import { randomBytes } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';
import { FanOut, Subscriber, type FanOutLimits, type FeedView, type Outlet } from './fanout.ts';
import type { PushHub, PushMessage } from './hub.ts';

/** A push message as the browser sees it: numbered so a reconnecting client can say where it stopped. */
export interface ChannelMessage extends PushMessage {
  id: number;
}

/** Where a reconnecting client stopped: the last id it saw and the node (process) that numbered it. */
export interface Cursor {
  id: number;
  /** Absent from older clients; when present and not this process, the ids are another counter. */
  node: string | null;
}

export interface ReplayOptions {
  /** Messages kept per user for resuming; older ones force a `resync`. */
  capacity: number;
  /** How long a user's feed outlives their last connection (covers reconnects). */
  retainMs: number;
  /** How writes are spread over event-loop turns, and when a slow connection is dropped. */
  fanout?: FanOutLimits;
  /**
   * Milliseconds between two fan-outs of one user's feed, at least: a message that comes sooner
   * waits and goes out with the ones after it (see `push`).
   */
  gapMs: number;
}

export const DEFAULT_REPLAY_OPTIONS: ReplayOptions = { capacity: 500, retainMs: 5 * 60_000, gapMs: 20 };

/**
 * One user's feed. A class, not an object literal with its own functions: there is one per user
 * with an open page, and methods on the prototype (fields laid out in the object) keep it small.
 */
class Feed implements FeedView<ChannelMessage> {
  unsubscribe: () => void = () => undefined;
  buffer: ChannelMessage[] = [];
  subscribers = new Set<Subscriber<ChannelMessage>>();
  expiry: NodeJS.Timeout | null = null;
  /** When the feed's last fan-out was started, and the one waiting for the gap to pass. */
  walkedAt = -Infinity;
  nextWalk: NodeJS.Timeout | null = null;
  /** The last answer of `after`, until the buffer changes: every connection in step asks the same. */
  lastAfter: { id: number; messages: ChannelMessage[] } | null = null;

  constructor(
    /** Every message with an id above this one is in the buffer (or was never sent). */
    public floor: number,
    private readonly node: string,
  ) {}

  after(id: number): ChannelMessage[] | null {
    if (id < this.floor) return null;
    if (this.lastAfter?.id === id) return this.lastAfter.messages;
    // From the end: a connection in step is owed the last few messages.
    let from = this.buffer.length;
    while (from > 0 && this.buffer[from - 1]!.id > id) from--;
    this.lastAfter = { id, messages: this.buffer.slice(from) };
    return this.lastAfter.messages;
  }

  cursor(): number {
    return this.buffer.at(-1)?.id ?? this.floor;
  }

  ready(cursor: number): ChannelMessage {
    return { id: cursor, command: 'ready', params: { node: this.node } };
  }

  resync(cursor: number): ChannelMessage {
    return { id: cursor, command: 'resync', params: {} };
  }
}

/**
 * Per-user channel feeds with a bounded replay buffer.
 *
 * WHY a buffer and not a store query: push messages are not all notifications (read/unread,
 * counters, deletes), so the store cannot replay them; and when the buffer cannot cover the gap
 * (too many missed, feed expired, server restarted) the client is told to `resync`, i.e. reload
 * its list through im.notify.get — so either way it misses nothing.
 *
 * Ids are one counter for the process starting at boot time × 1000, so ids of a later process
 * are above any id of an earlier one and an old id is recognised as "not covered". Each message
 * also names its `node` (random per process): with several nodes behind a load balancer a
 * client that reconnects to another node is told to resync instead of trusting a foreign id.
 */
export class PushReplay {
  private readonly feeds = new Map<number, Feed>();
  private lastId: number;
  readonly node = randomBytes(4).toString('hex');
  /** Writes to the connections, in slices (see fanout.ts). */
  readonly fanout: FanOut<ChannelMessage>;

  constructor(
    private readonly hub: PushHub,
    clock: Clock,
    private readonly options: ReplayOptions = DEFAULT_REPLAY_OPTIONS,
  ) {
    this.lastId = clock.now() * 1000;
    this.fanout = new FanOut(options.fanout);
  }

  /**
   * Connects `outlet` to the user's feed. With `lastSeen`, it first gets what came after it, or
   * `resync` when that cannot be done; then always a `ready` carrying the cursor, and from then
   * on every message in order.
   */
  attach(userId: number, lastSeen: Cursor | null, outlet: Outlet<ChannelMessage>): () => void {
    const feed = this.feedOf(userId);
    const ours = lastSeen !== null && (lastSeen.node === null || lastSeen.node === this.node) && lastSeen.id <= this.lastId;
    // Not ours or before the buffer: the catch-up finds the gap uncovered and sends `resync`.
    const sub = new Subscriber(outlet, feed, lastSeen === null ? feed.cursor() : ours ? lastSeen.id : -1);
    feed.subscribers.add(sub);
    // `ready` tells the client it will miss nothing from now on: only true once the hub's
    // subscription is live (with Redis, once SUBSCRIBE is confirmed).
    void this.hub.subscribed(userId).then(() => {
      if (!sub.closed) this.fanout.catchUp(sub);
    });
    return () => {
      sub.closed = true;
      this.detach(userId, feed, sub);
    };
  }

  close(): void {
    this.fanout.close();
    for (const feed of this.feeds.values()) {
      if (feed.expiry) clearTimeout(feed.expiry);
      if (feed.nextWalk) clearTimeout(feed.nextWalk);
      feed.unsubscribe();
    }
    this.feeds.clear();
  }

  private feedOf(userId: number): Feed {
    let feed = this.feeds.get(userId);
    if (!feed) {
      const created = new Feed(this.lastId, this.node);
      created.unsubscribe = this.hub.subscribe(userId, (message) => this.push(created, message));
      this.feeds.set(userId, created);
      feed = created;
    }
    if (feed.expiry) {
      clearTimeout(feed.expiry);
      feed.expiry = null;
    }
    return feed;
  }

  private push(feed: Feed, message: PushMessage): void {
    const numbered: ChannelMessage = { id: ++this.lastId, command: message.command, params: message.params };
    feed.buffer.push(numbered);
    feed.lastAfter = null;
    if (feed.buffer.length > this.options.capacity) feed.floor = feed.buffer.shift()!.id;
    this.walk(feed);
  }

  /**
   * Fans the feed's newest messages out to its connections — at once when its last fan-out is
   * `gapMs` old, else once it is. WHY: each fan-out is a write (a system call) per connection,
   * and a write carries every message the connection is owed (fanout.ts); a user whose pages
   * get a message every few milliseconds gets them a few at a time, not one write each, for at
   * most `gapMs` of delay. A user who gets one now and then gets it at once.
   */
  private walk(feed: Feed): void {
    if (feed.nextWalk) return; // the waiting fan-out takes this message along
    const wait = feed.walkedAt + this.options.gapMs - performance.now();
    const go = () => {
      feed.nextWalk = null;
      feed.walkedAt = performance.now();
      // The connections at the time it goes out (a page that became ready meanwhile included).
      this.fanout.send(feed.buffer.at(-1)!, feed.subscribers);
    };
    if (wait <= 0) go();
    else feed.nextWalk = setTimeout(go, wait);
  }

  private detach(userId: number, feed: Feed, sub: Subscriber<ChannelMessage>): void {
    feed.subscribers.delete(sub);
    if (feed.subscribers.size > 0 || feed.expiry) return;
    feed.expiry = setTimeout(() => {
      feed.unsubscribe();
      this.feeds.delete(userId);
    }, this.options.retainMs);
    feed.expiry.unref();
  }
}
