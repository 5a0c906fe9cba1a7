import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { EventHandler } from '../apps/handler.ts';
import { tokensFor, type TestApp } from '../apps/oauth-client.ts';
import { call, ok } from '../helpers/http.ts';
import { scrape } from '../helpers/metrics.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

/** A lost delivery would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 20_000 };
const run = promisify(execFile);

let ts: TestServer;
let boss: WebLogin;
let handler: EventHandler;

before(async () => {
  // One attempt before a delivery is given up, so a refused post fails at once.
  ts = await startTestServer({ eventMaxAttempts: 1, eventRetryBaseMs: 50, eventTimeoutMs: 2000 });
  await ts.addUser({ login: 'boss', name: 'Boss', isAdmin: true, password: 'boss-secret-1' });
  boss = await webLogin(ts, 'boss', 'boss-secret-1');
  handler = await new EventHandler().start();
});
after(async () => {
  await ts.close();
  await handler.stop();
});

/** A console call as the page makes it: the session cookie, and X-Sessid on writes. */
async function api(path: string, body?: unknown, who: WebLogin = boss) {
  const headers: Record<string, string> = { Cookie: who.cookie };
  if (body !== undefined) Object.assign(headers, { 'Content-Type': 'application/json', 'X-Sessid': who.sessid });
  const res = await fetch(`${ts.url}/console/api/${path}`, body === undefined ? { headers } : { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function expectError(path: string, body: unknown, status: number, error: string) {
  const r = await api(path, body);
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error, error);
  assert.equal(typeof r.body.error_description, 'string');
  return r.body.error_description as string;
}

const sessionAlive = async (who: WebLogin) => (await fetch(`${ts.url}/session`, { headers: { Cookie: who.cookie } })).status === 200;

test('users: edit name and e-mail, make admin, deactivate (signed out, refused) and reactivate', GUARD, async () => {
  const { id } = await ts.addUser({ login: 'mia', name: 'Mia', password: 'mia-secret-1' });
  const edited = await api(`users/${id}`, { name: 'Mia', last_name: 'Wong', email: 'mia@example.com' });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual([edited.body.user.last_name, edited.body.user.email], ['Wong', 'mia@example.com']);
  assert.equal((await ok(ts.hook, 'user.get', { ID: id }))[0].LAST_NAME, 'Wong', 'REST sees the edit');
  assert.match(await expectError(`users/${id}`, { email: 'not-an-address' }, 400, 'BAD_FIELD'), /^email: /);
  await expectError(`users/${id}`, { name: '' }, 400, 'BAD_FIELD');
  await expectError('users/99999', { name: 'x' }, 400, 'USER_NOT_FOUND');

  const mia = await webLogin(ts, 'mia', 'mia-secret-1');
  assert.equal((await api('users', undefined, mia)).status, 403);
  assert.equal((await api(`users/${id}`, { is_admin: true })).body.user.is_admin, true);
  assert.equal((await api('users', undefined, mia)).status, 200, 'an administrator now');

  assert.equal((await api(`users/${id}`, { active: false })).body.user.active, false);
  assert.equal(await sessionAlive(mia), false, 'deactivating signs the user out');
  await assert.rejects(webLogin(ts, 'mia', 'mia-secret-1'), /login failed/);
  assert.equal((await api(`users/${id}`, { active: true })).body.user.active, true);
  await webLogin(ts, 'mia', 'mia-secret-1');

  await expectError(`users/${boss.userId}`, { active: false }, 409, 'CANNOT_CHANGE_SELF');
  await expectError(`users/${boss.userId}`, { is_admin: false }, 409, 'CANNOT_CHANGE_SELF');
  // Without the session's sessid a write is refused (CSRF).
  const forged = await fetch(`${ts.url}/console/api/users/${id}`, { method: 'POST', headers: { Cookie: boss.cookie, 'Content-Type': 'application/json' }, body: '{"is_admin":false}' });
  assert.equal(forged.status, 403);
});

test('users: a new password works and ends every session of that user', GUARD, async () => {
  const { id } = await ts.addUser({ login: 'noah', password: 'noah-secret-1' });
  const noah = await webLogin(ts, 'noah', 'noah-secret-1');
  await expectError(`users/${id}/password`, { password: 'short' }, 400, 'BAD_FIELD');
  assert.equal(await sessionAlive(noah), true);
  assert.deepEqual((await api(`users/${id}/password`, { password: 'a-new-password' })).body, { result: true });
  assert.equal(await sessionAlive(noah), false);
  await assert.rejects(webLogin(ts, 'noah', 'noah-secret-1'), /login failed/);
  await webLogin(ts, 'noah', 'a-new-password');
});

test('webhooks: listed with their user\'s name; a new one is shown once in HTTP and HTTPS forms, both working', GUARD, async () => {
  const { id } = await ts.addUser({ login: 'olga', name: 'Olga', lastName: 'Petrova' });
  const made = await api('webhooks', { user_id: id, title: 'deploys', scopes: 'im, user' });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { http, https } = made.body.urls;
  assert.match(http, new RegExp(`^${ts.url}/rest/${id}/[a-z0-9]{16}/$`));
  assert.equal(https, http.replace(ts.url, ts.httpsUrl));
  assert.equal(made.body.url, http);
  assert.equal((await ok(http, 'user.current')).NAME, 'Olga');
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  assert.equal((await ok(https, 'user.current')).NAME, 'Olga');

  const { webhooks } = (await api('webhooks')).body;
  const row = webhooks.find((w: { id: number }) => w.id === made.body.webhook.id);
  assert.deepEqual(row.user, { id, login: 'olga', name: 'Olga Petrova' });
  assert.deepEqual(row.scopes, ['im', 'user']);
  assert.ok(!JSON.stringify(webhooks).includes(http.split('/').at(-2)), 'the code is never listed');
  await expectError('webhooks', { user_id: id, scopes: ['im', 'bad scope!'] }, 400, 'BAD_FIELD');
});

test('applications: created with the secret shown once, edited, reinstalled (ONAPPINSTALL again), removed', GUARD, async () => {
  await expectError('apps', { name: 'x', handler_url: 'ftp://example.com/' }, 400, 'BAD_FIELD');
  await expectError('apps', { name: '  ' }, 400, 'BAD_FIELD');
  const made = await api('apps', { name: 'Reporter', scopes: ['im'], handler_url: handler.url('/first/'), install: true });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const { client_id: clientId, client_secret: clientSecret } = made.body;
  assert.match(clientId, /^local\.[0-9a-f]{14}\.\d{8}$/);
  assert.equal((await handler.nextOf('ONAPPINSTALL')).path, '/first/');
  const listed = (await api('apps')).body.apps.find((a: { id: number }) => a.id === made.body.app.id);
  assert.equal(listed.installed, true);
  assert.ok(!JSON.stringify((await api('apps')).body).includes(clientSecret), 'the secret is not listed again');

  // The secret shown once is the one the token endpoint takes.
  const app = (await ts.server.services.store.apps.byId(made.body.app.id))!;
  const testApp: TestApp = { app, clientId, clientSecret };
  const tokens = await tokensFor(ts, testApp, 1);
  assert.equal((await ok(`${ts.url}/rest/`, 'app.info', { auth: tokens.access_token })).CODE, '');

  const edited = await api(`apps/${app.id}`, { handler_url: handler.url('/second/'), scopes: 'im,user' });
  assert.deepEqual([edited.body.app.handler_url, edited.body.app.scopes], [handler.url('/second/'), ['im', 'user']]);
  const reinstalled = await api(`apps/${app.id}/reinstall`, {});
  assert.equal(reinstalled.body.queued, true);
  const again = await handler.nextOf('ONAPPINSTALL');
  assert.equal(again.path, '/second/', 'reinstall posts to the edited handler');
  assert.equal(again.body.auth.user_id, String(boss.userId), 'with the reinstalling administrator\'s tokens');

  assert.deepEqual((await api(`apps/${app.id}/remove`, {})).body, { removed: true });
  assert.equal((await call(`${ts.url}/rest/`, 'app.info', { auth: tokens.access_token })).status, 401);
  await expectError(`apps/${app.id}`, { name: 'again' }, 404, 'APP_NOT_FOUND');
  await expectError(`apps/${app.id}/reinstall`, {}, 404, 'APP_NOT_FOUND');
});

test('event delivery log: status filters, and a failed delivery retried until it is delivered', GUARD, async () => {
  handler.status = 500;
  const made = await api('apps', { name: 'Flaky', handler_url: handler.url('/flaky/'), install: true });
  const appId = made.body.app.id;
  await handler.nextOf('ONAPPINSTALL');
  let failed: { id: number; status: string; attempts: number; last_status: number; app_name: string }[] = [];
  while (failed.length === 0) {
    failed = (await api(`events?status=failed&app=${appId}`)).body.deliveries;
    await sleep(20);
  }
  assert.deepEqual([failed[0]!.status, failed[0]!.last_status, failed[0]!.app_name], ['failed', 500, 'Flaky']);
  assert.deepEqual((await api(`events?status=delivered&app=${appId}`)).body.deliveries, []);
  await expectError('events?status=lost', undefined, 400, 'BAD_FIELD');

  handler.status = 200;
  const retried = await api(`events/${failed[0]!.id}/retry`, {});
  assert.equal(retried.body.delivery.status, 'pending');
  await handler.nextOf('ONAPPINSTALL');
  let delivered: { id: number; log: unknown[] }[] = [];
  while (delivered.length === 0) {
    delivered = (await api(`events?status=delivered&app=${appId}`)).body.deliveries;
    await sleep(20);
  }
  assert.equal(delivered[0]!.id, failed[0]!.id);
  assert.equal(delivered[0]!.log.length, 2, 'the failed attempt stays in the log');
  await expectError(`events/${failed[0]!.id}/retry`, {}, 409, 'DELIVERY_NOT_FAILED');
  await expectError('events/99999/retry', {}, 404, 'DELIVERY_NOT_FOUND');
});

test('inspector detail: timing, headers without secrets, and a curl command with placeholders that replays the call', GUARD, async () => {
  const code = ts.hook.split('/').at(-2)!;
  await call(ts.hook, 'user.get', { FILTER: { NAME: 'Olga' }, client_secret: 'hunter2' });
  const { calls } = (await api('inspector')).body;
  const seq = calls.findLast((c: { method: string }) => c.method === 'user.get').seq;
  const { call: detail } = (await api(`inspector/${seq}`)).body;
  assert.equal(detail.status, 200);
  assert.equal(detail.httpMethod, 'POST');
  assert.ok(detail.durationMs >= 0 && typeof detail.at === 'number');
  assert.equal(detail.target, '/rest/1/***/user.get');
  assert.equal(detail.headers['content-type'], 'application/json');
  assert.deepEqual(detail.params, { FILTER: { NAME: 'Olga' }, client_secret: '***' });
  const shown = JSON.stringify(detail);
  assert.ok(!shown.includes(code) && !shown.includes('hunter2'), shown);
  assert.match(detail.curl, /\/rest\/1\/<WEBHOOK_CODE>\/user\.get/);
  assert.match(detail.curl, /"client_secret":"<CLIENT_SECRET>"/);

  // Filled in, the command is the same call.
  const filled = detail.curl.replace('<WEBHOOK_CODE>', code);
  const { stdout } = await run('sh', ['-c', filled]);
  assert.equal(JSON.parse(stdout).result[0].NAME, 'Olga');

  // The page's own session calls carry placeholders for the session too.
  await fetch(`${ts.url}/rest/server.time.json`, { method: 'POST', headers: { Cookie: boss.cookie, 'Content-Type': 'application/json' }, body: JSON.stringify({ sessid: boss.sessid }) });
  const mine = (await api('inspector')).body.calls.findLast((c: { method: string }) => c.method === 'server.time');
  assert.equal(mine.auth, 'session');
  const sessionCurl = (await api(`inspector/${mine.seq}`)).body.call.curl;
  assert.match(sessionCurl, /<SESSID>/);
  assert.match(sessionCurl, /notify24_session=<SESSION_COOKIE>/);
  assert.ok(!sessionCurl.includes(boss.sessid));
  await expectError('inspector/999999', undefined, 404, 'CALL_NOT_KEPT');
});

test('traffic panel data: the REST calls made, their errors by code, per second, as /metrics counts them', GUARD, async () => {
  const before = (await api('traffic')).body;
  const metricsBefore = (await scrape(`${ts.url}/metrics`)).value('notify24_rest_requests_total');
  await call(ts.hook, 'server.time');
  await call(ts.hook, 'server.time');
  await call(ts.hook, 'no.such.method');
  const now = (await api('traffic')).body;
  const metricsNow = (await scrape(`${ts.url}/metrics`)).value('notify24_rest_requests_total');
  assert.equal(now.summary.requests - before.summary.requests, 3);
  assert.equal(metricsNow - metricsBefore, 3, 'the same calls /metrics counted');
  assert.equal((now.summary.errorsByCode.ERROR_METHOD_NOT_FOUND ?? 0) - (before.summary.errorsByCode.ERROR_METHOD_NOT_FOUND ?? 0), 1);
  assert.equal(now.series.length, 900);
  const sum = now.series.reduce((n: number, p: { requests: number }) => n + p.requests, 0);
  assert.equal(sum, now.summary.requests);
  assert.equal(typeof now.summary.p99Ms, 'number');
  assert.equal((await api('traffic?seconds=60')).body.series.length, 60);
});
