import { errors } from '../errors/rest.ts';
import type { Logger } from '../lib/log.ts';
import { RedisOrLocal } from '../lib/redis-or-local.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** What the shared (Redis) buckets do when they cannot be reached; see docs/limits.md. */
export const RATE_LIMIT_FAIL_MODES = ['open', 'closed'] as const;
export type RateLimitFailMode = (typeof RATE_LIMIT_FAIL_MODES)[number];

/**
 * The shared limiter with an answer for when it fails. `fallback` given (fail open): the
 * request is counted in this node's own buckets, so one client still cannot flood a node while
 * Redis is away; null (fail closed): the call is refused with 503 SERVICE_UNAVAILABLE. Either
 * way the answer is immediate (the Redis connection fails commands at once while it is away).
 */
export class FallbackRateLimiter implements RateLimiter {
  private readonly redisOrLocal: RedisOrLocal;

  constructor(
    private readonly shared: RateLimiter,
    private readonly fallback: RateLimiter | null,
    log: Pick<Logger, 'warn' | 'info'>,
  ) {
    const instead = fallback ? "counting in this node's own buckets" : 'refusing REST calls (NOTIFY24_RATE_LIMIT_FAIL=closed)';
    this.redisOrLocal = new RedisOrLocal('rate limiter', instead, log);
  }

  take(key: string, nowMs: number): Promise<boolean> {
    return this.redisOrLocal.run(
      async () => this.shared.take(key, nowMs),
      () => {
        if (!this.fallback) throw errors.limiterUnavailable();
        return this.fallback.take(key, nowMs);
      },
    );
  }

  /** Drops the node's own buckets (and the shared ones' local state, if any). */
  forget(): void {
    this.shared.forget?.();
    this.fallback?.forget?.();
  }
}
