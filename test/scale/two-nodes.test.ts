/**
 * Two notify24 processes on different ports sharing one PostgreSQL schema and one Redis, as
 * behind a load balancer (docs/deploy.md). Runs in the PostgreSQL pass of `npm test`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request, type Reply } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { openWs } from '../web/channel-client.ts';
import { openStore } from '../../src/store/open.ts';
import { spawnSync } from 'node:child_process';
import { createUser, createWebhook } from '../../src/identity/accounts.ts';
import { startNode, type NodeProcess } from '../helpers/node-process.ts';
import { createTestSchema, needsPostgres, needsRedis, testRedisUrl, uniquePrefix } from '../helpers/services.ts';

const inPostgresPass = process.env.NOTIFY24_TEST_STORE === 'postgres';

let schema: Awaited<ReturnType<typeof createTestSchema>> | null = null;
let a: NodeProcess;
let b: NodeProcess;
let hookA: string;
let hookB: string;
let ready = false;
let prefix = '';

before(async () => {
  if (!inPostgresPass) return;
  schema = await createTestSchema();
  const shared = {
    NOTIFY24_DATABASE_URL: schema.url,
    NOTIFY24_REDIS_URL: testRedisUrl(),
    NOTIFY24_REDIS_PREFIX: (prefix = uniquePrefix()),
    // A bucket that barely drains, so how long the burst takes to send cannot change the count.
    NOTIFY24_RATE_LIMIT: '50/0.01',
    NOTIFY24_WEBHOOK_TAGS_WITH_CLIENT_ID: '1',
    // As behind a load balancer: the client address comes from X-Forwarded-For, so each test
    // below calls from its own address and has its own bucket.
    NOTIFY24_TRUST_PROXY: '1',
  };
  // The first node migrates and creates the administrator; the second finds them there.
  a = await startNode(shared, { expectHook: true });
  b = await startNode(shared);
  hookA = a.hook!;
  hookB = hookA.replace(a.url, b.url);
  ready = true;
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await schema?.drop();
});

/** A JSON REST call as the client at `ip` (through the trusted proxy header). */
function call(ip: string, base: string, method: string, params: Record<string, unknown> = {}): Promise<Reply> {
  return request(`${base}${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': `${ip}, 10.9.9.9` },
    body: JSON.stringify(params),
  });
}

/** Skips outside the PostgreSQL pass; needs both services (fails when CI requires them). */
async function twoNodes(t: import('node:test').TestContext): Promise<boolean> {
  if (!inPostgresPass) {
    t.skip('runs in the PostgreSQL pass of npm test (NOTIFY24_TEST_STORE=postgres)');
    return false;
  }
  if (!(await needsPostgres(t)) || !(await needsRedis(t))) return false;
  assert.ok(ready, 'both nodes started');
  return true;
}

test('health and readiness of each node report the database and Redis', async (t) => {
  if (!(await twoNodes(t))) return;
  for (const node of [a, b]) {
    const live = await fetch(`${node.url}/healthz`);
    assert.deepEqual([live.status, await live.json()], [200, { status: 'ok' }]);
    const readyz = await fetch(`${node.url}/readyz`);
    assert.deepEqual([readyz.status, await readyz.json()], [200, { status: 'ok', database: 'up', redis: 'up' }]);
  }
  // A node whose Redis is unreachable is alive but not ready: the balancer takes it out.
  const lonely = await startNode({ NOTIFY24_DATABASE_URL: schema!.url, NOTIFY24_REDIS_URL: 'redis://127.0.0.1:1' });
  try {
    assert.equal((await fetch(`${lonely.url}/healthz`)).status, 200);
    const readyz = await fetch(`${lonely.url}/readyz`);
    assert.deepEqual([readyz.status, await readyz.json()], [503, { status: 'unavailable', database: 'up', redis: 'down' }]);
  } finally {
    await lonely.stop();
  }
});

test('concurrent TAG replacement from both nodes leaves exactly one notification per tag', async (t) => {
  if (!(await twoNodes(t))) return;
  const tags = ['deal-1', 'deal-2', 'deal-3'];
  const sends = [];
  // 48 sends + 1 read: inside this client's burst of 50.
  for (let i = 0; i < 8; i++) {
    for (const tag of tags) {
      for (const hook of [hookA, hookB]) {
        sends.push(call('192.0.2.10', hook, 'im.notify.system.add', { USER_ID: 1, MESSAGE: `${tag} #${i}`, TAG: tag, CLIENT_ID: 'crm' }));
      }
    }
  }
  const answers = await Promise.all(sends);
  for (const r of answers) assert.equal(typeof r.body.result, 'number', r.text);
  const page = (await call('192.0.2.10', hookB, 'im.notify.get')).body.result;
  const byTag = new Map<string, number>();
  for (const n of page.notifications as { notify_tag: string }[]) byTag.set(n.notify_tag, (byTag.get(n.notify_tag) ?? 0) + 1);
  assert.equal(byTag.size, tags.length, [...byTag.keys()].join(', '));
  for (const [tag, count] of byTag) assert.equal(count, 1, tag);
  // The survivor of each tag is the newest id of that tag: ids commit in the order they were drawn.
  const ids = answers.map((r) => r.body.result as number);
  assert.equal(Math.max(...(page.notifications as { id: number }[]).map((n) => n.id)), Math.max(...ids));
});

test('a burst split across both nodes fills one shared leaky bucket', async (t) => {
  if (!(await twoNodes(t))) return;
  const statuses: number[] = [];
  for (let i = 0; i < 120; i++) statuses.push((await call('192.0.2.20', i % 2 ? hookB : hookA, 'server.time')).status);
  const passed = statuses.filter((s) => s === 200).length;
  const firstRefusal = statuses.indexOf(503);
  assert.ok(firstRefusal > 0, 'some requests are refused');
  assert.ok(statuses.slice(firstRefusal).every((s) => s === 503), 'after the first refusal every request of either node is refused');
  // One bucket of 50 (+1) for both nodes together: with per-node buckets 102 would pass.
  assert.equal(passed, 51);
  assert.equal(firstRefusal, 51);
  // Another client address has its own bucket, on either node.
  assert.equal((await call('192.0.2.21', hookB, 'server.time')).status, 200);
  assert.ok(statuses.slice(firstRefusal).some((_, i) => (firstRefusal + i) % 2 === 0) && statuses.slice(firstRefusal).some((_, i) => (firstRefusal + i) % 2 === 1));
});

test('a notification sent through node A reaches a WebSocket client connected to node B', async (t) => {
  if (!(await twoNodes(t))) return;
  // A user with a password, created as the CLI would, in the shared database.
  const store = await openStore(schema!.url);
  const user = await createUser(store, { login: 'cross-node', name: 'Cross', password: 'pass-cross-node' }, Date.now()).finally(() => store.close());
  // The channel helpers only need the node's base URL.
  const nodeB = { url: b.url } as TestServer;
  const session = await webLogin(nodeB, 'cross-node', 'pass-cross-node');
  assert.equal(session.userId, user.id);
  const channel = await openWs(nodeB, session.cookie);
  try {
    await channel.inbox.until('ready');
    const sent = await call('192.0.2.30', hookA, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'from node A' });
    const id = sent.body.result as number;
    assert.equal(typeof id, 'number', sent.text);
    const added = await channel.inbox.until('notifyAdd');
    const n = (added.params.notification ?? added.params) as { id: number; text: string };
    assert.deepEqual([n.id, n.text], [id, 'from node A']);
    assert.equal(added.params.counter, 1, 'the change carries the counter it left');
  } finally {
    await channel.close();
  }
});

test('a revoked webhook is refused on the very next call on both nodes (credentials are cached per node)', async (t) => {
  if (!(await twoNodes(t))) return;
  const store = await openStore(schema!.url);
  const { admin, hooks } = await (async () => {
    const admin = await createUser(store, { login: 'cache-admin', name: 'Cache', password: 'pass-cache-admin', isAdmin: true }, Date.now());
    const user = await createUser(store, { login: 'cache-user', name: 'Cached' }, Date.now());
    const viaConsole = await createWebhook(store, { userId: user.id, scopes: ['im'] }, Date.now());
    const viaCli = await createWebhook(store, { userId: user.id, scopes: ['im'] }, Date.now());
    return { admin, hooks: { viaConsole, viaCli, userId: user.id } };
  })().finally(() => store.close());
  const base = (node: NodeProcess, code: string) => `${node.url}/rest/${hooks.userId}/${code}/`;
  const timeOn = (node: NodeProcess, code: string) => call('192.0.2.40', base(node, code), 'server.time');

  // Both nodes have checked both webhooks (and so remember them).
  for (const node of [a, b]) for (const h of [hooks.viaConsole, hooks.viaCli]) {
    for (let i = 0; i < 2; i++) assert.equal((await timeOn(node, h.code)).status, 200);
  }

  // Revoked through node A's console: node B refuses the very next call.
  const session = await webLogin({ url: a.url } as TestServer, 'cache-admin', 'pass-cache-admin');
  assert.equal(session.userId, admin.id);
  const revoked = await request(`${a.url}/console/api/webhooks/${hooks.viaConsole.webhook.id}/revoke`, {
    method: 'POST', headers: { Cookie: session.cookie, 'X-Sessid': session.sessid },
  });
  assert.deepEqual(revoked.body, { revoked: true });
  for (const node of [b, a]) {
    const r = await timeOn(node, hooks.viaConsole.code);
    assert.deepEqual([r.status, r.body.error], [401, 'INVALID_CREDENTIALS'], `${node.url}: ${r.text}`);
  }

  // Revoked by the CLI, another process: both nodes refuse the very next call.
  const cli = spawnSync(process.execPath, ['bin/notify24.js', 'webhook', 'revoke', '--id', String(hooks.viaCli.webhook.id)], {
    env: { ...process.env, NOTIFY24_DATABASE_URL: schema!.url, NOTIFY24_REDIS_URL: testRedisUrl(), NOTIFY24_REDIS_PREFIX: prefix },
    encoding: 'utf8',
  });
  assert.equal(cli.status, 0, cli.stderr);
  for (const node of [a, b]) {
    const r = await timeOn(node, hooks.viaCli.code);
    assert.deepEqual([r.status, r.body.error], [401, 'INVALID_CREDENTIALS'], `${node.url}: ${r.text}`);
  }
});
