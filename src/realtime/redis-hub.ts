import type { Redis } from 'ioredis';
import { Breaker } from '../lib/breaker.ts';
import { TickBatch } from '../lib/tick-batch.ts';
import { LocalPushHub, type PushHub, type PushListener, type PushMessage } from './hub.ts';

/**
 * Publishes ARGV[1] on channel ARGV[2], ARGV[3] on ARGV[4], ... in that order. Sent with EVAL,
 * not EVALSHA: after a script cache flush ioredis resends a failed EVALSHA as EVAL behind
 * commands sent meanwhile, which would reorder a user's messages.
 */
const PUBLISH_ALL = `
for i = 1, #ARGV, 2 do redis.call('PUBLISH', ARGV[i + 1], ARGV[i]) end
return #ARGV / 2
`;

/**
 * The push hub across nodes: a publish goes to Redis on the user's channel, and every node
 * with a subscriber for that user receives it and hands it to its own listeners through
 * LocalPushHub.deliver. A node only SUBSCRIBEs to users with a listener on it, so a node
 * receives the traffic of its own connections, not of the whole cluster. The publishing node
 * gets its own message back from Redis like any other node: one delivery path, no duplicates.
 *
 * Redis pub/sub is fire-and-forget: a node that is disconnected at publish time misses the
 * message. Clients recover through the replay window (`?last=`), as after any reconnect.
 */
export class RedisPushHub implements PushHub {
  private readonly local = new LocalPushHub();
  /** Local listener count per user, to SUBSCRIBE on the first and UNSUBSCRIBE after the last. */
  private readonly counts = new Map<number, number>();
  /** The pending or completed SUBSCRIBE of each user, so callers can await it. */
  private readonly subscriptions = new Map<number, Promise<void>>();
  /** While Redis fails, publishes fail at once instead of each waiting for its timeout. */
  private readonly breaker = new Breaker('Redis publish');
  /** The publishes of this tick, sent as one command when it ends (see `publish`). */
  private readonly publishes = new TickBatch<{ channel: string; payload: string }, void>(async (batch) => {
    await (batch.length === 1
      ? this.breaker.run(() => this.publisher.publish(batch[0]!.channel, batch[0]!.payload))
      : this.breaker.run(() => this.publisher.eval(PUBLISH_ALL, 0, ...batch.flatMap((p) => [p.payload, p.channel]))));
    return batch.map(() => undefined);
  });
  /** The channels asked about in this tick (`heard`), asked as one command when it ends. */
  private readonly questions = new TickBatch<string, boolean>(async (channels) => {
    // [channel, subscribers, channel, subscribers, ...] in the order asked.
    const counts = (await this.breaker.run(() => this.publisher.pubsub('NUMSUB', ...channels))) as unknown[];
    return channels.map((_, i) => Number(counts[2 * i + 1]) !== 0);
  });

  /**
   * `publisher` is any connection; `subscriber` must be a dedicated one (a Redis connection in
   * subscriber mode can do nothing else). Both are owned by the caller.
   */
  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly prefix = 'notify24:push:',
  ) {
    subscriber.on('message', (channel: string, payload: string) => this.receive(channel, payload));
  }

  /**
   * The publishes made in one tick (a user's queued changes after their counter read, the
   * changes of a grouped statement) go to Redis as one command: one round trip, one write and
   * one command for Redis to run instead of one each. Their order is kept.
   */
  publish(userId: number, message: PushMessage): Promise<void> {
    return this.publishes.add({ channel: this.channel(userId), payload: JSON.stringify(message) });
  }

  /**
   * Whether any node subscribes to the user's channel now: a listener here answers at once; else
   * Redis is asked (PUBSUB NUMSUB, the questions of one tick in one command). WHY: a change for
   * a user with no page open anywhere — most of them, on a busy portal — would otherwise cost a
   * counter read, the building of its messages and a publish that Redis hands to nobody.
   * Rejects when Redis cannot answer (see PushHub.heard). Needs one Redis server: a Redis
   * Cluster's NUMSUB counts the subscribers of one shard only.
   */
  heard(userId: number): Promise<boolean> {
    if (this.counts.has(userId)) return Promise.resolve(true);
    return this.questions.add(this.channel(userId));
  }

  subscribe(userId: number, listener: PushListener): () => void {
    const unsubscribeLocal = this.local.subscribe(userId, listener);
    const count = (this.counts.get(userId) ?? 0) + 1;
    this.counts.set(userId, count);
    if (count === 1) this.subscriptions.set(userId, this.redisSubscribe(userId));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unsubscribeLocal();
      const left = (this.counts.get(userId) ?? 1) - 1;
      if (left > 0) return void this.counts.set(userId, left);
      this.counts.delete(userId);
      this.subscriptions.delete(userId);
      this.subscriber.unsubscribe(this.channel(userId)).catch(() => undefined);
    };
  }

  /**
   * Resolves once this node's Redis subscription for `userId` is active: from then on a
   * publish on any node reaches this node's listeners.
   */
  async subscribed(userId: number): Promise<void> {
    await this.subscriptions.get(userId);
  }

  async close(): Promise<void> {
    this.counts.clear();
    this.subscriptions.clear();
    await this.local.close();
  }

  private channel(userId: number): string {
    return `${this.prefix}${userId}`;
  }

  private async redisSubscribe(userId: number): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel(userId));
    } catch {
      // Redis is down: ioredis re-subscribes every channel on reconnect; readiness shows it.
    }
  }

  private receive(channel: string, payload: string): void {
    if (!channel.startsWith(this.prefix)) return;
    const userId = Number(channel.slice(this.prefix.length));
    let message: PushMessage;
    try {
      message = JSON.parse(payload) as PushMessage;
    } catch {
      return; // not ours: someone else publishing on our prefix
    }
    this.local.deliver(userId, message);
  }
}
