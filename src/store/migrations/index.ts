import type { SqlDb } from '../engine/sql-db.ts';
import { ddlFor, type Migration } from './ddl.ts';
import { identity } from './001-identity.ts';
import { apps } from './002-apps.ts';
import { notifications } from './003-notifications.ts';
import { sessions } from './004-sessions.ts';
import { messageOut } from './005-message-out.ts';
import { notifyCounters } from './006-notify-counters.ts';
import { tagOwners } from './007-tag-owners.ts';
import { delivery } from './008-delivery.ts';
import { webPush } from './009-web-push.ts';
import { userPreferences } from './010-user-preferences.ts';
import { unreadIndex } from './011-unread-index.ts';
import { leanIndexes } from './012-lean-indexes.ts';

/** Every schema version, in order. Add a file per version; never edit a released one. */
export const migrations: Migration[] = [identity, apps, notifications, sessions, messageOut, notifyCounters, tagOwners, delivery, webPush, userPreferences, unreadIndex, leanIndexes];

/** Any fixed number: the PostgreSQL advisory lock every node takes while migrating. */
const MIGRATION_LOCK = 7_242_024;

/**
 * Brings the schema up to the newest version. On SQLite each version is applied in its own
 * transaction. On PostgreSQL several nodes may start at once, so the whole run happens in one
 * transaction holding an advisory lock: the second node waits, then sees the versions the first
 * applied (PostgreSQL DDL is transactional, so a failure still leaves no half-applied version).
 */
export async function migrate(db: SqlDb, list: Migration[] = migrations): Promise<number[]> {
  if (db.dialect !== 'postgres') return applyPending(db, list);
  return db.tx(async (t) => {
    await t.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    return applyPending(t, list);
  });
}

async function applyPending(db: SqlDb, list: Migration[]): Promise<number[]> {
  await db.run(
    `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
  );
  const applied = new Set(
    (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  const ddl = ddlFor(db.dialect);
  const done: number[] = [];
  for (const m of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(m.version)) continue;
    await db.tx(async (t) => {
      // PostgreSQL takes a version's statements in one round trip (a list without parameters);
      // a fresh schema (every test portal's) is then made in a dozen round trips, not fifty.
      if (t.dialect === 'postgres') await t.run(m.up(ddl).join(';\n'));
      else for (const statement of m.up(ddl)) await t.run(statement);
      await t.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
    });
    done.push(m.version);
  }
  return done;
}
