/**
 * The tag and confirm indexes hold only the rows looked up through them (migration 012): the
 * queries that need them must still use them. SQLite matches a partial index's condition by
 * the query's own text, so a query that lost its `tag <> ''` would walk the whole table (or a
 * user's whole history) without failing anything else.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteDb } from '../../src/store/engine/sqlite.ts';
import type { SqlDb } from '../../src/store/engine/sql-db.ts';
import { migrate } from '../../src/store/migrations/index.ts';
import { SqlNotificationRepo } from '../../src/store/sql/notifications.ts';
import { SqlMailOutboxRepo } from '../../src/store/sql/mail-outbox.ts';

/** A SqlDb that records the query plan of every statement run through it. */
function planned(db: SqliteDb): { db: SqlDb; plans: Map<string, string> } {
  const plans = new Map<string, string>();
  const explain = async (sql: string, params: readonly unknown[] = []) => {
    if (/^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/.test(sql)) return;
    const rows = await db.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params);
    plans.set(sql.replace(/\s+/g, ' '), rows.map((r) => r.detail).join('; '));
  };
  const wrap = (inner: SqlDb): SqlDb => new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'tx' || prop === 'savepoint') return <T>(fn: (t: SqlDb) => Promise<T>) => fn(receiver as SqlDb);
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || !['all', 'get', 'values', 'run'].includes(String(prop))) return value;
      return async (sql: string, params?: readonly unknown[]) => {
        await explain(sql, params);
        return (value as (s: string, p?: readonly unknown[]) => unknown).call(target, sql, params);
      };
    },
  });
  return { db: wrap(db), plans };
}

test('SQLite: tag lookups, confirm pages and e-mail cancels by notification use their indexes', async (t) => {
  if (process.env.NOTIFY24_TEST_STORE === 'postgres') return void t.skip('SQLite query plans');
  const dir = mkdtempSync(join(tmpdir(), 'notify24-plans-'));
  const sqlite = new SqliteDb(join(dir, 'n.db'));
  try {
    await migrate(sqlite);
    const { db, plans } = planned(sqlite);
    const notifications = new SqlNotificationRepo(db);
    const outbox = new SqlMailOutboxRepo(db);
    await notifications.deleteByTag(1, 'MP|abcde|t', 'app:x');
    await notifications.deleteAllByTag('tag', 'MP|abcde|t', 'app:x');
    await notifications.deleteAllByTag('sub_tag', 'MP|abcde|s', 'app:x');
    await notifications.sameTagIds(1, [1, 2]);
    await notifications.listStages(1, [{ confirm: true, beforeId: null }], 50);
    await notifications.page(1, true, 10, 50);
    await outbox.cancelFor(1, [1, 2], 5);
    const planOf = (pattern: RegExp) => {
      const found = [...plans].filter(([sql]) => pattern.test(sql));
      assert.ok(found.length, `a statement matching ${pattern} ran`);
      return found.map(([, plan]) => plan).join(' | ');
    };
    assert.match(planOf(/DELETE FROM notifications WHERE user_id = \? AND tag = \?/), /USING INDEX notifications_tag/);
    assert.match(planOf(/DELETE FROM notifications WHERE tag = \?/), /USING INDEX notifications_tag/);
    assert.match(planOf(/DELETE FROM notifications WHERE sub_tag = \?/), /USING INDEX notifications_sub_tag/);
    assert.match(planOf(/SELECT n\.id FROM notifications n JOIN/), /SEARCH n USING INDEX notifications_tag/);
    for (const plan of planOf(/notify_type = 1 /).split(' | ')) assert.match(plan, /USING INDEX notifications_confirms/);
    assert.match(planOf(/UPDATE mail_outbox SET state = 'cancelled'.*notification_id IN/), /mail_outbox_user \(user_id=\? AND state=\? AND notification_id=\?\)/);
  } finally {
    await sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
