import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sdkHook } from '../helpers/sdk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('b24jssdk over the HTTPS webhook URL: server.time', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.call.make<string>({ method: 'server.time' });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  const data = res.getData()!;
  assert.match(data.result, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.ok(Math.abs(Date.parse(data.result) - Date.now()) < 5_000);
  assert.equal(typeof data.time.start, 'number');
});

test('b24jssdk: user.current returns the webhook owner', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.call.make<Record<string, unknown>>({ method: 'user.current' });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  assert.equal(res.getData()!.result.ID, '1');
  assert.equal(res.getData()!.result.NAME, 'Administrator');
});

test('b24jssdk: profile of another user through their own webhook', async () => {
  const other = await ts.addUser({ login: 'sdk-jane', name: 'Jane', lastName: 'Doe' });
  const b24 = sdkHook(other.httpsHook);
  const res = await b24.actions.v2.call.make<Record<string, unknown>>({ method: 'profile' });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  assert.deepEqual(
    { ID: res.getData()!.result.ID, NAME: res.getData()!.result.NAME, LAST_NAME: res.getData()!.result.LAST_NAME, ADMIN: res.getData()!.result.ADMIN },
    { ID: other.id, NAME: 'Jane', LAST_NAME: 'Doe', ADMIN: false },
  );
});

test('b24jssdk: an error answer is reported with its Bitrix code', async () => {
  const limited = await ts.addUser({ login: 'sdk-im-only' }, ['im']);
  const b24 = sdkHook(limited.httpsHook);
  const res = await b24.actions.v2.call.make({ method: 'user.current' }).catch((err: unknown) => err);
  const text = res instanceof Error ? `${res.message} ${JSON.stringify(res)}` : JSON.stringify(res);
  assert.match(text, /insufficient_scope|higher privileges/);
});
