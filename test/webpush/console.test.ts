/** The console's push subscriptions: listed per user for administrators, revocable. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { WEB_PUSH } from '../../src/jobs/jobs.ts';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { TestPushService } from './push-service.ts';

let ts: TestServer;
let service: TestPushService;
let admin: WebLogin;
let plain: WebLogin;

before(async () => {
  ts = await startTestServer({ pushInsecureEndpoints: true, handlerNetworks: ['public', 'private', 'loopback'] });
  service = await new TestPushService().start();
  await ts.addUser({ login: 'push-boss', isAdmin: true, password: 'push-boss-secret' });
  await ts.addUser({ login: 'push-pleb', password: 'push-pleb-secret' });
  admin = await webLogin(ts, 'push-boss', 'push-boss-secret');
  plain = await webLogin(ts, 'push-pleb', 'push-pleb-secret');
});
after(async () => {
  await ts.close();
  await service.close();
});

const console = (who: WebLogin, path: string, post = false) =>
  request(`${ts.url}/console/api/push-subscriptions${path}`, {
    method: post ? 'POST' : 'GET',
    headers: { Cookie: who.cookie, ...(post ? { 'X-Sessid': who.sessid } : {}) },
  });

test('administrators see every subscription with its user and push service (not the endpoint or keys) and revoke one; it gets no more pushes', async () => {
  const anna = await ts.addUser({ login: 'anna-devices' });
  const boris = await ts.addUser({ login: 'boris-devices' });
  const phone = service.browser();
  const laptop = service.browser();
  await call(anna.hook, 'notify24.push.subscribe', { SUBSCRIPTION: phone.json, USER_AGENT: 'Phone' });
  await call(anna.hook, 'notify24.push.subscribe', { SUBSCRIPTION: laptop.json, USER_AGENT: 'Laptop' });
  await call(boris.hook, 'notify24.push.subscribe', { SUBSCRIPTION: service.browser().json, USER_AGENT: 'Tablet' });

  const all = await console(admin, '');
  assert.equal(all.status, 200, all.text);
  const mine = all.body.subscriptions.filter((s: { user_id: number }) => s.user_id === anna.id || s.user_id === boris.id);
  assert.deepEqual(mine.map((s: { user_login: string; user_agent: string }) => [s.user_login, s.user_agent]), [['boris-devices', 'Tablet'], ['anna-devices', 'Laptop'], ['anna-devices', 'Phone']]);
  assert.equal(mine[0].push_service, new URL(service.origin).host);
  assert.equal(mine[0].endpoint, undefined);
  assert.ok(!all.text.includes(phone.json.keys.auth) && !all.text.includes(phone.endpoint));

  const annas = await console(admin, `?user_id=${anna.id}`);
  assert.deepEqual(annas.body.subscriptions.map((s: { user_agent: string }) => s.user_agent), ['Laptop', 'Phone']);

  // Revoking the phone: the laptop still gets pushes, the phone does not.
  const phoneId = annas.body.subscriptions.find((s: { user_agent: string }) => s.user_agent === 'Phone').id;
  const revoked = await console(admin, `/${phoneId}/revoke`, true);
  assert.deepEqual([revoked.status, revoked.body], [200, { revoked: true }]);
  const again = await console(admin, `/${phoneId}/revoke`, true);
  assert.deepEqual([again.status, again.body.error], [404, 'PUSH_SUBSCRIPTION_NOT_FOUND']);
  await call(ts.hook, 'im.notify.system.add', { USER_ID: anna.id, MESSAGE: 'after revoking' });
  ts.server.services.jobs.wake(WEB_PUSH);
  const push = await service.next();
  assert.equal(push.endpoint, laptop.endpoint);
  assert.deepEqual((await call(anna.hook, 'notify24.push.list')).body.result.map((s: { user_agent: string }) => s.user_agent), ['Laptop']);
  assert.equal(service.pending(), 0);
});

test('the push subscriptions console is for administrators, and writes need the sessid', async () => {
  assert.equal((await console(plain, '')).status, 403);
  assert.equal((await request(`${ts.url}/console/api/push-subscriptions`)).status, 401);
  const noSessid = await request(`${ts.url}/console/api/push-subscriptions/1/revoke`, { method: 'POST', headers: { Cookie: admin.cookie } });
  assert.equal(noSessid.status, 403);
  const badId = await console(admin, '/abc/revoke', true);
  assert.equal(badId.status, 404);
});
