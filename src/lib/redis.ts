import type { Redis } from 'ioredis';

/**
 * The node's Redis connections: one for commands (rate-limit script, PUBLISH) and one in
 * subscriber mode for the push hub (such a connection can run nothing else).
 */
export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  /** Resolves when Redis answers PING on both connections (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connects; ioredis is loaded only here, so a single node without Redis never pays for it. */
export async function openRedis(url: string): Promise<RedisConnections> {
  const { Redis } = await import('ioredis');
  // Fail a command quickly while Redis is away instead of queueing requests for long:
  // the REST call gets an error, readiness reports Redis down, ioredis keeps reconnecting.
  const options = { maxRetriesPerRequest: 1, connectTimeout: 5000 };
  const commands = new Redis(url, options);
  const subscriber = new Redis(url, options);
  // Connection errors are reported through readiness; unhandled they would crash the process.
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  return {
    commands,
    subscriber,
    async ping() {
      if (commands.status !== 'ready' || subscriber.status !== 'ready') {
        throw new Error(`Redis not connected (${commands.status}/${subscriber.status})`);
      }
      await commands.ping();
    },
    async close() {
      await Promise.all([commands, subscriber].map(quit));
    },
  };
}

/** QUIT when connected (lets pending replies arrive); a client still reconnecting is just dropped. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}
