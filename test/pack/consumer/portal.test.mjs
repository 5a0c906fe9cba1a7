// A project that installed the notify24 tarball: plain Node, no TypeScript, no tsx.
// test/pack/pack.test.ts copies this folder next to the installed package and runs it.
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, beforeEach, test } from 'node:test';
import { B24Hook } from '@bitrix24/b24jssdk';
import { startPortal } from 'notify24';

const portal = await startPortal({ databaseUrl: process.env.PORTAL_DATABASE_URL || undefined });
// Trust the portal's own certificate, and only it, for every HTTPS request of this process.
https.globalAgent = new https.Agent({ ca: portal.certificate });
after(() => portal.close());
beforeEach(() => portal.reset());

function sdk(webhookUrl) {
  const hook = B24Hook.fromWebhookUrl(webhookUrl, { restrictionParams: { maxRetries: 1 } });
  hook.offClientSideWarning();
  return hook;
}

async function call(client, method, params = {}) {
  const res = await client.actions.v2.call.make({ method, params });
  assert.equal(res.isSuccess, true, `${method}: ${res.getErrorMessages().join('; ')}`);
  return res.getData().result;
}

test('the SDK sends a notification over HTTPS and the recipient lists it', async () => {
  assert.match(portal.httpsWebhookUrl, /^https:\/\/127\.0\.0\.1:\d+\/rest\/1\/\w+\/$/);
  const rita = await portal.createUser({ login: 'rita', name: 'Rita' });
  const id = await call(sdk(portal.httpsWebhookUrl), 'im.notify.system.add', { USER_ID: rita.id, MESSAGE: 'Build [b]42[/b] passed' });
  const page = await call(sdk(rita.webhook.httpsWebhookUrl), 'im.notify.get');
  assert.deepEqual(page.notifications.map((n) => [n.id, n.text]), [[id, 'Build [b]42[/b] passed']]);
  assert.deepEqual((await portal.notifications(rita.id)).map((n) => n.id), [id]);
});

test('reset() between tests: the same admin webhook, none of the last test\'s users or notifications', async () => {
  const again = await portal.createUser({ login: 'rita' });
  assert.equal(again.id, 2, 'ids start over after a reset');
  assert.deepEqual(await portal.notifications(again.id), []);
  assert.equal((await call(sdk(portal.httpsWebhookUrl), 'user.current')).ID, '1');
});

test('an OAuth application made by the portal gets tokens that call REST', async () => {
  const app = await portal.createApplication({ name: 'Notifier' });
  const tokens = await app.tokensFor(portal.adminId);
  assert.equal(tokens.client_endpoint, `${portal.httpsUrl}/rest/`);
  const plain = await (await fetch(`${portal.url}/rest/profile?auth=${tokens.access_token}`)).json();
  assert.equal(plain.result.ID, portal.adminId);
});
