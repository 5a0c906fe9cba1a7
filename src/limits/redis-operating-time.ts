import type { Redis } from 'ioredis';
import type { RedisOrLocal } from '../lib/redis-or-local.ts';
import { MIN_RECORDED_SECONDS, operatingReport, WINDOW_MINUTES, type OperatingReport, type OperatingTime } from './operating-time.ts';

/**
 * One step on a caller's baskets (a hash: minute → seconds): adds ARGV[2] seconds to the
 * minute of ARGV[1] (ms) when above ARGV[3], drops baskets that left the window, and answers
 * the window's sum and oldest minute (-1: none). Atomic, so nodes recording at once add up.
 * Time is the caller's clock, as in MemoryOperatingTime, so both agree call for call.
 */
const STEP = `
local minute = math.floor(tonumber(ARGV[1]) / 60000)
if tonumber(ARGV[2]) > tonumber(ARGV[3]) then redis.call('HINCRBYFLOAT', KEYS[1], minute, ARGV[2]) end
local all = redis.call('HGETALL', KEYS[1])
local sum = 0
local oldest = -1
for i = 1, #all, 2 do
  local m = tonumber(all[i])
  if m <= minute - tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[1], all[i])
  else
    sum = sum + tonumber(all[i + 1])
    if oldest == -1 or m < oldest then oldest = m end
  end
end
if oldest ~= -1 then redis.call('PEXPIRE', KEYS[1], (tonumber(ARGV[4]) + 1) * 60000) end
return {string.format('%.6f', sum), oldest}
`;

type WithStep = Redis & { notify24Operating(key: string, now: number, seconds: number, min: number, window: number): Promise<[string, number]> };

/**
 * Operating time shared by every node: the same baskets as MemoryOperatingTime, kept in Redis.
 * While Redis fails, `local` (this node's memory) accounts instead.
 */
export class RedisOperatingTime implements OperatingTime {
  private readonly redis: WithStep;
  /** Bumped by forget(): this node's later keys are fresh ones (the old expire by themselves). */
  private generation = 0;

  constructor(
    redis: Redis,
    private readonly limitSeconds: number | null,
    private readonly prefix: string,
    private readonly local: OperatingTime,
    private readonly redisOrLocal: RedisOrLocal,
  ) {
    redis.defineCommand('notify24Operating', { numberOfKeys: 1, lua: STEP });
    this.redis = redis as WithStep;
  }

  private async step(key: string, seconds: number, nowMs: number): Promise<OperatingReport> {
    const [sum, oldest] = await this.redis.notify24Operating(`${this.prefix}${this.generation}:${key}`, nowMs, seconds, MIN_RECORDED_SECONDS, WINDOW_MINUTES);
    return operatingReport(Number(sum), Number(oldest) === -1 ? null : Number(oldest), nowMs);
  }

  /** The window sum must exceed the limit to block: the call that crosses it still ran. */
  async allowed(key: string, nowMs: number): Promise<boolean> {
    if (this.limitSeconds === null) return true;
    const limit = this.limitSeconds;
    return this.redisOrLocal.run(
      async () => (await this.step(key, 0, nowMs)).operating <= limit,
      () => this.local.allowed(key, nowMs),
    );
  }

  record(key: string, seconds: number, nowMs: number): Promise<OperatingReport> {
    return this.redisOrLocal.run(
      () => this.step(key, seconds, nowMs),
      () => this.local.record(key, seconds, nowMs),
    );
  }

  forget(): void {
    this.generation++;
    this.local.forget();
  }
}
