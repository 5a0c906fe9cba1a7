/**
 * Every parameter shape has a bound: nesting (PHP's json_decode depth, 512), the number of
 * values in a parameter set, and the different values of a filter list; past it the answer is
 * a clear Bitrix-style 400, never a stack overflow or a 500. Id lists of read/delete calls are
 * processed in chunks, so 40,000 ids work.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, ok, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/** `levels` nested JSON lists around an empty one, as text (JSON.stringify would overflow). */
const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const post = (url: string, body: string, type = 'application/json') => request(url, { method: 'POST', headers: { 'Content-Type': type }, body });

test('JSON nested 100,000 levels, in the body or inside a batch command, is ERROR_PARAMS_TOO_DEEP', async () => {
  const top = await post(`${ts.hook}batch`, `{"cmd":{"a":"server.time"},"x":${nested(100_000)}}`);
  assert.deepEqual([top.status, top.body.error], [400, 'ERROR_PARAMS_TOO_DEEP'], top.text.slice(0, 200));
  assert.equal(top.body.error_description, 'Parameters are nested deeper than 512 levels');

  const u = await ts.addUser();
  const deepAttach = encodeURIComponent(nested(100_000));
  const inside = await post(`${ts.hook}batch`, JSON.stringify({
    cmd: { ok: 'server.time', deep: `im.notify.system.add?USER_ID=${u.id}&MESSAGE=x&ATTACH=${deepAttach}` },
  }));
  assert.equal(inside.status, 200, inside.text.slice(0, 200));
  assert.equal(inside.body.result.result_error.deep.error, 'ERROR_PARAMS_TOO_DEEP');
  assert.ok(inside.body.result.result.ok);

  const objectForm = await post(`${ts.hook}batch`, `{"cmd":{"a":{"method":"server.time","params":{"p":${nested(600)}}}}}`);
  assert.deepEqual([objectForm.status, objectForm.body.error], [400, 'ERROR_PARAMS_TOO_DEEP']);
});

test('the depth bound is exactly PHP\'s: 512 levels pass, 513 do not', async () => {
  // The body object is level 1, as json_decode counts.
  const at = await post(`${ts.hook}server.time`, `{"x":${nested(511)}}`);
  assert.equal(at.status, 200, at.text.slice(0, 200));
  const over = await post(`${ts.hook}server.time`, `{"x":${nested(512)}}`);
  assert.deepEqual([over.status, over.body.error], [400, 'ERROR_PARAMS_TOO_DEEP']);
  const attach = await call(ts.hook, 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'x', ATTACH: nested(5000) });
  assert.deepEqual([attach.status, attach.body.error], [400, 'ERROR_PARAMS_TOO_DEEP']);
});

test('form, query and multipart nesting is cut by the decoder, never refused with a 500', async () => {
  const deepKey = `x${'[a]'.repeat(50_000)}=1`;
  assert.equal((await post(`${ts.hook}server.time`, deepKey, 'application/x-www-form-urlencoded')).status, 200);
  assert.equal((await request(`${ts.hook}server.time?${deepKey}`)).status, 200);
  const form = new FormData();
  form.append(`x${'[a]'.repeat(1_000)}`, '1');
  assert.equal((await request(`${ts.hook}server.time`, { method: 'POST', body: form })).status, 200);
  // A part header too long for the multipart parser is a malformed body.
  const huge = new FormData();
  huge.append(`x${'[a]'.repeat(10_000)}`, '1');
  const refused = await request(`${ts.hook}server.time`, { method: 'POST', body: huge });
  assert.deepEqual([refused.status, refused.body.error], [400, 'WRONG_ENCODING']);
  // A part whose header names no field (found by the fuzz suite: it used to throw inside a
  // stream event, outside any request, and stop the process).
  const nameless = await post(`${ts.hook}server.time`, '--zz\r\nContent-Disposition: form-data; filename=x\r\n\r\nv\r\n--zz\r\nContent-Disposition: form-data\r\n\r\nv\r\n--zz--\r\n', 'multipart/form-data; boundary=zz');
  assert.equal(nameless.status, 200, nameless.text);
  assert.equal((await call(ts.hook, 'server.time')).status, 200);
});

test('more than 100,000 values in one parameter set is ERROR_PARAMS_TOO_LARGE', async () => {
  const many = await post(`${ts.hook}server.time`, JSON.stringify({ x: new Array(100_001).fill(0) }));
  assert.deepEqual([many.status, many.body.error], [400, 'ERROR_PARAMS_TOO_LARGE']);
  assert.equal(many.body.error_description, 'Parameters hold more than 100000 values');
  const keys = await post(`${ts.hook}server.time`, JSON.stringify({ x: Object.fromEntries(Array.from({ length: 100_001 }, (_, i) => [`k${i}`, 1])) }));
  assert.deepEqual([keys.status, keys.body.error], [400, 'ERROR_PARAMS_TOO_LARGE']);
});

test('im.notify.read.list and im.notify.delete take 40,000 ids (processed in chunks)', async () => {
  const u = await ts.addUser();
  const sent: number[] = [];
  for (let i = 0; i < 3; i++) sent.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `n${i}`, TAG: i < 2 ? 'group' : '' }));
  const ids = Array.from({ length: 40_000 }, (_, i) => sent[2]! + 40_000 - i);
  ids.push(...sent.slice(0, 2).reverse());
  assert.equal(await ok(u.hook, 'im.notify.read.list', { IDS: ids, ACTION: 'Y' }), true);
  let page = await ok(u.hook, 'im.notify.get');
  assert.equal(page.total_unread_count, 1);
  // Unread brings back the tag group, looked up in chunks too.
  assert.equal(await ok(u.hook, 'im.notify.read.list', { IDS: ids, ACTION: 'N' }), true);
  page = await ok(u.hook, 'im.notify.get');
  assert.equal(page.total_unread_count, 3);

  const form = await call(u.hook, 'im.notify.read.list', { IDS: ids.slice(0, 20_000), ACTION: 'Y' }, 'form');
  assert.equal(form.status, 200, form.text.slice(0, 200));

  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: [...ids, sent[2]!] }), true);
  page = await ok(u.hook, 'im.notify.get');
  assert.deepEqual(page.notifications, []);
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: ids }), false);
});

test('filter lists: more than 1,000 different values is ERROR_LIST_TOO_LONG naming the list', async () => {
  const distinct = Array.from({ length: 40_000 }, (_, i) => i + 1);
  const users = await call(ts.hook, 'user.get', { FILTER: { ID: distinct } });
  assert.deepEqual([users.status, users.body.error, users.body.argument], [400, 'ERROR_LIST_TOO_LONG', 'ID']);
  const repeated = await call(ts.hook, 'user.get', { FILTER: { ID: new Array(40_000).fill(1) } });
  assert.equal(repeated.status, 200, repeated.text.slice(0, 200));
  assert.equal(repeated.body.result.length, 1);

  const authors = await call(ts.hook, 'im.notify.history.search', { SEARCH_AUTHORS: distinct });
  assert.deepEqual([authors.status, authors.body.error, authors.body.argument], [400, 'ERROR_LIST_TOO_LONG', 'SEARCH_AUTHORS']);
  const types = await call(ts.hook, 'im.notify.history.search', { SEARCH_TYPES: distinct.map((i) => `m${i}`) });
  assert.deepEqual([types.status, types.body.argument], [400, 'SEARCH_TYPES']);
  const words = await call(ts.hook, 'im.notify.history.search', { SEARCH_TEXT: distinct.map((i) => `w${i}`).join(' ') });
  assert.deepEqual([words.status, words.body.argument], [400, 'SEARCH_TEXT']);
  const sameWords = await call(ts.hook, 'im.notify.history.search', { SEARCH_TEXT: new Array(5_000).fill('hello').join(' ') });
  assert.equal(sameWords.status, 200, sameWords.text.slice(0, 200));
  const sameAuthors = await call(ts.hook, 'im.notify.history.search', { SEARCH_AUTHORS: new Array(40_000).fill(1) });
  assert.equal(sameAuthors.status, 200, sameAuthors.text.slice(0, 200));
});

test('sign-in and console bodies have the same bounds; the server still answers afterwards', async () => {
  await ts.addUser({ login: 'bounds-admin', password: 'bounds-admin-1', isAdmin: true });
  const admin = await webLogin(ts, 'bounds-admin', 'bounds-admin-1');
  const consoleDeep = await request(`${ts.url}/console/api/webhooks`, {
    method: 'POST',
    headers: { Cookie: admin.cookie, 'X-Sessid': admin.sessid, 'Content-Type': 'application/json' },
    body: `{"user_id":1,"scopes":${nested(20_000)}}`,
  });
  assert.deepEqual([consoleDeep.status, consoleDeep.body.error], [400, 'ERROR_PARAMS_TOO_DEEP']);
  const login = await post(`${ts.url}/login`, `{"login":${nested(5000)}}`);
  assert.deepEqual([login.status, login.body.error], [400, 'ERROR_PARAMS_TOO_DEEP']);
  assert.equal((await call(ts.hook, 'server.time')).status, 200);
});
