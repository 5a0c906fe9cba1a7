// Dates are printed in the server's time zone: one with half-hour offsets and summer time.
process.env.TZ = 'America/St_Johns';

import { test, after, before } from 'node:test';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { call, ok, request } from '../helpers/http.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { getPage, type PageRequest } from '../../src/notify/service.ts';
import { getPageJson } from '../../src/notify/page-json.ts';
import { RenderedNotifications } from '../../src/notify/rendered.ts';
import { purgeExpired } from '../../src/notify/retention.ts';
import { toXml } from '../../src/http/xml.ts';
import { startPortal } from '../../src/index.ts';
import { testDatabaseUrl } from '../helpers/services.ts';

const DAY = 86_400_000;
// Late October: the 40-day steps below cross the end of summer time.
const clock = new ManualClock(Date.UTC(2026, 9, 20, 12, 34, 56, 789));
let ts: TestServer;
before(async () => {
  ts = await startTestServer({ retentionDays: 100, webhookTagsWithClientId: true }, { clock });
});
after(() => ts.close());

/** The `result` of a JSON envelope as sent: everything between `{"result":` and the time block. */
function resultText(body: string): string {
  assert.ok(body.startsWith('{"result":'), body.slice(0, 40));
  return body.slice('{"result":'.length, body.lastIndexOf(',"time":{'));
}

/** What im.notify.get printed before pages were rendered as text: the objects, serialised. */
async function objectPath(userId: number, req: Partial<PageRequest> = {}): Promise<string> {
  return JSON.stringify(await getPage(ts.server.services.store, userId, { lastId: null, lastType: null, limit: 50, ...req }));
}

const TEXTS = [
  'Plain ASCII, slashes / and \\ backslashes, "quotes"',
  'Кириллица, 中文, emoji 👋🏽, U+2028 \u2028 and U+2029 \u2029, NUL-free controls \u0007\u001f',
  'HTML entities &amp; &lt;b&gt; &quot;x&quot; &#39; &nbsp;and <b>tags</b> <a href="https://example.com/?a=1&b=2">link</a>',
  'BB codes [b]bold[/b] [URL=https://example.com/x]x[/URL] [USER=1]Ann[/USER] https://bare.example.com/path?q=1',
  '</script><script>alert(1)</script> [CODE]<b>kept</b>[/CODE]',
  'line one#BR#line two[BR]line three',
];

/** Notifications of every kind for a new user; returns the user. */
async function variedUser(login: string): Promise<Awaited<ReturnType<TestServer['addUser']>>> {
  const u = await ts.addUser({ login });
  const author = await ts.addUser({ login: `${login}-author`, lastName: 'Ö\'Brien "the" <author>' });
  const ids: number[] = [];
  for (const [i, text] of TEXTS.entries()) {
    ids.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: text }));
    ids.push(await ok(author.hook, 'im.notify.personal.add', { USER_ID: u.id, MESSAGE: `${text} (personal ${i})`, ANSWER: i % 2 ? 'Y' : 'N' }));
    clock.advance(i === 2 ? 40 * DAY : 61_001);
  }
  ids.push(await ok(ts.hook, 'im.notify.system.add', {
    USER_ID: u.id, MESSAGE: 'with attach', ATTACH: { BLOCKS: [{ MESSAGE: 'Deal [b]won[/b]' }, { LINK: { NAME: 'Deal «1»', LINK: 'https://example.com/deal/1' } }] },
  }));
  ids.push(await ok(ts.hook, 'im.notify.system.add', {
    USER_ID: u.id, MESSAGE: 'confirm me', BUTTONS: [{ TITLE: 'Yes «да»', VALUE: 'y/1', TYPE: 'accept' }, { TITLE: 'No', VALUE: 'n', TYPE: 'cancel' }],
  }));
  ids.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'tagged', TAG: 'T1', SUB_TAG: 'S1', CLIENT_ID: 'app/1' }));
  ids.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'tagged again', TAG: 'T1', CLIENT_ID: 'app/1' }));
  // Some read, one unread again.
  await ok(u.hook, 'im.notify.read.list', { IDS: ids.filter((_, i) => i % 3 === 0) });
  await ok(u.hook, 'im.notify.read', { ID: ids[3], ONLY_CURRENT: 'Y', ACTION: 'N' });
  return u;
}

const REQUESTS: [string, Record<string, unknown>, Partial<PageRequest>][] = [
  ['first page', {}, {}],
  ['LIMIT 3', { LIMIT: 3 }, { limit: 3 }],
  ['LIMIT 0 (confirms only)', { LIMIT: 0 }, { limit: null }],
  ['inside the confirm stage', { LAST_ID: 1_000_000, LAST_TYPE: 1, LIMIT: 4 }, { lastId: 1_000_000, lastType: 1, limit: 4 }],
  ['CONVERT_TEXT', { CONVERT_TEXT: 'Y' }, { convertText: true }],
];

test('the JSON text of im.notify.get is the object path byte for byte, rendered fresh and from the cache', async () => {
  const u = await variedUser('bytes');
  for (const [name, params, req] of REQUESTS) {
    const expected = await objectPath(u.id, req);
    for (const round of ['first', 'second']) {
      const r = await call(u.hook, 'im.notify.get', params);
      assert.equal(r.status, 200);
      assert.equal(resultText(r.text), expected, `${name}, ${round} call`);
    }
  }
  // Paging by cursor through the rest of the simple stage.
  const first = (await ok(u.hook, 'im.notify.get', { LIMIT: 5 })).notifications;
  const cursor = { LAST_ID: first.at(-1).id, LAST_TYPE: 3, LIMIT: 5 };
  assert.equal(resultText((await call(u.hook, 'im.notify.get', cursor)).text), await objectPath(u.id, { lastId: cursor.LAST_ID, lastType: 3, limit: 5 }));
  // Users without any notification, or with every one deleted.
  const empty = await ts.addUser({ login: 'bytes-empty' });
  assert.equal(resultText((await call(empty.hook, 'im.notify.get')).text), await objectPath(empty.id));
  const gone = await ts.addUser({ login: 'bytes-gone' });
  await ok(gone.hook, 'im.notify.delete', { ID: await ok(ts.hook, 'im.notify.system.add', { USER_ID: gone.id, MESSAGE: 'x' }) });
  assert.equal(resultText((await call(gone.hook, 'im.notify.get')).text), await objectPath(gone.id));
});

test('the page rendered with a cache of its own on this store (PostgreSQL too) equals the object path', async () => {
  const u = await variedUser('bytes-direct');
  const store = ts.server.services.store;
  const rendered = new RenderedNotifications(true);
  for (const [name, , req] of REQUESTS) {
    const full = { lastId: null, lastType: null, limit: 50, ...req };
    for (const round of ['first', 'second']) {
      assert.equal((await getPageJson(store, u.id, full, rendered)).text, await objectPath(u.id, req), `${name}, ${round} call`);
    }
  }
  assert.ok(rendered.size > 10);
});

test('XML and batch answers of im.notify.get are unchanged', async () => {
  const u = await variedUser('bytes-xml');
  const expected = JSON.parse(await objectPath(u.id)) as Record<string, unknown>;
  const xml = (await request(`${u.hook}im.notify.get.xml`)).text;
  const resultXml = toXml({ result: expected }).replace('<response>', '').replace('</response>', '');
  assert.ok(xml.startsWith(`<response>${resultXml}<time>`), 'the XML result');
  const batch = await ok(u.hook, 'batch', { cmd: { page: 'im.notify.get', first: 'im.notify.get?LIMIT=1', ref: 'im.notify.get?LAST_ID=$result[first][notifications][0][id]&LAST_TYPE=1' } });
  assert.deepEqual(batch.result.page, expected);
  assert.equal(batch.result.first.notifications.length, 1);
  assert.deepEqual(batch.result_error, []);
});

test('pages stay right after read, unread, delete, tag replacement and the retention purge', async () => {
  const u = await ts.addUser({ login: 'stale' });
  const send = (message: string, extra: Record<string, unknown> = {}) => ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: message, ...extra });
  const page = async () => {
    const r = await call(u.hook, 'im.notify.get');
    assert.equal(resultText(r.text), await objectPath(u.id));
    return r.body.result.notifications as { id: number; text: string; notify_read: string }[];
  };
  const a = await send('a');
  const b = await send('b', { TAG: 'T', CLIENT_ID: 'app' });
  const c = await send('c');
  assert.deepEqual((await page()).map((n) => [n.id, n.notify_read]), [[c, 'N'], [b, 'N'], [a, 'N']]);
  await ok(u.hook, 'im.notify.read', { ID: b, ONLY_CURRENT: 'Y' });
  assert.deepEqual((await page()).map((n) => n.notify_read), ['N', 'Y', 'N']);
  await ok(u.hook, 'im.notify.read.all');
  assert.deepEqual((await page()).map((n) => n.notify_read), ['Y', 'Y', 'Y']);
  await ok(u.hook, 'im.notify.read', { ID: a, ACTION: 'N' });
  assert.deepEqual((await page()).map((n) => n.notify_read), ['N', 'N', 'N']);
  await ok(u.hook, 'im.notify.delete', { ID: c });
  assert.deepEqual((await page()).map((n) => n.id), [b, a]);
  const b2 = await send('b replaced', { TAG: 'T', CLIENT_ID: 'app' });
  assert.deepEqual((await page()).map((n) => [n.id, n.text]), [[b2, 'b replaced'], [a, 'a']]);
  clock.advance(101 * DAY);
  const fresh = await send('fresh');
  // The other tests' notifications are as old: the purge takes them too.
  assert.ok((await purgeExpired(ts.server.services)) >= 2);
  assert.deepEqual((await page()).map((n) => n.id), [fresh]);
});

test('a reset or a restored snapshot reuses ids: pages print the rows stored now, not the ones rendered before', async () => {
  const portal = await startPortal({ databaseUrl: process.env.NOTIFY24_TEST_STORE === 'postgres' ? testDatabaseUrl() : undefined });
  try {
    const get = async () => (await ok(portal.webhookUrl, 'im.notify.get')).notifications.map((n: { id: number; text: string }) => [n.id, n.text]);
    const send = (message: string) => ok(portal.webhookUrl, 'im.notify.system.add', { USER_ID: portal.adminId, MESSAGE: message });
    const first = await send('before the reset');
    assert.deepEqual(await get(), [[first, 'before the reset']]);
    const snapshot = await portal.snapshot();
    await portal.reset();
    assert.deepEqual(await get(), []);
    const again = await send('after the reset');
    assert.equal(again, first, 'the id is used again');
    assert.deepEqual(await get(), [[first, 'after the reset']]);
    await portal.restore(snapshot);
    assert.deepEqual(await get(), [[first, 'before the reset']]);
  } finally {
    await portal.close();
  }
});

test('a page asked for again is given again only while nothing was committed, by this process or another', async (t) => {
  const store = ts.server.services.store;
  if (store.commitVersion() === null) return t.skip('the store cannot tell (PostgreSQL)');
  const u = await ts.addUser({ login: 'kept' });
  const a = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'a' });
  const page = async () => {
    const text = resultText((await call(u.hook, 'im.notify.get')).text);
    assert.equal(text, await objectPath(u.id));
    return JSON.parse(text) as { total_unread_count: number; notifications: { id: number; notify_read: string }[] };
  };
  const first = await page();
  const version = store.commitVersion();
  assert.deepEqual(await page(), first);
  assert.equal(store.commitVersion(), version, 'reading commits nothing');
  // Another process (the CLI, a script) writes to the same file: the next page shows it.
  const other = new Database(ts.config.databaseUrl);
  try {
    other.prepare('UPDATE notifications SET is_read = 1 WHERE id = ?').run(a);
    other.prepare('UPDATE notify_counters SET unread = unread - 1 WHERE user_id = ?').run(u.id);
  } finally {
    other.close();
  }
  assert.notEqual(store.commitVersion(), version);
  const after = await page();
  assert.deepEqual([after.total_unread_count, after.notifications[0]!.notify_read], [0, 'Y']);
  // A commit of this process about someone else's notifications: read again, still right.
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: 1, MESSAGE: 'elsewhere' });
  assert.deepEqual(await page(), after);
});

test('kept pages: one commit version at a time, a failed reading not kept, nothing kept when disabled', async () => {
  const rendered = new RenderedNotifications(true);
  const parts = [Buffer.from('{}')];
  assert.equal(await rendered.keepPage('1,p', 7, async () => parts), parts);
  assert.equal(await rendered.page('1,p', 7), parts);
  assert.equal(rendered.page('1,p', 8), undefined, 'another version');
  assert.equal(rendered.page('2,p', 7), undefined, 'another user');
  await rendered.keepPage('1,q', 8, async () => parts);
  assert.equal(rendered.page('1,p', 7), undefined, 'older versions are dropped');
  await assert.rejects(rendered.keepPage('1,r', 8, async () => {
    throw new Error('gone');
  }));
  assert.equal(rendered.page('1,r', 8), undefined);
  rendered.clear();
  assert.equal(rendered.page('1,q', 8), undefined);
  const off = new RenderedNotifications(false);
  await off.keepPage('1,p', 7, async () => parts);
  assert.equal(off.page('1,p', 7), undefined);
});

test('rendered notifications: bounded by characters, oldest out first, nothing kept from before a clear', () => {
  const rendered = new RenderedNotifications(true, 100);
  const entry = (chatId: number) => ({ chatId, authorId: 0, json: Buffer.from('x'.repeat(30)) });
  for (let id = 1; id <= 5; id++) rendered.put(rendered.generation, id, entry(7));
  assert.equal(rendered.size, 3);
  assert.equal(rendered.get(2, 7), undefined);
  assert.ok(rendered.get(5, 7));
  assert.equal(rendered.get(5, 8), undefined, 'another chat');
  const before = rendered.generation;
  rendered.clear();
  rendered.put(before, 9, entry(7));
  assert.equal(rendered.size, 0);
  assert.equal(new RenderedNotifications(false).enabled, false);
});
