/**
 * A session cookie that is not valid percent-encoding is no session, on every path that reads
 * one; console writes whose body is too large or not a JSON object get a clear 4xx.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { addApp } from '../apps/oauth-client.ts';
import { upgradeStatus } from '../web/channel-client.ts';

let ts: TestServer;
let admin: WebLogin;

before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'root2', password: 'root2-secret-1', isAdmin: true });
  admin = await webLogin(ts, 'root2', 'root2-secret-1');
});
after(() => ts.close());

const BROKEN = ['notify24_session=%E0%A4%A', 'notify24_session=%', 'notify24_session=%zz%00', 'notify24_session=%C0%AF'];


test('a malformed session cookie is "not signed in" on every session path, never a 500', async () => {
  const app = await addApp(ts);
  for (const cookie of BROKEN) {
    const headers = { Cookie: cookie };
    const session = await request(`${ts.url}/session`, { headers });
    assert.deepEqual([session.status, session.body.error], [401, 'NOT_SIGNED_IN'], cookie);
    const me = await request(`${ts.url}/console/api/me`, { headers });
    assert.deepEqual([me.status, me.body.error], [401, 'NOT_SIGNED_IN'], cookie);
    const users = await request(`${ts.url}/console/api/users`, { method: 'POST', headers: { ...headers, 'X-Sessid': 'x' }, body: '{}' });
    assert.deepEqual([users.status, users.body.error], [401, 'NOT_SIGNED_IN'], cookie);
    const rest = await request(`${ts.url}/rest/user.current.json`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ sessid: 'a'.repeat(32) }),
    });
    assert.deepEqual([rest.status, rest.body.error], [401, 'access_denied'], cookie);
    const logout = await request(`${ts.url}/logout`, { method: 'POST', headers });
    assert.equal(logout.status, 200, cookie);
    const stream = await request(`${ts.url}/events/stream`, { headers });
    assert.deepEqual([stream.status, stream.body.error], [401, 'NOT_SIGNED_IN'], cookie);
    const authorize = await fetch(`${ts.url}/oauth/authorize/?client_id=${app.clientId}`, { headers, redirect: 'manual' });
    assert.equal(authorize.status, 302, cookie);
    assert.match(authorize.headers.get('location')!, /^\/\?next=/);
    assert.equal(await upgradeStatus(ts, { Cookie: cookie }), 401, cookie);
  }
});

test('a malformed cookie beside a valid one of the same name does not hide the session', async () => {
  const session = await request(`${ts.url}/session`, { headers: { Cookie: `${BROKEN[0]}; ${admin.cookie}` } });
  assert.equal(session.status, 200, session.text);
});

test('console writes: an oversized body is 413, a body that is not a JSON object is 400 INVALID_JSON', async () => {
  const headers = { Cookie: admin.cookie, 'X-Sessid': admin.sessid, 'Content-Type': 'application/json' };
  const post = (body: string) => request(`${ts.url}/console/api/users`, { method: 'POST', headers, body });
  const big = await post(JSON.stringify({ login: 'big', name: 'x'.repeat(100_000) }));
  assert.deepEqual([big.status, big.body.error], [413, 'ERROR_REQUEST_TOO_LARGE']);
  assert.match(big.body.error_description, /limit/);
  for (const body of ['{"login":', '[1,2]', '"text"', '42', 'null', '{"login":"a"}}', '\u0000']) {
    const r = await post(body);
    assert.deepEqual([r.status, r.body.error], [400, 'INVALID_JSON'], body);
    assert.equal(typeof r.body.error_description, 'string');
  }
  const hook = await request(`${ts.url}/console/api/webhooks`, { method: 'POST', headers, body: '{"user_id":' });
  assert.deepEqual([hook.status, hook.body.error], [400, 'INVALID_JSON']);
  const fine = await post(JSON.stringify({ login: 'fine-user', name: 'Fine' }));
  assert.equal(fine.status, 200, fine.text);
});
