import { randomBytes } from 'node:crypto';
import type { Clock } from '../lib/clock.ts';
import type { PushHub, PushMessage } from './hub.ts';

/** A push message as the browser sees it: numbered so a reconnecting client can say where it stopped. */
export interface ChannelMessage extends PushMessage {
  id: number;
}

export type Send = (message: ChannelMessage) => void;

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
}

interface Feed {
  unsubscribe: () => void;
  buffer: ChannelMessage[];
  /** Every message with an id above this one is in the buffer (or was never sent). */
  floor: number;
  senders: Set<Send>;
  expiry: NodeJS.Timeout | null;
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

  constructor(
    private readonly hub: PushHub,
    clock: Clock,
    private readonly options: ReplayOptions = { capacity: 500, retainMs: 5 * 60_000 },
  ) {
    this.lastId = clock.now() * 1000;
  }

  /**
   * Connects `send` to the user's feed. With `lastSeen`, first replays what came after it,
   * or sends `resync` when that cannot be done; then always a `ready` carrying the cursor.
   */
  attach(userId: number, lastSeen: Cursor | null, send: Send): () => void {
    const feed = this.feedOf(userId);
    if (lastSeen !== null) {
      const ours = lastSeen.node === null || lastSeen.node === this.node;
      if (ours && lastSeen.id >= feed.floor && lastSeen.id <= this.lastId) {
        for (const m of feed.buffer) if (m.id > lastSeen.id) send(m);
      } else {
        send({ id: this.cursor(feed), command: 'resync', params: {} });
      }
    }
    feed.senders.add(send);
    // `ready` tells the client it will miss nothing from now on: only true once the hub's
    // subscription is live (with Redis, once SUBSCRIBE is confirmed).
    void this.hub.subscribed(userId).then(() => {
      if (feed.senders.has(send)) send({ id: this.cursor(feed), command: 'ready', params: { node: this.node } });
    });
    return () => this.detach(userId, feed, send);
  }

  close(): void {
    for (const feed of this.feeds.values()) {
      if (feed.expiry) clearTimeout(feed.expiry);
      feed.unsubscribe();
    }
    this.feeds.clear();
  }

  private cursor(feed: Feed): number {
    return feed.buffer.at(-1)?.id ?? feed.floor;
  }

  private feedOf(userId: number): Feed {
    let feed = this.feeds.get(userId);
    if (!feed) {
      const created: Feed = { unsubscribe: () => undefined, buffer: [], floor: this.lastId, senders: new Set(), expiry: null };
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
    if (feed.buffer.length > this.options.capacity) feed.floor = feed.buffer.shift()!.id;
    for (const send of feed.senders) send(numbered);
  }

  private detach(userId: number, feed: Feed, send: Send): void {
    feed.senders.delete(send);
    if (feed.senders.size > 0 || feed.expiry) return;
    feed.expiry = setTimeout(() => {
      feed.unsubscribe();
      this.feeds.delete(userId);
    }, this.options.retainMs);
    feed.expiry.unref();
  }
}
