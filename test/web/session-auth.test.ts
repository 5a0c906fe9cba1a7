/**
 * Web sign-in and session authorization of REST calls: the cookie plus the CSRF token `sessid`,
 * as the portal's own page calls REST; the sending methods refuse it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setPassword } from '../../src/identity/accounts.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

let ts: TestServer;
const clock = new ManualClock();
let kate: { id: number; hook: string };

before(async () => {
  ts = await startTestServer({ sessionIdleMs: 3_600_000 }, { clock });
  kate = await ts.addUser({ login: 'kate', name: 'Kate', password: 'kate-secret-1' });
});
after(() => ts.close());

/** A REST call from the page: cookie, and `sessid` unless told otherwise. */
function pageCall(who: WebLogin, method: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return request(`${ts.url}/rest/${method}.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: who.cookie, ...headers },
    body: JSON.stringify(params),
  });
}

function postLogin(body: Record<string, string>, headers: Record<string, string> = {}, base = ts.url) {
  return fetch(`${base}/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body).toString(),
    redirect: 'manual',
  });
}

test('sign-in sets an HttpOnly SameSite cookie (Secure over HTTPS) and GET /session names the user', async () => {
  const res = await postLogin({ login: 'kate', password: 'kate-secret-1' });
  assert.equal(res.status, 200);
  const [cookie] = res.headers.getSetCookie();
  assert.match(cookie!, /^notify24_session=[0-9a-f]{64}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
  const body = (await res.json()) as { user_id: number; sessid: string };
  assert.equal(body.user_id, kate.id);
  assert.match(body.sessid, /^[0-9a-f]{32}$/);

  const session = await request(`${ts.url}/session`, { headers: { Cookie: cookie!.split(';')[0]! } });
  assert.deepEqual(session.body, body);
  assert.equal((await request(`${ts.url}/session`)).status, 401);

  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const secure = await postLogin({ login: 'kate', password: 'kate-secret-1' }, {}, ts.httpsUrl);
  assert.match(secure.headers.getSetCookie()[0]!, /; Secure$/);
});

test('a plain HTML form post is answered with redirects, to a same-site `next` only', async () => {
  const html = { Accept: 'text/html' };
  const good = await postLogin({ login: 'kate', password: 'kate-secret-1', next: '/oauth/authorize/?client_id=x' }, html);
  assert.deepEqual([good.status, good.headers.get('location')], [303, '/oauth/authorize/?client_id=x']);
  const offsite = await postLogin({ login: 'kate', password: 'kate-secret-1', next: '//evil.example/' }, html);
  assert.equal(offsite.headers.get('location'), '/');
  const bad = await postLogin({ login: 'kate', password: 'nope' }, html);
  assert.deepEqual([bad.status, bad.headers.get('location'), bad.headers.getSetCookie().length], [303, '/?login=failed', 0]);
});

test('the store keeps only a hash of the session token', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  const token = who.cookie.split('=')[1]!;
  const { store } = ts.server.services;
  const { createHash } = await import('node:crypto');
  assert.ok(await store.sessions.byTokenHash(createHash('sha256').update(token).digest('hex'), clock.now()));
  assert.equal(await store.sessions.byTokenHash(token, clock.now()), null);
});

test('REST with cookie + sessid runs as the user with every scope; the header form works too', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  const me = await pageCall(who, 'user.current', { sessid: who.sessid });
  assert.equal(me.status, 200, me.text);
  assert.equal(Number(me.body.result.ID), kate.id);
  const viaHeader = await pageCall(who, 'scope', {}, { 'X-Bitrix-Csrf-Token': who.sessid });
  assert.ok(viaHeader.body.result.includes('im') && viaHeader.body.result.includes('user'), viaHeader.text);
});

test('the cookie alone never authorizes; a wrong sessid or no session are refused as the portal does', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  const cookieOnly = await pageCall(who, 'user.current');
  assert.deepEqual([cookieOnly.status, cookieOnly.body.error], [401, 'NO_AUTH_FOUND']);

  const wrong = await pageCall(who, 'user.current', { sessid: '0'.repeat(32) });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.body, { error: 'session_failed', error_description: 'Sessid check failed', sessid: who.sessid });

  const anonymous = await request(`${ts.url}/rest/user.current.json`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sessid: who.sessid }),
  });
  assert.equal(anonymous.status, 401);
  assert.deepEqual(anonymous.body, { error: 'access_denied', error_description: 'User not authorized', sessid: '', extended_error: 'user_not_authorized' });
});

test('sending methods answer a session WRONG_AUTH_TYPE 403; reading and deleting by ID work', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  for (const method of ['im.notify', 'im.notify.personal.add', 'im.notify.system.add']) {
    const r = await pageCall(who, method, { sessid: who.sessid, USER_ID: kate.id, MESSAGE: 'x' });
    assert.equal(r.status, 403, method);
    assert.deepEqual(r.body, { error: 'WRONG_AUTH_TYPE', error_description: 'Access for this method not allowed by session authorization.' });
  }
  const sent = await request(`${ts.hook}im.notify.system.add.json?USER_ID=${kate.id}&MESSAGE=hello`);
  const id = sent.body.result as number;
  const list = await pageCall(who, 'im.notify.get', { sessid: who.sessid });
  assert.ok(list.body.result.notifications.some((n: { id: number }) => n.id === id));
  const byTag = await pageCall(who, 'im.notify.delete', { sessid: who.sessid, TAG: 'x' });
  assert.deepEqual([byTag.status, byTag.body.error], [400, 'PARAMS_ERROR']);
  const deleted = await pageCall(who, 'im.notify.delete', { sessid: who.sessid, ID: id });
  assert.equal(deleted.body.result, true, deleted.text);
});

test('logout needs the sessid; afterwards the session is gone', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  const logout = (sessid: string) => fetch(`${ts.url}/logout`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: who.cookie },
    body: new URLSearchParams({ sessid }).toString(), redirect: 'manual',
  });
  assert.equal((await logout('forged')).status, 403);
  assert.equal((await request(`${ts.url}/session`, { headers: { Cookie: who.cookie } })).status, 200);
  const out = await logout(who.sessid);
  assert.equal(out.status, 200);
  assert.match(out.headers.getSetCookie()[0]!, /^notify24_session=; Max-Age=0;/);
  assert.equal((await request(`${ts.url}/session`, { headers: { Cookie: who.cookie } })).status, 401);
  const after = await pageCall(who, 'user.current', { sessid: who.sessid });
  assert.equal(after.body.error, 'access_denied');
});

test('a session ends after the idle time, is extended by use, and a password change ends it', async () => {
  const who = await webLogin(ts, 'kate', 'kate-secret-1');
  const alive = () => request(`${ts.url}/session`, { headers: { Cookie: who.cookie } }).then((r) => r.status === 200);
  clock.advance(50 * 60_000);
  assert.equal(await alive(), true); // used after 50 min: extended by another hour
  clock.advance(50 * 60_000);
  assert.equal(await alive(), true);
  clock.advance(61 * 60_000);
  assert.equal(await alive(), false);

  const again = await webLogin(ts, 'kate', 'kate-secret-1');
  await setPassword(ts.server.services.store, kate.id, 'kate-secret-2');
  assert.equal((await request(`${ts.url}/session`, { headers: { Cookie: again.cookie } })).status, 401);
  await setPassword(ts.server.services.store, kate.id, 'kate-secret-1');
});

test('failed sign-ins make that login wait at that address, growing, never locking the owner out elsewhere', async () => {
  // Client addresses from X-Forwarded-For, as behind a load balancer.
  const proxied = await startTestServer({ trustProxy: true }, { clock });
  try {
    await proxied.addUser({ login: 'mallory-target', password: 'right-password' });
    const from = (ip: string, password: string) => postLogin({ login: 'mallory-target', password }, { 'X-Forwarded-For': ip }, proxied.url);
    for (let i = 0; i < 6; i++) assert.equal((await from('203.0.113.9', `guess-${i}`)).status, 401, `free attempt ${i + 1}`);
    // Past the free attempts the pair waits 1 s: even the right password is refused meanwhile.
    const refused = await from('203.0.113.9', 'right-password');
    assert.equal(refused.status, 429);
    assert.deepEqual(await refused.json(), { error: 'TOO_MANY_ATTEMPTS', error_description: 'Too many failed sign-ins, try again later' });
    assert.equal(refused.headers.get('retry-after'), '1', 'the seconds the wait has left');
    // The owner, from another address, signs in at once: no lock-out.
    assert.equal((await from('198.51.100.7', 'right-password')).status, 200);
    clock.advance(1000);
    assert.equal((await from('203.0.113.9', 'guess-7')).status, 401);
    clock.advance(1000);
    const second = await from('203.0.113.9', 'right-password');
    assert.equal(second.status, 429, 'the next wait is 2 s');
    assert.equal(second.headers.get('retry-after'), '1', 'one of its 2 s has passed');
    clock.advance(1000);
    assert.equal((await from('203.0.113.9', 'right-password')).status, 200);
    // Success cleared the pair: free attempts again.
    assert.equal((await from('203.0.113.9', 'guess-8')).status, 401);
    assert.equal((await from('203.0.113.9', 'guess-9')).status, 401);
  } finally {
    await proxied.close();
  }
});

test('an unknown login and a user without a password are refused like a wrong password', async () => {
  for (const login of ['nobody-here', 'admin']) {
    const res = await postLogin({ login, password: 'whatever-1' });
    assert.equal(res.status, 401, login);
    assert.deepEqual(await res.json(), { error: 'WRONG_LOGIN', error_description: 'Wrong login or password' });
  }
});
