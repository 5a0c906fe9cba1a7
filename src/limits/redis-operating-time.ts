import type { Redis } from 'ioredis';
import type { InvalidationBus } from '../lib/redis-invalidation-bus.ts';
import type { RedisOrLocal } from '../lib/redis-or-local.ts';
import { KnownWindows } from './known-windows.ts';
import { MIN_RECORDED_SECONDS, operatingReport, WINDOW_MINUTES, type OperatingReport, type OperatingTime } from './operating-time.ts';

/**
 * One step on a caller's baskets (a hash: minute → seconds): adds ARGV[2] seconds to the
 * minute of ARGV[1] (ms) when above ARGV[3], drops baskets that left the window, and answers
 * the window's sum and oldest minute (-1: none). Atomic, so nodes recording at once add up.
 * Time is the caller's clock, as in MemoryOperatingTime, so both agree call for call.
 * A record is announced on channel ARGV[5] (when given) with the caller's key ARGV[6]: the
 * nodes that knew the key's window forget it (KnownWindows).
 */
const STEP = `
local minute = math.floor(tonumber(ARGV[1]) / 60000)
if tonumber(ARGV[2]) > tonumber(ARGV[3]) then
  redis.call('HINCRBYFLOAT', KEYS[1], minute, ARGV[2])
  if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
end
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

type WithStep = Redis & {
  notify24Operating(key: string, now: number, seconds: number, min: number, window: number, channel: string, caller: string): Promise<[string, number]>;
};

/** Where the nodes announce records: the channel, and the bus that listens on it. */
export interface RecordAnnouncements {
  channel: string;
  bus: InvalidationBus;
}

/**
 * Operating time shared by every node: the same baskets as MemoryOperatingTime, kept in Redis.
 * While Redis fails, `local` (this node's memory) accounts instead. With `announcements`, a
 * short call of a caller whose window this node knows is answered without Redis
 * (KnownWindows); a slow call, or any call while Redis fails, always goes the full way.
 */
export class RedisOperatingTime implements OperatingTime {
  private readonly redis: WithStep;
  /** Bumped by forget(): this node's later keys are fresh ones (the old expire by themselves). */
  private generation = 0;
  private readonly known: KnownWindows | null;
  private readonly channel: string;

  constructor(
    redis: Redis,
    private readonly limitSeconds: number | null,
    private readonly prefix: string,
    private readonly local: OperatingTime,
    private readonly redisOrLocal: RedisOrLocal,
    announcements: RecordAnnouncements | null = null,
  ) {
    redis.defineCommand('notify24Operating', { numberOfKeys: 1, lua: STEP });
    this.redis = redis as WithStep;
    this.known = announcements && new KnownWindows(announcements.bus);
    this.channel = announcements?.channel ?? '';
  }

  private async step(key: string, seconds: number, nowMs: number): Promise<OperatingReport> {
    const mark = this.known?.mark();
    const [sum, oldest] = await this.redis.notify24Operating(`${this.prefix}${this.generation}:${key}`, nowMs, seconds, MIN_RECORDED_SECONDS, WINDOW_MINUTES, this.channel, key);
    const oldestMinute = Number(oldest) === -1 ? null : Number(oldest);
    this.known?.learn(key, mark!, Number(sum), oldestMinute);
    return operatingReport(Number(sum), oldestMinute, nowMs);
  }

  /** Redis's answer for `key` to a short call, as this node knows it (never while Redis fails: `local` counts then). */
  private knownHere(key: string, nowMs: number): OperatingReport | null {
    return this.known !== null && this.redisOrLocal.healthy ? this.known.report(key, nowMs) : null;
  }

  /** The window sum must exceed the limit to block: the call that crosses it still ran. */
  allowed(key: string, nowMs: number): boolean | Promise<boolean> {
    if (this.limitSeconds === null) return true;
    const limit = this.limitSeconds;
    const known = this.knownHere(key, nowMs);
    if (known) return known.operating <= limit;
    return this.redisOrLocal.run(
      async () => (await this.step(key, 0, nowMs)).operating <= limit,
      () => this.local.allowed(key, nowMs),
    );
  }

  record(key: string, seconds: number, nowMs: number): OperatingReport | Promise<OperatingReport> {
    if (seconds <= MIN_RECORDED_SECONDS) {
      const known = this.knownHere(key, nowMs);
      if (known) return known;
    } else {
      // This node's own announcement comes back later: its next call must not wait for it.
      this.known?.forget(key);
    }
    return this.redisOrLocal.run(
      () => this.step(key, seconds, nowMs),
      () => this.local.record(key, seconds, nowMs),
    );
  }

  forget(): void {
    this.generation++;
    this.known?.forget('');
    this.local.forget();
  }
}
