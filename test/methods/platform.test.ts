import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('server.time is the server clock as an ISO date with offset', async () => {
  const reply = await request(`${ts.hook}server.time`);
  assert.ok(Math.abs(Date.parse(reply.body.result) - Date.now()) < 5_000);
});

test('scope lists the grant; scope?full=true every scope of the server', async () => {
  assert.deepEqual((await request(`${ts.hook}scope`)).body.result.sort(), ['im', 'user']);
  const full = (await request(`${ts.hook}scope?full=true`)).body.result;
  assert.ok(full.includes('user'));
  assert.ok(!full.includes('_global'));
  const imOnly = await ts.addUser({ login: 'scope-im' }, ['im']);
  assert.deepEqual((await request(`${imOnly.hook}scope`)).body.result, ['im']);
});

test('methods: granted scopes plus _global; SCOPE filters; empty SCOPE is _global only', async () => {
  const imOnly = await ts.addUser({ login: 'methods-im' }, ['im']);
  const granted = (await request(`${imOnly.hook}methods`)).body.result;
  assert.ok(granted.includes('server.time'));
  assert.ok(!granted.includes('user.current'));
  const userScope = (await call(ts.hook, 'methods', { scope: 'user' })).body.result;
  assert.ok(userScope.includes('user.current') && !userScope.includes('server.time'));
  const globalOnly = (await call(ts.hook, 'methods', { scope: '' }, 'get')).body.result;
  assert.ok(globalOnly.includes('server.time') && !globalOnly.includes('user.current'));
  const full = (await call(imOnly.hook, 'methods', { full: true })).body.result;
  assert.ok(full.includes('user.current'));
});

test('method.get says whether a method exists and whether this caller may call it', async () => {
  const imOnly = await ts.addUser({ login: 'method-get-im' }, ['im']);
  assert.deepEqual((await call(imOnly.hook, 'method.get', { name: 'user.current' })).body.result, { isExisting: true, isAvailable: false });
  assert.deepEqual((await call(imOnly.hook, 'method.get', { name: 'server.time' })).body.result, { isExisting: true, isAvailable: true });
  assert.deepEqual((await call(imOnly.hook, 'method.get', { name: 'nope.nope' })).body.result, { isExisting: false, isAvailable: false });
  assert.deepEqual((await call(imOnly.hook, 'method.get', {})).body.result, { isExisting: false, isAvailable: false });
});

test('user.current describes the caller', async () => {
  const kim = await ts.addUser({ login: 'kim', name: 'Kim', lastName: 'Lee', email: 'kim@example.com', workPosition: 'Ops' });
  const user = (await request(`${kim.hook}user.current`)).body.result;
  assert.equal(user.ID, String(kim.id));
  assert.equal(user.ACTIVE, true);
  assert.equal(user.NAME, 'Kim');
  assert.equal(user.LAST_NAME, 'Lee');
  assert.equal(user.EMAIL, 'kim@example.com');
  assert.equal(user.WORK_POSITION, 'Ops');
  assert.match(user.DATE_REGISTER, /^\d{4}-\d\d-\d\dT/);
});

test('user.get: by ID, by filter, and paged by 50 with total and next', async () => {
  const one = (await call(ts.hook, 'user.get', { ID: 1 })).body;
  assert.equal(one.result.length, 1);
  assert.equal(one.result[0].ID, '1');
  assert.equal(one.total, 1);
  const byFilter = (await call(ts.hook, 'user.get', { FILTER: { EMAIL: 'kim@example.com' } }, 'form')).body;
  assert.deepEqual(byFilter.result.map((u: { NAME: string }) => u.NAME), ['Kim']);

  for (let i = 0; i < 55; i++) await ts.addUser({ login: `page-${i}`, workPosition: 'Pager' });
  const first = (await call(ts.hook, 'user.get', { FILTER: { WORK_POSITION: 'Pager' } })).body;
  assert.equal(first.result.length, 50);
  assert.equal(first.total, 55);
  assert.equal(first.next, 50);
  const second = (await call(ts.hook, 'user.get?start=50', { FILTER: { WORK_POSITION: 'Pager' } })).body;
  assert.equal(second.result.length, 5);
  assert.equal(second.next, undefined);
  assert.equal(new Set([...first.result, ...second.result].map((u: { ID: string }) => u.ID)).size, 55);

  const none = (await call(ts.hook, 'user.get', { FILTER: { EMAIL: 'nobody@example.com' } })).body;
  assert.deepEqual(none.result, []);
  assert.equal(none.total, undefined);
});

test('profile: the caller as the portal describes it', async () => {
  const profile = (await request(`${ts.hook}profile`)).body.result;
  assert.deepEqual({ ID: profile.ID, ADMIN: profile.ADMIN, NAME: profile.NAME }, { ID: 1, ADMIN: true, NAME: 'Administrator' });
});

test('scope, methods and method.get read their parameters as the portal does', async () => {
  const imOnly = await ts.addUser({ login: 'platform-reading' }, ['im']);
  // `full` is a PHP flag: "false" is a non-empty string, so it asks for everything.
  assert.ok((await request(`${imOnly.hook}scope?full=false`)).body.result.includes('user'));
  assert.deepEqual((await request(`${imOnly.hook}scope?full=0`)).body.result, ['im']);
  // SCOPE wins over FULL.
  const both = (await call(imOnly.hook, 'methods', { scope: 'user', full: true })).body.result;
  assert.ok(both.includes('user.current') && !both.includes('im.notify') && !both.includes('server.time'));
  // method.get reads `name` exactly as sent and matches it exactly.
  assert.deepEqual((await call(imOnly.hook, 'method.get', { NAME: 'server.time' })).body.result, { isExisting: false, isAvailable: false });
  assert.deepEqual((await call(imOnly.hook, 'method.get', { name: 'SERVER.TIME' })).body.result, { isExisting: false, isAvailable: false });
  assert.deepEqual((await call(imOnly.hook, 'method.get', { name: 'im.notify' }, 'form')).body.result, { isExisting: true, isAvailable: true });
});

test('user.get with start=-1: the first page without counting, total 0 and no next', async () => {
  for (let i = 0; i < 3; i++) await ts.addUser({ login: `uncounted-${i}`, workPosition: 'Uncounted' });
  const body = (await call(ts.hook, 'user.get?start=-1', { FILTER: { WORK_POSITION: 'Uncounted' } })).body;
  assert.deepEqual([body.result.length, body.total, body.next], [3, 0, undefined]);
  const negative = (await call(ts.hook, 'user.get?start=-5', { FILTER: { WORK_POSITION: 'Uncounted' } })).body;
  assert.deepEqual([negative.result.length, negative.total], [3, 3]);
});

test('user.get with a start beyond any integer: an empty page, not a failed query', async () => {
  for (const [params, encoding] of [[{ start: 1e308 }, 'json'], [{ start: '99999999999999999999' }, 'form']] as const) {
    const res = await call(ts.hook, 'user.get', params, encoding);
    assert.deepEqual([res.status, res.body.result], [200, []], `${encoding} ${JSON.stringify(params)}`);
  }
});
