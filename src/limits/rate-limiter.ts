/**
 * The leaky bucket Bitrix24 puts in front of REST: every request adds 1 to the caller's
 * counter, which drains by `drain` per second; a request that finds the counter above
 * `burst` is refused and leaves the counter as it was.
 */
export interface RateLimiter {
  /**
   * True when the request may go on (and was counted), false when it must be refused. Limiters
   * that decide in memory answer at once (no promise: the REST edge awaits only when it must).
   */
  take(key: string, nowMs: number): boolean | Promise<boolean>;
  /** Empties every bucket (a test portal's reset); only the in-memory limiter keeps them here. */
  forget?(): void;
  close?(): Promise<void>;
}

export interface BucketSettings {
  burst: number;
  drain: number;
}

/** Named profiles: the portal's default and its Enterprise plan. */
export const RATE_PROFILES: Record<string, BucketSettings> = {
  standard: { burst: 50, drain: 2 },
  enterprise: { burst: 250, drain: 5 },
};

/** One bucket step, shared by every implementation so they agree to the request. */
export function leak(level: number, lastMs: number, nowMs: number, drain: number): number {
  return Math.max(0, level - (Math.max(0, nowMs - lastMs) / 1000) * drain);
}

/**
 * Whose bucket a request fills. The portal keys it by source IP only ("Bitrix24 considers
 * only the IP address": apps and webhooks calling from one host share it), so do we; see
 * docs/limits.md.
 */
export function rateLimitKey(ip: string): string {
  return `ip:${ip}`;
}

/** Buckets kept before empty ones are swept. */
const SWEEP_THRESHOLD = 10_000;

export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, { level: number; at: number }>();
  private sweepAt = SWEEP_THRESHOLD;
  constructor(private readonly settings: BucketSettings) {}

  take(key: string, nowMs: number): boolean {
    const bucket = this.buckets.get(key);
    const level = bucket ? leak(bucket.level, bucket.at, nowMs, this.settings.drain) : 0;
    // A refused request leaves the bucket untouched: retrying clients do not dig deeper.
    if (level > this.settings.burst) return false;
    this.buckets.set(key, { level: level + 1, at: nowMs });
    if (this.buckets.size > this.sweepAt) this.sweep(nowMs);
    return true;
  }

  forget(): void {
    this.buckets.clear();
  }

  /**
   * Forget drained buckets so one-off callers do not accumulate. The next sweep waits until
   * the map has doubled, so a crowd of busy callers does not make every request pay for it.
   */
  private sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      if (leak(b.level, b.at, nowMs, this.settings.drain) === 0) this.buckets.delete(key);
    }
    this.sweepAt = Math.max(SWEEP_THRESHOLD, this.buckets.size * 2);
  }
}

/** Limits switched off (local development): every request passes. */
export const noRateLimit: RateLimiter = { take: () => true };
