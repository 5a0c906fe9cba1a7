import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { B24Hook, B24OAuth } from '@bitrix24/b24jssdk';
import { startPortal, type Portal, type PortalApplication, type OAuthTokens } from '../../src/index.ts';
import { cliOn } from '../helpers/cli-env.ts';
import { call, ok, request } from '../helpers/http.ts';
import { RELAXED_LIMITS } from '../helpers/sdk.ts';
import { startTestServer } from '../helpers/server.ts';
import { testDatabaseUrl } from '../helpers/services.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { sdkCall } from '../notify/sdk-scenario.ts';

const databaseUrl = process.env.NOTIFY24_TEST_STORE === 'postgres' ? testDatabaseUrl() : undefined;
let portal: Portal;
let boss: WebLogin;

before(async () => {
  portal = await startPortal({ databaseUrl });
});
after(() => portal.close());
beforeEach(async () => {
  await portal.reset();
  await portal.createUser({ login: 'boss', password: 'boss-password-1', isAdmin: true });
  boss = await webLogin(portal, 'boss', 'boss-password-1');
});

/** The SDK over a webhook, retrying as many times as asked (1 = no retry). */
function sdk(webhookUrl: string, maxRetries = 1): B24Hook {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const hook = B24Hook.fromWebhookUrl(webhookUrl, { restrictionParams: { ...RELAXED_LIMITS, maxRetries, retryDelay: 10 } as any });
  hook.offClientSideWarning();
  return hook;
}

function sdkOAuth(tokens: OAuthTokens, app: PortalApplication, refreshed: string[]): B24OAuth {
  const b24 = new B24OAuth(
    {
      applicationToken: app.applicationToken, userId: tokens.user_id, memberId: tokens.member_id,
      accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expires: tokens.expires, expiresIn: tokens.expires_in,
      scope: tokens.scope, domain: tokens.domain, clientEndpoint: tokens.client_endpoint, serverEndpoint: tokens.server_endpoint, status: tokens.status,
    } as ConstructorParameters<typeof B24OAuth>[0],
    { clientId: app.clientId, clientSecret: app.clientSecret },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    { restrictionParams: RELAXED_LIMITS as any },
  );
  b24.offClientSideWarning();
  b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => void refreshed.push(b24OAuthParams.accessToken));
  return b24;
}

async function inspected(): Promise<{ method: string; fault?: string; error?: { error: string } }[]> {
  const r = await request(`${portal.url}/console/api/inspector`, { headers: { Cookie: boss.cookie } });
  assert.equal(r.status, 200, r.text);
  return r.body.calls;
}

test('the SDK meets an injected QUERY_LIMIT_EXCEEDED (503), retries, and succeeds; the inspector marks the injected answer', async () => {
  const rita = await portal.createUser({ login: 'rita' });
  portal.faults.add({ method: 'im.notify.*.add', error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
  const id = await sdkCall<number>(sdk(portal.httpsWebhookUrl, 3), 'im.notify.system.add', { USER_ID: rita.id, MESSAGE: 'once' });
  assert.deepEqual((await portal.notifications(rita.id)).map((n) => [n.id, n.text]), [[id, 'once']]);
  assert.deepEqual(portal.faults.list(), [], 'a rule of one time is spent');
  const calls = (await inspected()).filter((c) => c.method === 'im.notify.system.add');
  assert.deepEqual(calls.map((c) => [c.fault ?? null, c.error?.error ?? null]), [
    ['fault #1: QUERY_LIMIT_EXCEEDED', 'QUERY_LIMIT_EXCEEDED'],
    [null, null],
  ]);
  // Without retries the injected answer is what the portal would send: 503 and the catalog's body.
  portal.faults.add({ method: 'user.current', error: 'QUERY_LIMIT_EXCEEDED', times: 1 });
  const r = await call(portal.webhookUrl, 'user.current');
  assert.deepEqual([r.status, r.body], [503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }]);
});

test('an injected expired_token for applications makes the SDK OAuth client refresh and succeed; webhooks are not hit', async () => {
  const user = await portal.createUser({ login: 'sam' });
  const app = await portal.createApplication({ name: 'Notifier' });
  const refreshed: string[] = [];
  const b24 = sdkOAuth(await app.tokensFor(user.id), app, refreshed);
  portal.faults.add({ caller: 'application', error: 'expired_token', times: 1 });
  assert.equal((await ok(portal.webhookUrl, 'user.current')).ID, '1', 'a webhook call passes the application rule');
  assert.equal((await sdkCall<{ ID: string }>(b24, 'user.current')).ID, String(user.id));
  assert.equal(refreshed.length, 1, 'the SDK refreshed its token once');
  const last = (await inspected()).filter((c) => c.method === 'user.current').slice(-2);
  assert.deepEqual(last.map((c) => c.fault ?? null), ['fault #1: expired_token', null]);
});

test('a dropped connection is a network error for the SDK and for fetch; the next call goes through', async () => {
  portal.faults.add({ method: 'user.current', drop: true, times: 2 });
  const res = await sdk(portal.httpsWebhookUrl).actions.v2.call.make({ method: 'user.current', params: {} }).then(
    (r) => ({ ok: r.isSuccess, status: -1, code: '' }),
    (err: { status?: number; code?: string }) => ({ ok: false, status: err.status, code: String(err.code) }),
  );
  assert.equal(res.ok, false);
  assert.equal(res.status, 0, 'no HTTP status: the connection closed without an answer');
  assert.doesNotMatch(res.code, /^[A-Z_]+_LIMIT|expired_token/);
  await assert.rejects(fetch(`${portal.webhookUrl}user.current`), TypeError);
  assert.equal((await ok(portal.webhookUrl, 'user.current')).ID, '1');
});

test('a truncated body: the head arrives, the body ends early; a delay answers normally', async () => {
  portal.faults.add({ method: 'server.time', truncate: true, times: 1 });
  const res = await fetch(`${portal.webhookUrl}server.time`);
  assert.equal(res.status, 200);
  await assert.rejects(res.text());
  portal.faults.add({ method: 'server.time', delayMs: 30, times: 1 });
  assert.match(await ok(portal.webhookUrl, 'server.time'), /^\d{4}-/);
  const marks = (await inspected()).filter((c) => c.method === 'server.time').map((c) => c.fault);
  assert.deepEqual(marks, ['fault #1: truncated body', 'fault #2: delayed 30 ms']);
});

test('rules match by method glob, caller and user; a seeded probability hits the same calls every run', async () => {
  const a = await portal.createUser({ login: 'a' });
  const b = await portal.createUser({ login: 'b' });
  portal.faults.add({ method: 'IM.NOTIFY.GET', caller: 'webhook', userId: a.id, error: 'INTERNAL_SERVER_ERROR' });
  assert.equal((await call(a.webhook!.webhookUrl, 'im.notify.get')).status, 500);
  assert.equal((await call(b.webhook!.webhookUrl, 'im.notify.get')).status, 200);
  assert.equal((await call(a.webhook!.webhookUrl, 'user.current')).status, 200);
  portal.faults.clear();

  const pattern = async () => {
    const rule = portal.faults.add({ method: 'server.time', probability: 0.5, seed: 7, error: 'OPERATION_TIME_LIMIT' });
    const hits: number[] = [];
    for (let i = 0; i < 16; i++) hits.push((await call(portal.webhookUrl, 'server.time')).status);
    portal.faults.remove(rule.id);
    return hits;
  };
  const first = await pattern();
  assert.deepEqual(await pattern(), first);
  assert.ok(first.includes(429) && first.includes(200), first.join(','));
});

test('the admin-only endpoint adds, lists, removes and clears rules, refuses bad ones, and is off on a server not started for testing', async () => {
  const api = (method: string, path = '', body?: unknown, who: WebLogin = boss) =>
    request(`${portal.url}/console/api/faults${path}`, {
      method, headers: { Cookie: who.cookie, 'X-Sessid': who.sessid, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
  const added = await api('POST', '', { method: 'im.notify.*', error: 'QUERY_LIMIT_EXCEEDED', times: 2 });
  assert.equal(added.status, 200, added.text);
  assert.equal(added.body.rule.remaining, 2);
  await api('POST', '', { error: 'INTERNAL_SERVER_ERROR' });
  assert.deepEqual((await api('GET')).body.rules.map((r: { id: number }) => r.id), [1, 2]);
  assert.deepEqual((await api('DELETE', '/1')).body, { removed: 1 });
  assert.deepEqual((await api('DELETE')).body, { removed: 1 });
  assert.deepEqual(portal.faults.list(), []);

  for (const [rule, reason] of [
    [{ error: 'NO_SUCH_CODE' }, /no error NO_SUCH_CODE in the catalog/],
    [{ method: 'im.notify.get' }, /needs an error, drop, truncate or delayMs/],
    [{ error: 'expired_token', drop: true }, /one of error, drop or truncate/],
    [{ error: 'expired_token', probability: 2 }, /probability/],
  ] as const) {
    const r = await api('POST', '', rule);
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'BAD_FAULT_RULE');
    assert.match(r.body.error_description, reason);
  }

  await portal.createUser({ login: 'plain', password: 'plain-password-1' });
  const plain = await webLogin(portal, 'plain', 'plain-password-1');
  assert.equal((await api('GET', '', undefined, plain)).status, 403);
  assert.equal((await request(`${portal.url}/console/api/faults`)).status, 401);

  const production = await startTestServer();
  try {
    await production.addUser({ login: 'root', password: 'root-password-1', isAdmin: true });
    const root = await webLogin(production, 'root', 'root-password-1');
    const r = await request(`${production.url}/console/api/faults`, { headers: { Cookie: root.cookie } });
    assert.deepEqual([r.status, r.body.error], [404, 'TEST_MODE_OFF']);
    assert.equal(production.server.services.faults, null);
  } finally {
    await production.close();
  }
});

test('notify24 fault add|list|remove|clear drives a running test server', async () => {
  const lines: string[] = [];
  const cli = async (...argv: string[]) => {
    const run = await cliOn(portal.databaseUrl, ...argv, '--url', portal.url);
    lines.push(...run.lines);
    return run.code;
  };
  assert.equal(await cli('fault', 'add', '--method', 'user.*', '--error', 'QUERY_LIMIT_EXCEEDED', '--times', '3'), 0);
  assert.equal(await cli('fault', 'add', '--caller', 'application', '--drop'), 0);
  assert.equal(await cli('fault', 'list'), 0);
  assert.equal((await call(portal.webhookUrl, 'user.current')).status, 503);
  assert.equal(await cli('fault', 'remove', '--id', '2'), 0);
  assert.equal(await cli('fault', 'clear'), 0);
  assert.deepEqual(lines, [
    'fault #1 user.* → QUERY_LIMIT_EXCEEDED; 3 left; 0 hit',
    'fault #2 * (application) → drop; every call; 0 hit',
    '#1 user.* → QUERY_LIMIT_EXCEEDED; 3 left; 0 hit',
    '#2 * (application) → drop; every call; 0 hit',
    'fault 2 removed',
    '1 fault rule(s) removed',
  ]);
  assert.equal((await call(portal.webhookUrl, 'user.current')).status, 200);
  assert.equal(await cli('fault', 'add', '--error', 'NOPE'), 1);
});
