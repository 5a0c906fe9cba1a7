import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { createRequestHandler, type Route } from './http/app.ts';
import { loadTls, type TlsMaterial } from './http/tls.ts';
import { systemClock, type Clock } from './lib/clock.ts';
import { createLogger, type Logger } from './lib/log.ts';
import { MemoryOperatingTime } from './limits/operating-time.ts';
import { MemoryRateLimiter, noRateLimit } from './limits/rate-limiter.ts';
import { RedisRateLimiter } from './limits/redis-rate-limiter.ts';
import { openRedis } from './lib/redis.ts';
import { healthRoute } from './http/health.ts';
import { RedisPushHub } from './realtime/redis-hub.ts';
import { batchMethods } from './methods/batch.ts';
import { platformMethods } from './methods/platform.ts';
import { userMethods } from './methods/user.ts';
import { imNotifyMethods } from './methods/im-notify.ts';
import { imCountersMethods } from './methods/im-counters.ts';
import { startRetentionJob } from './notify/retention.ts';
import { webhookAuth } from './rest/auth/webhook.ts';
import { sessionAuth } from './rest/auth/session.ts';
import { loginRoutes } from './http/login-routes.ts';
import { oauthAuth } from './rest/auth/oauth.ts';
import { oauthRoutes } from './http/oauth-routes.ts';
import { appMethods } from './methods/app.ts';
import { eventMethods } from './methods/event.ts';
import { EventDeliveryEngine } from './apps/delivery.ts';
import { MethodRegistry } from './rest/registry.ts';
import type { Services } from './services.ts';
import { openStore } from './store/open.ts';
import { LocalPushHub } from './realtime/hub.ts';
import { createWeb } from './web/routes.ts';
import { sessionReader } from './web/session-reader.ts';

export interface RunningServer {
  services: Services;
  /** `http://host:port` of the plain listener. */
  httpUrl: string;
  /** `https://host:port` of the TLS listener, or null when HTTPS is off. */
  httpsUrl: string | null;
  tls: TlsMaterial | null;
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  log?: Logger;
}

/** Composition root: config → store → services → listeners. */
export async function buildServices(config: Config, options: ServerOptions = {}): Promise<Services> {
  const store = await openStore(config.databaseUrl);
  // With Redis the nodes share rate-limit buckets and push fan-out; without it, this process.
  const redis = config.redisUrl ? await openRedis(config.redisUrl) : null;
  const registry = new MethodRegistry().add(...platformMethods, ...userMethods, ...batchMethods, ...imNotifyMethods, ...imCountersMethods, ...appMethods, ...eventMethods);
  const services: Services = {
    config,
    store,
    clock: options.clock ?? systemClock,
    log: options.log ?? createLogger(config.logLevel),
    registry,
    rateLimiter: !config.rateLimit
      ? noRateLimit
      : redis
        ? new RedisRateLimiter(redis.commands, config.rateLimit, `${config.redisPrefix}rate:`)
        : new MemoryRateLimiter(config.rateLimit),
    operatingTime: new MemoryOperatingTime(config.operatingLimit),
    authProviders: [oauthAuth, webhookAuth, sessionAuth],
    redis,
    hub: redis ? new RedisPushHub(redis.commands, redis.subscriber, `${config.redisPrefix}push:`) : new LocalPushHub(),
    appEvents: { emit: async () => undefined },
  };
  // Events for applications: emit() queues rows in the store; startServer runs the worker posting them.
  services.appEvents = new EventDeliveryEngine(services);
  return services;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlFor(scheme: 'http' | 'https', host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${port}`;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const services = await buildServices(config, options);
  const stopRetention = startRetentionJob(services);
  const web = createWeb(services, sessionReader(services));
  // The delivery worker of this node (absent only when a caller swapped in another sink).
  const delivery = services.appEvents instanceof EventDeliveryEngine ? services.appEvents : null;
  const oauth = oauthRoutes(services, sessionReader(services), () => delivery?.wake());
  const routes: Route[] = [healthRoute(services), loginRoutes(services), oauth, ...web.routes];
  const handle = createRequestHandler(services, routes);
  const serverOptions = { maxHeaderSize: config.maxHeaderSize, keepAliveTimeout: 65_000 };

  const http = createHttpServer(serverOptions, (req, res) => void handle(req, res, false));
  web.attach(http);
  const httpPort = await listen(http, config.port, config.host);

  let https: Server | null = null;
  let httpsPort: number | null = null;
  let tls: TlsMaterial | null = null;
  if (config.httpsPort !== null) {
    tls = await loadTls(config);
    https = createHttpsServer({ ...serverOptions, cert: tls.cert, key: tls.key }, (req, res) => void handle(req, res, true));
    web.attach(https);
    httpsPort = await listen(https, config.httpsPort, config.host);
  }

  const httpUrl = urlFor('http', config.host, httpPort);
  delivery?.start(config.publicUrl ?? httpUrl);

  return {
    services,
    httpUrl,
    httpsUrl: httpsPort === null ? null : urlFor('https', config.host, httpsPort),
    tls,
    async close() {
      stopRetention();
      await web.close();
      await Promise.all([closeServer(http), https ? closeServer(https) : Promise.resolve()]);
      await delivery?.stop();
      await services.store.close();
      await services.hub.close();
      await services.redis?.close();
    },
  };
}
