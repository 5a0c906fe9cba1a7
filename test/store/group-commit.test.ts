/**
 * Group commit: transactions asked for together share one commit on SQLite, yet each caller
 * keeps its own outcome — a failing one fails alone — and nothing a caller was told is stored
 * is lost when the process dies mid-group. The failure and crash tests run on both engines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUser } from '../../src/identity/accounts.ts';
import { SqliteDb } from '../../src/store/engine/sqlite.ts';
import { migrate } from '../../src/store/migrations/index.ts';
import { openStore } from '../../src/store/open.ts';
import type { NewNotification, NotificationSearch } from '../../src/store/port/notifications.ts';
import type { Store } from '../../src/store/port/store.ts';
import { sqlStore } from '../../src/store/sql/store.ts';
import { killUnderLoad, startNode } from '../helpers/node-process.ts';
import { createTestSchema } from '../helpers/services.ts';

const postgres = process.env.NOTIFY24_TEST_STORE === 'postgres';
let dir: string;
const drops: (() => Promise<void>)[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'notify24-group-'));
});
after(async () => {
  for (const drop of drops) await drop();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh database of the run's engine: its URL. */
async function freshDatabase(name: string): Promise<string> {
  if (!postgres) return join(dir, `${name}.db`);
  const schema = await createTestSchema();
  drops.push(schema.drop);
  return schema.url;
}

const note = (userId: number, text: string): NewNotification => ({
  userId, authorId: 0, type: 4, module: 'rest', event: 'rest_notify', tag: '', subTag: '', title: '', text,
  messageOut: '', buttons: '', params: '', senderClientId: '', tagOwner: '', createdAt: Date.now(),
});

const everything = (limit: number | null = null): NotificationSearch => ({
  words: [], types: [], from: null, to: null, authors: [], confirmOnly: false, eventGroups: [], lastId: null, limit,
});

/** Rows and counters of a user agree (the counters move in the same transactions as the rows). */
async function assertCounted(store: Store, userId: number): Promise<number> {
  const rows = await store.notifications.searchCount(userId, everything());
  assert.equal(await store.notifications.count(userId, false), rows, 'total counter = rows');
  assert.equal(await store.notifications.count(userId, true), rows, 'unread counter = rows (none read)');
  return rows;
}

test('transactions asked for together: a failing insert or a thrown error fails only its caller', async () => {
  const store = await openStore(await freshDatabase('isolation'));
  try {
    const user = await createUser(store, { login: 'grouped', name: 'Grouped' }, Date.now());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        store.tx(async (t) => {
          await t.notifications.claimChat(user.id);
          const id = await t.notifications.insert(note(user.id, `n${i}`));
          // Every 7th caller's second insert breaks a NOT NULL constraint; every 10th throws its own error after writing.
          if (i % 7 === 3) await t.notifications.insert({ ...note(user.id, 'broken'), createdAt: undefined as unknown as number });
          if (i % 10 === 5) throw new Error(`refused ${i}`);
          return id;
        }),
      ),
    );
    const failed = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
    assert.deepEqual(failed, [3, 5, 10, 15, 17, 24, 25]);
    for (const i of [5, 15, 25]) assert.match(String((outcomes[i] as PromiseRejectedResult).reason), new RegExp(`refused ${i}`));
    const ids = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    assert.equal(ids.length, 23);
    // Exactly the succeeding callers' rows are stored, and the counters count only them.
    const stored = await store.notifications.search(user.id, everything());
    assert.deepEqual(stored.map((r) => r.id).sort((a, b) => a - b), [...ids].sort((a, b) => a - b));
    assert.deepEqual(new Set(stored.map((r) => r.text)), new Set(outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [`n${i}`] : []))));
    assert.equal(await assertCounted(store, user.id), 23);
  } finally {
    await store.close();
  }
});

/** A fresh SQLite database (its SqliteDb, to read `stats()`) with one user. */
async function sqliteWithUser(name: string) {
  const db = new SqliteDb(join(dir, `${name}.db`));
  await migrate(db);
  const store = sqlStore(db);
  const user = await createUser(store, { login: name, name }, Date.now());
  return { db, store, user };
}

test('SQLite: concurrent transactions share commits, a lone one commits at once, each answered after its commit', { skip: postgres && 'SQLite only' }, async () => {
  const { db, store, user } = await sqliteWithUser('groups');
  try {
    const before = db.stats();
    const ids = await Promise.all(Array.from({ length: 40 }, (_, i) => store.tx((t) => t.notifications.insert(note(user.id, `g${i}`)))));
    const grouped = db.stats();
    assert.equal(grouped.transactions - before.transactions, 40);
    assert.ok(grouped.commits - before.commits < 40, `40 concurrent transactions took ${grouped.commits - before.commits} commits`);
    // Answered only once committed: a second connection (another process's view) sees every row.
    const other = new SqliteDb(join(dir, 'groups.db'));
    try {
      const row = await other.get<{ n: number }>(`SELECT COUNT(*) AS n FROM notifications WHERE id IN (${ids.join(', ')})`);
      assert.equal(row?.n, 40);
    } finally {
      await other.close();
    }
    await store.tx((t) => t.notifications.insert(note(user.id, 'alone')));
    assert.equal(db.stats().commits - grouped.commits, 1);
  } finally {
    await store.close();
  }
});

test('SQLite: reads outside a transaction see every commit (this process\'s and another\'s) and nothing of a group still open', { skip: postgres && 'SQLite only' }, async () => {
  const { db, store, user } = await sqliteWithUser('reads');
  const count = async () => Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE user_id = ?', [user.id]))!.n);
  const other = new SqliteDb(join(dir, 'reads.db'));
  try {
    await store.tx((t) => t.notifications.insert(note(user.id, 'first')));
    assert.equal(await count(), 1, 'a commit of this process');
    let seenInside = -1;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const open = store.tx(async (t) => {
      await t.notifications.insert(note(user.id, 'second'));
      await held;
    });
    // The group holds the writer, its row written and not committed: reads see the state before it.
    await new Promise((r) => setTimeout(r, 20));
    seenInside = await count();
    release();
    await open;
    assert.equal(seenInside, 1, 'an open group\'s write is not seen');
    assert.equal(await count(), 2, 'seen once committed');
    await other.run('INSERT INTO notifications (user_id, notify_type, body, created_at) VALUES (?, 4, ?, 1)', [user.id, 'elsewhere']);
    assert.equal(await count(), 3, 'a commit of another connection');
  } finally {
    await other.close();
    await store.close();
  }
});

test('SQLite: a group commits what it ran once it has held the writer for 10 ms; the rest go on in the next group', { skip: postgres && 'SQLite only' }, async () => {
  const { db, store, user } = await sqliteWithUser('budget');
  try {
    const before = db.stats();
    // Each of these holds the writer for 12 ms (longer than the budget): each gets a commit of its own.
    const slow = (i: number) => store.tx(async (t) => {
      const until = performance.now() + 12;
      while (performance.now() < until);
      return t.notifications.insert(note(user.id, `slow${i}`));
    });
    const ids = await Promise.all([slow(0), slow(1), slow(2)]);
    assert.equal(db.stats().transactions - before.transactions, 3);
    assert.equal(db.stats().commits - before.commits, 3);
    assert.equal((await store.notifications.search(user.id, everything())).length, 3);
    assert.equal(new Set(ids).size, 3);
  } finally {
    await store.close();
  }
});

test('SQLite: members run without savepoints; one failing before it wrote fails alone in the commit, one failing after sends the rest to the next group', { skip: postgres && 'SQLite only' }, async () => {
  const { db, store, user } = await sqliteWithUser('optimistic');
  try {
    const runs = new Map<number, number>();
    const group = (failing: number, afterWriting: boolean) => Promise.allSettled(Array.from({ length: 10 }, (_, i) => store.tx(async (t) => {
      runs.set(i, (runs.get(i) ?? 0) + 1);
      if (i === failing && !afterWriting) throw new Error(`refused ${i}`);
      const id = await t.notifications.insert(note(user.id, `o${i}`));
      if (i === failing) throw new Error(`refused ${i}`);
      return id;
    })));
    let before = db.stats();
    let outcomes = await group(3, false);
    assert.deepEqual(outcomes.map((o) => o.status === 'fulfilled'), [true, true, true, false, true, true, true, true, true, true]);
    assert.equal(db.stats().transactions, before.transactions + 9);
    assert.deepEqual([...runs.values()], Array(10).fill(1), 'nothing ran twice');
    runs.clear();
    before = db.stats();
    outcomes = await group(4, true);
    assert.deepEqual(outcomes.map((o) => o.status === 'fulfilled'), [true, true, true, true, false, true, true, true, true, true]);
    assert.match(String((outcomes[4] as PromiseRejectedResult).reason), /refused 4/);
    assert.equal(db.stats().transactions, before.transactions + 9);
    // Those before it in its group ran again (their first writes were rolled back with its own),
    // the rest once. (A slow machine may have cut the group at its 10 ms budget: then the
    // members of the earlier group committed and ran once.)
    const counts = [...runs.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
    const committedFirst = counts.slice(0, 4).lastIndexOf(1) + 1;
    assert.deepEqual(counts, [...Array(committedFirst).fill(1), ...Array(4 - committedFirst).fill(2), 1, 1, 1, 1, 1, 1]);
    // Run again, the rest share one commit (two when the budget cut that group as well).
    if (committedFirst === 0) assert.ok(db.stats().commits - before.commits <= 2, `${db.stats().commits - before.commits} commits`);
    assert.equal(await assertCounted(store, user.id), 18);
  } finally {
    await store.close();
  }
});

test('SQLite: what a batch run keeps (counter changes, chats, users without push subscriptions, e-mails to queue) does not outlive a transaction that failed', { skip: postgres && 'SQLite only' }, async () => {
  const { store, user } = await sqliteWithUser('runs');
  try {
    await assert.rejects(store.tx(async (t) => {
      t.notifications.beginRun?.();
      t.webPush.beginRun?.();
      t.mailOutbox.beginRun?.();
      const id = await t.notifications.insert(note(user.id, 'rolled back'));
      assert.equal(await t.webPush.enqueue(id, user.id, Date.now()), 0);
      await t.mailOutbox.enqueue({ userId: user.id, notificationId: id, typeKey: 'rest|rest_notify', dueAt: 0 }, Date.now());
      throw new Error('rolled back');
    }), /rolled back/);
    await store.webPush.subscribe({ userId: user.id, endpoint: 'https://push.example.com/1', p256dh: 'k', auth: 'a', userAgent: '', createdAt: Date.now() });
    const [kept, pushes] = await store.tx(async (t) => {
      const id = await t.notifications.insert(note(user.id, 'kept'));
      await t.mailOutbox.enqueue({ userId: user.id, notificationId: id, typeKey: 'rest|rest_notify', dueAt: 0 }, Date.now());
      return [id, await t.webPush.enqueue(id, user.id, Date.now())];
    });
    assert.equal(pushes, 1, 'the new subscription gets its push');
    assert.equal(await assertCounted(store, user.id), 1);
    assert.deepEqual((await store.mailOutbox.list({ userId: user.id, limit: 10 })).map((m) => m.notificationId), [kept], 'the next transaction queues its e-mail at once');
  } finally {
    await store.close();
  }
});

test('SQLite: chats and users without push subscriptions are known across transactions, and forgotten on a rollback, a new subscription or another process\'s commit', { skip: postgres && 'SQLite only' }, async () => {
  const { db, store, user } = await sqliteWithUser('facts');
  try {
    const send = (text: string) => store.tx(async (t) => {
      const chat = await t.notifications.claimChat(user.id);
      const id = await t.notifications.insert(note(user.id, text));
      return { chat, pushes: await t.webPush.enqueue(id, user.id, Date.now()) };
    });
    const first = await send('a');
    assert.equal(first.pushes, 0);
    assert.equal(db.facts.withoutPush(user.id), false, 'nothing answers outside a transaction');
    // A subscription added outside any transaction: the next send queues its push.
    await store.webPush.subscribe({ userId: user.id, endpoint: 'https://push.example.com/a', p256dh: 'k', auth: 'a', userAgent: '', createdAt: Date.now() });
    assert.deepEqual(await send('b'), { chat: first.chat, pushes: 1 });
    // Another process replaces the subscriptions and the user's chat: seen at the next group.
    const other = new SqliteDb(db.path);
    try {
      await other.run('DELETE FROM push_deliveries');
      await other.run('DELETE FROM push_subscriptions');
    } finally {
      await other.close();
    }
    assert.equal((await send('c')).pushes, 0);
    const other2 = new SqliteDb(db.path);
    try {
      await other2.run('INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, user_agent, created_at) VALUES (?, ?, ?, ?, ?, ?)', [user.id, 'https://push.example.com/b', 'k', 'a', '', Date.now()]);
      await other2.run('DELETE FROM notify_chats WHERE user_id = ?', [user.id]);
    } finally {
      await other2.close();
    }
    const after = await send('d');
    assert.equal(after.pushes, 1);
    assert.notEqual(after.chat, first.chat, 'the chat is looked up again');
    // A chat made in a transaction that was rolled back is not remembered.
    const fresh = await createUser(store, { login: 'facts-new', name: 'New' }, Date.now());
    await assert.rejects(store.tx(async (t) => {
      await t.notifications.claimChat(fresh.id);
      throw new Error('rolled back');
    }), /rolled back/);
    const made = await store.tx((t) => t.notifications.claimChat(fresh.id));
    assert.equal(await store.notifications.chatId(fresh.id), made);
  } finally {
    await store.close();
  }
});

test('killed mid-group (SIGKILL) under concurrent sends: every acknowledged id is stored after the restart', async () => {
  const url = await freshDatabase('killed');
  const node = await startNode({ NOTIFY24_DATABASE_URL: url }, { expectHook: true });
  const acknowledged: number[] = [];
  try {
    const me = await (await fetch(`${node.hook}user.current.json`)).json() as { result: { ID: string } };
    const userId = Number(me.result.ID);
    const send = async (w: number, i: number) => {
      const r = await fetch(`${node.hook}im.notify.system.add.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ USER_ID: userId, MESSAGE: `w${w} #${i}` }),
      });
      const body = (await r.json()) as { result?: number };
      if (typeof body.result === 'number') acknowledged.push(body.result);
    };
    // Calls cut off by the kill were in flight when the process died: never acknowledged.
    const lost = await killUnderLoad(node, 16, send, () => acknowledged.length >= 200);
    assert.ok(lost > 0, 'requests were in flight when the process was killed');
    const store = await openStore(url);
    try {
      const missing: number[] = [];
      for (const id of acknowledged) if (!(await store.notifications.byId(id))) missing.push(id);
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged sends lost`);
      assert.ok((await assertCounted(store, userId)) >= acknowledged.length);
    } finally {
      await store.close();
    }
  } finally {
    await node.stop();
  }
});
