import type { Redis } from 'ioredis';
import type { BucketSettings, RateLimiter } from './rate-limiter.ts';

/**
 * The leaky bucket of rate-limiter.ts, kept in Redis so every node drains and fills the same
 * bucket. Read-leak-decide-write must be one step or two nodes could both see room for the
 * last request, hence one Lua script (Redis runs a script atomically).
 *
 * It mirrors `leak()` and MemoryRateLimiter.take exactly: the level drains by `drain` per
 * second since the last counted request; a level above `burst` refuses the request and
 * leaves the bucket untouched; otherwise the level grows by 1 and the time is remembered.
 * Time is the caller's `nowMs` (the injected clock) so all implementations agree request for
 * request; nodes are expected to run NTP-synchronised clocks.
 */
const TAKE = `
local level = tonumber(redis.call('HGET', KEYS[1], 'level') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 'at') or ARGV[1])
local now = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local drain = tonumber(ARGV[3])
level = math.max(0, level - (math.max(0, now - at) / 1000) * drain)
if level > burst then return 0 end
level = level + 1
redis.call('HSET', KEYS[1], 'level', string.format('%.17g', level), 'at', ARGV[1])
-- An empty bucket is the same as no bucket: let Redis forget it once it has drained.
if drain > 0 then redis.call('PEXPIRE', KEYS[1], math.ceil(level / drain * 1000) + 1000) end
return 1
`;

type WithTake = Redis & { notify24Take(key: string, now: number, burst: number, drain: number): Promise<number> };

export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithTake;

  /** `redis` is owned by the caller (shared with other Redis users), not closed here. */
  constructor(
    redis: Redis,
    private readonly settings: BucketSettings,
    private readonly prefix = 'notify24:rate:',
  ) {
    // defineCommand sends the script by SHA (EVALSHA) and reloads it after a Redis restart.
    redis.defineCommand('notify24Take', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as WithTake;
  }

  async take(key: string, nowMs: number): Promise<boolean> {
    const allowed = await this.redis.notify24Take(this.prefix + key, nowMs, this.settings.burst, this.settings.drain);
    return allowed === 1;
  }
}
