/**
 * A batch's notification calls share one transaction: they commit together (all of a batch or
 * none of it survives a crash), a failing one is rolled back alone and answered exactly as it
 * would be on its own, later ones see the earlier ones' writes, and nothing is acknowledged or
 * pushed before the commit. Both engines (real SQLite file, real PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PostgresDb } from '../../src/store/engine/postgres.ts';
import type { SqlDb } from '../../src/store/engine/sql-db.ts';
import { SqliteDb } from '../../src/store/engine/sqlite.ts';
import { openStore } from '../../src/store/open.ts';
import type { NotificationSearch } from '../../src/store/port/notifications.ts';
import { call } from '../helpers/http.ts';
import { killUnderLoad, startNode } from '../helpers/node-process.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestSchema } from '../helpers/services.ts';
import { webLogin } from '../helpers/session.ts';
import { openWs } from '../web/channel-client.ts';

const postgres = process.env.NOTIFY24_TEST_STORE === 'postgres';

const everything: NotificationSearch = {
  words: [], types: [], from: null, to: null, authors: [], confirmOnly: false, eventGroups: [], lastId: null, limit: null,
};

/** A second connection to the server's database, for what a test must arrange behind its back. */
function rawDb(url: string): SqlDb {
  return postgres ? new PostgresDb(url, 1) : new SqliteDb(url);
}

/**
 * Makes queueing the e-mail of a notification whose text is `boom` fail: that send then fails
 * after it has stored its notification and moved the counters, which must be undone with it.
 */
async function failMailOfBoom(db: SqlDb): Promise<void> {
  if (db.dialect === 'sqlite') {
    await db.run(`CREATE TRIGGER boom BEFORE INSERT ON mail_outbox
      WHEN (SELECT body FROM notifications WHERE id = NEW.notification_id) = 'boom'
      BEGIN SELECT RAISE(ABORT, 'boom refused'); END`);
    return;
  }
  await db.run(`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT body FROM notifications WHERE id = NEW.notification_id) = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF;
      RETURN NEW;
    END $$`);
  await db.run('CREATE TRIGGER boom BEFORE INSERT ON mail_outbox FOR EACH ROW EXECUTE FUNCTION refuse_boom()');
}

let ts: TestServer;
let raw: SqlDb;
before(async () => {
  ts = await startTestServer();
  raw = rawDb(ts.config.databaseUrl!);
  await failMailOfBoom(raw);
});
after(async () => {
  await raw.close();
  await ts.close();
});

test('a failing call inside a batch is rolled back alone, answered as on its own; the others commit and see each other', async () => {
  const user = await ts.addUser({ login: 'batch-commit' });
  const alone = await call(user.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'boom' });
  assert.equal(alone.status, 500);
  const res = await call(user.hook, 'batch', {
    halt: 0,
    cmd: {
      first: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=one`,
      broken: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=boom`,
      empty: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=`,
      second: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=two`,
      gone: 'im.notify.delete?ID=$result[first]',
    },
  });
  assert.equal(res.status, 200);
  const { result, result_error } = res.body.result;
  assert.deepEqual(Object.keys(result), ['first', 'second', 'gone']);
  assert.equal(result.gone, true, 'the delete saw the send before it');
  assert.deepEqual(result_error.broken, alone.body, 'the same answer as the call on its own');
  assert.deepEqual(result_error.empty, { error: 'MESSAGE_EMPTY', error_description: "Message can't be empty" });
  // Stored: exactly "two"; the counters agree with the rows (the broken send's were undone).
  const store = await openStore(ts.config.databaseUrl!);
  try {
    const rows = await store.notifications.search(user.id, everything);
    assert.deepEqual(rows.map((r) => [r.id, r.text]), [[result.second, 'two']]);
    assert.equal(await store.notifications.count(user.id, false), 1);
    assert.equal(await store.notifications.count(user.id, true), 1);
    const mails = await raw.all<{ notification_id: number }>('SELECT notification_id FROM mail_outbox WHERE user_id = ?', [user.id]);
    assert.deepEqual(mails.map((m) => Number(m.notification_id)).sort((a, b) => a - b), [result.first, result.second]);
  } finally {
    await store.close();
  }
});

test('a run of sends, reads, deletes and a read-all moves the counters and the e-mail queue exactly as its rows, whatever it read in between', async () => {
  const user = await ts.addUser({ login: 'batch-counters' });
  // The user's own webhook: reads and deletes act on the caller's notifications.
  const res = await call(user.hook, 'batch', {
    cmd: {
      a: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=a`,
      b: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=b&BUTTONS[0][TITLE]=ok&BUTTONS[0][VALUE]=y&BUTTONS[0][TYPE]=accept`,
      c: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=c`,
      readA: 'im.notify.read?ID=$result[a]&ONLY_CURRENT=Y',
      goneC: 'im.notify.delete?ID=$result[c]',
      d: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=d&TAG=t`,
      e: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=e&TAG=t`,
      all: 'im.notify.read.all',
      f: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=f`,
    },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.result.result_error, []);
  assert.equal(res.body.result.result.readA, true);
  assert.equal(res.body.result.result.goneC, true);
  // read.all leaves the confirm (b) unread, and reads the counters after the run's writes.
  assert.deepEqual(res.body.result.result.all, { result: true, newCounter: 1 });
  const store = await openStore(ts.config.databaseUrl!);
  try {
    const rows = await store.notifications.search(user.id, everything);
    assert.deepEqual(rows.map((r) => r.text).sort(), ['a', 'b', 'd', 'e', 'f']);
    assert.equal(await store.notifications.count(user.id, false), rows.length);
    assert.equal(await store.notifications.count(user.id, true), rows.filter((r) => !r.read).length);
    assert.equal(await store.notifications.countUnreadConfirms(user.id), 1);
    // Every send queued its e-mail, in order; what was read or deleted in the run cancelled its own.
    const mails = await raw.all<{ notification_id: number; state: string }>('SELECT notification_id, state FROM mail_outbox WHERE user_id = ? ORDER BY id', [user.id]);
    const { a, b, c, d, e, f } = res.body.result.result as Record<string, number>;
    assert.deepEqual(mails.map((m) => [Number(m.notification_id), m.state]), [
      [a, 'cancelled'], [b, 'queued'], [c, 'cancelled'], [d, 'cancelled'], [e, 'cancelled'], [f, 'queued'],
    ]);
  } finally {
    await store.close();
  }
});

test('a read or a delete later in the same run cancels the e-mail its send queued', async () => {
  const user = await ts.addUser({ login: 'batch-mail' });
  const res = await call(user.hook, 'batch', {
    cmd: {
      a: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=a`,
      b: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=b`,
      c: `im.notify.system.add?USER_ID=${user.id}&MESSAGE=c`,
      readA: 'im.notify.read?ID=$result[a]&ONLY_CURRENT=Y',
      goneB: 'im.notify.delete?ID=$result[b]',
    },
  });
  assert.deepEqual(res.body.result.result_error, []);
  const { a, b, c } = res.body.result.result as Record<string, number>;
  const mails = await raw.all<{ notification_id: number; state: string }>('SELECT notification_id, state FROM mail_outbox WHERE user_id = ? ORDER BY id', [user.id]);
  assert.deepEqual(mails.map((m) => [Number(m.notification_id), m.state]), [[a, 'cancelled'], [b, 'cancelled'], [c, 'queued']]);
});

test('a batch pushes only after its commit: every frame finds all of its sends stored and carries the count after them', async () => {
  const user = await ts.addUser({ login: 'batch-push', password: 'batch-push-1' });
  const ws = await openWs(ts, (await webLogin(ts, 'batch-push', 'batch-push-1')).cookie);
  try {
    const res = await call(ts.hook, 'batch', {
      cmd: [
        `im.notify.system.add?USER_ID=${user.id}&MESSAGE=a`,
        `im.notify.system.add?USER_ID=${user.id}&MESSAGE=boom`,
        `im.notify.system.add?USER_ID=${user.id}&MESSAGE=b`,
        `im.notify.system.add?USER_ID=${user.id}&MESSAGE=c`,
      ],
    });
    const ids = res.body.result.result as Record<string, number>;
    const first = await ws.inbox.until('notifyAdd');
    const page = await call(user.hook, 'im.notify.get', {});
    assert.deepEqual(page.body.result.notifications.map((n: { text: string }) => n.text), ['c', 'b', 'a']);
    const frames = [first, await ws.inbox.until('notifyAdd'), await ws.inbox.until('notifyAdd')];
    assert.deepEqual(frames.map((f) => Number(f.params.id)), [ids[0], ids[2], ids[3]], 'the failed send pushed nothing');
    assert.deepEqual(frames.map((f) => f.params.counter), [3, 3, 3]);
  } finally {
    await ws.close();
  }
});

test('halt=1 inside a shared transaction: the calls before the failure commit, none after it runs', async () => {
  const user = await ts.addUser({ login: 'batch-halt' });
  const res = await call(ts.hook, 'batch', {
    halt: 1,
    cmd: [
      `im.notify.system.add?USER_ID=${user.id}&MESSAGE=kept`,
      `im.notify.system.add?USER_ID=${user.id}&MESSAGE=boom`,
      `im.notify.system.add?USER_ID=${user.id}&MESSAGE=never`,
    ],
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.result.result.length, 1);
  assert.deepEqual(Object.keys(res.body.result.result_error), ['1']);
  const page = await call(user.hook, 'im.notify.get', {});
  assert.deepEqual(page.body.result.notifications.map((n: { text: string }) => n.text), ['kept']);
  assert.equal(page.body.result.total_unread_count, 1);
});

test('killed mid-batch (SIGKILL): every batch is stored whole or not at all, every acknowledged one whole', async () => {
  let url: string;
  let drop = async () => {};
  if (postgres) {
    const schema = await createTestSchema();
    url = schema.url;
    drop = schema.drop;
  } else {
    url = `${ts.config.dataDir}/killed.db`;
  }
  const node = await startNode({ NOTIFY24_DATABASE_URL: url }, { expectHook: true });
  const PER_BATCH = 20;
  const acknowledged = new Set<string>();
  try {
    const me = (await (await fetch(`${node.hook}user.current.json`)).json()) as { result: { ID: string } };
    const userId = Number(me.result.ID);
    const batch = async (w: number, i: number) => {
      const label = `w${w}b${i}`;
      const cmd = Array.from({ length: PER_BATCH }, (_, k) => `im.notify.system.add?USER_ID=${userId}&MESSAGE=${label}%20${k}`);
      const r = await fetch(`${node.hook}batch.json`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ cmd }) });
      const body = (await r.json()) as { result?: { result: unknown[] } };
      if (body.result?.result.length === PER_BATCH) acknowledged.add(label);
    };
    const inFlightAtKill = await killUnderLoad(node, 8, batch, () => acknowledged.size >= 40);
    assert.ok(inFlightAtKill > 0, 'batches were in flight when the process was killed');
    const store = await openStore(url);
    try {
      const perBatch = new Map<string, number>();
      for (const row of await store.notifications.search(userId, everything)) {
        const label = row.text.split(' ')[0]!;
        perBatch.set(label, (perBatch.get(label) ?? 0) + 1);
      }
      const partial = [...perBatch].filter(([, n]) => n !== PER_BATCH);
      assert.deepEqual(partial, [], 'batches stored in part');
      const missing = [...acknowledged].filter((label) => !perBatch.has(label));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.size} acknowledged batches lost`);
      const stored = [...perBatch.values()].reduce((a, b) => a + b, 0);
      assert.equal(await store.notifications.count(userId, false), stored, 'the counters moved with the rows');
    } finally {
      await store.close();
    }
  } finally {
    await node.stop();
    await drop();
  }
});

test('batches that send to the same users in opposite orders, at the same time, all succeed (no deadlock surfaces)', async () => {
  const a = await ts.addUser({ login: 'cross-a' });
  const b = await ts.addUser({ login: 'cross-b' });
  const sends = (first: number, then: number) => [
    `im.notify.system.add?USER_ID=${first}&MESSAGE=first`,
    ...Array.from({ length: 20 }, (_, i) => `im.notify.system.add?USER_ID=${then}&MESSAGE=then+${i}`),
    `im.notify.system.add?USER_ID=${first}&MESSAGE=last`,
  ];
  for (let round = 0; round < 2; round++) {
    const answers = await Promise.all([
      call(ts.hook, 'batch', { cmd: sends(a.id, b.id) }),
      call(ts.hook, 'batch', { cmd: sends(b.id, a.id) }),
    ]);
    for (const r of answers) {
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.result.result_error, [], JSON.stringify(r.body.result.result_error).slice(0, 300));
      assert.equal(r.body.result.result.length, 22);
    }
  }
  const store = await openStore(ts.config.databaseUrl!);
  try {
    assert.equal(await store.notifications.count(a.id, false), 2 * 22);
    assert.equal(await store.notifications.count(b.id, false), 2 * 22);
  } finally {
    await store.close();
  }
});
