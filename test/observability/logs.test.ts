import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLogger } from '../../src/lib/log.ts';
import { safeTarget } from '../../src/observability/redact.ts';
import { defineMethod } from '../../src/rest/registry.ts';
import { addApp, exchangeCode, tokenRequest } from '../apps/oauth-client.ts';
import { issueCode } from '../../src/apps/tokens.ts';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';

/** Every line the server logged, at every level. */
const lines: string[] = [];
let ts: TestServer;

before(async () => {
  ts = await startTestServer({}, { log: createLogger('debug', { write: (line) => lines.push(line) }) });
  ts.server.services.registry.add(defineMethod({ name: 'test.explode', scope: '_global', handler: () => { throw new Error('boom in a method'); } }));
});
after(() => ts.close());

const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const accessLines = () => records().filter((r) => r.msg === 'request');

test('real traffic carrying every kind of secret: none of them reaches the log', async () => {
  const secrets: Record<string, string> = {};

  // A webhook: the code is in the path (POST, GET with a query, a path of the wrong shape, odd case).
  const jane = await ts.addUser({ login: 'log-jane', password: 'Jane-Password-42' }, ['im', 'user']);
  secrets.webhookCode = jane.code;
  assert.equal((await call(jane.hook, 'im.notify.system.add', { USER_ID: jane.id, MESSAGE: 'hello' })).status, 200);
  assert.equal((await call(jane.hook, 'im.notify.get', { LIMIT: 5 }, 'get')).status, 200);
  assert.equal((await fetch(`${ts.url}/rest/${jane.id}/${jane.code}`)).status, 404);
  assert.equal((await fetch(`${ts.url}/REST/${jane.id}/${jane.code}/server.time`)).status, 404);
  assert.equal((await fetch(`${ts.url}/rest//${jane.id}//${jane.code}//user.current.json`)).status, 200);

  // OAuth: an authorization code (in a query), client secret and tokens (query, body, header).
  const app = await addApp(ts, { name: 'Log App' });
  secrets.clientSecret = app.clientSecret;
  const code = await issueCode(ts.server.services, app.app, jane.id);
  secrets.authorizationCode = code;
  const viaQuery = await request(`${ts.url}/oauth/token/?grant_type=authorization_code&client_id=${app.clientId}&client_secret=${app.clientSecret}&code=${code}`);
  assert.equal(viaQuery.status, 200, viaQuery.text);
  secrets.accessToken = viaQuery.body.access_token;
  secrets.refreshToken = viaQuery.body.refresh_token;
  const second = await exchangeCode(ts.url, app, await issueCode(ts.server.services, app.app, jane.id));
  secrets.secondToken = second.access_token;
  assert.equal((await request(`${ts.url}/rest/user.current?auth=${secrets.accessToken}`)).status, 200);
  await request(`${ts.url}/rest/user.current.json?AUTH=${secrets.accessToken}&x=1`);
  assert.equal((await request(`${ts.url}/rest/user.current`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `auth=${second.access_token}` })).status, 200);
  await request(`${ts.url}/rest/user.current`, { headers: { Authorization: `Bearer ${second.access_token}` } });
  assert.equal((await request(`${ts.url}/rest/user.current?auth[access_token]=${secrets.accessToken}`)).status, 401);
  assert.equal((await tokenRequest(ts.url, { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: second.refresh_token })).status, 200);
  secrets.secondRefresh = second.refresh_token;
  assert.equal((await request(`${ts.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${secrets.refreshToken}`)).status, 200);

  // A password (right and wrong), the session cookie and its sessid (header and query).
  secrets.password = 'Jane-Password-42';
  secrets.wrongPassword = 'Not-Her-Password-77';
  assert.equal((await fetch(`${ts.url}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'log-jane', password: secrets.wrongPassword }) })).status, 401);
  const who = await webLogin(ts, 'log-jane', secrets.password);
  secrets.sessionCookie = who.cookie.split('=').slice(1).join('=');
  secrets.sessid = who.sessid;
  assert.equal((await fetch(`${ts.url}/rest/im.notify.get.json?sessid=${who.sessid}`, { headers: { Cookie: who.cookie } })).status, 200);
  assert.equal((await fetch(`${ts.url}/rest/im.notify.get.json`, { headers: { Cookie: who.cookie, 'X-Bitrix-Csrf-Token': who.sessid } })).status, 200);
  assert.equal((await fetch(`${ts.url}/console/api/me`, { headers: { Cookie: who.cookie } })).status, 200);
  assert.equal((await fetch(`${ts.url}/logout?sessid=${who.sessid}`, { method: 'POST', headers: { Cookie: who.cookie, 'X-Bitrix-Csrf-Token': who.sessid } })).status < 500, true);

  // An unexpected error: logged with its stack, never with a credential of the call.
  assert.equal((await call(jane.hook, 'test.explode')).status, 500);

  const text = lines.join('');
  assert.ok(accessLines().length >= 20, `an access line per request (${accessLines().length})`);
  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(secret && secret.length >= 8, what);
    assert.equal(text.includes(secret), false, `${what} leaked into the log`);
    assert.equal(text.includes(encodeURIComponent(secret)), false, `${what} (encoded) leaked into the log`);
  }
  const paths = accessLines().map((r) => String(r.path));
  assert.ok(paths.includes(`/rest/${jane.id}/***/im.notify.system.add`), paths.join('\n'));
  assert.ok(paths.includes(`/rest/${jane.id}/***`));
  assert.ok(paths.includes('/rest/user.current.json?AUTH=***&x=1'));
  assert.ok(paths.some((p) => p.startsWith('/oauth/token/?grant_type=authorization_code&client_id=') && p.endsWith('&client_secret=***&code=***')), paths.join('\n'));
});

test('one access line per request: method, path, status, ms, caller, REST method, request id', async () => {
  lines.length = 0;
  const res = await fetch(`${ts.hook}im.notify.system.add.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'lb-7f3a.42' },
    body: JSON.stringify({ USER_ID: 1, MESSAGE: 'logged' }),
  });
  assert.equal(res.headers.get('x-request-id'), 'lb-7f3a.42', 'a sane X-Request-Id is kept and echoed');
  const line = accessLines().find((r) => r.request_id === 'lb-7f3a.42')!;
  assert.ok(line, lines.join(''));
  assert.equal(line.level, 'info');
  assert.equal(line.method, 'POST');
  assert.equal(line.path, '/rest/1/***/im.notify.system.add.json');
  assert.equal(line.status, 200);
  assert.equal(typeof line.ms, 'number');
  assert.equal(line.caller, 'webhook');
  assert.equal(line.rest_method, 'im.notify.system.add');
  assert.equal(line.ip, '127.0.0.1');
  assert.match(String(line.time), /^\d{4}-\d\d-\d\dT/);

  for (const insane of ['has space', 'x'.repeat(200), 'semi;colon']) {
    const other = await fetch(`${ts.url}/healthz`, { headers: { 'X-Request-Id': insane } });
    assert.match(other.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'an unusable id is replaced');
  }
  const made = await fetch(`${ts.url}/nowhere`);
  const id = made.headers.get('x-request-id')!;
  assert.match(id, /^[0-9a-f-]{36}$/);
  const miss = accessLines().find((r) => r.request_id === id)!;
  assert.deepEqual([miss.status, miss.path, miss.caller, miss.rest_method], [404, '/nowhere', undefined, undefined]);
});

test('an unexpected error is logged with the request id the client got, and its stack', async () => {
  lines.length = 0;
  const res = await fetch(`${ts.hook}test.explode`, { headers: { 'X-Request-Id': 'trace-me-1' } });
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  const failure = records().find((r) => r.level === 'error')!;
  assert.ok(failure, lines.join(''));
  assert.equal(failure.request_id, 'trace-me-1');
  assert.equal(failure.msg, 'unexpected error');
  const err = failure.err as { message: string; stack: string };
  assert.equal(err.message, 'boom in a method');
  assert.match(err.stack, /test\/observability\/logs\.test\.ts/);
  const access = accessLines().find((r) => r.request_id === 'trace-me-1')!;
  assert.deepEqual([access.status, access.error, access.rest_method], [500, 'INTERNAL_SERVER_ERROR', 'test.explode']);
});

test('safeTarget masks webhook codes and credential parameters, and nothing else', () => {
  const cases: [string, string][] = [
    ['/rest/1/abc123/im.notify.get.json', '/rest/1/***/im.notify.get.json'],
    ['/rest/1/abc123/', '/rest/1/***/'],
    ['/rest/1/abc123', '/rest/1/***'],
    ['/rest/im.notify.get?auth=tok&LIMIT=5', '/rest/im.notify.get?auth=***&LIMIT=5'],
    ['/rest/x?Auth%5Baccess_token%5D=t&sessid=s', '/rest/x?Auth%5Baccess_token%5D=***&sessid=***'],
    ['/oauth/token/?client_secret=s&code=c&refresh_token=r&grant_type=refresh_token', '/oauth/token/?client_secret=***&code=***&refresh_token=***&grant_type=refresh_token'],
    ['/console?next=/x&password=p', '/console?next=/x&password=***'],
    ['/events/stream?last=12&node=ab', '/events/stream?last=12&node=ab'],
    ['/', '/'],
  ];
  for (const [target, safe] of cases) assert.equal(safeTarget(target), safe, target);
});
