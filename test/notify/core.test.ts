import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { call, ok } from '../helpers/http.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('sending: ids grow, both encodings, lower-case keys, errors with statuses', async () => {
  const bob = await ts.addUser({ login: 'bob-send', name: 'Bob' });
  const a = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: bob.id, MESSAGE: '  hello  ' });
  const b = await ok(ts.hook, 'im.notify.system.add', { user_id: bob.id, message: 'sys' }, 'form');
  const c = await ok(ts.hook, 'im.notify', { USER_ID: bob.id, MESSAGE: 'x', TYPE: 'SYSTEM' });
  assert.ok(a > 0 && b > a && c > b);
  let r = await call(ts.hook, 'im.notify.personal.add', { MESSAGE: 'x' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'USER_ID_EMPTY', "User ID can't be empty"]);
  r = await call(ts.hook, 'im.notify.system.add', { USER_ID: bob.id, MESSAGE: '   ' }, 'form');
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'MESSAGE_EMPTY', "Message can't be empty"]);
  assert.equal(await ok(ts.hook, 'im.notify', { USER_ID: 999999, MESSAGE: 'x' }), false);
  const page = await ok(bob.hook, 'im.notify.get');
  assert.equal(page.total_count, 3);
  assert.equal(page.total_unread_count, 3);
  assert.deepEqual(page.notifications.map((n: { id: number }) => n.id), [c, b, a]);
  const first = page.notifications[2];
  assert.equal(first.text, 'hello');
  assert.equal(first.notify_type, 2);
  assert.equal(first.author_id, 1);
  assert.equal(page.notifications[0].author_id, 0);
  assert.equal(page.notifications[0].notify_type, 4);
  assert.deepEqual(page.users.map((u: { id: number }) => u.id), [1]);
  assert.ok(page.chat_id > 0);
});

test('long text is over 20,006 chars is cut to 20,000 + " (...)"; #BR# becomes a newline', async () => {
  const u = await ts.addUser({ login: 'long-text' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'a'.repeat(20_007) });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'b'.repeat(20_006) });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'one#BR#two' });
  const page = await ok(u.hook, 'im.notify.get');
  assert.equal(page.notifications[0].text, 'one\ntwo');
  assert.equal(page.notifications[1].text, 'b'.repeat(20_006));
  assert.equal(page.notifications[2].text, `${'a'.repeat(20_000)} (...)`);
});

test('get: empty user, cursor errors, paging across stages without skips', async () => {
  const u = await ts.addUser({ login: 'pager' });
  assert.deepEqual(await ok(u.hook, 'im.notify.get'), { notifications: [], users: [] });
  let r = await call(u.hook, 'im.notify.get', { LAST_ID: 5 });
  assert.deepEqual([r.status, r.body.error], [400, 'LAST_ID_AND_LAST_TYPE']);
  r = await call(u.hook, 'im.notify.get', { LAST_ID: 'abc', LAST_TYPE: 3 });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'LAST_ID_STRING', "Last notification ID can't be string"]);
  const sent: number[] = [];
  for (let i = 0; i < 120; i++) sent.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `m${i}` }));
  const seen: number[] = [];
  let cursor: Record<string, unknown> = { LIMIT: 100 };
  for (;;) {
    const page = await ok(u.hook, 'im.notify.get', cursor);
    if (page.notifications.length === 0) break;
    assert.ok(page.notifications.length <= 50);
    seen.push(...page.notifications.map((n: { id: number }) => n.id));
    const last = page.notifications.at(-1);
    cursor = { LAST_ID: last.id, LAST_TYPE: last.notify_type === 1 ? 1 : 3 };
    // A new notification arriving while paging must not shift the cursor.
    if (seen.length === 50) await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'late' });
  }
  assert.deepEqual(seen, [...sent].reverse());
  assert.deepEqual((await ok(u.hook, 'im.notify.get', { LAST_ID: 1, LAST_TYPE: 7 })).notifications, []);
});

test('read, unread, read.list, read.all and counters', async () => {
  const u = await ts.addUser({ login: 'reader' });
  const ids: number[] = [];
  for (let i = 0; i < 4; i++) ids.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `r${i}` }));
  const unread = async () => (await ok(u.hook, 'im.notify.get')).total_unread_count;
  assert.equal(await ok(u.hook, 'im.notify.read', {}), true);
  assert.equal(await unread(), 4);
  await ok(u.hook, 'im.notify.read', { ID: ids[1], ONLY_CURRENT: 'Y' });
  assert.equal(await unread(), 3);
  await ok(u.hook, 'im.notify.read', { ID: ids[2] });
  assert.equal(await unread(), 1);
  await ok(u.hook, 'im.notify.read', { ID: ids[0], ACTION: 'N' }, 'form');
  assert.equal(await unread(), 4);
  await ok(u.hook, 'im.notify.read.list', { IDS: [ids[0], ids[3], 0, ids[1]] });
  assert.equal(await unread(), 2);
  assert.equal((await ok(u.hook, 'im.counters.get')).TYPE.NOTIFY, 2);
  const r = await call(u.hook, 'im.notify.read.list', { IDS: 5 });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'PARAMS_ERROR', 'No IDS param or it is not an array']);
  assert.deepEqual(await ok(u.hook, 'im.notify.read.all'), { result: true, newCounter: 0 });
  assert.equal(await unread(), 0);
});

test('delete: own id only, tag errors, webhook CLIENT_ID tags', async () => {
  const u = await ts.addUser({ login: 'deleter' });
  const other = await ts.addUser({ login: 'other-del' });
  const mine = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'x' });
  assert.equal(await ok(other.hook, 'im.notify.delete', { ID: mine }), false);
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: 999999 }), false);
  // The client id is checked before TAG/SUB_TAG: with neither, a webhook is refused, not misused.
  let r = await call(u.hook, 'im.notify.delete', {});
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [403, 'ACCESS_DENIED', 'Access denied! Client ID not specified']);
  r = await call(u.hook, 'im.notify.delete', { CLIENT_ID: 'app' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'PARAMS_ERROR', 'Incorrect params']);
  r = await call(u.hook, 'im.notify.delete', { TAG: 't' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [403, 'ACCESS_DENIED', 'Access denied! Client ID not specified']);
  assert.equal(await ok(u.hook, 'im.notify.delete', { id: mine }, 'form'), true);
  assert.deepEqual(await ok(u.hook, 'im.notify.get'), { notifications: [], users: [] });
  // Webhook tags are dropped on add, as on the portal.
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'tagged', TAG: 'T1', CLIENT_ID: 'app' });
  const page = await ok(u.hook, 'im.notify.get');
  assert.equal(page.notifications[0].notify_tag, '');
  assert.equal(await ok(u.hook, 'im.notify.delete', { SUB_TAG: 'none', CLIENT_ID: 'app' }), false);
  assert.equal(await ok(u.hook, 'im.notify.delete', { TAG: 'none', CLIENT_ID: 'app' }), true);
});

test('opt-in: webhook CLIENT_ID tags replace and delete across recipients', async () => {
  const s = await startTestServer({ webhookTagsWithClientId: true });
  try {
    const a = await s.addUser({ login: 'tag-a' });
    const b = await s.addUser({ login: 'tag-b' });
    await ok(s.hook, 'im.notify.system.add', { USER_ID: a.id, MESSAGE: 'old', TAG: 'T', CLIENT_ID: 'app' });
    const fresh = await ok(s.hook, 'im.notify.personal.add', { USER_ID: a.id, MESSAGE: 'new', TAG: 'T', CLIENT_ID: 'app' });
    await ok(s.hook, 'im.notify.system.add', { USER_ID: b.id, MESSAGE: 'b', TAG: 'T', CLIENT_ID: 'app' });
    await ok(s.hook, 'im.notify.system.add', { USER_ID: b.id, MESSAGE: 'other app', TAG: 'T', CLIENT_ID: 'app2' });
    const pa = await ok(a.hook, 'im.notify.get');
    assert.deepEqual(pa.notifications.map((n: { id: number }) => n.id), [fresh]);
    assert.match(pa.notifications[0].notify_tag, /^MP\|[0-9a-f]{5}\|T$/);
    // Another user's webhook naming the same CLIENT_ID has its own namespace: nothing goes.
    assert.equal(await ok(a.hook, 'im.notify.delete', { TAG: 'T', CLIENT_ID: 'app' }), true);
    assert.deepEqual((await ok(a.hook, 'im.notify.get')).notifications.map((n: { id: number }) => n.id), [fresh]);
    assert.equal(await ok(s.hook, 'im.notify.delete', { TAG: 'T', CLIENT_ID: 'app' }), true);
    assert.deepEqual(await ok(a.hook, 'im.notify.get'), { notifications: [], users: [] });
    const pb = await ok(b.hook, 'im.notify.get');
    assert.deepEqual(pb.notifications.map((n: { text: string }) => n.text), ['other app']);
  } finally {
    await s.close();
  }
});

test('retention: notifications older than retentionDays are purged by the job', async () => {
  const { ManualClock } = await import('../../src/lib/clock.ts');
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const s = await startTestServer({ retentionDays: 10 }, { clock });
  try {
    const u = await s.addUser({ login: 'old-news' });
    await ok(s.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'old' });
    clock.advance(11 * 86_400_000);
    const fresh = await ok(s.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'fresh' });
    const { purgeExpired } = await import('../../src/notify/retention.ts');
    assert.equal(await purgeExpired(s.server.services), 1);
    assert.deepEqual((await ok(u.hook, 'im.notify.get')).notifications.map((n: { id: number }) => n.id), [fresh]);
  } finally {
    await s.close();
  }
});

test('get: LIMIT <= 0 quirk and LAST_ID=0&LAST_TYPE=0 as first page', async () => {
  const u = await ts.addUser({ login: 'quirky' });
  const ids: number[] = [];
  for (let i = 0; i < 55; i++) ids.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `q${i}` }));
  assert.equal((await ok(u.hook, 'im.notify.get', { LAST_ID: 0, LAST_TYPE: 0, LIMIT: 3 })).notifications.length, 3);
  assert.equal((await ok(u.hook, 'im.notify.get', { LIMIT: 0 })).notifications.length, 0);
  const all = await ok(u.hook, 'im.notify.get', { LIMIT: -1, LAST_ID: ids[54], LAST_TYPE: 3 });
  assert.equal(all.notifications.length, 54);
});

test('history.search: 3-character rule, filters, total_results on the first page only', async () => {
  const u = await ts.addUser({ login: 'searcher' });
  const author = await ts.addUser({ login: 'search-author', name: 'Ann' });
  let r = await call(u.hook, 'im.notify.history.search', { SEARCH_TEXT: ' ab ' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'SEARCH_TEXT_ERROR', "SEARCH_TEXT can't be less then 3 symbols"]);
  assert.deepEqual(await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'nothing' }), []);
  const s1 = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'Invoice paid today' });
  const p1 = await ok(author.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: 'invoice overdue' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'unrelated' });
  const found = await ok(u.hook, 'im.notify.history.search', { search_text: 'INVOICE', LIMIT: 1 }, 'form');
  assert.equal(found.total_results, 2);
  assert.deepEqual(found.notifications.map((n: { id: number }) => n.id), [p1]);
  assert.deepEqual(found.users.map((x: { id: number }) => x.id), [author.id]);
  const next = await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'invoice', LAST_ID: p1 });
  assert.equal(next.total_results, undefined);
  assert.deepEqual(next.notifications.map((n: { id: number }) => n.id), [s1]);
  const bySystem = await ok(u.hook, 'im.notify.history.search', { SEARCH_AUTHORS: [0], SEARCH_TEXT: 'paid' });
  assert.deepEqual(bySystem.notifications.map((n: { id: number }) => n.id), [s1]);
  const byType = await ok(u.hook, 'im.notify.history.search', { SEARCH_TYPE: 'rest|rest_notify' });
  assert.equal(byType.total_results, 3);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal((await ok(u.hook, 'im.notify.history.search', { SEARCH_DATE: today })).total_results, 3);
  assert.equal((await ok(u.hook, 'im.notify.history.search', { SEARCH_DATE: '2001-01-01' })).total_results, 0);
  r = await call(u.hook, 'im.notify.history.search', { SEARCH_DATE: 'not a date' });
  assert.deepEqual([r.status, r.body.error], [400, 'ERROR_CORE']);
  r = await call(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'invoice', LAST_ID: 'x' });
  assert.deepEqual([r.status, r.body.error], [400, 'LAST_ID_STRING']);
});

test('confirm and answer: BUTTONS/ANSWER extensions, errors, ownership', async () => {
  const u = await ts.addUser({ login: 'confirmer' });
  const other = await ts.addUser({ login: 'not-confirmer' });
  const buttons = [
    { TITLE: 'Accept', VALUE: 'Y', TYPE: 'accept' },
    { TITLE: 'Decline', VALUE: 'N', TYPE: 'cancel' },
  ];
  const c = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: 'join?', BUTTONS: buttons });
  const q = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: 'reply?', ANSWER: 'Y' });
  const page = await ok(u.hook, 'im.notify.get');
  assert.deepEqual(page.notifications.map((n: { id: number }) => n.id), [c, q]);
  assert.equal(page.notifications[0].notify_type, 1);
  assert.equal(JSON.parse(page.notifications[0].notify_buttons)[1].COMMAND_PARAMS, `${c}|N`);
  let r = await call(u.hook, 'im.notify.confirm', { NOTIFY_VALUE: 'Y' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'ID_ERROR', "Notification ID can't be empty"]);
  r = await call(u.hook, 'im.notify.confirm', { NOTIFY_ID: c, NOTIFY_VALUE: '0' });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'NOTIFY_VALUE_ERROR', "Notification Value  can't be empty"]);
  r = await call(u.hook, 'im.notify.answer', { NOTIFY_ID: q });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], [400, 'ANSWER_TEXT_ERROR', "ANSWER_TEXT can't be empty"]);
  assert.deepEqual(await ok(other.hook, 'im.notify.confirm', { NOTIFY_ID: c, NOTIFY_VALUE: 'Y' }), { result_message: false });
  assert.deepEqual(await ok(u.hook, 'im.notify.confirm', { NOTIFY_ID: q, NOTIFY_VALUE: 'Y' }), { result_message: false });
  assert.deepEqual(await ok(u.hook, 'im.notify.read.all'), { result: true, newCounter: 1 });
  assert.deepEqual(await ok(u.hook, 'im.notify.answer', { notify_id: q, answer_text: 'ok' }, 'form'), { result_message: ['Your reply has been sent.'] });
  assert.deepEqual(await ok(u.hook, 'im.notify.answer', { NOTIFY_ID: q, ANSWER_TEXT: '   ' }), { result_message: false });
  assert.deepEqual(await ok(u.hook, 'im.notify.confirm', { NOTIFY_ID: c, NOTIFY_VALUE: 'N' }), { result_message: ['Your selection: "Decline"'] });
  assert.deepEqual((await ok(u.hook, 'im.notify.get')).notifications.map((n: { id: number }) => n.id), [q]);
});

test('CONVERT_TEXT=Y returns safe HTML in get and history.search', async () => {
  const u = await ts.addUser({ login: 'converter' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: '[b]Due[/b] <i>x</i> <s class="y">z</s> [url=javascript:alert(1)]click[/url]' });
  // The portal's text: HTML turned into BB code where it can, its link defused and uppercased.
  const text = '[b]Due[/b] [i]x[/i] <s class="y">z</s> [URL=http://java script&#58; alert(1)]click[/URL]';
  assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].text, text);
  const html = '<b>Due</b> <i>x</i> &lt;s class=&quot;y&quot;&gt;z&lt;/s&gt; click';
  assert.equal((await ok(u.hook, 'im.notify.get', { CONVERT_TEXT: 'Y' })).notifications[0].text, html);
  assert.equal((await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'due', CONVERT_TEXT: 'Y' }, 'form')).notifications[0].text, html);
});
