import { AppEventQueue } from './apps/app-events.ts';
import type { AppEventSink } from './apps/app-events.ts';
import type { Config } from './config.ts';
import { createDispatcher } from './http/dispatch.ts';
import { metricsHandlers } from './http/handlers/metrics.ts';
import { listen, type Listener } from './http/listeners.ts';
import { routes } from './http/routes.ts';
import { loadTls, type TlsMaterial } from './http/tls.ts';
import { LoginThrottle } from './identity/login-throttle.ts';
import { EVENT_DELIVERY, MAIL_OUTBOX, WEB_PUSH, serverJobs } from './jobs/jobs.ts';
import { openMailTransport } from './delivery/mail/transport.ts';
import { UnsubscribeLinks } from './delivery/mail/unsubscribe.ts';
import { Scheduler } from './jobs/scheduler.ts';
import { AdjustableClock, systemClock, type Clock } from './lib/clock.ts';
import { FaultInjector } from './faults/injector.ts';
import { openLogger, preloadLogging, type Logger } from './lib/log.ts';
import { openRedis, type RedisConnections } from './lib/redis.ts';
import { MemoryOperatingTime, type OperatingTime } from './limits/operating-time.ts';
import { RedisOperatingTime } from './limits/redis-operating-time.ts';
import { MemoryFailureCounts, type FailureCounts } from './identity/failure-counts.ts';
import { RedisFailureCounts } from './identity/redis-failure-counts.ts';
import { RedisOrLocal } from './lib/redis-or-local.ts';
import { MemoryRateLimiter, noRateLimit, type RateLimiter } from './limits/rate-limiter.ts';
import { FallbackRateLimiter } from './limits/fallback-rate-limiter.ts';
import { RedisRateLimiter } from './limits/redis-rate-limiter.ts';
import { appMethods } from './methods/app.ts';
import { batchMethods } from './methods/batch.ts';
import { eventMethods } from './methods/event.ts';
import { imCountersMethods } from './methods/im-counters.ts';
import { imNotifyMethods } from './methods/im-notify.ts';
import { notify24SettingsMethods } from './methods/notify24-settings.ts';
import { platformMethods } from './methods/platform.ts';
import { createMetrics, type ServerMetrics } from './observability/metrics.ts';
import { observeServing } from './observability/serving.ts';
import { admitPerTurn } from './http/admission.ts';
import type { MetricsRegistry } from './observability/registry.ts';
import { observeRequests } from './observability/requests.ts';
import { TrafficWindow } from './observability/traffic.ts';
import { userMethods } from './methods/user.ts';
import { LocalPushHub, type PushHub } from './realtime/hub.ts';
import { pushesSettled } from './notify/push-change.ts';
import { settledWithin } from './lib/maybe.ts';
import { RedisPushHub } from './realtime/redis-hub.ts';
import { DEFAULT_FANOUT_LIMITS } from './realtime/fanout.ts';
import { DEFAULT_REPLAY_OPTIONS, PushReplay } from './realtime/replay.ts';
import { preloadWebSockets, WsChannel } from './realtime/ws.ts';
import { authenticator } from './rest/auth/index.ts';
import { oauthAuth } from './rest/auth/oauth.ts';
import { sessionAuth } from './rest/auth/session.ts';
import { webhookAuth } from './rest/auth/webhook.ts';
import { MethodPipeline } from './rest/invoke.ts';
import { MethodRegistry } from './rest/registry.ts';
import { IdentityCache, redisInvalidationBus, withIdentityCache } from './store/identity-cache.ts';
import { RenderedNotifications } from './notify/rendered.ts';
import { openStore } from './store/open.ts';
import type { Store } from './store/port/store.ts';
import { RequestInspector } from './web/inspector.ts';
import { webPushMethods } from './methods/notify24-push.ts';
import { deliveryPolicy } from './delivery/policy.ts';
import { ensureVapidKeys } from './webpush/vapid.ts';
import { WebPushWorker } from './webpush/worker.ts';

export interface ServerOptions {
  clock?: Clock;
  log?: Logger;
  /**
   * The background jobs wait for `RunningServer.startJobs()`. WHY: a test portal reads its
   * first-start state right after the start; the jobs' first runs (a dozen queries at once)
   * would compete with it for the store's connections, and could change what it reads.
   */
  holdJobs?: boolean;
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
  /** Per-user feeds of this node's push connections, and the sliced writes to them. */
  replay: PushReplay;
  /** The WebSocket side of the push channel (its connections' heartbeat). */
  pushSockets: WsChannel;
  /** Shared Redis of a multi-node deployment (NOTIFY24_REDIS_URL); null on a single node. */
  redis: RedisConnections | null;
  /** Events for applications: queued in the store, posted by the event delivery job. */
  appEvents: AppEventSink;
  /** The background jobs (src/jobs/jobs.ts). */
  jobs: Scheduler;
  /** The server's metrics: feed them (`metrics`), scrape or read them (`metricsRegistry`). */
  metrics: ServerMetrics;
  metricsRegistry: MetricsRegistry;
  /** REST traffic of the last 15 minutes, per second (the console's live panel reads it). */
  traffic: TrafficWindow;
  /** Scripted REST failures; null unless the server is one for tests (NOTIFY24_TEST_MODE). */
  faults: FaultInjector | null;
  /** The clock tests may move forward; null unless the server is one for tests. */
  timeControl: AdjustableClock | null;
}

export interface RunningServer {
  services: ServerParts;
  /** `http://host:port` of the plain listener. */
  httpUrl: string;
  /** `https://host:port` of the TLS listener, or null when HTTPS is off. */
  httpsUrl: string | null;
  /** `http://host:port/metrics` when the metrics have a port of their own, else null. */
  metricsUrl: string | null;
  tls: TlsMaterial | null;
  /** Starts the background jobs of a server started with `holdJobs` (once; later calls do nothing). */
  startJobs(): void;
  /**
   * Empties what the process keeps between requests outside the store — rate-limit buckets,
   * operating time, the inspector's calls, fault rules — so a reset test portal starts over.
   */
  forgetVolatile(): void;
  close(): Promise<void>;
}

/** How long after listening the logging and metrics libraries are loaded. */
const LIBRARIES_LOAD_DELAY_MS = 1000;

/** Credentials checked without a query, kept right across processes (SQLite) and nodes (Redis). */
function identityCacheFor(store: Store, config: Config, redis: RedisConnections | null): IdentityCache {
  return new IdentityCache({
    externalVersion: () => store.externalVersion(),
    bus: redis ? redisInvalidationBus(redis, `${config.redisPrefix}auth`) : null,
  });
}

/**
 * Rendered notifications go stale only when ids are reused, i.e. when whole tables are replaced
 * (an import, a reset): the identity cache hears of those — here, from another process or node —
 * so its drops clear this cache too, and where it cannot hear them it is off, and so is this one.
 */
function renderedNotificationsFor(identityCache: IdentityCache): RenderedNotifications {
  const rendered = new RenderedNotifications(identityCache.enabled);
  identityCache.onDrop(() => rendered.clear());
  return rendered;
}

function rateLimiterFor(config: Config, redis: RedisConnections | null, log: Logger): RateLimiter {
  // With Redis the nodes share rate-limit buckets; without it, this process counts alone.
  if (!config.rateLimit) return noRateLimit;
  if (!redis) return new MemoryRateLimiter(config.rateLimit);
  const shared = new RedisRateLimiter(redis.commands, config.rateLimit, `${config.redisPrefix}rate:`);
  const fallback = config.rateLimitFailMode === 'open' ? new MemoryRateLimiter(config.rateLimit) : null;
  return new FallbackRateLimiter(shared, fallback, log);
}

/** Operating time per caller and method: shared by the nodes through Redis when there is one. */
function operatingTimeFor(config: Config, redis: RedisConnections | null, log: Logger): OperatingTime {
  const local = new MemoryOperatingTime(config.operatingLimit);
  if (!redis) return local;
  const fallback = new RedisOrLocal('operating time', "accounting in this node's memory", log);
  const channel = `${config.redisPrefix}op-recorded`;
  return new RedisOperatingTime(redis.commands, config.operatingLimit, `${config.redisPrefix}op:`, local, fallback, { channel, bus: redisInvalidationBus(redis, channel) });
}

/** Failed sign-ins: counted in Redis when there is one, so every node throttles alike. */
function failureCountsFor(config: Config, redis: RedisConnections | null, log: Logger): FailureCounts {
  const local = new MemoryFailureCounts();
  if (!redis) return local;
  const fallback = new RedisOrLocal('sign-in throttle', "counting in this node's memory", log);
  return new RedisFailureCounts(redis.commands, `${config.redisPrefix}login:`, local, fallback);
}

/**
 * The composition root: config → store → domain parts → HTTP listeners → background jobs.
 * Every dependency is built here, once, in the order it is needed.
 */
export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  // A server for tests runs on a clock that can be moved forward, and takes scripted faults.
  const timeControl = config.testMode ? (options.clock instanceof AdjustableClock ? options.clock : options.clock ? null : new AdjustableClock()) : null;
  const clock = options.clock ?? timeControl ?? systemClock;
  const faults = config.testMode ? new FaultInjector() : null;
  const log = options.log ?? openLogger(config.logLevel, config.logFormat);
  const { registry: metricsRegistry, metrics } = createMetrics();
  const traffic = new TrafficWindow(clock);
  const opened = await openStore(config.databaseUrl, { onQueryError: () => metrics.storeErrors.inc({ engine: opened.engine }) });
  metrics.eventQueueDepth.sampleWith(() => opened.events.pendingCount());
  metrics.mailQueueDepth.sampleWith(() => opened.mailOutbox.queuedCount());
  metrics.webPushQueueDepth.sampleWith(() => opened.webPush.pendingCount());
  const redis = config.redisUrl ? await openRedis(config.redisUrl, config.redisTimeoutMs) : null;
  const identityCache = identityCacheFor(opened, config, redis);
  const store = withIdentityCache(opened, identityCache);
  const rendered = renderedNotificationsFor(identityCache);
  const hub: PushHub = redis ? new RedisPushHub(redis.commands, redis.subscriber, `${config.redisPrefix}push:`) : new LocalPushHub();
  const jobs = new Scheduler(log, metrics);
  const wakeDelivery = () => jobs.wake(EVENT_DELIVERY);
  const appEvents = new AppEventQueue({ store, clock }, wakeDelivery);
  const vapid = await ensureVapidKeys(store);
  const webPush = new WebPushWorker({ store, clock, log, metrics, config, policy: deliveryPolicy({ store, clock }), vapid });
  const wakeWebPush = () => {
    webPush.nudge();
    jobs.wake(WEB_PUSH);
  };

  const registry = new MethodRegistry().add(
    ...platformMethods, ...userMethods, ...batchMethods, ...imNotifyMethods, ...imCountersMethods, ...appMethods, ...eventMethods,
    ...notify24SettingsMethods, ...webPushMethods,
  );
  const operatingTime = operatingTimeFor(config, redis, log);
  const loginThrottle = new LoginThrottle(failureCountsFor(config, redis, log));
  const rateLimiter = rateLimiterFor(config, redis, log);
  const runner = new MethodPipeline(registry, operatingTime, {
    store, clock, log, hub, appEvents, methods: registry, config, wakeWebPush, vapidPublicKey: vapid.publicKey, rendered,
  });

  // A bad SMTP URL is logged here and shown on every mail it fails; it never stops the server.
  const mailTransport = openMailTransport(config, log);
  const unsubscribeLinks = new UnsubscribeLinks(store);

  const replay = new PushReplay(hub, clock, {
    ...DEFAULT_REPLAY_OPTIONS,
    gapMs: config.pushGapMs,
    fanout: { ...DEFAULT_FANOUT_LIMITS, slowBytes: config.pushSlowBytes, slowMessages: config.pushSlowMessages },
  });
  const ws = new WsChannel(replay, metrics);
  const inspector = new RequestInspector();
  const listeners: Listener[] = [];
  const listening = () => ({ http: listeners[0]?.url ?? null, https: listeners[1]?.url ?? null });
  const table = routes({
    store, clock, log, config, redis, replay, ws, inspector, traffic, listening, runner, wakeDelivery, metrics, metricsRegistry, unsubscribeLinks,
    wakeMail: () => jobs.wake(MAIL_OUTBOX),
    rateLimiter,
    authenticate: authenticator([oauthAuth, webhookAuth, sessionAuth], { store, clock, config }),
    recorder: inspector,
    faults,
    timeControl,
    jobs,
    loginThrottle,
  });
  const dispatcher = createDispatcher(table, { log, trustProxy: config.trustProxy, onDone: observeRequests({ log, metrics, traffic }) });
  metrics.httpInFlight.sampleWith(() => dispatcher.inFlight());

  let tls: TlsMaterial | null = null;
  let metricsListener: Listener | null = null;
  const closeParts = async () => {
    await jobs.stop();
    replay.close();
    await store.close();
    await hub.close();
    await redis?.close();
  };
  const admitted = admitPerTurn(dispatcher);
  try {
    listeners.push(await listen(config, config.port, admitted, null));
    if (config.httpsPort !== null) {
      tls = await loadTls(config);
      listeners.push(await listen(config, config.httpsPort, admitted, tls));
    }
    if (typeof config.metricsPort === 'number') {
      const scrape = metricsHandlers({ metricsRegistry, config }).scrape;
      metricsListener = await listen(config, config.metricsPort, createDispatcher([['GET', '/metrics', scrape]], { log, trustProxy: false }), null);
    }
  } catch (err) {
    const stopped = listeners.map((l) => l.close());
    for (const l of listeners) l.closeConnections();
    await Promise.all(stopped);
    await ws.close();
    await closeParts();
    throw err;
  }
  const [http, https] = listeners;
  const stopObserving = observeServing(metrics, listeners.map((l, i) => ({ name: i === 0 ? 'http' : 'https', server: l.server })));
  let jobsStarted = false;
  const startJobs = () => {
    if (jobsStarted) return;
    jobsStarted = true;
    jobs.start(serverJobs({ store, clock, log, config, metrics, mailTransport, unsubscribeLinks, webPush }, config.publicUrl ?? http!.url));
  };
  if (!options.holdJobs) startJobs();
  // pino, prom-client and ws are not needed to start serving: they load a moment later, off the
  // start's path (the first log line, scrape or WebSocket loads them sooner if it comes first).
  setTimeout(() => {
    preloadLogging();
    preloadWebSockets();
    void metricsRegistry.load().catch((err) => log.warn('metrics unavailable', { err }));
  }, LIBRARIES_LOAD_DELAY_MS).unref();

  let closing: Promise<void> | null = null;
  return {
    services: { config, store, clock, log, registry, hub, replay, pushSockets: ws, redis, appEvents, jobs, metrics, metricsRegistry, traffic, faults, timeControl },
    httpUrl: http!.url,
    httpsUrl: https?.url ?? null,
    metricsUrl: metricsListener ? `${metricsListener.url}/metrics` : null,
    tls,
    startJobs,
    forgetVolatile() {
      rateLimiter.forget?.();
      operatingTime.forget();
      loginThrottle.forget();
      inspector.clear();
      faults?.reset();
    },
    /**
     * The one way down, for signals and tests alike: stop accepting connections, let requests in
     * flight finish (at most NOTIFY24_SHUTDOWN_TIMEOUT_MS), end event streams and close
     * WebSockets with 1001, then stop the jobs and close the store and Redis.
     */
    close() {
      closing ??= (async () => {
        const grace = config.shutdownTimeoutMs;
        const all = metricsListener ? [...listeners, metricsListener] : listeners;
        const stopped = all.map((l) => l.close());
        // Requests already read but still waiting for their turn are answered like those in flight.
        await Promise.all([dispatcher.drain(grace, admitted.idle()), ws.close(grace)]);
        for (const l of all) l.closeConnections();
        await Promise.all(stopped);
        // Answered changes whose pushes are still queued reach the other nodes before Redis closes.
        await settledWithin(pushesSettled(hub), grace);
        stopObserving();
        await closeParts();
      })();
      return closing;
    },
  };
}
