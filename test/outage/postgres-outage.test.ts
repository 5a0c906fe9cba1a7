/**
 * PostgreSQL connections killed (pg_terminate_backend) under write load, as a restart or a
 * failover does to them. Rule: every acknowledged send is stored exactly once, every refused
 * one is a clear 503 SERVICE_UNAVAILABLE and not stored, nothing else is answered (no 500),
 * and service comes back by itself. Only this server's connections are killed: they carry an
 * application_name of their own (other tests share the database).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ok } from '../helpers/http.ts';
import { startTestServer } from '../helpers/server.ts';
import { createTestSchema, needsPostgres, testDatabaseUrl } from '../helpers/services.ts';
import { assertAckedStoredOnce, sendLoad, slowestMs } from './load.ts';

test('connections killed mid-load: acknowledged sends stored once, refused ones are 503 and not stored, then recovery', async (t) => {
  if (process.env.NOTIFY24_TEST_STORE !== 'postgres') return t.skip('runs in the PostgreSQL pass');
  if (!(await needsPostgres(t))) return;
  const schema = await createTestSchema();
  const app = `notify24-outage-${randomBytes(4).toString('hex')}`;
  const url = new URL(schema.url);
  url.searchParams.set('application_name', app);
  const ts = await startTestServer({ databaseUrl: url.toString() });
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  const kill = async () =>
    Number((await admin.query('SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0].n);
  try {
    const u = await ts.addUser({ login: 'pg-outage' });
    let killed = 0;
    let stop = false;
    // Kill every connection of the server again and again while the load runs.
    const killer = (async () => {
      while (!stop) {
        killed += await kill();
        await sleep(200);
      }
    })();
    let outcomes;
    try {
      outcomes = await sendLoad(ts.hook, u.id, 'pg', 100, 6);
    } finally {
      stop = true;
      await killer;
    }
    const refused = outcomes.filter((o) => o.status === 503).length;
    t.diagnostic(`${killed} connections killed; ${outcomes.length - refused} sends acknowledged, ${refused} refused with 503; slowest answer ${slowestMs(outcomes)} ms`);
    assert.ok(killed > 0, 'connections were killed during the load');
    await assertAckedStoredOnce(ts, u.id, outcomes, 'SERVICE_UNAVAILABLE');
    // Recovery without a restart: the pool opens fresh connections.
    const after = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'after the outage' });
    assert.ok(after > 0);
    assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].text, 'after the outage');
  } finally {
    await admin.end();
    await ts.close();
    await schema.drop();
  }
});
