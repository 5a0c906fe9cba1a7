import { AppEventQueue } from './apps/app-events.ts';
import type { AppEventSink } from './apps/app-events.ts';
import type { Config } from './config.ts';
import { createDispatcher } from './http/dispatch.ts';
import { listen, type Listener } from './http/listeners.ts';
import { routes } from './http/routes.ts';
import { loadTls, type TlsMaterial } from './http/tls.ts';
import { LoginThrottle } from './identity/login-throttle.ts';
import { EVENT_DELIVERY, serverJobs } from './jobs/jobs.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createLogger, type Logger } from './lib/log.ts';
import { openRedis, type RedisConnections } from './lib/redis.ts';
import { MemoryOperatingTime } from './limits/operating-time.ts';
import { MemoryRateLimiter, noRateLimit, type RateLimiter } from './limits/rate-limiter.ts';
import { RedisRateLimiter } from './limits/redis-rate-limiter.ts';
import { appMethods } from './methods/app.ts';
import { batchMethods } from './methods/batch.ts';
import { eventMethods } from './methods/event.ts';
import { imCountersMethods } from './methods/im-counters.ts';
import { imNotifyMethods } from './methods/im-notify.ts';
import { platformMethods } from './methods/platform.ts';
import { userMethods } from './methods/user.ts';
import { LocalPushHub, type PushHub } from './realtime/hub.ts';
import { RedisPushHub } from './realtime/redis-hub.ts';
import { PushReplay } from './realtime/replay.ts';
import { WsChannel } from './realtime/ws.ts';
import { authenticator } from './rest/auth/index.ts';
import { oauthAuth } from './rest/auth/oauth.ts';
import { sessionAuth } from './rest/auth/session.ts';
import { webhookAuth } from './rest/auth/webhook.ts';
import { MethodPipeline } from './rest/invoke.ts';
import { MethodRegistry } from './rest/registry.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/port/store.ts';
import { RequestInspector } from './web/inspector.ts';

export interface ServerOptions {
  clock?: Clock;
  log?: Logger;
}

/**
 * The long-lived parts the composition root built. Modules never receive this whole: each
 * gets the few parts its own dependency type names. The CLI and tests reach into it.
 */
export interface ServerParts {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Every REST method; tests add their own before calling them. */
  registry: MethodRegistry;
  /** Real-time fan-out to users' open pages. */
  hub: PushHub;
  /** Shared Redis of a multi-node deployment (NOTIFY24_REDIS_URL); null on a single node. */
  redis: RedisConnections | null;
  /** Events for applications: queued in the store, posted by the event delivery job. */
  appEvents: AppEventSink;
  /** The background jobs (src/jobs/jobs.ts). */
  jobs: Scheduler;
}

export interface RunningServer {
  services: ServerParts;
  /** `http://host:port` of the plain listener. */
  httpUrl: string;
  /** `https://host:port` of the TLS listener, or null when HTTPS is off. */
  httpsUrl: string | null;
  tls: TlsMaterial | null;
  close(): Promise<void>;
}

function rateLimiterFor(config: Config, redis: RedisConnections | null): RateLimiter {
  // With Redis the nodes share rate-limit buckets; without it, this process counts alone.
  if (!config.rateLimit) return noRateLimit;
  return redis ? new RedisRateLimiter(redis.commands, config.rateLimit, `${config.redisPrefix}rate:`) : new MemoryRateLimiter(config.rateLimit);
}

/**
 * The composition root: config → store → domain parts → HTTP listeners → background jobs.
 * Every dependency is built here, once, in the order it is needed.
 */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const store = await openStore(config.databaseUrl);
  const redis = config.redisUrl ? await openRedis(config.redisUrl) : null;
  const hub: PushHub = redis ? new RedisPushHub(redis.commands, redis.subscriber, `${config.redisPrefix}push:`) : new LocalPushHub();
  const jobs = new Scheduler(log);
  const wakeDelivery = () => jobs.wake(EVENT_DELIVERY);
  const appEvents = new AppEventQueue({ store, clock }, wakeDelivery);

  const registry = new MethodRegistry().add(
    ...platformMethods, ...userMethods, ...batchMethods, ...imNotifyMethods, ...imCountersMethods, ...appMethods, ...eventMethods,
  );
  const runner = new MethodPipeline(registry, new MemoryOperatingTime(config.operatingLimit), {
    store, clock, log, hub, appEvents, methods: registry, config,
  });

  const replay = new PushReplay(hub, clock);
  const ws = new WsChannel(replay);
  const inspector = new RequestInspector();
  const table = routes({
    store, clock, log, config, redis, replay, ws, inspector, runner, wakeDelivery,
    rateLimiter: rateLimiterFor(config, redis),
    authenticate: authenticator([oauthAuth, webhookAuth, sessionAuth], { store, clock, config }),
    recorder: inspector,
    loginThrottle: new LoginThrottle(),
  });
  const dispatcher = createDispatcher(table, { log, trustProxy: config.trustProxy });

  const listeners: Listener[] = [];
  let tls: TlsMaterial | null = null;
  try {
    listeners.push(await listen(config, config.port, dispatcher, null));
    if (config.httpsPort !== null) {
      tls = await loadTls(config);
      listeners.push(await listen(config, config.httpsPort, dispatcher, tls));
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await ws.close();
    replay.close();
    await store.close();
    await hub.close();
    await redis?.close();
    throw err;
  }
  const [http, https] = listeners;
  jobs.start(serverJobs({ store, clock, log, config }, config.publicUrl ?? http!.url));

  return {
    services: { config, store, clock, log, registry, hub, redis, appEvents, jobs },
    httpUrl: http!.url,
    httpsUrl: https?.url ?? null,
    tls,
    async close() {
      await ws.close();
      replay.close();
      await Promise.all(listeners.map((l) => l.close()));
      await jobs.stop();
      await store.close();
      await hub.close();
      await redis?.close();
    },
  };
}
