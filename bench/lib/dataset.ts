/**
 * Data folders for the server under test. A base folder is made once by the server itself
 * (schema, user 1 with its first-start webhook) plus a password user for the push row; each
 * size is a copy of it with N notifications written straight into the SQLite file in one
 * transaction — going through the API would take longer than the benchmark.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnServer, type Placement } from './child.ts';
import { serverArgs, serverEnv } from './notify24.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The password user the push row signs in as (user 2 in a fresh folder). */
export const WEB_USER = { login: 'bench', password: 'bench-password-1' };

/** The user every seeded notification belongs to: the webhook's own user, who reads them. */
export const OWNER_ID = 1;

export interface Dataset {
  dir: string;
  /** Notifications stored for OWNER_ID. */
  size: number;
  /** Seeded ids are 1..size. */
  maxId: number;
  webhookCode: string;
  webUserId: number;
}

export interface BaseFolder {
  dir: string;
  webhookCode: string;
  webUserId: number;
  /** Spawn to first 200 on /readyz on an empty folder (migrations and first-start setup). */
  firstStartMs: number;
}

/** Empty folder → running once creates the schema, user 1 and its webhook. */
export async function makeBase(workDir: string, placement: Placement): Promise<BaseFolder> {
  const dir = join(workDir, 'base');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = await spawnServer({ args: serverArgs(), env: serverEnv(dir), readyPath: '/readyz', placement });
  await server.stop();
  const cli = spawnSync('node', ['bin/notify24.js', 'user', 'add', '--login', WEB_USER.login, '--password', WEB_USER.password], {
    cwd: ROOT,
    env: { ...process.env, ...serverEnv(dir) },
    encoding: 'utf8',
  });
  const created = /user (\d+)/.exec(cli.stdout);
  if (cli.status !== 0 || !created) throw new Error(`user add failed: ${cli.stderr || cli.stdout}`);
  const saved = JSON.parse(readFileSync(join(dir, 'admin-webhook.json'), 'utf8')) as { code: string };
  return { dir, webhookCode: saved.code, webUserId: Number(created[1]), firstStartMs: server.startMs };
}

/** Bodies of the length and shape integrations send (a line of text with a little BB code). */
function body(i: number): string {
  return `Build #${i} of [b]notify24[/b] finished: ${i % 7 === 0 ? 'failed' : 'passed'} in ${(i % 300) + 20} s`;
}

/** Notification `i` (1..size) of a seed: OWNER_ID's, two in three read, newest last. */
export function seededNotification(i: number, size: number, now: number): { id: number; userId: number; body: string; isRead: number; createdAt: number } {
  // One a second back from now: 1 M rows span 11.6 days, well inside the 60-day retention.
  return { id: i, userId: OWNER_ID, body: body(i), isRead: i % 3 === 0 ? 0 : 1, createdAt: now - (size - i) * 1000 };
}

/**
 * The server keeps per-user counters beside the rows (migration 6); rows written behind its back
 * need theirs recomputed, as that migration does (after `DELETE FROM notify_counters`; both engines).
 */
export const RECOUNT_SQL = `INSERT INTO notify_counters (user_id, total, unread, unread_confirms)
   SELECT user_id, COUNT(*), SUM(CASE WHEN is_read = 0 THEN 1 ELSE 0 END),
          SUM(CASE WHEN is_read = 0 AND notify_type = 1 THEN 1 ELSE 0 END)
   FROM notifications GROUP BY user_id`;

/** Writes `size` notifications for OWNER_ID, newest last, all inside the retention window. */
function seed(file: string, size: number, webUserId: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const now = Date.now();
  const insert = db.prepare(
    `INSERT INTO notifications (id, user_id, author_id, notify_type, module, event, body, is_read, created_at)
     VALUES (?, ?, 0, 4, 'rest', 'rest_notify', ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const userId of [OWNER_ID, webUserId]) db.prepare('INSERT OR IGNORE INTO notify_chats (user_id) VALUES (?)').run(userId);
    for (let i = 1; i <= size; i++) {
      const n = seededNotification(i, size, now);
      insert.run(n.id, n.userId, n.body, n.isRead, n.createdAt);
    }
    db.prepare('DELETE FROM notify_counters').run();
    db.prepare(RECOUNT_SQL).run();
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** A copy of the base folder holding `size` notifications, made once per size. */
export function makeDataset(base: BaseFolder, workDir: string, size: number): Dataset {
  const dir = join(workDir, `seed-${size}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(base.dir, dir, { recursive: true });
  seed(join(dir, 'notify24.db'), size, base.webUserId);
  // Flush the written pages now, or the kernel's write-back competes with the first rows.
  spawnSync('sync');
  return { dir, size, maxId: size, webhookCode: base.webhookCode, webUserId: base.webUserId };
}

/** A throw-away copy for one run, so every row starts from exactly `size` stored notifications. */
export function runCopy(ds: Dataset, workDir: string, name: string): Dataset {
  const dir = join(workDir, `run-${name}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(ds.dir, dir, { recursive: true });
  return { ...ds, dir };
}
