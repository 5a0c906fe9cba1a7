import { portalFacts } from '../apps/portal.ts';
import { registerApp } from '../apps/registration.ts';
import { exchangeCode, issueCode, tokenBody } from '../apps/tokens.ts';
import { defaultConfig, type Config } from '../config.ts';
import { createUser, createWebhook, webhookUrl } from '../identity/accounts.ts';
import { ensureBootstrap } from '../identity/bootstrap.ts';
import { AdjustableClock } from '../lib/clock.ts';
import { createLogger } from '../lib/log.ts';
import { writeSelfSigned } from '../http/tls.ts';
import { startServer } from '../server.ts';
import type { Snapshot } from '../snapshot/format.ts';
import { restoreSnapshot, takeSnapshot } from '../snapshot/memory.ts';
import type { FaultRule, FaultRuleInput } from '../faults/rule.ts';
import type { NotificationRow } from '../store/port/notifications.ts';
import { advanceTime } from './time.ts';
import { isolatedStore } from './isolated-store.ts';

export interface PortalOptions {
  /**
   * `postgres://…` to keep this portal's data in PostgreSQL, in a new schema of that database
   * dropped on `close()`. Default: a SQLite file in a new temporary folder.
   */
  databaseUrl?: string;
  /** Listen address; default `127.0.0.1`. Ports are always free ones picked by the system. */
  host?: string;
  /**
   * Any other server setting (see the README's settings table); limits are off unless set here,
   * and event handlers may be on loopback addresses (`handlerNetworks`) unless set here.
   */
  settings?: Partial<Config>;
}

export interface PortalUserInput {
  login?: string;
  name?: string;
  lastName?: string;
  email?: string;
  workPosition?: string;
  /** For signing in to the web pages (and the OAuth consent page). */
  password?: string;
  isAdmin?: boolean;
}

export interface PortalWebhook {
  id: number;
  userId: number;
  /** The secret part of the URL (shown only here; the portal keeps its hash). */
  code: string;
  /** `http://127.0.0.1:PORT/rest/USER/CODE/` */
  webhookUrl: string;
  /** `https://127.0.0.1:PORT/rest/USER/CODE/` */
  httpsWebhookUrl: string;
}

export interface PortalUser {
  id: number;
  login: string;
  /** A webhook of this user (scopes `im,user` unless asked otherwise), or null when `webhook: false`. */
  webhook: PortalWebhook | null;
}

/** The token endpoint's answer, as Bitrix24's OAuth server words it. */
export interface OAuthTokens {
  access_token: string;
  refresh_token: string;
  expires: number;
  expires_in: number;
  scope: string;
  domain: string;
  server_endpoint: string;
  client_endpoint: string;
  member_id: string;
  user_id: number;
  status: string;
}

export interface PortalApplication {
  id: number;
  clientId: string;
  /** Shown only here; the portal keeps its hash. */
  clientSecret: string;
  /** Sent in every event to the application (`auth.application_token`); B24OAuth takes it too. */
  applicationToken: string;
  /** `https://…/oauth/authorize/?client_id=…&response_type=code` (the browser part of the code flow). */
  authorizeUrl: string;
  /** `https://…/oauth/token/`: where codes and refresh tokens are traded. */
  tokenUrl: string;
  /** A token pair for `userId` as if the user had approved the application (no browser). */
  tokensFor(userId: number): Promise<OAuthTokens>;
}

export interface Portal {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `https://127.0.0.1:PORT` */
  httpsUrl: string;
  /** The administrator's webhook (user 1, scopes `im,user`), ending in `/`. The same after `reset()`. */
  webhookUrl: string;
  httpsWebhookUrl: string;
  /** The PEM certificate of the HTTPS listener: trust it (NODE_EXTRA_CA_CERTS, an agent's `ca`). */
  certificate: string;
  /** The administrator's user id. */
  adminId: number;
  /** Where this portal's data lives: the SQLite file, or the PostgreSQL URL naming its schema. */
  databaseUrl: string;
  createUser(input?: PortalUserInput, options?: { webhook?: boolean; scopes?: string[] }): Promise<PortalUser>;
  createWebhook(userId: number, options?: { scopes?: string[]; title?: string }): Promise<PortalWebhook>;
  createApplication(input?: { name?: string; code?: string; scopes?: string[]; redirectUri?: string; handlerUrl?: string }): Promise<PortalApplication>;
  /**
   * Scripted failures of REST calls, e.g. the next call of `im.notify.*` answered with QUERY_LIMIT_EXCEEDED.
   * A rule hits calls matching its method glob and caller, and answers with a catalog error,
   * a delay, a dropped connection or a truncated body (docs/testing-with-notify24.md).
   */
  faults: {
    add(rule: FaultRuleInput): FaultRule;
    list(): FaultRule[];
    remove(id: number): boolean;
    clear(): void;
  };
  /**
   * Moves this portal's clock forward (tokens, codes, retention, sessions, rate-limit buckets
   * follow it) and runs its background jobs once, so purges have happened when it resolves.
   */
  advanceTime(ms: number): Promise<void>;
  /** Unix ms on this portal's clock. */
  now(): number;
  /** The user's notifications as stored, newest first (no REST call, no side effects). */
  notifications(userId: number): Promise<NotificationRow[]>;
  /** Back to the first-start state (same admin webhook URL): limits, inspector, fault rules emptied, clock back to real time. */
  reset(): Promise<void>;
  /** Every table's rows, for fixtures: give it back to `restore()` (or JSON it to a file). */
  snapshot(): Promise<Snapshot>;
  restore(snapshot: Snapshot): Promise<void>;
  /** Stops the servers and throws the store away. */
  close(): Promise<void>;
}

let logins = 0;

/**
 * A notify24 portal in this process, for a test suite: free ports, a throw-away store, the
 * administrator's webhook ready, and helpers to set up and inspect state. Portals started side
 * by side share nothing (store, ports, rate-limit buckets, clock).
 */
export async function startPortal(options: PortalOptions = {}): Promise<Portal> {
  const place = await isolatedStore(options.databaseUrl);
  try {
    await writeSelfSigned(place.dataDir, 'ec');
    const config: Config = defaultConfig({
      dataDir: place.dataDir,
      databaseUrl: place.databaseUrl,
      host: options.host ?? '127.0.0.1',
      port: 0,
      httpsPort: 0,
      rateLimit: null,
      logLevel: 'silent',
      testMode: true,
      // The application under test usually listens on this machine: its handlers may be on loopback.
      handlerNetworks: ['public', 'private', 'loopback'],
      ...options.settings,
    });
    const clock = new AdjustableClock();
    const server = await startServer(config, { clock, log: createLogger(config.logLevel), holdJobs: true });
    return await portalOver(server, clock, place.dispose).catch(async (err) => {
      await server.close();
      throw err;
    });
  } catch (err) {
    await place.dispose();
    throw err;
  }
}

type Server = Awaited<ReturnType<typeof startServer>>;

async function portalOver(server: Server, clock: AdjustableClock, dispose: () => Promise<void>): Promise<Portal> {
  const { services } = server;
  const { store } = services;
  const httpUrl = server.httpUrl;
  const httpsUrl = server.httpsUrl!;
  const admin = (await ensureBootstrap(services))!;
  const tables = await store.tables.describe();
  const schema = await store.tables.versions();
  const firstStart = await takeSnapshot(store, tables);
  // Only now: the jobs' first runs, all at once, would compete with the reads above for the
  // store's connections (on PostgreSQL about a fifth of the start).
  server.startJobs();

  const webhookOf = (id: number, userId: number, code: string): PortalWebhook => ({
    id, userId, code, webhookUrl: webhookUrl(httpUrl, userId, code), httpsWebhookUrl: webhookUrl(httpsUrl, userId, code),
  });
  const createHook: Portal['createWebhook'] = async (userId, o = {}) => {
    const { webhook, code } = await createWebhook(store, { userId, scopes: o.scopes ?? ['im', 'user'], title: o.title }, clock.now());
    return webhookOf(webhook.id, userId, code);
  };
  let closing: Promise<void> | null = null;

  return {
    url: httpUrl,
    httpsUrl,
    webhookUrl: webhookUrl(httpUrl, admin.userId, admin.code),
    httpsWebhookUrl: webhookUrl(httpsUrl, admin.userId, admin.code),
    certificate: server.tls!.cert,
    adminId: admin.userId,
    databaseUrl: services.config.databaseUrl,
    async createUser(input = {}, o = {}) {
      const login = input.login ?? `user${++logins}`;
      const user = await createUser(store, { ...input, login, name: input.name ?? login }, clock.now());
      const webhook = o.webhook === false ? null : await createHook(user.id, { scopes: o.scopes });
      return { id: user.id, login: user.login, webhook };
    },
    createWebhook: createHook,
    faults: {
      add: (rule) => services.faults!.add(rule),
      list: () => services.faults!.list(),
      remove: (id) => services.faults!.remove(id),
      clear: () => services.faults!.clear(),
    },
    async advanceTime(ms) {
      await advanceTime(services, ms);
    },
    now: () => clock.now(),
    async createApplication(input = {}) {
      const { app, clientSecret } = await registerApp(
        store,
        { name: input.name ?? 'Test application', code: input.code, scopes: input.scopes ?? ['im', 'user'], redirectUri: input.redirectUri, handlerUrl: input.handlerUrl },
        clock.now(),
      );
      return {
        id: app.id,
        clientId: app.clientId,
        clientSecret,
        applicationToken: app.applicationToken,
        authorizeUrl: `${httpsUrl}/oauth/authorize/?client_id=${encodeURIComponent(app.clientId)}&response_type=code`,
        tokenUrl: `${httpsUrl}/oauth/token/`,
        async tokensFor(userId) {
          const code = await issueCode(services, app, userId);
          const issued = await exchangeCode(services, app, code);
          return tokenBody(issued, await portalFacts(services, httpsUrl)) as unknown as OAuthTokens;
        },
      };
    },
    async notifications(userId) {
      const [confirms, others] = await Promise.all([
        store.notifications.page(userId, true, null, null),
        store.notifications.page(userId, false, null, null),
      ]);
      return [...confirms, ...others].sort((a, b) => b.id - a.id);
    },
    async reset() {
      await restoreSnapshot(store, firstStart, { tables, schema });
      server.forgetVolatile();
      clock.rewind();
    },
    snapshot: () => takeSnapshot(store, tables),
    restore: (snapshot) => restoreSnapshot(store, snapshot, { tables, schema }),
    close() {
      closing ??= server.close().finally(dispose);
      return closing;
    },
  };
}
