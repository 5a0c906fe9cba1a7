import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { removeApp } from '../../src/apps/registration.ts';
import { call, ok, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { addApp, tokensFor, type TestApp, type Tokens } from './oauth-client.ts';

let ts: TestServer;
let rest: string;
let app: TestApp;
let user: { id: number; hook: string };
let tokens: Tokens;

before(async () => {
  ts = await startTestServer();
  rest = `${ts.url}/rest/`;
  app = await addApp(ts, { code: 'acme.crm' });
  user = await ts.addUser({ login: 'rest-user', name: 'Rest', password: 'pw-rest' });
  tokens = await tokensFor(ts, app, user.id);
});
after(() => ts.close());

test('the token is read from Authorization: Bearer, then auth, then access_token; in GET, form and JSON', async () => {
  const bearer = await request(`${rest}profile`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(bearer.status, 200, bearer.text);
  assert.equal(bearer.body.result.ID, user.id);
  for (const encoding of ['get', 'form', 'json'] as const) {
    assert.equal((await ok(rest, 'profile', { auth: tokens.access_token }, encoding)).ID, user.id);
    assert.equal((await ok(rest, 'profile', { access_token: tokens.access_token }, encoding)).ID, user.id);
  }
  // The header wins over a wrong parameter; the auth keys never reach the method.
  const both = await request(`${rest}profile?auth=wrong`, { headers: { authorization: `bearer ${tokens.access_token}` } });
  assert.equal(both.status, 200, both.text);
  assert.equal((await ok(rest, 'scope', { auth: tokens.access_token })).join(','), 'im,user');
});

test('auth errors are 401: invalid_token, insufficient_scope (access token text), APPLICATION_NOT_FOUND', async () => {
  const unknown = await call(rest, 'profile', { auth: 'not-a-token' });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.body.error, 'invalid_token');

  const narrow = await addApp(ts, { name: 'Narrow', scopes: ['user'] });
  const t = await tokensFor(ts, narrow, user.id);
  const denied = await call(rest, 'im.notify.system.add', { auth: t.access_token, USER_ID: user.id, MESSAGE: 'x' });
  assert.equal(denied.status, 401);
  assert.deepEqual(denied.body, {
    error: 'insufficient_scope',
    error_description: 'The request requires higher privileges than provided by the access token',
  });

  const doomed = await addApp(ts, { name: 'Doomed' });
  const d = await tokensFor(ts, doomed, user.id);
  assert.equal((await call(rest, 'profile', { auth: d.access_token })).status, 200);
  assert.equal(await removeApp(ts.server.services.store, doomed.app.id, Date.now()), true);
  const gone = await call(rest, 'profile', { auth: d.access_token });
  assert.equal(gone.status, 401);
  assert.deepEqual(gone.body, { error: 'APPLICATION_NOT_FOUND', error_description: 'Application not found' });
});

test('app.info: the application for OAuth, SCOPE and LICENSE for a webhook, ACCESS_DENIED for a session', async () => {
  assert.deepEqual(await ok(rest, 'app.info', { auth: tokens.access_token }), {
    ID: app.app.id,
    CODE: 'acme.crm',
    VERSION: 1,
    STATUS: 'L',
    INSTALLED: true,
    PAYMENT_EXPIRED: 'N',
    DAYS: null,
    LANGUAGE_ID: 'en',
    LICENSE: 'en_selfhosted',
    LICENSE_TYPE: 'selfhosted',
    LICENSE_FAMILY: 'selfhosted',
  });
  assert.deepEqual(await ok(user.hook, 'app.info'), { SCOPE: ['im', 'user'], LICENSE: 'en_selfhosted' });
  const web = await webLogin(ts, 'rest-user', 'pw-rest');
  const session = await request(`${rest}app.info`, { method: 'POST', headers: { Cookie: web.cookie, 'X-Bitrix-Csrf-Token': web.sessid } });
  assert.equal(session.status, 403, session.text);
  assert.deepEqual(session.body, { error: 'ACCESS_DENIED', error_description: 'Access denied! Application context required' });
});

test('event.bind, event.get, event.unbind need application context: WRONG_AUTH_TYPE (403) otherwise', async () => {
  for (const method of ['event.bind', 'event.get', 'event.unbind']) {
    const r = await call(user.hook, method, { event: 'ONIMNOTIFYCONFIRM', handler: 'https://app.example.com/h' });
    assert.equal(r.status, 403, `${method}: ${r.text}`);
    assert.deepEqual(r.body, { error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' });
  }
});

test('event.bind validates like the portal; event.get lists; event.unbind counts', async () => {
  const admin = await addApp(ts, { name: 'Events' });
  const adminTokens = await tokensFor(ts, admin, 1);
  const userTokens = await tokensFor(ts, admin, user.id);
  const bind = (t: Tokens, params: Record<string, unknown>) => call(rest, 'event.bind', { auth: t.access_token, ...params });

  let r = await bind(adminTokens, { handler: 'https://app.example.com/h' });
  assert.deepEqual([r.status, r.body], [400, { error: 'ERROR_ARGUMENT', error_description: "Argument 'EVENT' is null or empty", argument: 'EVENT' }]);
  r = await bind(adminTokens, { event: 'onimnotifyconfirm' });
  assert.deepEqual([r.status, r.body.error, r.body.argument], [400, 'ERROR_ARGUMENT', 'HANDLER']);
  r = await bind(adminTokens, { event: 'ONCRMLEADADD', handler: 'https://app.example.com/h' });
  assert.deepEqual([r.status, r.body], [400, { error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' }]);
  r = await bind(adminTokens, { event: 'ONIMNOTIFYCONFIRM', handler: 'ftp://app.example.com/h' });
  assert.deepEqual([r.status, r.body.error], [400, 'ERROR_UNSUPPORTED_PROTOCOL']);
  r = await bind(adminTokens, { event: 'ONIMNOTIFYCONFIRM', handler: 'http://localhost/h' });
  assert.deepEqual([r.status, r.body.error], [400, 'ERROR_WRONG_HANDLER_URL']);

  // Lower-case event names are upper-cased; a duplicate is refused.
  assert.equal(await ok(rest, 'event.bind', { auth: adminTokens.access_token, event: 'onimnotifyconfirm', handler: 'https://app.example.com/h' }), true);
  r = await bind(adminTokens, { event: 'ONIMNOTIFYCONFIRM', handler: 'https://app.example.com/h' });
  assert.deepEqual([r.status, r.body], [400, { error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' }]);
  assert.equal(await ok(rest, 'event.bind', { auth: adminTokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/h', auth_type: 7 }), true);

  // A non-admin binds for themselves only, and no offline events.
  r = await bind(userTokens, { event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u', auth_type: 1 });
  assert.deepEqual([r.status, r.body.error], [403, 'ACCESS_DENIED']);
  r = await bind(userTokens, { event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u', event_type: 'offline' });
  assert.deepEqual([r.status, r.body.error], [403, 'ACCESS_DENIED']);
  assert.equal(await ok(rest, 'event.bind', { auth: userTokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u' }), true);

  assert.deepEqual(await ok(rest, 'event.get', { auth: adminTokens.access_token }), [
    { event: 'ONIMNOTIFYCONFIRM', handler: 'https://app.example.com/h', auth_type: '0', offline: 0 },
    { event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/h', auth_type: '7', offline: 0 },
    { event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u', auth_type: String(user.id), offline: 0 },
  ]);
  assert.deepEqual(await ok(rest, 'event.get', { auth: userTokens.access_token }), [
    { event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u', auth_type: String(user.id), offline: 0 },
  ]);

  assert.deepEqual(await ok(rest, 'event.unbind', { auth: adminTokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/h', auth_type: 0 }), { count: 0 });
  assert.deepEqual(await ok(rest, 'event.unbind', { auth: adminTokens.access_token, event: 'onimnotifyanswer', handler: 'https://app.example.com/h' }), { count: 1 });
  assert.deepEqual(await ok(rest, 'event.unbind', { auth: userTokens.access_token, event: 'ONIMNOTIFYANSWER', handler: 'https://app.example.com/u' }), { count: 1 });
  assert.equal((await ok(rest, 'event.get', { auth: adminTokens.access_token })).length, 1);
});
