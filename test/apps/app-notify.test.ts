import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { B24OAuth } from '@bitrix24/b24jssdk';
import { ManualClock } from '../../src/lib/clock.ts';
import { call, ok } from '../helpers/http.ts';
import { RELAXED_LIMITS, sdkHook } from '../helpers/sdk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { notifyScenario, sdkCall } from '../notify/sdk-scenario.ts';
import { EventHandler } from './handler.ts';
import { addApp, tokensFor, type TestApp, type Tokens } from './oauth-client.ts';

const clock = new ManualClock();
let ts: TestServer;
let rest: string;

before(async () => {
  ts = await startTestServer({}, { clock });
  rest = `${ts.url}/rest/`;
});
after(() => ts.close());

/** The official SDK's OAuth client over the token response, refreshing through our /oauth/token/. */
function sdkOAuth(t: Tokens, a: TestApp): B24OAuth {
  const b24 = new B24OAuth(
    {
      applicationToken: a.app.applicationToken,
      userId: t.user_id,
      memberId: t.member_id,
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expires: t.expires,
      expiresIn: t.expires_in,
      scope: t.scope,
      domain: t.domain,
      clientEndpoint: t.client_endpoint,
      serverEndpoint: t.server_endpoint,
      status: t.status,
    } as ConstructorParameters<typeof B24OAuth>[0],
    { clientId: a.clientId, clientSecret: a.clientSecret },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    { restrictionParams: RELAXED_LIMITS as any },
  );
  b24.offClientSideWarning();
  return b24;
}

test('b24jssdk B24OAuth calls with the token, and refreshes it itself on expired_token', async () => {
  const a = await addApp(ts, { name: 'SDK app' });
  const user = await ts.addUser({ login: 'sdk-oauth-user', name: 'Sam' });
  const tokens = await tokensFor(ts, a, user.id, ts.httpsUrl);
  assert.equal(tokens.client_endpoint, `${ts.httpsUrl}/rest/`);
  const b24 = sdkOAuth(tokens, a);
  const refreshed: string[] = [];
  b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => void refreshed.push(b24OAuthParams.accessToken));

  assert.equal((await sdkCall<{ ID: string }>(b24, 'user.current')).ID, String(user.id));
  await b24.initIsAdmin();
  assert.equal(b24.auth.isAdmin, false);

  // The server's clock passes the token's expiry: the SDK gets 401 expired_token, refreshes, retries.
  clock.advance(3601_000);
  assert.equal((await sdkCall<{ ID: number }>(b24, 'profile')).ID, user.id);
  assert.equal(refreshed.length, 1);
  assert.notEqual(refreshed[0], tokens.access_token);
  const old = await call(rest, 'profile', { auth: tokens.access_token });
  assert.equal(old.body.error, 'expired_token');
});

test('b24jssdk notify scenario with an OAuth sender: tags belong to the application, confirm and answer reach its handler', async () => {
  const handler = await new EventHandler().start();
  try {
    const a = await addApp(ts, { name: 'Notifier' });
    const recipient = await ts.addUser({ login: 'sdk-oauth-recipient', name: 'Rita' });
    const sender = sdkOAuth(await tokensFor(ts, a, 1, ts.httpsUrl), a);
    for (const event of ['ONIMNOTIFYCONFIRM', 'ONIMNOTIFYANSWER']) {
      assert.equal(await sdkCall(sender, 'event.bind', { event, handler: handler.url('/sdk/') }), true);
    }
    // The application deletes by tag through another user's token: the tag is the app's, not the user's.
    const deleter = sdkOAuth(await tokensFor(ts, a, recipient.id, ts.httpsUrl), a);
    const { confirmId, answerId } = await notifyScenario({
      sender, recipient: sdkHook(recipient.httpsHook), recipientId: recipient.id, tagParams: {}, tagDeleter: deleter, systemPrefix: 'Notifier\n',
    });
    const confirmed = await handler.nextOf('ONIMNOTIFYCONFIRM');
    assert.deepEqual([confirmed.body.data.NOTIFY_ID, confirmed.body.data.NOTIFY_VALUE], [String(confirmId), 'yes']);
    assert.equal(confirmed.body.auth.application_token, a.app.applicationToken);
    const answered = await handler.nextOf('ONIMNOTIFYANSWER');
    assert.deepEqual([answered.body.data.NOTIFY_ID, answered.body.data.ANSWER_TEXT], [String(answerId), 'Looks good']);
  } finally {
    await handler.stop();
  }
});

test('an OAuth TAG is stored as MP|hash|TAG and delete by TAG touches only that application', async () => {
  const one = await addApp(ts, { name: 'One' });
  const two = await addApp(ts, { name: 'Two' });
  const t1 = await tokensFor(ts, one, 1);
  const t2 = await tokensFor(ts, two, 1);
  const r = await ts.addUser({ login: 'tag-recipient' });
  const id1 = await ok(rest, 'im.notify.personal.add', { auth: t1.access_token, USER_ID: r.id, MESSAGE: 'from one', TAG: 'shared' });
  const id2 = await ok(rest, 'im.notify.personal.add', { auth: t2.access_token, USER_ID: r.id, MESSAGE: 'from two', TAG: 'shared' });
  const listed = await ok(r.hook, 'im.notify.get');
  const tagOf = (id: number) => listed.notifications.find((n: { id: number }) => n.id === id)?.notify_tag;
  const hash = (clientId: string) => createHash('md5').update(clientId).digest('hex').slice(0, 5);
  assert.equal(tagOf(id1), `MP|${hash(one.clientId)}|shared`);
  assert.equal(tagOf(id2), `MP|${hash(two.clientId)}|shared`);

  assert.equal(await ok(rest, 'im.notify.delete', { auth: t1.access_token, TAG: 'shared' }), true);
  const left = (await ok(r.hook, 'im.notify.get')).notifications.map((n: { id: number }) => n.id);
  assert.deepEqual(left, [id2]);
});

test('a SYSTEM notification from an application starts with its name; a personal one does not', async () => {
  const a = await addApp(ts, { name: 'Billing Bot' });
  const t = await tokensFor(ts, a, 1);
  const r = await ts.addUser({ login: 'prefix-recipient' });
  const system = await ok(rest, 'im.notify.system.add', { auth: t.access_token, USER_ID: r.id, MESSAGE: 'Invoice paid' });
  const personal = await ok(rest, 'im.notify.personal.add', { auth: t.access_token, USER_ID: r.id, MESSAGE: 'Hello' });
  const { notifications } = await ok(r.hook, 'im.notify.get');
  const text = (id: number) => notifications.find((n: { id: number }) => n.id === id).text as string;
  assert.match(text(system), /^Billing Bot/);
  assert.match(text(system), /Invoice paid$/);
  assert.equal(text(personal), 'Hello');
});
