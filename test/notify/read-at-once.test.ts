/**
 * `markRead` of one id that changes nothing (most reads: a page marks what it shows) is answered
 * at once on SQLite — one read on the reader connection, nothing to wait for — and a read that
 * does change the row still goes through its transaction. Both engines: the outcome is the same.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { markRead, type NotifyDeps } from '../../src/notify/service.ts';
import { LocalPushHub } from '../../src/realtime/hub.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/port/store.ts';
import { createTestSchema } from '../helpers/services.ts';

const postgres = process.env.NOTIFY24_TEST_STORE === 'postgres';
let dir: string;
let store: Store;
let drop: (() => Promise<void>) | null = null;
let deps: NotifyDeps;
const USER = 1;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'notify24-read-at-once-'));
  let url = join(dir, 'notify24.db');
  if (postgres) {
    const schema = await createTestSchema();
    url = schema.url;
    drop = schema.drop;
  }
  store = await openStore(url);
  deps = { store, clock: { now: () => Date.now() }, hub: new LocalPushHub(), config: { mailDelayS: 600 } };
});
after(async () => {
  await store.close();
  await drop?.();
  rmSync(dir, { recursive: true, force: true });
});

async function stored(): Promise<number> {
  return store.tx(async (s) => {
    await s.notifications.claimChat(USER);
    return s.notifications.insert({
      userId: USER, authorId: 0, type: 4, module: 'rest', event: 'rest_notify', tag: '', subTag: '', title: '',
      text: 'hello', messageOut: '', buttons: '', params: '', senderClientId: '', tagOwner: '', createdAt: Date.now(),
    });
  });
}

const isRead = async (id: number) => (await store.notifications.byId(id))!.read;

test('a read of one id: marked once, then answered at once on SQLite while nothing changes', async () => {
  const id = await stored();
  assert.equal(await isRead(id), false);
  const first = markRead(deps, USER, [id], true);
  assert.ok(first instanceof Promise, 'a read that changes the row waits for its transaction');
  await first;
  assert.equal(await isRead(id), true);
  assert.equal(await store.notifications.count(USER, true), 0);
  const again: unknown = markRead(deps, USER, [id], true);
  if (!postgres) assert.equal(again, undefined, 'nothing to change: no promise');
  await again;
  assert.equal(await isRead(id), true);
  // And back: unread changes it again, and a read after that marks it again.
  await markRead(deps, USER, [id], false);
  assert.equal(await isRead(id), false);
  assert.equal(await store.notifications.count(USER, true), 1);
  await markRead(deps, USER, [id], true);
  assert.equal(await isRead(id), true);
});

test("another user's id is neither marked nor answered as changed", async () => {
  const id = await stored();
  const other: unknown = markRead(deps, USER + 1, [id], true);
  if (!postgres) assert.equal(other, undefined);
  await other;
  assert.equal(await isRead(id), false);
});
