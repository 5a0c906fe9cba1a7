/**
 * The places where notify24 answered differently from the portal, each asserted with the
 * portal's exact answer through every entry point: REST (JSON, form, .xml), batch, the web
 * page's own session calls, the push channel, and the official SDK.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, ok, request } from '../helpers/http.ts';
import { sdkHook } from '../helpers/sdk.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { sdkCall } from './sdk-scenario.ts';
import { openWs } from '../web/channel-client.ts';
import { addApp, tokensFor } from '../apps/oauth-client.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/** A REST call from the web page: session cookie plus sessid, as the center makes it. */
function pageCall(who: WebLogin, method: string, params: Record<string, unknown> = {}) {
  return request(`${ts.url}/rest/${method}.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: who.cookie },
    body: JSON.stringify({ ...params, sessid: who.sessid }),
  });
}

const MESSAGE = '<b>Invoice</b> &lt;#7&gt; paid<br>see https://billing.example.com/i/7?a=1&amp;b=2. <a href="/inv/7">open</a> &quot;ok&quot;';
const STORED_TEXT = '[b]Invoice[/b] <#7> paid\nsee [URL]https://billing.example.com/i/7?a=1&b=2[/URL]. [URL=/inv/7]open[/URL] "ok"';

test('text: HTML becomes BB code on store and the parse runs on read, in every entry point', async () => {
  const u = await ts.addUser({ login: 'text-reader', password: 'text-reader-1' });
  const who = await webLogin(ts, 'text-reader', 'text-reader-1');
  const ws = await openWs(ts, who.cookie);
  try {
    const id = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE });
    // The push message the center receives carries the printed text.
    const pushed = await ws.inbox.until('notifyAdd');
    assert.equal(pushed.params.text, STORED_TEXT);

    const byJson = await ok(u.hook, 'im.notify.get');
    assert.equal(byJson.notifications[0].id, id);
    assert.equal(byJson.notifications[0].text, STORED_TEXT);
    assert.equal((await ok(u.hook, 'im.notify.get', {}, 'form')).notifications[0].text, STORED_TEXT);
    const found = await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'invoice' });
    assert.equal(found.notifications[0].text, STORED_TEXT);

    // XML: the same text, escaped as XML.
    const xml = await request(`${u.hook}im.notify.get.xml`);
    const escaped = STORED_TEXT.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
    assert.ok(xml.text.includes(`<text>${escaped}</text>`), xml.text);

    const batch = await ok(u.hook, 'batch', { cmd: { list: 'im.notify.get', search: 'im.notify.history.search?SEARCH_TEXT=paid' } });
    assert.equal(batch.result.list.notifications[0].text, STORED_TEXT);
    assert.equal(batch.result.search.notifications[0].text, STORED_TEXT);

    const page = await pageCall(who, 'im.notify.get');
    assert.equal(page.body.result.notifications[0].text, STORED_TEXT);

    const sdk = await sdkCall(sdkHook(u.httpsHook), 'im.notify.get');
    assert.equal(sdk.notifications[0].text, STORED_TEXT);

    // Search reads the stored BB code: the HTML tag name is gone, the code is there.
    assert.deepEqual(await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'href' }), { chat_id: byJson.chat_id, notifications: [], users: [], total_results: 0 });
    assert.equal((await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'url=/inv/7' })).total_results, 1);
  } finally {
    await ws.close();
  }
});

test('text: a SYSTEM notification from an application keeps its name prefix through the conversion', async () => {
  const a = await addApp(ts, { name: 'Billing <b>Pro</b>' });
  const u = await ts.addUser({ login: 'text-app-reader' });
  const t = await tokensFor(ts, a, u.id);
  await ok(`${ts.url}/rest/`, 'im.notify.system.add', { auth: t.access_token, USER_ID: u.id, MESSAGE: 'due <i>today</i>' });
  assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].text, 'Billing [b]Pro[/b]\ndue [i]today[/i]');
});

test('text: a bare link over 55 characters prints its full target and a shortened text', async () => {
  const u = await ts.addUser({ login: 'text-long-link' });
  const long = 'https://crm.example.com/deal/details/12345/?tab=timeline&filter=all-activities';
  const short = 'https://crm.example.com/deal/details/12345/?t...ivities';
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `see ${long} and https://crm.example.com/deal/7` });
  const expected = `see [URL=${long}]${short}[/URL] and [URL]https://crm.example.com/deal/7[/URL]`;
  assert.equal([...short].length, 55);
  assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].text, expected);
  const xml = await request(`${u.hook}im.notify.get.xml`);
  assert.ok(xml.text.includes(`[URL=${long.replaceAll('&', '&#38;')}]${short}[/URL]`), xml.text);
});

test('delete: a webhook without CLIENT_ID is refused before TAG/SUB_TAG are read', async () => {
  const u = await ts.addUser({ login: 'delete-order' });
  const denied = [403, 'ACCESS_DENIED', 'Access denied! Client ID not specified'];
  const incorrect = [400, 'PARAMS_ERROR', 'Incorrect params'];
  const answer = async (params: Record<string, unknown>, encoding: 'json' | 'form' = 'json') => {
    const r = await call(u.hook, 'im.notify.delete', params, encoding);
    return [r.status, r.body.error, r.body.error_description];
  };
  assert.deepEqual(await answer({}), denied);
  assert.deepEqual(await answer({}, 'form'), denied);
  assert.deepEqual(await answer({ CLIENT_ID: '0' }), denied, '"0" is empty');
  assert.deepEqual(await answer({ CLIENT_ID: '' }), denied);
  assert.deepEqual(await answer({ TAG: '0', SUB_TAG: '' }), denied);
  assert.deepEqual(await answer({ CLIENT_ID: 'app' }), incorrect, 'with a client id and nothing to delete by');
  assert.deepEqual(await answer({ client_id: 'app', tag: '0' }), incorrect);

  const xml = await request(`${u.hook}im.notify.delete.xml`);
  assert.equal(xml.status, 403);
  assert.equal(xml.text, '<response><error>ACCESS_DENIED</error><error_description>Access denied! Client ID not specified</error_description></response>');

  const batch = await ok(u.hook, 'batch', { cmd: { none: 'im.notify.delete', app: 'im.notify.delete?CLIENT_ID=app' } });
  assert.deepEqual(batch.result_error, {
    none: { error: 'ACCESS_DENIED', error_description: 'Access denied! Client ID not specified' },
    app: { error: 'PARAMS_ERROR', error_description: 'Incorrect params' },
  });

  // An application always has a client id: nothing to delete by is PARAMS_ERROR.
  const a = await addApp(ts, { name: 'Deleter' });
  const t = await tokensFor(ts, a, u.id);
  const r = await call(`${ts.url}/rest/`, 'im.notify.delete', { auth: t.access_token });
  assert.deepEqual([r.status, r.body.error, r.body.error_description], incorrect);
});

test('delete: any ID takes the id path and answers false when nothing of the caller\'s went', async () => {
  const u = await ts.addUser({ login: 'delete-ids', password: 'delete-ids-1' });
  for (const ID of ['', '0', 'abc', 0, -5, []]) assert.equal(await ok(u.hook, 'im.notify.delete', { ID }), false, JSON.stringify(ID));
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: '' }, 'form'), false);
  const who = await webLogin(ts, 'delete-ids', 'delete-ids-1');
  assert.equal((await pageCall(who, 'im.notify.delete', { ID: '' })).body.result, false);
  const noId = await pageCall(who, 'im.notify.delete', {});
  assert.deepEqual([noId.status, noId.body.error], [400, 'PARAMS_ERROR']);
  // A one-element list is its element; an object without key 0 names nothing.
  const one = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'one' });
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: { x: one } }), false);
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: [one] }), true);
  const two = [await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'a' }), await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'b' })];
  assert.equal(await ok(u.hook, 'im.notify.delete', { ID: two.map(String) }, 'form'), true);
  assert.deepEqual(await ok(u.hook, 'im.notify.get'), { notifications: [], users: [] });
});

test('history.search GROUP_TAG: confirm, mention and admin filter on the portal\'s fixed lists', async () => {
  const u = await ts.addUser({ login: 'group-tag' });
  const repo = ts.server.services.store.notifications;
  const add = async (module: string, event: string, type = 4) => {
    await repo.claimChat(u.id);
    return repo.insert({
      userId: u.id, authorId: 0, type, module, event, tag: '', subTag: '', title: '', text: `grouped ${module} ${event}`,
      messageOut: '', buttons: type === 1 ? '[{"TITLE":"OK","VALUE":"Y","TYPE":"accept"}]' : '', params: '', senderClientId: '', tagOwner: '',
      createdAt: ts.server.services.clock.now(),
    });
  };
  const mention = [await add('im', 'mention'), await add('forum', 'mention_comment')];
  const admin = [
    await add('blog', 'log_notify_all_request'), await add('imbot', 'refresh_error'), await add('intranet', 'refresh_error'),
    await add('voximplant', 'notifications'), await add('voximplant', 'status_notifications'), await add('tasks', 'admin_notification'),
  ];
  const confirm = [await add('im', 'default', 1)];
  const other = [await add('imbot', 'log_notify_all_request'), await add('blog', 'refresh_error'), await add('rest', 'rest_notify')];
  const everything = [...mention, ...admin, ...confirm, ...other];
  const search = async (GROUP_TAG?: unknown) => {
    const r = await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'grouped', ...(GROUP_TAG === undefined ? {} : { GROUP_TAG }) });
    return { ids: r.notifications.map((n: { id: number }) => n.id).sort((x: number, y: number) => x - y), total: r.total_results };
  };
  const sorted = (ids: number[]) => ({ ids: [...ids].sort((x, y) => x - y), total: ids.length });
  assert.deepEqual(await search('mention'), sorted(mention));
  assert.deepEqual(await search('admin'), sorted(admin));
  assert.deepEqual(await search('confirm'), sorted(confirm));
  for (const none of [undefined, '', '0', '5', 'unknown', 'Mention']) assert.deepEqual(await search(none), sorted(everything), String(none));
  // Form encoding and paging with LAST_ID keep the filter.
  const page = await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'grouped', GROUP_TAG: 'admin', LIMIT: 2 }, 'form');
  assert.equal(page.notifications.length, 2);
  const rest = await ok(u.hook, 'im.notify.history.search', { SEARCH_TEXT: 'grouped', GROUP_TAG: 'admin', LAST_ID: page.notifications[1].id });
  assert.equal(rest.total_results, undefined);
  assert.deepEqual([...page.notifications, ...rest.notifications].map((n: { id: number }) => n.id).sort((x: number, y: number) => x - y), sorted(admin).ids);
  // Inside a batch and as XML the filter is the same.
  const batch = await ok(u.hook, 'batch', { cmd: { m: 'im.notify.history.search?SEARCH_TEXT=grouped&GROUP_TAG=mention' } });
  assert.equal(batch.result.m.total_results, mention.length);
  const xml = await request(`${u.hook}im.notify.history.search.xml?SEARCH_TEXT=grouped&GROUP_TAG=confirm`);
  assert.match(xml.text, new RegExp(`<total_results>${confirm.length}</total_results>`));
});

test('methods does not list the private im.notify.get, history.search and schema.get; they stay callable', async () => {
  const hidden = ['im.notify.get', 'im.notify.history.search', 'im.notify.schema.get'];
  const listed = ['im.notify', 'im.notify.personal.add', 'im.notify.system.add', 'im.notify.delete', 'im.notify.read', 'im.notify.read.list', 'im.notify.read.all', 'im.notify.confirm', 'im.notify.answer', 'im.counters.get'];
  const u = await ts.addUser({ login: 'methods-private', password: 'methods-private-1' }, ['im']);
  const who = await webLogin(ts, 'methods-private', 'methods-private-1');
  const lists = [
    await ok(u.hook, 'methods'),
    await ok(u.hook, 'methods', { full: true }),
    await ok(u.hook, 'methods', { scope: 'im' }, 'get'),
    (await pageCall(who, 'methods', { scope: 'im' })).body.result,
    (await ok(u.hook, 'batch', { cmd: ['methods?scope=im'] })).result[0],
  ];
  for (const list of lists) {
    for (const name of hidden) assert.ok(!list.includes(name), name);
    for (const name of listed) assert.ok(list.includes(name), name);
  }
  const xml = await request(`${u.hook}methods.xml?scope=im`);
  assert.ok(!xml.text.includes('<item>im.notify.get</item>') && xml.text.includes('<item>im.notify.delete</item>'), xml.text);
  for (const name of hidden) {
    assert.deepEqual(await ok(u.hook, 'method.get', { name }), { isExisting: true, isAvailable: true }, name);
    assert.equal((await call(u.hook, name, name === 'im.notify.history.search' ? { SEARCH_TEXT: 'abc' } : {})).status, 200, name);
  }
});

test('a stored tag or sub-tag over 255 characters: result false, nothing stored or replaced', async () => {
  const a = await addApp(ts, { name: 'Long tags' });
  const u = await ts.addUser({ login: 'long-tags' });
  const t = await tokensFor(ts, a, u.id);
  const rest = `${ts.url}/rest/`;
  const send = (params: Record<string, unknown>, encoding: 'json' | 'form' = 'json') =>
    call(rest, 'im.notify.personal.add', { auth: t.access_token, USER_ID: u.id, MESSAGE: 'm', ...params }, encoding);
  // `MP|` + 5 characters + `|` + the tag must fit 255 characters (characters, not bytes).
  const fits = 'x'.repeat(246);
  const first = await send({ TAG: fits });
  assert.deepEqual([first.status, typeof first.body.result], [200, 'number']);
  for (const params of [{ TAG: `${fits}y` }, { SUB_TAG: `${fits}y` }, { TAG: 'ü'.repeat(247) }]) {
    const r = await send(params);
    assert.deepEqual([r.status, r.body], [200, { result: false, time: r.body.time }], JSON.stringify(params).slice(0, 40));
  }
  assert.equal((await send({ TAG: `${fits}y` }, 'form')).body.result, false);
  const xml = await request(`${rest}im.notify.personal.add.xml`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ auth: t.access_token, USER_ID: u.id, MESSAGE: 'm', TAG: `${fits}y` }),
  });
  assert.match(xml.text, /^<response><result><\/result><time>/);
  const batch = await ok(rest, 'batch', { auth: t.access_token, cmd: { long: `im.notify.personal.add?USER_ID=${u.id}&MESSAGE=m&TAG=${'z'.repeat(300)}` } });
  assert.deepEqual([batch.result.long, batch.result_error], [false, []]);
  assert.equal(typeof (await send({ TAG: 'ü'.repeat(246) })).body.result, 'number');

  // Nothing stored: the two that fit are there, and the long tag did not replace the first.
  const page = await ok(u.hook, 'im.notify.get');
  assert.deepEqual(page.notifications.map((n: { notify_tag: string }) => [...n.notify_tag].length), [255, 255]);
  assert.equal(page.notifications[1].id, first.body.result);
  // A webhook's TAG is dropped on add, so its length does not matter.
  assert.equal(typeof (await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: 'w', TAG: 'q'.repeat(400) })), 'number');
});

test('tag replacement: params.USERS lists who wrote the replaced notifications, the new author excepted', async () => {
  const a = await addApp(ts, { name: 'Replacer' });
  const [ann, bob, rec] = [await ts.addUser({ login: 'users-ann' }), await ts.addUser({ login: 'users-bob' }), await ts.addUser({ login: 'users-rec' })];
  const token = async (id: number) => (await tokensFor(ts, a, id)).access_token;
  const [annToken, bobToken] = [await token(ann.id), await token(bob.id)];
  const rest = `${ts.url}/rest/`;
  const send = (auth: string, method: string, extra: Record<string, unknown> = {}) =>
    ok(rest, method, { auth, USER_ID: rec.id, MESSAGE: 'm', TAG: 'T', ...extra });
  const only = async () => {
    const page = await ok(rec.hook, 'im.notify.get');
    assert.equal(page.notifications.length, 1);
    return page.notifications[0].params;
  };
  await send(annToken, 'im.notify.personal.add');
  assert.equal(await only(), null, 'nothing replaced: no USERS');
  await send(annToken, 'im.notify.personal.add');
  assert.equal(await only(), null, 'the same author again: no one else');
  await send(bobToken, 'im.notify.personal.add');
  assert.deepEqual(await only(), { USERS: [ann.id] });
  await send(bobToken, 'im.notify.system.add', { ATTACH: [{ MESSAGE: 'x' }] });
  const withAttach = await only();
  assert.deepEqual([Object.keys(withAttach), withAttach.USERS], [['ATTACH', 'USERS'], [bob.id, ann.id]]);
  await send(bobToken, 'im.notify.personal.add');
  assert.deepEqual(await only(), { USERS: [0, ann.id] }, 'a system notification counts as author 0');
});

test('history.search reads its filters as the portal normalises them', async () => {
  const u = await ts.addUser({ login: 'search-normalise' });
  for (const m of ['alpha one', 'alpha two', 'beta']) await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: m });
  const count = async (params: Record<string, unknown>, encoding: 'json' | 'form' = 'json') =>
    (await ok(u.hook, 'im.notify.history.search', params, encoding)).total_results;
  assert.equal(await count({ SEARCH_TEXT: 'alpha' }), 2);
  // A SEARCH_TYPE that is sent counts even when empty: it names a module no notification has.
  assert.equal(await count({ SEARCH_TEXT: 'alpha', SEARCH_TYPE: '' }, 'form'), 0);
  assert.equal(await count({ SEARCH_TEXT: 'alpha', SEARCH_TYPE: 'rest' }), 2);
  // SEARCH_TYPES keeps only non-empty strings; what is left replaces SEARCH_TYPE.
  assert.equal(await count({ SEARCH_TEXT: 'alpha', SEARCH_TYPES: [5, '', 'rest|rest_notify'], SEARCH_TYPE: 'other' }), 2);
  // FROM and TO sent together replace SEARCH_DATE even when one is empty: then no date filter.
  assert.equal(await count({ SEARCH_TEXT: 'alpha', SEARCH_DATE: '2001-01-01', SEARCH_DATE_FROM: '', SEARCH_DATE_TO: '2001-01-02' }), 2);
  assert.equal(await count({ SEARCH_TEXT: 'alpha', SEARCH_DATE: '2001-01-01' }), 0);
  // SEARCH_AUTHORS keeps numeric values (is_numeric: " 0", "0.0", 1e0 forms) and casts them.
  assert.equal(await count({ SEARCH_AUTHORS: [' 0', 'x'] }), 3);
  assert.equal(await count({ SEARCH_AUTHORS: ['0.9'] }), 3);
  assert.equal(await count({ SEARCH_AUTHORS: ['1e0'] }), 0, 'user 1 sent nothing here: the webhook sends as system');
  // SEARCH_TEXT "0" is no text filter (PHP falsy); the 3-character rule trims only ASCII space.
  assert.equal(await count({ SEARCH_TEXT: '0', SEARCH_TYPE: 'rest' }), 3);
  const short = await call(u.hook, 'im.notify.history.search', { SEARCH_TEXT: '\u3000ab' });
  assert.equal(short.status, 200, 'an ideographic space is a character for the rule');
});

test('get: item keys in the portal\'s order, the keyboard before params and notify_read', async () => {
  const u = await ts.addUser({ login: 'key-order' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'confirm?', BUTTONS: [{ TITLE: 'Yes', VALUE: 'Y', TYPE: 'accept' }] });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'plain' });
  const [confirm, plain] = (await ok(u.hook, 'im.notify.get')).notifications;
  const common = ['id', 'chat_id', 'author_id', 'date', 'notify_type', 'notify_module', 'notify_event', 'notify_tag', 'notify_sub_tag', 'notify_title', 'setting_name', 'text'];
  assert.deepEqual(Object.keys(confirm), [...common, 'notify_buttons', 'params', 'notify_read']);
  assert.deepEqual(Object.keys(plain), [...common, 'params', 'notify_read']);
  const xml = await request(`${u.hook}im.notify.get.xml`);
  assert.match(xml.text, /<text>plain<\/text><params><\/params><notify_read>N<\/notify_read>/);
});

test('confirm compares the value as PHP does; answer trims only ASCII whitespace', async () => {
  const u = await ts.addUser({ login: 'loose-confirm' });
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'pick', BUTTONS: [{ TITLE: 'One', VALUE: '1', TYPE: 'accept' }] });
  assert.deepEqual(await ok(u.hook, 'im.notify.confirm', { NOTIFY_ID: id, NOTIFY_VALUE: '01' }), { result_message: ['Your selection: "One"'] });
  const plain = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'answer me' });
  assert.deepEqual(await ok(u.hook, 'im.notify.answer', { ID: plain, ANSWER_TEXT: '\u3000' }), { result_message: ['Your reply has been sent.'] });
  assert.deepEqual(await ok(u.hook, 'im.notify.answer', { ID: plain, ANSWER_TEXT: ' \t\n' }), { result_message: false });
});

test('the pushed notifyAdd is the notification exactly as im.notify.get prints it (built without reading it back)', async () => {
  const u = await ts.addUser({ login: 'push-equals-get', password: 'push-equals-get-1' });
  const who = await webLogin(ts, 'push-equals-get', 'push-equals-get-1');
  const ws = await openWs(ts, who.cookie);
  try {
    const sends: Record<string, unknown>[] = [
      // A lone surrogate and a NUL are stored as U+FFFD: the push must show the stored text.
      { MESSAGE: `odd \ud800 text \u0000 end <b>b</b>`, TAG: 'tag-1', SUB_TAG: 'sub-1' },
      { MESSAGE: 'confirm?', BUTTONS: [{ TITLE: 'Yes', VALUE: 'y', TYPE: 'accept' }], ANSWER: 'Y' },
      { MESSAGE: 'replaces the first', TAG: 'tag-1', ATTACH: [{ MESSAGE: 'attached [b]x[/b]' }] },
    ];
    for (const extra of sends) {
      const id = await ok(ts.hook, 'im.notify.personal.add', { USER_ID: u.id, ...extra });
      const pushed = await ws.inbox.until('notifyAdd');
      const { counter, ...params } = pushed.params as Record<string, unknown>;
      assert.equal(typeof counter, 'number');
      const printed = (await ok(u.hook, 'im.notify.get')).notifications.find((n: { id: number }) => n.id === id);
      assert.equal(JSON.stringify(params), JSON.stringify(printed));
    }
  } finally {
    await ws.close();
  }
});
