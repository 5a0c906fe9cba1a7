/**
 * The per-user counters behind total_count, total_unread_count and im.counters.get are kept
 * beside the rows, not counted: after every kind of change they must still equal what the
 * list itself shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { purgeExpired } from '../../src/notify/retention.ts';
import { ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const clock = new ManualClock();
let ts: TestServer;
before(async () => {
  ts = await startTestServer({ webhookTagsWithClientId: true }, { clock });
});
after(() => ts.close());

interface Listed { id: number; notify_read: string; notify_type: number }

/** What the counters say, and what paging through every notification shows. */
async function countersAndTruth(hook: string) {
  const first = await ok(hook, 'im.notify.get', { LIMIT: 50 });
  const items: Listed[] = [...first.notifications];
  let page = first.notifications as Listed[];
  while (page.length === 50) {
    const last = page.at(-1)!;
    page = (await ok(hook, 'im.notify.get', { LIMIT: 50, LAST_ID: last.id, LAST_TYPE: last.notify_type === 1 ? 1 : 3 })).notifications;
    items.push(...page);
  }
  const counters = await ok(hook, 'im.counters.get');
  return {
    // An empty list is answered without the counts, as on the portal.
    said: { total: first.total_count ?? 0, unread: first.total_unread_count ?? 0, counter: counters.TYPE.NOTIFY },
    seen: { total: items.length, unread: items.filter((n) => n.notify_read === 'N').length, counter: items.filter((n) => n.notify_read === 'N').length },
  };
}

async function assertConsistent(hook: string, step: string) {
  const { said, seen } = await countersAndTruth(hook);
  assert.deepEqual(said, seen, `after ${step}`);
}

test('counters equal the list after sends, tag replacement, read, unread, read all, deletes and the purge', async () => {
  const u = await ts.addUser({ login: 'counted' });
  const other = await ts.addUser({ login: 'counted-other' });
  const send = (params: Record<string, unknown>, to = u.id) => ok(ts.hook, 'im.notify.personal.add', { USER_ID: to, MESSAGE: 'm', ...params });

  const ids: number[] = [];
  for (let i = 0; i < 60; i++) ids.push(await send({}));
  const confirm = await send({ BUTTONS: [{ TITLE: 'Yes', VALUE: 'y', TYPE: 'accept' }] });
  await assertConsistent(u.hook, 'sends');

  await send({ CLIENT_ID: 'app.one', TAG: 'deploy' });
  await send({ CLIENT_ID: 'app.one', TAG: 'deploy' }); // replaces the first
  await send({ CLIENT_ID: 'app.one', TAG: 'deploy' }, other.id);
  await assertConsistent(u.hook, 'tag replacement');

  await ok(u.hook, 'im.notify.read', { ID: ids[10], ONLY_CURRENT: 'Y' });
  await ok(u.hook, 'im.notify.read', { ID: ids[10], ONLY_CURRENT: 'Y' }); // already read: no change
  await assertConsistent(u.hook, 'read one');
  await ok(u.hook, 'im.notify.read', { ID: ids[40] });
  await assertConsistent(u.hook, 'read from an id');
  await ok(u.hook, 'im.notify.read', { ID: ids[20], ACTION: 'N' });
  await assertConsistent(u.hook, 'unread from an id');
  await ok(u.hook, 'im.notify.read.list', { IDS: [ids[0], ids[1], ids[2]], ACTION: 'Y' });
  await assertConsistent(u.hook, 'read.list');
  await ok(u.hook, 'im.notify.read.all');
  await assertConsistent(u.hook, 'read all (the confirm stays unread)');

  await ok(u.hook, 'im.notify.delete', { ID: ids[5] });
  await ok(u.hook, 'im.notify.delete', { ID: ids[5] }).catch(() => undefined);
  await assertConsistent(u.hook, 'delete by id');
  await ok(ts.hook, 'im.notify.delete', { CLIENT_ID: 'app.one', TAG: 'deploy' });
  await assertConsistent(u.hook, 'delete by tag');
  await assertConsistent(other.hook, 'delete by tag, other recipient');
  await ok(u.hook, 'im.notify.confirm', { ID: confirm, NOTIFY_VALUE: 'y' });
  await assertConsistent(u.hook, 'confirm (deletes it)');

  clock.advance(61 * 86_400_000);
  const fresh = await send({});
  await purgeExpired(ts.server.services);
  await assertConsistent(u.hook, 'retention purge');
  const { said } = await countersAndTruth(u.hook);
  assert.deepEqual(said, { total: 1, unread: 1, counter: 1 });
  assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].id, fresh);
});
