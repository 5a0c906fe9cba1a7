/**
 * Tag namespaces belong to their full owner. The visible `MP|xxxxx|TAG` keeps 20 bits of
 * md5(owner name), so the pairs below collide on purpose; replace and delete must still never
 * cross owners. The pairs were found with a loop over md5 (about a million tries, under a
 * second), kept here so the test does not depend on luck or time:
 *   md5('local.0123456789abcd.12345678') and md5('custom' + 'x582599') share their first 5 hex;
 *   md5('local.collide291.00000001') and md5('local.collide1193.00000001') too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { hashSecret } from '../../src/lib/secrets.ts';
import { ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { tokensFor, type TestApp } from '../apps/oauth-client.ts';

const APP_ID = 'local.0123456789abcd.12345678';
const HOOK_CLIENT_ID = 'x582599';
const TWIN_A = 'local.collide291.00000001';
const TWIN_B = 'local.collide1193.00000001';
const hash5 = (s: string) => createHash('md5').update(s).digest('hex').slice(0, 5);

let ts: TestServer;
let rest: string;
before(async () => {
  // The opt-in lets webhooks add tags too, so both directions (replace and delete) are tried.
  ts = await startTestServer({ webhookTagsWithClientId: true });
  rest = `${ts.url}/rest/`;
});
after(() => ts.close());

/** An application with a chosen client id (registration draws a random one). */
async function appWithId(clientId: string): Promise<TestApp> {
  const app = await ts.server.services.store.apps.create(
    {
      clientId, clientSecretHash: hashSecret('secret'), name: clientId, code: '', scopes: ['im', 'user'],
      handlerUrl: '', redirectUri: 'https://app.example.com/cb', applicationToken: 'a'.repeat(32),
    },
    ts.server.services.clock.now(),
  );
  return { app, clientId, clientSecret: 'secret' };
}

const texts = async (hook: string) => (await ok(hook, 'im.notify.get')).notifications.map((n: { text: string; notify_tag: string }) => [n.text, n.notify_tag]);

test('the precomputed pairs really collide', () => {
  assert.equal(hash5(APP_ID), hash5(`custom${HOOK_CLIENT_ID}`));
  assert.equal(hash5(TWIN_A), hash5(TWIN_B));
});

test('a webhook with a colliding CLIENT_ID neither deletes nor replaces an application\'s tagged notifications', async () => {
  const app = await appWithId(APP_ID);
  const token = (await tokensFor(ts, app, 1)).access_token;
  const r1 = await ts.addUser({ login: 'victim-1' });
  const r2 = await ts.addUser({ login: 'victim-2' });
  const attacker = await ts.addUser({ login: 'attacker' });
  for (const r of [r1, r2]) await ok(rest, 'im.notify.personal.add', { auth: token, USER_ID: r.id, MESSAGE: 'app', TAG: 'T', SUB_TAG: 'S' });
  const visible = `MP|${hash5(APP_ID)}|T`;

  // Same visible tag, different owner: both stay side by side.
  await ok(attacker.hook, 'im.notify.system.add', { USER_ID: r1.id, MESSAGE: 'hook', TAG: 'T', CLIENT_ID: HOOK_CLIENT_ID });
  assert.deepEqual(await texts(r1.hook), [['hook', visible], ['app', visible]]);

  // Deleting by TAG and SUB_TAG in the colliding namespace, or naming the application's client id.
  assert.equal(await ok(attacker.hook, 'im.notify.delete', { TAG: 'T', CLIENT_ID: HOOK_CLIENT_ID }), true);
  assert.equal(await ok(attacker.hook, 'im.notify.delete', { SUB_TAG: 'S', CLIENT_ID: HOOK_CLIENT_ID }), false);
  assert.equal(await ok(attacker.hook, 'im.notify.delete', { TAG: 'T', CLIENT_ID: APP_ID }), true);
  assert.equal(await ok(attacker.hook, 'im.notify.delete', { SUB_TAG: 'S', CLIENT_ID: APP_ID }), false);
  assert.deepEqual(await texts(r1.hook), [['app', visible]], 'only the attacker\'s own tagged notification went');
  assert.deepEqual(await texts(r2.hook), [['app', visible]]);

  // The application itself still replaces and deletes its own.
  await ok(rest, 'im.notify.personal.add', { auth: token, USER_ID: r1.id, MESSAGE: 'app again', TAG: 'T' });
  assert.deepEqual(await texts(r1.hook), [['app again', visible]]);
  assert.equal(await ok(rest, 'im.notify.delete', { auth: token, SUB_TAG: 'S' }), true);
  assert.deepEqual(await texts(r2.hook), []);
  assert.equal(await ok(rest, 'im.notify.delete', { auth: token, TAG: 'T' }), true);
  assert.deepEqual(await texts(r1.hook), []);
});

test('two applications whose client ids collide keep separate namespaces', async () => {
  const a = await appWithId(TWIN_A);
  const b = await appWithId(TWIN_B);
  const ta = (await tokensFor(ts, a, 1)).access_token;
  const tb = (await tokensFor(ts, b, 1)).access_token;
  const r = await ts.addUser({ login: 'twin-recipient' });
  await ok(rest, 'im.notify.personal.add', { auth: ta, USER_ID: r.id, MESSAGE: 'from a', TAG: 'T' });
  await ok(rest, 'im.notify.personal.add', { auth: tb, USER_ID: r.id, MESSAGE: 'from b', TAG: 'T' });
  const visible = `MP|${hash5(TWIN_A)}|T`;
  assert.deepEqual(await texts(r.hook), [['from b', visible], ['from a', visible]], 'b did not replace a');
  assert.equal(await ok(rest, 'im.notify.delete', { auth: ta, TAG: 'T' }), true);
  assert.deepEqual(await texts(r.hook), [['from b', visible]]);
});

test('marking one unread brings back its tag group of the same owner only', async () => {
  const a = await appWithId('local.group.00000001');
  const token = (await tokensFor(ts, a, 1)).access_token;
  const r = await ts.addUser({ login: 'group-owner' });
  const repo = ts.server.services.store.notifications;
  await repo.claimChat(r.id);
  const base = { userId: r.id, authorId: 0, type: 4, module: 'rest', event: 'rest_notify', subTag: '', title: '', messageOut: '', buttons: '', params: '', senderClientId: '', createdAt: Date.now() };
  const tag = `MP|${hash5(a.clientId)}|G`;
  const foreign = await repo.insert({ ...base, tag, text: 'other owner', tagOwner: 'user:1:x' });
  const own = await ok(rest, 'im.notify.system.add', { auth: token, USER_ID: r.id, MESSAGE: 'own', TAG: 'G' });
  await ok(r.hook, 'im.notify.read', { ID: 0 });
  await ok(r.hook, 'im.notify.read', { ID: own, ACTION: 'N', ONLY_CURRENT: 'Y' });
  const read = Object.fromEntries((await ok(r.hook, 'im.notify.get')).notifications.map((n: { id: number; notify_read: string }) => [n.id, n.notify_read]));
  assert.deepEqual(read, { [own]: 'N', [foreign]: 'Y' });
});
