/**
 * Credentials are remembered between calls (no query for a known webhook or token), and every
 * way of taking them away is seen on the very next call: a write through this server, a write
 * by the CLI in another process, a deactivated user, a removed application.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, tokensFor } from '../apps/oauth-client.ts';
import { IdentityCache, type InvalidationBus } from '../../src/store/identity-cache.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/** `notify24 <args>` in its own process, on the test server's database. */
function cli(...args: string[]): string {
  const run = spawnSync(process.execPath, ['bin/notify24.js', ...args], {
    env: { ...process.env, NOTIFY24_DATABASE_URL: ts.config.databaseUrl, NOTIFY24_DATA_DIR: ts.config.dataDir },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout;
}

async function refusedWith(url: string, params: Record<string, unknown>, code: string): Promise<void> {
  const r = await call(url, 'server.time', params);
  assert.deepEqual([r.status, r.body.error], [401, code], r.text);
}

test('a webhook revoked by the CLI in another process is refused on the very next call', async () => {
  const u = await ts.addUser();
  for (let i = 0; i < 3; i++) await ok(u.hook, 'server.time');
  const id = (await ts.server.services.store.webhooks.activeForUser(u.id))[0]!.id;
  assert.match(cli('webhook', 'revoke', '--id', String(id)), /revoked/);
  await refusedWith(u.hook, {}, 'INVALID_CREDENTIALS');
});

test('a webhook revoked through this server, or its user deactivated, is refused on the very next call', async () => {
  const { store } = ts.server.services;
  const revokedOne = await ts.addUser();
  const deactivated = await ts.addUser();
  for (const u of [revokedOne, deactivated]) for (let i = 0; i < 3; i++) await ok(u.hook, 'server.time');
  await store.webhooks.revoke((await store.webhooks.activeForUser(revokedOne.id))[0]!.id);
  await refusedWith(revokedOne.hook, {}, 'INVALID_CREDENTIALS');
  await store.users.update(deactivated.id, { active: false });
  await refusedWith(deactivated.hook, {}, 'authorization_error');
  // Inside a transaction too: the cache is dropped again once it commits.
  await store.users.update(deactivated.id, { active: true });
  await ok(deactivated.hook, 'server.time');
  await store.tx((t) => t.users.update(deactivated.id, { active: false }));
  await refusedWith(deactivated.hook, {}, 'authorization_error');
});

test('an access token is refused on the very next call once its application is removed by the CLI', async () => {
  const a = await addApp(ts);
  const u = await ts.addUser();
  const t = await tokensFor(ts, a, u.id);
  for (let i = 0; i < 3; i++) await ok(`${ts.url}/rest/`, 'server.time', { auth: t.access_token });
  assert.match(cli('app', 'remove', '--id', String(a.app.id)), /removed/);
  await refusedWith(`${ts.url}/rest/`, { auth: t.access_token }, 'APPLICATION_NOT_FOUND');
});

test('the cache serves a known credential without reading it again, and never while its bus is down', async () => {
  let loads = 0;
  let connected = true;
  let dropped: (message: string) => void = () => undefined;
  const bus: InvalidationBus = { publish: async () => dropped('drop'), listen: (d) => void (dropped = d), connected: () => connected };
  const cache = new IdentityCache({ bus });
  const load = async () => ++loads;
  assert.deepEqual([await cache.read('k', load), await cache.read('k', load)], [1, 1]);
  await cache.invalidate();
  assert.equal(await cache.read('k', load), 2);
  connected = false; // messages could be missed: every read goes to the store
  assert.deepEqual([await cache.read('k', load), await cache.read('k', load)], [3, 4]);
  connected = true;
  assert.deepEqual([await cache.read('k', load), await cache.read('k', load)], [5, 5]);
  // Misses are not remembered: a credential created a moment later works at once.
  const missing = async () => (++loads, null);
  await cache.read('gone', missing);
  await cache.read('gone', missing);
  assert.equal(loads, 7);
});

test('transactions sharing a commit each keep their own account of identity writes: a read refilled meanwhile is dropped after the commit', async () => {
  const store = ts.server.services.store;
  const a = await ts.addUser({ name: 'Before' });
  const b = await ts.addUser({ name: 'Other' });
  assert.equal((await store.users.byId(a.id))!.name, 'Before');
  // Asked for in one turn: on SQLite they run in one group, one after the other, on one handle.
  await Promise.all([
    store.tx(async (t) => {
      await t.users.update(a.id, { name: 'After' });
      // A read outside the transaction sees the committed name and fills the cache again.
      assert.equal((await store.users.byId(a.id))!.name, 'Before');
    }),
    store.tx(async (t) => {
      assert.equal((await t.users.byId(b.id))!.name, 'Other');
    }),
  ]);
  assert.equal((await store.users.byId(a.id))!.name, 'After');
});
