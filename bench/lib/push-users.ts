/**
 * Push to one of many users: N users, each signed in once with one WebSocket, and sends
 * through the webhook to one of them at a time, picked at random. Each send is one frame on one
 * socket among N, so the figure is what a notification costs on a server holding a whole
 * company's open tabs. The users and their web sessions are written straight into a copy of the
 * seeded SQLite file, as the notifications are: signing in 10k times through the form would be
 * 10k scrypt hashes. A session row is what `startSession` (src/identity/web-sessions.ts) stores:
 * the SHA-256 of the cookie's random token.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { hashSecret } from '../../src/lib/secrets.ts';
import { SESSION_COOKIE } from '../../src/identity/web-sessions.ts';
import { runCopy, type Dataset } from './dataset.ts';
import { measureSubscribers, pushNote } from './push.ts';
import type { Subscriber } from './push-clients.ts';
import { size, type Row } from './report.ts';
import { startNotify24, type Ctx } from './rows.ts';

/** Sessions seeded to last the whole run; last seen now, so no connection extends its own. */
const SESSION_MS = 24 * 3_600_000;

/** Adds `n` users with a live web session each, in one transaction; returns their cookies. */
function seedUsers(file: string, n: number): Subscriber[] {
  const db = new Database(file);
  const now = Date.now();
  const addUser = db.prepare('INSERT INTO users (login, name, created_at) VALUES (?, ?, ?)');
  const addSession = db.prepare('INSERT INTO web_sessions (token_hash, user_id, created_at, last_seen_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)');
  const out: Subscriber[] = [];
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const userId = Number(addUser.run(`bench-user-${i}`, `Bench user ${i}`, now).lastInsertRowid);
      const token = randomBytes(32).toString('hex');
      addSession.run(hashSecret(token), userId, now, now, now + SESSION_MS, '127.0.0.1');
      out.push({ cookie: `${SESSION_COOKIE}=${token}`, userId });
    }
  })();
  db.close();
  return out;
}

export async function pushUsersRow(ctx: Ctx, ds: Dataset, n: number): Promise<Row> {
  const name = `push, ${size(n)} users × 1 WebSocket, send to one`;
  const copy = runCopy(ds, ctx.workDir, 'push-users');
  const subscribers = seedUsers(join(copy.dir, 'notify24.db'), n);
  const server = await startNotify24(ctx, copy.dir);
  try {
    const sends = ctx.settings.pushUserSends;
    const pick = () => subscribers[Math.floor(Math.random() * n)]!.userId;
    const p = await measureSubscribers(server, copy.webhookCode, { subscribers, sends, target: pick, processes: ctx.settings.clientProcesses }, ctx.placement);
    return { name, rps: null, p50: p.p50, p99: p.p99, aloneP50: null, ratio: null, note: `send→receipt over ${sends} sends, each to one user picked at random; ${pushNote(p)}` };
  } finally {
    await server.stop();
  }
}
