import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

const INVALID = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };

test('no authorization at all: NO_AUTH_FOUND 401', async () => {
  const reply = await request(`${ts.url}/rest/user.current`);
  assert.equal(reply.status, 401);
  assert.deepEqual(reply.body, { error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
});

test('wrong webhook code: INVALID_CREDENTIALS 401', async () => {
  const reply = await request(`${ts.url}/rest/1/notthecode123456/server.time`);
  assert.equal(reply.status, 401);
  assert.deepEqual(reply.body, INVALID);
});

test('after a good call, near misses of the code are still refused (the matched code is remembered, not trusted loosely)', async () => {
  const bob = await ts.addUser({ login: 'bob-near' });
  const good = `${ts.url}/rest/${bob.id}/${bob.code}/server.time`;
  assert.equal((await request(good)).status, 200);
  const last = bob.code.at(-1) === 'a' ? 'b' : 'a';
  for (const code of [bob.code.slice(0, -1) + last, bob.code.slice(0, -1), `${bob.code}x`, bob.code.toUpperCase()]) {
    const reply = await request(`${ts.url}/rest/${bob.id}/${code}/server.time`);
    assert.deepEqual([reply.status, reply.body], [401, INVALID], code);
  }
  assert.equal((await request(good)).status, 200);
});

test("another user's code under this user id: INVALID_CREDENTIALS", async () => {
  const bob = await ts.addUser({ login: 'bob-auth' });
  const reply = await request(`${ts.url}/rest/1/${bob.code}/server.time`);
  assert.equal(reply.status, 401);
  assert.deepEqual(reply.body, INVALID);
});

test('unknown user id: INVALID_CREDENTIALS', async () => {
  const reply = await request(`${ts.url}/rest/999/abc/server.time`);
  assert.deepEqual([reply.status, reply.body], [401, INVALID]);
});

test('revoked webhook: INVALID_CREDENTIALS from then on', async () => {
  const carol = await ts.addUser({ login: 'carol-auth' });
  assert.equal((await request(`${carol.hook}server.time`)).status, 200);
  const [webhook] = await ts.server.services.store.webhooks.activeForUser(carol.id);
  await ts.server.services.store.webhooks.revoke(webhook!.id);
  const reply = await request(`${carol.hook}server.time`);
  assert.deepEqual([reply.status, reply.body], [401, INVALID]);
});

test('method outside the webhook scopes: insufficient_scope 401; _global methods still pass', async () => {
  const imOnly = await ts.addUser({ login: 'im-only' }, ['im']);
  const reply = await request(`${imOnly.hook}user.current`);
  assert.equal(reply.status, 401);
  assert.deepEqual(reply.body, {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the webhook token',
  });
  assert.equal((await request(`${imOnly.hook}profile`)).status, 200);
  assert.equal((await request(`${imOnly.hook}scope`)).body.result.join(','), 'im');
});

test('user_basic grants the user scope as on the portal', async () => {
  const basic = await ts.addUser({ login: 'basic-scope' }, ['user_basic']);
  assert.equal((await request(`${basic.hook}user.current`)).status, 200);
});

test('the webhook owner may be named by login instead of id', async () => {
  const dave = await ts.addUser({ login: 'dave' });
  const reply = await request(`${ts.url}/rest/dave/${dave.code}/user.current`);
  assert.equal(reply.status, 200);
  assert.equal(reply.body.result.ID, String(dave.id));
});

test('an inactive user cannot call through their webhook', async () => {
  const eve = await ts.addUser({ login: 'eve-inactive' });
  await ts.server.services.store.users.update(eve.id, { active: false });
  const reply = await request(`${eve.hook}server.time`);
  assert.equal(reply.status, 401);
  assert.equal(reply.body.error, 'authorization_error');
});

test('the webhook code is stored hashed, never in the clear', async () => {
  const frank = await ts.addUser({ login: 'frank-hash' });
  const [webhook] = await ts.server.services.store.webhooks.activeForUser(frank.id);
  assert.notEqual(webhook!.codeHash, frank.code);
  assert.match(webhook!.codeHash, /^[0-9a-f]{64}$/);
});

test('the webhook remembers when it was last used', async () => {
  const gina = await ts.addUser({ login: 'gina-used' });
  await request(`${gina.hook}server.time`);
  const [webhook] = await ts.server.services.store.webhooks.activeForUser(gina.id);
  assert.ok(webhook!.lastUsedAt! > 0);
  assert.equal(webhook!.lastUsedIp, '127.0.0.1');
});

test('option: webhooks over plain HTTP refused with INVALID_REQUEST, HTTPS accepted', async () => {
  const strict = await startTestServer({ webhookRequiresHttps: true });
  try {
    const plain = await request(`${strict.hook}server.time`);
    assert.equal(plain.status, 401);
    assert.deepEqual(plain.body, { error: 'INVALID_REQUEST', error_description: 'Https required.' });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    const secure = await request(`${strict.httpsHook}server.time`);
    assert.equal(secure.status, 200);
  } finally {
    await strict.close();
  }
});
