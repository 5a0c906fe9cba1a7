/**
 * publishChange on its own, with a hub whose publishes the test completes: the caller goes on
 * at once, each user's changes go out in commit order with the count read after them, a
 * failed publish is logged and dropped, and pushesSettled waits for whatever is queued.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publishChange, pushesSettled, type PublishDeps } from '../../src/notify/push-change.ts';
import type { PushHub, PushMessage } from '../../src/realtime/hub.ts';

/** A hub that records each publish and completes it only when the test says so. */
class HeldHub implements PushHub {
  readonly sent: { userId: number; message: PushMessage; finish: (err?: Error) => void }[] = [];

  publish(userId: number, message: PushMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.sent.push({ userId, message, finish: (err) => (err ? reject(err) : resolve()) });
    });
  }

  subscribe(): () => void {
    return () => undefined;
  }

  async subscribed(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function deps(hub: PushHub, unread: () => number, warnings: string[] = []): PublishDeps {
  return {
    hub,
    store: { notifications: { count: async () => unread() } } as unknown as PublishDeps['store'],
    log: { warn: (message: string) => void warnings.push(message) },
  };
}

test('the caller goes on at once; one user\u2019s changes go out in order, those queued meanwhile behind one count read after them', async () => {
  const hub = new HeldHub();
  let unread = 1;
  let reads = 0;
  const d = deps(hub, () => (reads++, unread));
  assert.equal(publishChange(d, 7, () => [{ command: 'notifyAdd', params: { id: 1 } }]), undefined);
  await settle();
  assert.deepEqual(hub.sent.map((s) => [s.message.command, s.message.params]), [['notifyAdd', { id: 1, counter: 1 }]]);
  // Committed while the first is still being published: they wait for it, then share one read.
  unread = 3;
  publishChange(d, 7, () => [{ command: 'notifyAdd', params: { id: 2 } }]);
  publishChange(d, 7, () => [{ command: 'notifyRead', params: { ids: [1] } }]);
  const settled = pushesSettled(hub);
  let done = false;
  void settled.then(() => (done = true));
  await settle();
  assert.equal(hub.sent.length, 1, 'nothing overtakes the publish in progress');
  hub.sent[0]!.finish();
  await settle();
  assert.deepEqual(hub.sent.slice(1).map((s) => [s.message.command, s.message.params]), [
    ['notifyAdd', { id: 2, counter: 3 }],
    ['notifyRead', { ids: [1], counter: 3 }],
  ]);
  assert.equal(reads, 2);
  assert.equal(done, false, 'pushesSettled waits for the publishes still in progress');
  for (const s of hub.sent.slice(1)) s.finish();
  await settled;
});

test('a failed publish is logged and dropped; the next change of the user still goes out; pushesSettled resolves', async () => {
  const hub = new HeldHub();
  const warnings: string[] = [];
  const d = deps(hub, () => 0, warnings);
  publishChange(d, 8, () => [{ command: 'notifyDelete', params: { ids: [5] } }]);
  await settle();
  hub.sent[0]!.finish(new Error('Redis away'));
  await settle();
  assert.deepEqual(warnings, ['push after commit dropped']);
  publishChange(d, 8, () => [{ command: 'notifyDelete', params: { ids: [6] } }]);
  await settle();
  assert.equal(hub.sent.length, 2);
  hub.sent[1]!.finish();
  await pushesSettled(hub);
});

test('nothing queued: pushesSettled resolves at once; a hub that reaches nobody is never asked', async () => {
  await pushesSettled(new HeldHub());
  const hub = Object.assign(new HeldHub(), { reaches: () => false });
  publishChange(deps(hub, () => 0), 9, () => [{ command: 'notifyAdd', params: {} }]);
  await settle();
  assert.deepEqual(hub.sent, []);
  await pushesSettled(hub);
});

test('a hub that finds nobody listening after the commit gets no counter read and no publish; the next change is asked again', async () => {
  const answers = [false, true];
  const asked: number[] = [];
  const hub = Object.assign(new HeldHub(), {
    heard: async (userId: number) => (asked.push(userId), answers.shift()!),
  });
  let reads = 0;
  let built = 0;
  const d = deps(hub, () => (reads++, 4));
  publishChange(d, 11, () => (built++, [{ command: 'notifyAdd', params: { id: 1 } }]));
  await pushesSettled(hub);
  assert.deepEqual([asked, reads, built, hub.sent.length], [[11], 0, 0, 0], 'nobody listens: nothing read, built or sent');
  // A page opened since: the next change is asked about again and goes out as before.
  publishChange(d, 11, () => (built++, [{ command: 'notifyAdd', params: { id: 2 } }]));
  await settle();
  assert.deepEqual(asked, [11, 11]);
  assert.deepEqual(hub.sent.map((s) => [s.message.command, s.message.params]), [['notifyAdd', { id: 2, counter: 4 }]]);
  hub.sent[0]!.finish();
  await pushesSettled(hub);
});

test('a hub that cannot tell whether anyone listens publishes as before', async () => {
  const hub = Object.assign(new HeldHub(), { heard: () => Promise.reject(new Error('Redis away')) });
  publishChange(deps(hub, () => 2), 12, () => [{ command: 'notifyRead', params: { ids: [3] } }]);
  await settle();
  assert.deepEqual(hub.sent.map((s) => [s.message.command, s.message.params]), [['notifyRead', { ids: [3], counter: 2 }]]);
  hub.sent[0]!.finish();
  await pushesSettled(hub);
});
