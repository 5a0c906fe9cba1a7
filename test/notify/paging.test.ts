import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { call } from '../helpers/http.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('paging 3,000 notifications while others are added and deleted: none skipped or repeated', async () => {
  const u = await ts.addUser({ login: 'big-pager' });
  const send = async (i: number) => (await call(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `n${i}` })).body.result as number;
  const ids: number[] = [];
  for (let i = 0; i < 3000; i += 100) ids.push(...(await Promise.all(Array.from({ length: 100 }, (_, k) => send(i + k)))));
  // Concurrent sends finish in any order: victims are picked by id, not by arrival.
  ids.sort((a, b) => a - b);
  const existing = new Set(ids);
  const deleted = new Set<number>();
  const seen: number[] = [];
  let cursor: Record<string, unknown> = {};
  let pageNo = 0;
  for (;;) {
    const page = (await call(u.hook, 'im.notify.get', cursor)).body.result;
    if (page.notifications.length === 0) break;
    seen.push(...page.notifications.map((n: { id: number }) => n.id));
    const last = page.notifications.at(-1);
    cursor = { LAST_ID: last.id, LAST_TYPE: 3 };
    // Meanwhile: a new one arrives and one further down the list is deleted.
    await send(10_000 + pageNo);
    const victim = ids[ids.length - 1 - (pageNo * 50 + 120)];
    if (victim !== undefined && (await call(u.hook, 'im.notify.delete', { ID: victim })).body.result === true) deleted.add(victim);
    pageNo++;
  }
  assert.equal(new Set(seen).size, seen.length, 'no repeats');
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! < seen[i - 1]!, 'strictly descending');
  const expected = [...existing].filter((id) => !deleted.has(id)).sort((a, b) => b - a);
  const got = seen.filter((id) => existing.has(id));
  assert.deepEqual(got, expected);
  assert.ok(deleted.size > 10);
});

test('confirm stage then the rest: cursors inside and across stages, LIMIT <= 0 lists confirms only', async () => {
  const u = await ts.addUser({ login: 'stage-pager' });
  const confirms: number[] = [];
  const others: number[] = [];
  for (let i = 0; i < 12; i++) {
    const confirm = i % 3 === 1;
    const extra = confirm ? { BUTTONS: [{ TITLE: 'Yes', VALUE: 'y', TYPE: 'accept' }] } : {};
    const r = await call(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `s${i}`, ...extra });
    (confirm ? confirms : others).push(r.body.result as number);
  }
  const expected = [...confirms.reverse(), ...others.reverse()];
  const pages: number[][] = [];
  let cursor: Record<string, unknown> = { LIMIT: 3 };
  for (;;) {
    const page = (await call(u.hook, 'im.notify.get', cursor)).body.result;
    if (page.notifications.length === 0) break;
    assert.equal(page.total_count, 12);
    pages.push(page.notifications.map((n: { id: number }) => n.id));
    const last = page.notifications.at(-1);
    cursor = { LIMIT: 3, LAST_ID: last.id, LAST_TYPE: last.notify_type === 1 ? 1 : 3 };
  }
  // Pages of 3: the fourth confirm's page is topped up with the newest other notification.
  assert.deepEqual(pages, [expected.slice(0, 3), expected.slice(3, 6), expected.slice(6, 9), expected.slice(9, 12)]);
  assert.deepEqual(pages[1]!.slice(0, 1), [confirms[3]]);
  const unlimited = (await call(u.hook, 'im.notify.get', { LIMIT: -1 })).body.result;
  assert.deepEqual(unlimited.notifications.map((n: { id: number }) => n.id), confirms);
  const afterConfirm = (await call(u.hook, 'im.notify.get', { LIMIT: 50, LAST_ID: confirms[1], LAST_TYPE: 1 })).body.result;
  assert.deepEqual(afterConfirm.notifications.map((n: { id: number }) => n.id), [...confirms.slice(2), ...others]);
});
