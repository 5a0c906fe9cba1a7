import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AjaxResult } from '@bitrix24/b24jssdk';
import { sdkHook } from '../helpers/sdk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// The test server's certificate is self-signed; only this test process skips verification.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

type User = { ID: string; NAME: string };

test('b24jssdk actions.v2.batch.make, named commands: an AjaxResult per name', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.batch.make({
    calls: {
      me: { method: 'user.current' },
      time: ['server.time'],
      admin: { method: 'user.get', params: { FILTER: { ID: [1] } } },
    },
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  const data = res.getData() as Record<string, AjaxResult<unknown>>;
  assert.deepEqual(Object.keys(data).sort(), ['admin', 'me', 'time']);
  assert.equal((data.me!.getData()!.result as User).ID, '1');
  assert.match(data.time!.getData()!.result as string, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual((data.admin!.getData()!.result as User[]).map((u) => u.ID), ['1']);
  assert.equal(data.admin!.getTotal(), 1);
});

test('b24jssdk actions.v2.batch.make, array form: results in order, plain data without AjaxResult', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.batch.make<unknown>({
    calls: [['server.time'], ['user.current'], ['profile', {}]],
    options: { isHaltOnError: true },
  });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  const data = res.getData() as unknown[];
  assert.equal(data.length, 3);
  assert.match(data[0] as string, /^\d{4}-/);
  assert.equal((data[1] as User).ID, '1');
  assert.equal((data[2] as { ID: number }).ID, 1);
});

test('b24jssdk actions.v2.batch.make, array of {method, params}: AjaxResults in order', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.batch.make({
    calls: [{ method: 'user.get', params: { FILTER: { ID: [1] } } }, { method: 'server.time' }],
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  assert.equal(res.isSuccess, true, res.getErrorMessages().join('; '));
  const data = res.getData() as AjaxResult<unknown>[];
  assert.equal(data.length, 2);
  assert.deepEqual((data[0]!.getData()!.result as User[]).map((u) => u.ID), ['1']);
  assert.match(data[1]!.getData()!.result as string, /^\d{4}-/);
});

test('b24jssdk batch without halt: a failed command is reported under its key, the others succeed', async () => {
  const imOnly = await ts.addUser({ login: 'sdk-batch-im' }, ['im']);
  const b24 = sdkHook(imOnly.httpsHook);
  const res = await b24.actions.v2.batch.make({
    calls: { t: ['server.time'], me: ['user.current'], p: ['profile'] },
    options: { isHaltOnError: false, returnAjaxResult: true },
  });
  assert.equal(res.isSuccess, false);
  const errors = [...res.getErrors()].map((e) => JSON.stringify(e, Object.getOwnPropertyNames(e)));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /insufficient_scope/);
  const data = res.getData() as Record<string, AjaxResult<unknown>>;
  assert.equal(data.t!.isSuccess, true);
  assert.equal((data.p!.getData()!.result as { ID: number }).ID, imOnly.id);
  assert.equal(data.me!.isSuccess, false);
});

test('b24jssdk batch with halt: the SDK accepts the answer that stops at the first failure', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const res = await b24.actions.v2.batch.make({
    calls: [['server.time'], ['no.such.method'], ['server.time']],
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  assert.equal(res.isSuccess, false);
  const errors = [...res.getErrors()].map((e) => JSON.stringify(e, Object.getOwnPropertyNames(e)));
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /ERROR_METHOD_NOT_FOUND/);
});

test('b24jssdk callBatch (the older helper) in object and array form', async () => {
  const b24 = sdkHook(ts.httpsHook);
  const named = await b24.callBatch({ me: { method: 'user.current' }, time: ['server.time'] }, true, true);
  assert.equal(named.isSuccess, true, named.getErrorMessages().join('; '));
  const namedData = named.getData() as Record<string, AjaxResult<unknown>>;
  assert.equal((namedData.me!.getData()!.result as User).ID, '1');

  const listed = await b24.callBatch([['server.time'], ['user.current']], true, false);
  assert.equal(listed.isSuccess, true, listed.getErrorMessages().join('; '));
  const listData = listed.getData() as unknown[];
  assert.equal(listData.length, 2);
  assert.equal((listData[1] as User).ID, '1');
});
