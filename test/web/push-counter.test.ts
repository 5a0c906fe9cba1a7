import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { openSse, openWs, type ChannelClient, type Pushed } from './channel-client.ts';

/** A lost message would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 30_000 };

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

async function ok(base: string, method: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const r = await call(base, method, params);
  assert.equal(r.status, 200, r.text);
  return r.body.result;
}

/** The next `n` messages of a connection (`ready` skipped). */
async function take(c: ChannelClient, n: number): Promise<Pushed[]> {
  const got: Pushed[] = [];
  while (got.length < n) {
    const m = await c.inbox.next();
    if (m.command !== 'ready') got.push(m);
  }
  return got;
}

test('each change is one frame per connection carrying the counter; concurrent changes leave the right count', GUARD, async () => {
  const u = await ts.addUser({ login: 'counted', password: 'counted-pass-1' });
  const who = await webLogin(ts, 'counted', 'counted-pass-1');
  const clients = [await openWs(ts, who.cookie), await openWs(ts, who.cookie), await openSse(ts, who.cookie)];
  for (const c of clients) await c.inbox.until('ready');
  const unread = async () => ((await ok(u.hook, 'im.counters.get')) as { TYPE: { NOTIFY: number } }).TYPE.NOTIFY;

  // 20 sends at once: each connection gets exactly 20 frames, all notifyAdd, ids in order.
  const ids = (await Promise.all(Array.from({ length: 20 }, (_, i) => ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `n${i}` })))) as number[];
  // A marker change after them: had a separate counters frame been sent, it would come first.
  await ok(u.hook, 'im.notify.read', { ID: ids[0], ONLY_CURRENT: 'Y' });
  for (const c of clients) {
    const got = await take(c, 21);
    assert.deepEqual(got.slice(0, 20).map((m) => m.command), Array(20).fill('notifyAdd'));
    assert.deepEqual(got.slice(0, 20).map((m) => m.params.id).sort(), [...ids].sort());
    for (let i = 1; i < got.length; i++) assert.ok(got[i]!.id > got[i - 1]!.id);
    assert.equal(got[19]!.params.counter, 20, 'the last add carries the count after every send');
    assert.deepEqual([got[20]!.command, got[20]!.params.ids, got[20]!.params.counter], ['notifyRead', [ids[0]], 19]);
  }

  // Reads, unreads and sends racing each other: the last frame holds the stored count.
  await Promise.all([
    ...ids.slice(1, 11).map((id) => ok(u.hook, 'im.notify.read', { ID: id, ONLY_CURRENT: 'Y' })),
    ok(u.hook, 'im.notify.read', { ID: ids[0], ONLY_CURRENT: 'Y', ACTION: 'N' }),
    ...Array.from({ length: 5 }, (_, i) => ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `m${i}` })),
  ]);
  const stored = await unread();
  assert.equal(stored, 20 - 10 + 5);
  for (const c of clients) {
    const got = await take(c, 16);
    assert.ok(got.every((m) => typeof m.params.counter === 'number'), 'every change carries the counter');
    assert.equal(got.at(-1)!.params.counter, stored);
    assert.equal(c.inbox.pending, 0, 'one frame per change');
  }

  // read.all: one frame, counter 0.
  await ok(u.hook, 'im.notify.read.all');
  for (const c of clients) assert.deepEqual((await take(c, 1)).map((m) => [m.command, m.params.counter]), [['notifyReadAll', 0]]);
  await Promise.all(clients.map((c) => c.close()));
});
