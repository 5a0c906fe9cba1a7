import { parseArgs } from 'node:util';
import { configFromEnv, parseSetting, type Config } from '../config.ts';
import { configuredBaseUrls } from '../http/addresses.ts';
import { createUser, createWebhook, setPassword, webhookUrls } from '../identity/accounts.ts';
import { openRedis } from '../lib/redis.ts';
import { IdentityCache, redisInvalidationBus, withIdentityCache, type InvalidationBus } from '../store/identity-cache.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/port/store.ts';
import { serve } from './serve.ts';
import { appCommand, eventsCommand } from './apps.ts';
import { clockCommand, faultCommand } from './testing.ts';
import { exportCommand, importCommand } from './snapshot.ts';

const USAGE = `usage: notify24 <command>

  serve [--port N] [--https-port N|off] [--host H] [--data DIR]
                               run the server (default http://127.0.0.1:8080, https :8443)
  user add --login L [--name N] [--last-name N] [--email E] [--position P] [--password P] [--admin]
  user list
  user passwd (--id ID | --login L) --password P
  webhook add --user ID [--scope im,user] [--title T]
  webhook list
  webhook revoke --id ID
  app add --name N [--code C] [--scope im,user] [--handler URL] [--redirect URL]
                               register an OAuth application (prints client_id and secret once)
  app list
  app remove --id ID
  app install --id ID [--user ID]
                               install it now (queues ONAPPINSTALL with that user's tokens)
  events [--app ID] [--status pending|delivered|failed] [--limit N] [--verbose]
                               the event delivery log, newest first
  export [--out FILE]         every table of the database as a snapshot (JSON lines; stdout
                               by default); stop the server first
  import FILE|-                replace the database's content with a snapshot, all or nothing
                               (from another engine too: SQLite to PostgreSQL and back)
  fault add [--method GLOB] [--caller webhook|application|session] [--user ID] [--client-id C]
            [--times N] [--probability P --seed S]
            (--error CODE | --drop | --truncate | --delay MS) [--url URL]
                               script a REST failure on a running server started with
                               NOTIFY24_TEST_MODE=1 (docs/testing-with-notify24.md)
  fault list | fault remove --id ID | fault clear [--url URL]
  clock [advance (--ms N | --days N)] [--url URL]
                               show or move forward the clock of such a server

Settings come from NOTIFY24_* environment variables (see README.md).`;

type Out = (line: string) => void;

function baseUrl(config: Config): string {
  return config.publicUrl ?? `http://${config.host}:${config.port}`;
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const opened = await openStore(config.databaseUrl);
  // Running servers cache credentials: a revoke or deactivation here must reach them at once.
  // On SQLite they see this process's commit themselves; nodes sharing PostgreSQL hear it on Redis.
  const store = config.redisUrl ? withIdentityCache(opened, new IdentityCache({ bus: oneShotBus(config.redisUrl, `${config.redisPrefix}auth`) })) : opened;
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Publishes each invalidation on a connection of its own: the CLI never listens. */
function oneShotBus(url: string, channel: string): InvalidationBus {
  return {
    async publish() {
      const redis = await openRedis(url);
      try {
        await redisInvalidationBus(redis, channel).publish();
      } finally {
        await redis.close();
      }
    },
    listen: () => undefined,
    connected: () => true,
  };
}

async function userCommand(sub: string | undefined, args: string[], config: Config, out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      login: { type: 'string' },
      name: { type: 'string' },
      'last-name': { type: 'string' },
      email: { type: 'string' },
      position: { type: 'string' },
      password: { type: 'string' },
      admin: { type: 'boolean' },
      id: { type: 'string' },
    },
  });
  return withStore(config, async (store) => {
    if (sub === 'add') {
      if (!values.login) throw new Error('user add needs --login');
      const user = await createUser(
        store,
        {
          login: values.login,
          name: values.name ?? values.login,
          lastName: values['last-name'] ?? '',
          email: values.email ?? '',
          workPosition: values.position ?? '',
          isAdmin: values.admin ?? false,
          password: values.password,
        },
        Date.now(),
      );
      out(`user ${user.id} (${user.login}) created`);
      return 0;
    }
    if (sub === 'list') {
      const { items } = await store.users.list({}, { offset: 0, limit: 10_000 });
      for (const u of items) {
        out(`${u.id}\t${u.login}\t${[u.name, u.lastName].filter(Boolean).join(' ')}\t${u.email}\t${u.active ? 'active' : 'inactive'}${u.isAdmin ? '\tadmin' : ''}`);
      }
      return 0;
    }
    if (sub === 'passwd') {
      if ((!values.id && !values.login) || !values.password) throw new Error('user passwd needs --id or --login, and --password');
      const user = values.id ? await store.users.byId(Number(values.id)) : await store.users.byLogin(values.login!);
      if (!user) throw new Error(`no user ${values.id ?? values.login}`);
      await setPassword(store, user.id, values.password);
      out(`password of user ${user.id} (${user.login}) set`);
      return 0;
    }
    throw new Error(`unknown command: user ${sub ?? ''}`);
  });
}

async function webhookCommand(sub: string | undefined, args: string[], config: Config, out: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { user: { type: 'string' }, scope: { type: 'string' }, title: { type: 'string' }, id: { type: 'string' } },
  });
  return withStore(config, async (store) => {
    if (sub === 'add') {
      const userId = Number(values.user);
      if (!(userId > 0) || !(await store.users.byId(userId))) throw new Error('webhook add needs --user with an existing user id');
      const scopes = (values.scope ?? 'im').split(',').map((s) => s.trim()).filter(Boolean);
      const { webhook, code } = await createWebhook(store, { userId, scopes, title: values.title }, Date.now());
      out(`webhook ${webhook.id} for user ${userId}, scopes ${scopes.join(',')} (HTTPS for official SDKs; shown only now):`);
      const urls = webhookUrls(configuredBaseUrls(config), userId, code);
      if (urls.http) out(urls.http);
      if (urls.https) out(urls.https);
      return 0;
    }
    if (sub === 'list') {
      for (const w of await store.webhooks.list()) {
        const used = w.lastUsedAt ? new Date(w.lastUsedAt).toISOString() : 'never used';
        out(`${w.id}\tuser ${w.userId}\t${w.scopes.join(',')}\t${w.active ? 'active' : 'revoked'}\t${used}\t${w.title}`);
      }
      return 0;
    }
    if (sub === 'revoke') {
      const ok = await store.webhooks.revoke(Number(values.id));
      out(ok ? `webhook ${values.id} revoked` : `no active webhook ${values.id}`);
      return ok ? 0 : 1;
    }
    throw new Error(`unknown command: webhook ${sub ?? ''}`);
  });
}

function serveConfig(args: string[]): Config {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'https-port': { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
    },
  });
  const overrides: Partial<Config> = {};
  if (values.port) overrides.port = parseSetting('port', values.port, '--port');
  if (values['https-port']) overrides.httpsPort = parseSetting('httpsPort', values['https-port'], '--https-port');
  if (values.host) overrides.host = values.host;
  if (values.data) overrides.dataDir = values.data;
  return configFromEnv(process.env, overrides);
}

/** Runs one CLI command; returns the exit code. */
export async function main(argv: string[], out: Out = (l) => console.log(l)): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    if (command === 'serve') return await serve(serveConfig(argv.slice(1)), out);
    const config = configFromEnv();
    if (command === 'user') return await userCommand(sub, rest, config, out);
    if (command === 'webhook') return await webhookCommand(sub, rest, config, out);
    if (command === 'app') return await withStore(config, (store) => appCommand(sub, rest, store, baseUrl(config), out, config.handlerNetworks));
    if (command === 'events') return await withStore(config, (store) => eventsCommand(argv.slice(1), store, out));
    if (command === 'export') return await withStore(config, (store) => exportCommand(argv.slice(1), store, out));
    if (command === 'import') return await withStore(config, (store) => importCommand(argv.slice(1), store, out));
    if (command === 'fault') return await withStore(config, (store) => faultCommand(sub, rest, store, baseUrl(config), out));
    if (command === 'clock') {
      const shown = sub === undefined || sub.startsWith('--');
      return await withStore(config, (store) => clockCommand(shown ? undefined : sub, shown ? argv.slice(1) : rest, store, baseUrl(config), out));
    }
    out(USAGE);
    return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  } catch (err) {
    console.error(`notify24: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
