import type { RedisConnections } from './redis.ts';

/**
 * Tells the other nodes that something they remember went stale, over Redis pub/sub. Memories
 * built on it (the identity cache, the operating-time windows a node knows) trust themselves only
 * while `connected()`: pub/sub is fire-and-forget, so a node not listening misses messages.
 */
export interface InvalidationBus {
  /** Tells every other node to drop what it remembers; resolves once the message is on its way. */
  publish(): Promise<void>;
  /** Calls `drop` whenever a node published (with what it published), and when the connection is lost. */
  listen(drop: (message: string) => void): void;
  /** False while messages could be missed (disconnected, or the subscription not confirmed yet). */
  connected(): boolean;
}

/**
 * The bus on `channel` over the node's Redis connections (the subscriber is shared with the
 * push hub). Listening counts from Redis's confirmation of the SUBSCRIBE, again after every
 * reconnect (ioredis re-subscribes, but reports the connection ready before Redis confirmed),
 * and a lost connection drops at once: messages published meanwhile are missed.
 */
export function redisInvalidationBus(redis: RedisConnections, channel: string): InvalidationBus {
  let listening = false;
  return {
    async publish() {
      await redis.commands.publish(channel, 'drop');
    },
    listen(drop) {
      const subscriber = redis.subscriber;
      const subscribe = () => {
        subscriber.subscribe(channel).then(
          () => {
            listening = subscriber.status === 'ready';
          },
          () => undefined,
        );
      };
      subscriber.on('message', (ch: string, message: string) => {
        if (ch === channel) drop(message);
      });
      subscriber.on('close', () => {
        listening = false;
        drop('');
      });
      subscriber.on('ready', subscribe);
      subscribe();
    },
    connected: () => listening && redis.subscriber.status === 'ready',
  };
}
