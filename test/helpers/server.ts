import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig, type Config } from '../../src/config.ts';
import { createUser, createWebhook, webhookUrl } from '../../src/identity/accounts.ts';
import { ensureBootstrap } from '../../src/identity/bootstrap.ts';
import type { Clock } from '../../src/lib/clock.ts';
import { createLogger, type Logger } from '../../src/lib/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import type { NewUser } from '../../src/store/port/identity.ts';
import { createTestSchema } from './services.ts';

export interface TestServer {
  server: RunningServer;
  /** `http://127.0.0.1:port` */
  url: string;
  httpsUrl: string;
  /** Admin webhook base URLs (user 1, scopes im,user), ending in `/`. */
  hook: string;
  httpsHook: string;
  config: Config;
  /** A new user with a webhook of the given scopes; returns its id and hook URL. */
  addUser(fields?: Partial<NewUser> & { password?: string }, scopes?: string[]): Promise<{ id: number; hook: string; httpsHook: string; code: string }>;
  close(): Promise<void>;
}

let seq = 0;

/**
 * The real server on free ports over a fresh SQLite file; limits off unless asked for.
 * With NOTIFY24_TEST_STORE=postgres the store is instead a fresh PostgreSQL schema in
 * NOTIFY24_TEST_DATABASE_URL, dropped on close (scripts/test.mjs runs the suite both ways).
 */
export async function startTestServer(overrides: Partial<Config> = {}, options: { clock?: Clock; log?: Logger; holdJobs?: boolean } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'notify24-test-'));
  const config = defaultConfig({
    dataDir,
    host: '127.0.0.1',
    port: 0,
    httpsPort: 0,
    rateLimit: null,
    logLevel: 'silent',
    // Test event handlers listen on 127.0.0.1: loopback is allowed here explicitly (the default refuses it).
    handlerNetworks: ['public', 'private', 'loopback'],
    ...overrides,
  });
  let schema: Awaited<ReturnType<typeof createTestSchema>> | null = null;
  if (!overrides.databaseUrl) {
    if (process.env.NOTIFY24_TEST_STORE === 'postgres') schema = await createTestSchema();
    config.databaseUrl = schema ? schema.url : join(dataDir, 'notify24.db');
  }
  const server = await startServer(config, {
    clock: options.clock,
    log: options.log ?? createLogger(process.env.NOTIFY24_TEST_LOG === '1' ? 'debug' : 'silent'),
    holdJobs: options.holdJobs,
  }).catch(async (err) => {
    await schema?.drop();
    throw err;
  });
  const admin = (await ensureBootstrap(server.services))!;
  const { store, clock } = server.services;
  return {
    server,
    url: server.httpUrl,
    httpsUrl: server.httpsUrl!,
    hook: webhookUrl(server.httpUrl, admin.userId, admin.code),
    httpsHook: webhookUrl(server.httpsUrl!, admin.userId, admin.code),
    config,
    async addUser(fields = {}, scopes = ['im', 'user']) {
      const login = fields.login ?? `user${++seq}-${Date.now()}`;
      const user = await createUser(store, { name: login, ...fields, login }, clock.now());
      const { code } = await createWebhook(store, { userId: user.id, scopes }, clock.now());
      return {
        id: user.id,
        code,
        hook: webhookUrl(server.httpUrl, user.id, code),
        httpsHook: webhookUrl(server.httpsUrl!, user.id, code),
      };
    },
    async close() {
      await server.close();
      await schema?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
