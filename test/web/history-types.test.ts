/** GET /history/types: the (module, event) pairs of the signed-in user's own notifications, counted. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('history types: only what the user holds, with counts; another user sees theirs; signed out is 401', async () => {
  const rita = await ts.addUser({ login: 'rita', password: 'rita-secret-1' });
  const sam = await ts.addUser({ login: 'sam-types', password: 'sam-secret-1' });
  const web = await webLogin(ts, 'rita', 'rita-secret-1');
  const types = async (cookie: string) => (await request(`${ts.url}/history/types`, { headers: { Cookie: cookie } })).body.types;

  assert.deepEqual(await types(web.cookie), []);
  await call(ts.hook, 'im.notify.system.add', { USER_ID: rita.id, MESSAGE: 'one' });
  await call(ts.hook, 'im.notify.system.add', { USER_ID: rita.id, MESSAGE: 'two' });
  await call(ts.hook, 'im.notify.personal.add', { USER_ID: sam.id, MESSAGE: 'not hers' });
  assert.deepEqual(await types(web.cookie), [{ module: 'rest', event: 'rest_notify', count: 2 }]);
  const samWeb = await webLogin(ts, 'sam-types', 'sam-secret-1');
  assert.deepEqual(await types(samWeb.cookie), [{ module: 'rest', event: 'rest_notify', count: 1 }]);

  const anonymous = await request(`${ts.url}/history/types`);
  assert.deepEqual([anonymous.status, anonymous.body.error], [401, 'NOT_SIGNED_IN']);
});
