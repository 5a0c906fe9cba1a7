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

/** How long `openRedis` waits for a first connection before the server starts without one. */
const FIRST_CONNECT_WAIT_MS = 2000;

/**
 * Connects; ioredis is loaded only here, so a single node without Redis never pays for it.
 * `commandTimeoutMs` bounds every command of the commands connection.
 */
export async function openRedis(url: string, commandTimeoutMs = 1000): Promise<RedisConnections> {
  const { Redis } = await import('ioredis');
  const options = { maxRetriesPerRequest: 1, connectTimeout: 5000 };
  // Commands fail at once while Redis is away (no offline queue) and after `commandTimeoutMs`
  // when it hangs, so a request never waits on Redis for long: the rate limiter falls back as
  // configured, a publish after a commit is dropped and logged, readiness reports Redis down,
  // and ioredis keeps reconnecting. The subscriber keeps its queue: its SUBSCRIBEs are sent
  // when Redis comes back, and no request waits on them.
  const commands = new Redis(url, { ...options, enableOfflineQueue: false, commandTimeout: commandTimeoutMs });
  const subscriber = new Redis(url, options);
  // Connection errors are reported through readiness; unhandled they would crash the process.
  commands.on('error', () => undefined);
  subscriber.on('error', () => undefined);
  await firstConnection(commands);
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

/** Waits (briefly) for the connection to be ready: without an offline queue, earlier commands would fail. */
async function firstConnection(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, FIRST_CONNECT_WAIT_MS);
    function done() {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    }
    redis.once('ready', done);
  });
}

/** QUIT when connected (lets pending replies arrive); a client still reconnecting is just dropped. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') return redis.disconnect();
  await redis.quit().catch(() => redis.disconnect());
}
