import type { AppEventSink } from './apps/app-events.ts';
import type { Config } from './config.ts';
import type { Clock } from './lib/clock.ts';
import type { Logger } from './lib/log.ts';
import type { OperatingTime } from './limits/operating-time.ts';
import type { RateLimiter } from './limits/rate-limiter.ts';
import type { AuthProvider } from './rest/auth/index.ts';
import type { MethodRegistry } from './rest/registry.ts';
import type { Store } from './store/port/store.ts';
import type { PushHub } from './realtime/hub.ts';
import type { RedisConnections } from './lib/redis.ts';

/**
 * What method handlers and the edge may use, built once in server.ts and passed explicitly.
 * Each part of the system adds its service here.
 */
export interface Services {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  registry: MethodRegistry;
  rateLimiter: RateLimiter;
  operatingTime: OperatingTime;
  /** Ways a REST call may be authorized, tried in order. */
  authProviders: AuthProvider[];
  /** Shared Redis of a multi-node deployment (NOTIFY24_REDIS_URL); null on a single node. */
  redis: RedisConnections | null;
  /** Real-time fan-out to users' open pages. */
  hub: PushHub;
  /** Events for applications (delivered to their bound handlers). */
  appEvents: AppEventSink;
}
