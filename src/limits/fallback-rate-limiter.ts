import { errors } from '../errors/rest.ts';
import { Breaker } from '../lib/breaker.ts';
import type { Logger } from '../lib/log.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** What the shared (Redis) buckets do when they cannot be reached; see docs/limits.md. */
export const RATE_LIMIT_FAIL_MODES = ['open', 'closed'] as const;
export type RateLimitFailMode = (typeof RATE_LIMIT_FAIL_MODES)[number];

/** One warning per outage and then at most one per this interval: every request fails alike. */
const WARN_EVERY_MS = 10_000;

/**
 * The shared limiter with an answer for when it fails. `fallback` given (fail open): the
 * request is counted in this node's own buckets, so one client still cannot flood a node while
 * Redis is away; null (fail closed): the call is refused with 503 SERVICE_UNAVAILABLE. Either
 * way the answer is immediate (the Redis connection fails commands at once while it is away).
 */
export class FallbackRateLimiter implements RateLimiter {
  private failingSince: number | null = null;
  private warnedAt = 0;
  /** While Redis fails, calls skip it for a moment instead of each waiting for its timeout. */
  private readonly breaker = new Breaker('Redis rate limiter');

  constructor(
    private readonly shared: RateLimiter,
    private readonly fallback: RateLimiter | null,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
  ) {}

  async take(key: string, nowMs: number): Promise<boolean> {
    let allowed: boolean;
    try {
      allowed = await this.breaker.run(() => this.shared.take(key, nowMs));
    } catch (err) {
      this.noteFailure(err, nowMs);
      if (!this.fallback) throw errors.limiterUnavailable();
      return this.fallback.take(key, nowMs);
    }
    if (this.failingSince !== null) {
      this.log.info('rate limiter: Redis answers again, shared buckets back in use', { down_ms: nowMs - this.failingSince });
      this.failingSince = null;
    }
    return allowed;
  }

  /** Drops the node's own buckets (and the shared ones' local state, if any). */
  forget(): void {
    this.shared.forget?.();
    this.fallback?.forget?.();
  }

  private noteFailure(err: unknown, nowMs: number): void {
    this.failingSince ??= nowMs;
    if (nowMs - this.warnedAt < WARN_EVERY_MS) return;
    this.warnedAt = nowMs;
    const what = this.fallback ? "counting in this node's own buckets" : 'refusing REST calls (NOTIFY24_RATE_LIMIT_FAIL=closed)';
    this.log.warn(`rate limiter: Redis unreachable, ${what}`, { error: (err as Error).message });
  }
}
