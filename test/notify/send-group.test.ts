/**
 * Sends asked for at once: on PostgreSQL those of one event-loop turn are written by one
 * statement. Each must come out as it would alone: its own id and text, its recipient's chat
 * (made for a first notification), counters, and a queued e-mail unless MESSAGE_OUT is #SKIP#.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('concurrent sends to several users, new and old: each stored once, counted, mailed and listed as sent', async () => {
  const users = [await ts.addUser({ login: 'group-a' }), await ts.addUser({ login: 'group-b' }), await ts.addUser({ login: 'group-c' })];
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: users[0]!.id, MESSAGE: 'before' });
  const sends = Array.from({ length: 45 }, (_, i) => {
    const user = users[i % 3]!;
    const params: Record<string, unknown> = { USER_ID: user.id, MESSAGE: `group ${i} [b]x[/b] \u0000 ✓` };
    if (i % 5 === 0) params.MESSAGE_OUT = '#SKIP#';
    return { user, i, params };
  });
  const answers = await Promise.all(sends.map((s) => call(ts.hook, 'im.notify.system.add', s.params)));
  const ids = answers.map((a) => {
    assert.equal(a.status, 200);
    return Number(a.body.result);
  });
  assert.equal(new Set(ids).size, ids.length, 'each send has its own id');
  const store = ts.server.services.store;
  for (const [u, user] of users.entries()) {
    const mine = sends.filter((s) => s.user === user);
    const page = await ok(user.hook, 'im.notify.get', { LIMIT: 100 });
    const shown = new Map<number, string>(page.notifications.map((n: { id: number; text: string }) => [n.id, n.text]));
    const kept = mine;
    for (const s of kept) assert.equal(shown.get(ids[s.i]!), `group ${s.i} [b]x[/b] \uFFFD ✓`, `send ${s.i} listed with its text`);
    const total = kept.length + (u === 0 ? 1 : 0);
    assert.equal(page.total_count, total, `user ${u}: total`);
    assert.equal(page.total_unread_count, total, `user ${u}: unread`);
    assert.equal(await store.notifications.count(user.id, true), total);
    assert.ok((await store.notifications.chatId(user.id)) !== null);
    assert.equal(page.chat_id, await store.notifications.chatId(user.id));
    const queued = (await store.mailOutbox.list({ userId: user.id, state: 'queued', limit: 1000 })).map((m) => m.notificationId).sort((a, b) => a - b);
    const expected = kept.filter((s) => s.params.MESSAGE_OUT !== '#SKIP#').map((s) => ids[s.i]!).concat(u === 0 ? [Number(page.notifications.at(-1).id)] : []);
    assert.deepEqual(queued, expected.sort((a, b) => a - b), `user ${u}: one queued e-mail per send not skipped`);
  }
});

test('PostgreSQL: a group written by one statement answers each send its own id, chat and web pushes', async (t) => {
  const store = ts.server.services.store;
  if (!store.notifications.insertSent) return void t.skip('PostgreSQL only');
  const subscribed = await ts.addUser({ login: 'group-push' });
  const plain = await ts.addUser({ login: 'group-plain' });
  await store.webPush.subscribe({ userId: subscribed.id, endpoint: 'https://push.invalid/group', p256dh: 'k', auth: 'a', userAgent: 'test', createdAt: 1 });
  const row = (userId: number, i: number) => ({
    userId, authorId: 0, type: 4 as const, module: 'rest', event: 'rest_notify', tag: '', subTag: '', title: '', text: `direct ${i}`, messageOut: '',
    buttons: '', params: '', senderClientId: '', tagOwner: '', createdAt: 1000 + i,
  });
  const sent = await Promise.all(Array.from({ length: 12 }, (_, i) => store.notifications.insertSent!(row(i % 2 ? subscribed.id : plain.id, i), null)));
  assert.equal(new Set(sent.map((s) => s.row.id)).size, 12);
  for (const [i, s] of sent.entries()) {
    const userId = i % 2 ? subscribed.id : plain.id;
    assert.equal(s.row.text, `direct ${i}`);
    assert.equal(s.chatId, await store.notifications.chatId(userId));
    assert.equal(s.pushes, i % 2 ? 1 : 0, `send ${i}: one push per subscription of its recipient`);
    assert.equal((await store.notifications.byId(s.row.id))?.userId, userId);
  }
  assert.equal(await store.notifications.count(subscribed.id, true), 6);
});

test('concurrent reads of ids (one statement per group on PostgreSQL): each marks its own, counters follow, e-mails of read ones cancelled', async () => {
  const store = ts.server.services.store;
  const users = [await ts.addUser({ login: 'read-group-a' }), await ts.addUser({ login: 'read-group-b' })];
  const ids: number[][] = [[], []];
  for (let i = 0; i < 16; i++) ids[i % 2]!.push(await ok(ts.hook, 'im.notify.system.add', { USER_ID: users[i % 2]!.id, MESSAGE: `to read ${i}` }));
  // Half of each user's notifications read at once, one id per call, some twice; one call names another user's id.
  const calls = [
    ...ids.flatMap((list, u) => list.slice(0, 4).map((id) => ({ u, id }))),
    { u: 0, id: ids[0]![0]! },
    { u: 1, id: ids[0]![5]! },
  ];
  const answers = await Promise.all(calls.map((c) => call(users[c.u]!.hook, 'im.notify.read', { ID: c.id, ONLY_CURRENT: 'Y' })));
  for (const a of answers) assert.equal(a.status, 200);
  for (const [u, user] of users.entries()) {
    const page = await ok(user.hook, 'im.notify.get', { LIMIT: 50 });
    const read = new Set<number>(page.notifications.filter((n: { notify_read: string }) => n.notify_read === 'Y').map((n: { id: number }) => n.id));
    assert.deepEqual([...read].sort((a, b) => a - b), ids[u]!.slice(0, 4), `user ${u}: exactly the four named`);
    assert.equal(page.total_unread_count, 4, `user ${u}: unread count`);
    assert.equal(await store.notifications.count(user.id, true), 4);
    const states = new Map((await store.mailOutbox.list({ userId: user.id, limit: 100 })).map((m) => [m.notificationId, m.state]));
    for (const [i, id] of ids[u]!.entries()) assert.equal(states.get(id), i < 4 ? 'cancelled' : 'queued', `user ${u}, notification ${i}`);
  }
});
