/**
 * Versions landed out of order (2 and 4 after 3 and 5 were released): a database made by the
 * older list must be brought up by the newer one, keeping its data, on both engines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { migrate, migrations } from '../../src/store/migrations/index.ts';
import { PostgresDb } from '../../src/store/engine/postgres.ts';
import type { SqlDb } from '../../src/store/engine/sql-db.ts';
import { SqliteDb } from '../../src/store/engine/sqlite.ts';
import { createTestSchema } from '../helpers/services.ts';

async function withDb(fn: (db: SqlDb) => Promise<void>): Promise<void> {
  if (process.env.NOTIFY24_TEST_STORE === 'postgres') {
    const schema = await createTestSchema();
    const db = new PostgresDb(schema.url);
    try {
      await fn(db);
    } finally {
      await db.close();
      await schema.drop();
    }
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'notify24-migrate-'));
  const db = new SqliteDb(join(dir, 'n.db'));
  try {
    await fn(db);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a database at versions 1, 3 and 5 gets 2, 4 and 6, and its notifications are counted', async () => {
  await withDb(async (db) => {
    const released = migrations.filter((m) => [1, 3, 5].includes(m.version));
    assert.deepEqual(await migrate(db, released), [1, 3, 5]);
    await db.run(`INSERT INTO users (login, created_at) VALUES ('old', 1)`);
    for (const [read, type] of [[0, 4], [1, 4], [0, 1]]) {
      await db.run('INSERT INTO notifications (user_id, notify_type, body, is_read, created_at) VALUES (1, ?, ?, ?, 1)', [type, 'x', read]);
    }

    // 2, 4, 6 and every later version.
    assert.deepEqual(await migrate(db), migrations.map((m) => m.version).filter((v) => ![1, 3, 5].includes(v)).sort((a, b) => a - b));
    assert.deepEqual(await migrate(db), [], 'nothing is applied twice');
    const counters = await db.get<Record<string, unknown>>('SELECT total, unread, unread_confirms FROM notify_counters WHERE user_id = 1');
    assert.deepEqual(Object.values(counters!).map(Number), [3, 2, 1]);
    for (const table of ['apps', 'web_sessions']) {
      assert.equal(Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n), 0, `${table} exists`);
    }
  });
});

test('tag owners: rows an application tagged get it as owner, rows a webhook tagged none', async () => {
  await withDb(async (db) => {
    assert.deepEqual(await migrate(db, migrations.filter((m) => m.version < 7)), [1, 2, 3, 4, 5, 6]);
    const add = (tag: string, subTag: string, client: string) =>
      db.run('INSERT INTO notifications (user_id, notify_type, body, tag, sub_tag, sender_client_id, created_at) VALUES (1, 4, ?, ?, ?, ?, 1)', [
        `${tag}/${subTag}/${client}`, tag, subTag, client,
      ]);
    await add('MP|abcde|T', '', 'local.a.1');
    await add('', 'MP|abcde|S', 'local.a.1');
    await add('', '', 'local.a.1');
    await add('MP|12345|T', '', '');
    assert.deepEqual((await migrate(db))[0], 7);
    const owners = await db.all<{ body: string; tag_owner: string }>('SELECT body, tag_owner FROM notifications ORDER BY id');
    assert.deepEqual(owners.map((r) => r.tag_owner), ['app:local.a.1', 'app:local.a.1', '', '']);
  });
});
