import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

/** A lost message would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 20_000 };

let ts: TestServer;
let admin: WebLogin;
let plain: WebLogin;

before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'boss', isAdmin: true, password: 'boss-secret-1' });
  await ts.addUser({ login: 'pleb', password: 'pleb-secret-1' });
});

let sessions = false;
async function signedIn(t: TestContext): Promise<boolean> {
  if (!sessions) {
    admin = await webLogin(ts, 'boss', 'boss-secret-1');
    plain = await webLogin(ts, 'pleb', 'pleb-secret-1');
    sessions = true;
  }
  return true;
}
after(() => ts.close());

function api(path: string, who: WebLogin | null, body?: unknown, sessid = who?.sessid) {
  const headers: Record<string, string> = {};
  if (who) headers.Cookie = who.cookie;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    if (sessid) headers['X-Sessid'] = sessid;
  }
  return fetch(`${ts.url}/console/api/${path}`, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
}

test('only signed-in administrators reach the console API', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  assert.equal((await api('users', null)).status, 401);
  assert.equal((await api('users', plain)).status, 403);
  assert.equal((await api('webhooks', plain, { user_id: 1 })).status, 403);
  const res = await api('users', admin);
  assert.equal(res.status, 200);
  const { users } = await res.json();
  assert.ok(users.some((u: { login: string }) => u.login === 'pleb'));
  assert.ok(!JSON.stringify(users).toLowerCase().includes('scrypt'), 'no password hash leaves');
  assert.ok(!JSON.stringify(users).toLowerCase().includes('hash'));
});

test('writes need the session\'s sessid (CSRF)', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  assert.equal((await api('webhooks', admin, { user_id: 1 }, '')).status, 403);
  assert.equal((await api('webhooks', admin, { user_id: 1 }, 'wrong-token')).status, 403);
});

test('a webhook made in the console works until it is revoked; its code is shown once', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const me = await (await api('users', admin)).json();
  const pleb = me.users.find((u: { login: string }) => u.login === 'pleb');
  const made = await (await api('webhooks', admin, { user_id: pleb.id, title: 'from console', scopes: ['user'] })).json();
  assert.match(made.url, new RegExp(`/rest/${pleb.id}/[a-z0-9]{16}/$`));
  const current = await call(made.url, 'user.current');
  assert.equal(current.body.result.ID, String(pleb.id));

  const listed = await (await api('webhooks', admin)).json();
  const row = listed.webhooks.find((w: { id: number }) => w.id === made.webhook.id);
  assert.deepEqual([row.title, row.scopes, row.active], ['from console', ['user'], true]);
  assert.ok(!JSON.stringify(listed).includes(made.url.split('/').at(-2)), 'the code is not listed again');

  const revoked = await (await api(`webhooks/${made.webhook.id}/revoke`, admin, {})).json();
  assert.equal(revoked.revoked, true);
  assert.equal((await call(made.url, 'user.current')).body.error, 'INVALID_CREDENTIALS');
});

test('the inspector keeps recent REST calls with auth kind, outcome and masked secrets', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  await call(ts.hook, 'user.current', { client_secret: 'top-secret', nested: { access_token: 'tok', keep: 'visible' } });
  await call(ts.hook, 'no.such.method');
  const { calls } = await (await api('inspector', admin)).json();
  const ok = calls.findLast((c: { method: string }) => c.method === 'user.current');
  assert.equal(ok.auth, 'webhook');
  assert.equal(ok.userId, 1);
  assert.deepEqual(ok.params, { client_secret: '***', nested: { access_token: '***', keep: 'visible' } });
  assert.equal(ok.result.ID, '1');
  assert.ok(Number.isInteger(ok.durationMs) && ok.durationMs >= 0);
  const failed = calls.findLast((c: { method: string }) => c.method === 'no.such.method');
  assert.deepEqual(failed.error, { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  assert.ok(!JSON.stringify(calls).includes('top-secret'));
});

test('the inspector streams calls live over SSE', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const abort = new AbortController();
  const res = await fetch(`${ts.url}/console/api/inspector/stream`, { headers: { Cookie: admin.cookie }, signal: abort.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  await reader.read(); // the stream's opening `retry:` line: subscribed from here on
  await call(ts.hook, 'server.time');
  let text = '';
  while (!text.includes('"method":"server.time"')) text += new TextDecoder().decode((await reader.read()).value);
  abort.abort();
});
