import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import pg from 'pg';
import { startPortal, type Portal } from '../../src/index.ts';
import { SNAPSHOT_VERSION } from '../../src/snapshot/format.ts';
import { call, ok } from '../helpers/http.ts';
import { testDatabaseUrl } from '../helpers/services.ts';

/** Portals of this run's store: PostgreSQL (a schema each) in the PostgreSQL run, else SQLite files. */
const databaseUrl = process.env.NOTIFY24_TEST_STORE === 'postgres' ? testDatabaseUrl() : undefined;
const open: Portal[] = [];
async function portal(settings: Parameters<typeof startPortal>[0] = {}): Promise<Portal> {
  const p = await startPortal({ databaseUrl, ...settings });
  open.push(p);
  return p;
}
after(() => Promise.all(open.map((p) => p.close())));

/** Calls until the leaky bucket refuses; true when it did within `tries` calls. */
async function exhaust(webhookUrl: string, tries = 6): Promise<boolean> {
  for (let i = 0; i < tries; i++) if ((await call(webhookUrl, 'user.current', {})).body.error === 'QUERY_LIMIT_EXCEEDED') return true;
  return false;
}

test('two portals side by side share nothing: ports, users, notifications, rate-limit buckets', async () => {
  const a = await portal({ settings: { rateLimit: { burst: 1, drain: 0.001 } } });
  const b = await portal({ settings: { rateLimit: { burst: 1, drain: 0.001 } } });
  assert.notEqual(a.url, b.url);
  assert.notEqual(a.httpsUrl, b.httpsUrl);
  assert.notEqual(a.webhookUrl, b.webhookUrl);
  const ua = await a.createUser({ login: 'same' });
  const ub = await b.createUser({ login: 'same' });
  assert.equal(ua.id, ub.id);
  await ok(a.webhookUrl, 'im.notify.system.add', { USER_ID: ua.id, MESSAGE: 'only in a' });
  assert.equal((await a.notifications(ua.id)).length, 1);
  assert.equal((await b.notifications(ub.id)).length, 0);
  // The other portal's admin webhook is not valid here.
  const foreign = b.webhookUrl.replace(b.url, a.url);
  assert.equal((await call(foreign, 'user.current', {})).status, 401);
  // a's bucket fills (burst 1); b's is its own.
  assert.equal(await exhaust(a.webhookUrl), true);
  assert.equal((await call(b.webhookUrl, 'user.current', {})).status, 200);
});

test('reset() returns to the first-start state: same admin webhook, ids start over, every table as it was, buckets empty', async () => {
  const p = await portal({ settings: { rateLimit: { burst: 2, drain: 0.001 } } });
  const first = await p.snapshot();
  const user = await p.createUser({ login: 'rita', password: 'secret-pass' });
  assert.equal((await ok(user.webhook!.webhookUrl, 'user.current')).ID, String(user.id));
  await p.createApplication({ name: 'App' }).then((a) => a.tokensFor(user.id));
  await ok(p.webhookUrl, 'im.notify.personal.add', { USER_ID: user.id, MESSAGE: 'hello' });
  assert.equal(await exhaust(p.webhookUrl), true);
  assert.notDeepEqual(await p.snapshot(), first);

  await p.reset();
  assert.deepEqual(await p.snapshot(), first);
  assert.equal((await ok(p.webhookUrl, 'user.current')).ID, '1');
  assert.equal((await call(user.webhook!.webhookUrl, 'user.current', {})).status, 401, 'a webhook made before the reset is gone (no cached credentials)');
  const again = await p.createUser({ login: 'rita' });
  assert.equal(again.id, user.id, 'the id sequence starts over');
  assert.deepEqual(await p.notifications(again.id), []);
  const id = await ok(p.webhookUrl, 'im.notify.system.add', { USER_ID: again.id, MESSAGE: 'after reset' });
  assert.equal(id, 1, 'notification ids start over too');
});

test('snapshot() and restore(): a fixture comes back exactly; another format version is refused and changes nothing', async () => {
  const p = await portal();
  const user = await p.createUser({ login: 'fixture' });
  await ok(p.webhookUrl, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'kept' });
  const fixture = JSON.parse(JSON.stringify(await p.snapshot()));
  await p.reset();
  await p.restore(fixture);
  assert.deepEqual((await p.notifications(user.id)).map((n) => n.text), ['kept']);
  const page = await ok(user.webhook!.webhookUrl, 'im.notify.get');
  assert.equal(page.notifications[0].text, 'kept');

  const before = await p.snapshot();
  await assert.rejects(p.restore({ ...fixture, version: SNAPSHOT_VERSION + 1, tables: [] }), /snapshot format version 2 is not supported/);
  await assert.rejects(p.restore({ ...fixture, tables: [...fixture.tables, { name: 'nope', columns: ['x'], rows: [[1]] }] }), /table this store lacks: nope/);
  assert.deepEqual(await p.snapshot(), before);
});

test('close() throws the store away (PostgreSQL: the schema is dropped)', async (t) => {
  const p = await startPortal({ databaseUrl });
  const schema = /search_path=(\w+)/.exec(decodeURIComponent(p.databaseUrl))?.[1];
  if (databaseUrl) assert.ok(schema);
  await p.close();
  await p.close(); // twice is fine
  assert.equal((await fetch(p.url).catch(() => null)), null, 'nothing listens any more');
  if (!databaseUrl) return t.diagnostic('SQLite: the temporary folder is removed with the portal');
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
    assert.equal(r.rowCount, 0);
  } finally {
    await c.end();
  }
});

test('an application under test may bind a handler on this machine (loopback is allowed in a test portal)', async () => {
  const p = await portal();
  const app = await p.createApplication({ name: 'Local app' });
  const tokens = await app.tokensFor(1);
  assert.equal(await ok(`${p.url}/rest/`, 'event.bind', { auth: tokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'http://127.0.0.1:9/handler/' }), true);
  // The metadata address stays refused.
  const r = await call(`${p.url}/rest/`, 'event.bind', { auth: tokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'http://169.254.169.254/x' });
  assert.equal(r.body.error, 'ERROR_WRONG_HANDLER_URL');
});
