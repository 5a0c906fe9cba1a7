import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';
import { openSse, openWs, upgradeStatus } from './channel-client.ts';

/** A lost message would leave a test waiting forever: fail it instead (not a timing check). */
const GUARD = { timeout: 20_000 };

let ts: TestServer;
let alice: WebLogin;
let bob: WebLogin;

let sessions = false;
before(async () => {
  ts = await startTestServer();
  await ts.addUser({ login: 'alice', password: 'alice-pass-1' });
  await ts.addUser({ login: 'bob', password: 'bob-pass-1' });
});

/** Signs both users in once; false (test skipped) while web sessions have not landed. */
async function signedIn(t: TestContext): Promise<boolean> {
  if (!sessions) {
    alice = await webLogin(ts, 'alice', 'alice-pass-1');
    bob = await webLogin(ts, 'bob', 'bob-pass-1');
    sessions = true;
  }
  return true;
}
after(() => ts.close());

const publish = (userId: number, command: string, params: Record<string, unknown> = {}) =>
  ts.server.services.hub.publish(userId, { command, params });


test('the channel refuses requests without a session, with a forged cookie, or from another origin', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  assert.equal(await upgradeStatus(ts, {}), 401);
  assert.equal(await upgradeStatus(ts, { Cookie: 'notify24_session=forged' }), 401);
  assert.equal(await upgradeStatus(ts, { Cookie: alice.cookie, Origin: 'https://evil.example' }), 403);
  const sse = await fetch(`${ts.url}/events/stream`);
  assert.equal(sse.status, 401);
  await sse.body?.cancel();
});

test('WebSocket: a user receives their own messages with increasing ids, never another user\'s', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const a = await openWs(ts, alice.cookie);
  const b = await openWs(ts, bob.cookie);
  const readyA = await a.inbox.until('ready');
  await b.inbox.until('ready');

  await publish(bob.userId, 'notifyAdd', { notification: { id: 1, text: 'for bob' } });
  await publish(alice.userId, 'notifyAdd', { notification: { id: 2, text: 'for alice' } });
  await publish(alice.userId, 'counters', { counter: 1 });

  const first = await a.inbox.next();
  const second = await a.inbox.next();
  assert.equal(first.command, 'notifyAdd');
  assert.deepEqual(first.params, { notification: { id: 2, text: 'for alice' } });
  assert.ok(first.id > readyA.id);
  assert.equal(second.command, 'counters');
  assert.ok(second.id > first.id);

  const forBob = await b.inbox.next();
  assert.deepEqual(forBob.params, { notification: { id: 1, text: 'for bob' } });
  // Bob's message was published before Alice's; had it leaked, it would have come first.
  assert.equal(a.inbox.pending, 0);
  await Promise.all([a.close(), b.close()]);
});

test('WebSocket: after a disconnect the client resumes from its last id and misses nothing', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const first = await openWs(ts, alice.cookie);
  await first.inbox.until('ready');
  await publish(alice.userId, 'notifyAdd', { n: 'seen' });
  const seen = await first.inbox.next();
  await first.close();

  await publish(alice.userId, 'notifyAdd', { n: 'missed 1' });
  await publish(alice.userId, 'notifyRead', { ids: [5] });

  const again = await openWs(ts, alice.cookie, seen.id);
  const m1 = await again.inbox.next();
  const m2 = await again.inbox.next();
  const ready = await again.inbox.next();
  assert.deepEqual([m1.params, m2.params], [{ n: 'missed 1' }, { ids: [5] }]);
  assert.equal(m2.command, 'notifyRead');
  assert.ok(seen.id < m1.id && m1.id < m2.id);
  assert.equal(ready.command, 'ready');
  assert.equal(ready.id, m2.id, 'ready carries the cursor');

  await publish(alice.userId, 'notifyDelete', { id: 9 });
  const live = await again.inbox.next();
  assert.equal(live.command, 'notifyDelete');
  assert.ok(live.id > m2.id);
  await again.close();
});

test('a cursor the server cannot cover (unknown or from before a restart) gets resync, not silence', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const c = await openWs(ts, alice.cookie, 1);
  const first = await c.inbox.next();
  assert.equal(first.command, 'resync');
  assert.equal((await c.inbox.next()).command, 'ready');
  await c.close();
});

test('SSE fallback: same messages with ids, resumed through Last-Event-ID', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const s = await openSse(ts, alice.cookie);
  assert.equal(s.status, 200);
  await s.inbox.until('ready');
  await publish(alice.userId, 'notifyAdd', { n: 'sse seen' });
  const seen = await s.inbox.next();
  assert.deepEqual(seen.params, { n: 'sse seen' });
  await s.close();

  await publish(alice.userId, 'notifyUnread', { ids: [3] });
  const again = await openSse(ts, alice.cookie, seen.id);
  const missed = await again.inbox.next();
  assert.equal(missed.command, 'notifyUnread');
  assert.deepEqual(missed.params, { ids: [3] });
  assert.equal((await again.inbox.next()).command, 'ready');
  await again.close();
});

test('a cursor numbered by another node (several servers behind a balancer) gets resync', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const first = await openWs(ts, alice.cookie);
  const ready = await first.inbox.until('ready');
  assert.match(String(ready.params.node), /^[0-9a-f]+$/);
  await first.close();
  const same = await openWs(ts, alice.cookie, ready.id, undefined, String(ready.params.node));
  assert.equal((await same.inbox.next()).command, 'ready', 'own node: resumed, nothing missed');
  await same.close();
  const other = await openWs(ts, alice.cookie, ready.id, undefined, 'ffff0000');
  assert.equal((await other.inbox.next()).command, 'resync');
  await other.close();
});

test('missing more than the replay buffer holds (500) gets resync instead of a partial replay', GUARD, async (t) => {
  if (!(await signedIn(t))) return;
  const c = await openWs(ts, bob.cookie);
  const ready = await c.inbox.until('ready');
  await c.close();
  for (let i = 0; i < 501; i++) await publish(bob.userId, 'counters', { counter: i });
  const again = await openWs(ts, bob.cookie, ready.id);
  const first = await again.inbox.next();
  assert.equal(first.command, 'resync');
  const cursor = await again.inbox.next();
  assert.equal(cursor.command, 'ready');
  // Ids are one counter for all users, so Bob's cursor moved by at least his 501 messages.
  assert.ok(cursor.id >= ready.id + 501, 'the cursor moves past everything published');
  await again.close();
});
