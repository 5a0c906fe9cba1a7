import type { Redis } from 'ioredis';
import type { RedisOrLocal } from '../lib/redis-or-local.ts';
import type { FailureCount, FailureCounts } from './failure-counts.ts';

/**
 * One more failure at ARGV[1] (ms), kept ARGV[2] ms. Expiry is decided on the caller's clock
 * (`until`), like the memory version, so both agree call for call; PEXPIRE only reclaims space.
 */
const ADD = `
local now = tonumber(ARGV[1])
local keep = tonumber(ARGV[2])
local n = 0
if tonumber(redis.call('HGET', KEYS[1], 'until') or '0') > now then n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0') end
redis.call('HSET', KEYS[1], 'n', n + 1, 'at', ARGV[1], 'until', string.format('%.0f', now + keep))
redis.call('PEXPIRE', KEYS[1], keep)
return n + 1
`;

type WithAdd = Redis & { notify24FailureAdd(key: string, now: number, keep: number): Promise<number> };

/**
 * Failure counts in Redis, one hash per key (`n`, `at`, `until`), so every node throttles on
 * the same counts. While Redis fails, `local` (this node's memory) stands in.
 */
export class RedisFailureCounts implements FailureCounts {
  private readonly redis: WithAdd;
  /** Bumped by forget(): this node's later keys are fresh ones (the old expire by themselves). */
  private generation = 0;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly local: FailureCounts,
    private readonly redisOrLocal: RedisOrLocal,
  ) {
    redis.defineCommand('notify24FailureAdd', { numberOfKeys: 1, lua: ADD });
    this.redis = redis as WithAdd;
  }

  private key(k: string): string {
    return `${this.prefix}${this.generation}:${k}`;
  }

  get(keys: string[], nowMs: number): Promise<FailureCount[]> {
    return this.redisOrLocal.run(
      async () => {
        const pipeline = this.redis.pipeline();
        for (const k of keys) pipeline.hmget(this.key(k), 'n', 'at', 'until');
        const replies = (await pipeline.exec()) ?? [];
        return replies.map(([err, value]) => {
          if (err) throw err;
          const [n, at, until] = value as (string | null)[];
          return Number(until ?? 0) > nowMs ? { failures: Number(n), lastAt: Number(at) } : { failures: 0, lastAt: 0 };
        });
      },
      () => this.local.get(keys, nowMs),
    );
  }

  add(keys: string[], nowMs: number, keepMs: number): Promise<void> {
    return this.redisOrLocal.run(
      async () => {
        await Promise.all(keys.map((k) => this.redis.notify24FailureAdd(this.key(k), nowMs, keepMs)));
      },
      () => this.local.add(keys, nowMs, keepMs),
    );
  }

  clear(keys: string[]): Promise<void> {
    return this.redisOrLocal.run(
      async () => void (await this.redis.del(...keys.map((k) => this.key(k)))),
      () => this.local.clear(keys),
    );
  }

  forget(): void {
    this.generation++;
    this.local.forget();
  }
}
