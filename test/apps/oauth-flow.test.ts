import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { issueCode } from '../../src/apps/tokens.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { call, ok, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { addApp, authorizeInBrowser, browse, exchangeCode, refresh, tokenRequest, tokensFor, type TestApp } from './oauth-client.ts';

const clock = new ManualClock();
let ts: TestServer;
let app: TestApp;
let jane: { id: number };

before(async () => {
  ts = await startTestServer({}, { clock });
  app = await addApp(ts);
  jane = await ts.addUser({ login: 'jane-oauth', name: 'Jane', lastName: 'Roe', password: 'secret-jane' });
});
after(() => ts.close());

test('the whole code flow: sign in, authorize, code, token, call, expiry, refresh, old refresh token refused', async () => {
  // Not signed in: the authorize page sends the browser to sign in first, then back.
  const anonymous = await browse(`${ts.url}/oauth/authorize/?client_id=${app.clientId}&response_type=code&state=s1`, null);
  assert.equal(anonymous.status, 302);
  const next = new URL(anonymous.headers.get('location')!, ts.url);
  assert.equal(next.pathname, '/');
  assert.equal(next.searchParams.get('next'), `/oauth/authorize/?client_id=${app.clientId}&response_type=code&state=s1`);

  // Signed in: consent, then back to the registered redirect URI with the code.
  const { location } = await authorizeInBrowser(ts, app, 'jane-oauth', 'secret-jane', 'xyz');
  assert.equal(`${location.origin}${location.pathname}`, 'https://app.example.com/callback');
  const q = Object.fromEntries(location.searchParams);
  assert.deepEqual(Object.keys(q), ['code', 'state', 'domain', 'member_id', 'scope', 'server_domain']);
  assert.equal(q.state, 'xyz');
  assert.equal(q.domain, new URL(ts.url).host);
  assert.equal(q.server_domain, new URL(ts.url).host);
  assert.match(q.member_id!, /^[0-9a-f]{32}$/);
  assert.equal(q.scope, 'im,user');

  // Code → tokens, with every documented field.
  const tokens = await exchangeCode(ts.url, app, q.code!);
  assert.deepEqual(Object.keys(tokens).sort(), [
    'access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope', 'server_endpoint', 'status', 'user_id',
  ]);
  assert.equal(tokens.expires_in, 3600);
  assert.equal(tokens.expires, Math.floor(clock.now() / 1000) + 3600);
  assert.equal(tokens.scope, 'im,user');
  assert.equal(tokens.client_endpoint, `${ts.url}/rest/`);
  assert.equal(tokens.server_endpoint, `${ts.url}/rest/`);
  assert.equal(tokens.member_id, q.member_id);
  assert.equal(tokens.user_id, jane.id);
  assert.equal(tokens.status, 'L');
  assert.notEqual(tokens.access_token, tokens.refresh_token);

  // A code works once.
  const again = await tokenRequest(ts.url, { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: q.code! });
  assert.equal(again.status, 400);
  assert.equal(again.body.error, 'invalid_grant');

  // The token calls as Jane, within the app's scopes.
  const me = await ok(`${ts.url}/rest/`, 'user.current', { auth: tokens.access_token });
  assert.equal(me.ID, String(jane.id));

  // Past the access token's lifetime: expired_token (401), the refresh flow's trigger.
  clock.advance(3601_000);
  const expired = await call(`${ts.url}/rest/`, 'user.current', { auth: tokens.access_token });
  assert.equal(expired.status, 401);
  assert.equal(expired.body.error, 'expired_token');
  assert.equal(expired.body.error_description, 'The access token provided has expired.');

  const renewed = await refresh(ts.url, app, tokens.refresh_token);
  assert.equal(renewed.status, 200, renewed.text);
  assert.notEqual(renewed.body.access_token, tokens.access_token);
  assert.notEqual(renewed.body.refresh_token, tokens.refresh_token);
  assert.equal(renewed.body.expires, Math.floor(clock.now() / 1000) + 3600);
  assert.equal((await ok(`${ts.url}/rest/`, 'user.current', { auth: renewed.body.access_token })).ID, String(jane.id));

  // Refresh tokens rotate: the spent one is refused, the new one works (once).
  const reused = await refresh(ts.url, app, tokens.refresh_token);
  assert.equal(reused.status, 400);
  assert.equal(reused.body.error, 'invalid_grant');
  const second = await refresh(ts.url, app, renewed.body.refresh_token);
  assert.equal(second.status, 200, second.text);
});

test('an approved application is authorized again without the consent page', async () => {
  const bob = await ts.addUser({ login: 'bob-oauth', password: 'secret-bob' });
  const first = await authorizeInBrowser(ts, app, 'bob-oauth', 'secret-bob');
  const page = await browse(`${ts.url}/oauth/authorize/?client_id=${app.clientId}&state=again`, first.web);
  assert.equal(page.status, 302);
  const location = new URL(page.headers.get('location')!);
  assert.equal(location.searchParams.get('state'), 'again');
  const tokens = await exchangeCode(ts.url, app, location.searchParams.get('code')!);
  assert.equal(tokens.user_id, bob.id);
});

test('consent: a wrong sessid is refused, deny goes back with access_denied, an unknown client gets an error page', async () => {
  await ts.addUser({ login: 'carol-oauth', password: 'secret-carol' });
  const other = await addApp(ts, { name: 'Other', redirectUri: 'https://other.example.com/cb' });
  const { web } = await authorizeInBrowser(ts, app, 'carol-oauth', 'secret-carol');
  const form = (fields: Record<string, string>) =>
    browse(`${ts.url}/oauth/authorize/`, web, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: other.clientId, state: 's', ...fields }).toString(),
    });
  const consent = await browse(`${ts.url}/oauth/authorize/?client_id=${other.clientId}`, web);
  assert.equal(consent.status, 200);
  assert.match(consent.headers.get('content-security-policy')!, /form-action 'self' https:\/\/other\.example\.com/);
  assert.equal((await form({ sessid: 'forged', decision: 'allow' })).status, 403);
  const denied = await form({ sessid: web.sessid, decision: 'deny' });
  assert.equal(denied.status, 302);
  const location = new URL(denied.headers.get('location')!);
  assert.equal(location.searchParams.get('error'), 'access_denied');
  assert.equal(location.searchParams.get('code'), null);

  const unknown = await browse(`${ts.url}/oauth/authorize/?client_id=local.nope.1`, web);
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /Unknown application/);
});

test('token endpoint: GET works too; codes expire after 30 s; client and grant errors', async () => {
  const code = await issueCode(ts.server.services, app.app, jane.id);
  const viaGet = await request(`${ts.url}/oauth/token/?${new URLSearchParams({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code })}`);
  assert.equal(viaGet.status, 200, viaGet.text);
  assert.equal(viaGet.body.user_id, jane.id);

  const late = await issueCode(ts.server.services, app.app, jane.id);
  clock.advance(31_000);
  const expired = await tokenRequest(ts.url, { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: late });
  assert.equal(expired.status, 400);
  assert.equal(expired.body.error, 'invalid_grant');

  const code2 = await issueCode(ts.server.services, app.app, jane.id);
  const wrongSecret = await tokenRequest(ts.url, { grant_type: 'authorization_code', client_id: app.clientId, client_secret: 'nope', code: code2 });
  assert.equal(wrongSecret.status, 401);
  assert.equal(wrongSecret.body.error, 'invalid_client');

  // A code belongs to its application.
  const other = await addApp(ts, { name: 'Thief' });
  const stolen = await tokenRequest(ts.url, { grant_type: 'authorization_code', client_id: other.clientId, client_secret: other.clientSecret, code: code2 });
  assert.equal(stolen.status, 400);
  assert.equal(stolen.body.error, 'invalid_grant');

  const noGrant = await tokenRequest(ts.url, { client_id: app.clientId, client_secret: app.clientSecret });
  assert.equal(noGrant.status, 400);
  assert.equal(noGrant.body.error, 'invalid_request');
  const password = await tokenRequest(ts.url, { grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret });
  assert.equal(password.status, 400);
  assert.equal(password.body.error, 'unsupported_grant_type');
  const noRefresh = await tokenRequest(ts.url, { grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: 'unknown' });
  assert.equal(noRefresh.status, 400);
  assert.equal(noRefresh.body.error, 'invalid_grant');
});

test('a refresh token expires after its lifetime', async () => {
  const short = await startTestServer({ oauthRefreshTtl: 60 }, { clock });
  try {
    const a = await addApp(short);
    const user = await short.addUser({ login: 'short-lived' });
    const tokens = await tokensFor(short, a, user.id);
    clock.advance(61_000);
    const r = await refresh(short.url, a, tokens.refresh_token);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  } finally {
    await short.close();
  }
});
