/**
 * PostgreSQL connections killed (pg_terminate_backend) under write load, as a restart or a
 * failover does to them. Rule: every acknowledged call's change is stored exactly once, every
 * refused one is a clear 503 SERVICE_UNAVAILABLE and changed nothing, nothing else is answered
 * (no 500), and service comes back by itself. Only this server's connections are killed: they
 * carry an application_name of their own (other tests share the database).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Config } from '../../src/config.ts';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createTestSchema, needsPostgres, testDatabaseUrl } from '../helpers/services.ts';
import { addApp, tokensFor } from '../apps/oauth-client.ts';
import { assertAckedStoredOnce, sendLoad, slowestMs } from './load.ts';

/** A server over its own schema whose connections `during` kills again and again while `load` runs. */
async function withKilledConnections(t: TestContext, overrides: Partial<Config>, run: (ts: TestServer, during: <T>(load: () => Promise<T>) => Promise<T>) => Promise<void>): Promise<void> {
  if (process.env.NOTIFY24_TEST_STORE !== 'postgres') return void t.skip('runs in the PostgreSQL pass');
  if (!(await needsPostgres(t))) return;
  const schema = await createTestSchema();
  const app = `notify24-outage-${randomBytes(4).toString('hex')}`;
  const url = new URL(schema.url);
  url.searchParams.set('application_name', app);
  const ts = await startTestServer({ ...overrides, databaseUrl: url.toString() });
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  let killed = 0;
  const during = async <T>(load: () => Promise<T>): Promise<T> => {
    let stop = false;
    const killer = (async () => {
      while (!stop) {
        const r = await admin.query('SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
        killed += Number(r.rows[0].n);
        await sleep(200);
      }
    })();
    try {
      return await load();
    } finally {
      stop = true;
      await killer;
      assert.ok(killed > 0, 'connections were killed during the load');
      t.diagnostic(`${killed} connections killed`);
    }
  };
  try {
    await run(ts, during);
  } finally {
    await admin.end();
    await ts.close();
    await schema.drop();
  }
}

test('sends while connections are killed: acknowledged ones stored once, refused ones are 503 and not stored, then recovery', (t) =>
  withKilledConnections(t, {}, async (ts, during) => {
    const u = await ts.addUser({ login: 'pg-outage' });
    const outcomes = await during(() => sendLoad(ts.hook, u.id, 'pg', 60, 6));
    const refused = outcomes.filter((o) => o.status === 503).length;
    t.diagnostic(`${outcomes.length - refused} sends acknowledged, ${refused} refused with 503; slowest answer ${slowestMs(outcomes)} ms`);
    await assertAckedStoredOnce(ts, u.id, outcomes, 'SERVICE_UNAVAILABLE');
    // Recovery without a restart: the pool opens fresh connections.
    assert.ok((await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'after the outage' })) > 0);
    assert.equal((await ok(u.hook, 'im.notify.get')).notifications[0].text, 'after the outage');
  }));

test('confirms while connections are killed: an acknowledged one is gone with one event queued, a refused one is untouched', (t) =>
  // Deliveries go nowhere here (a private address nothing answers), only their queue is checked.
  withKilledConnections(t, { eventMaxAttempts: 1, eventTimeoutMs: 200 }, async (ts, during) => {
    const a = await addApp(ts, { name: 'Asker' });
    const token = (await tokensFor(ts, a, 1)).access_token;
    await ok(`${ts.url}/rest/`, 'event.bind', { auth: token, event: 'ONIMNOTIFYCONFIRM', handler: 'http://10.255.255.1/confirm/' });
    const u = await ts.addUser({ login: 'pg-confirmer' });
    const buttons = [{ TITLE: 'Yes', VALUE: 'Y', TYPE: 'accept' }];
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await ok(`${ts.url}/rest/`, 'im.notify.personal.add', { auth: token, USER_ID: u.id, MESSAGE: `q${i}`, BUTTONS: buttons }));
    const answers = await during(() => Promise.all(ids.map(async (id, i) => {
      await sleep(i * 15);
      return { id, r: await call(u.hook, 'im.notify.confirm', { NOTIFY_ID: id, NOTIFY_VALUE: 'Y' }) };
    })));
    const queued = new Map<number, number>();
    for (const d of await ts.server.services.store.events.deliveries({ appId: a.app.id, limit: 1000 })) {
      const id = Number((d.data as { NOTIFY_ID: unknown }).NOTIFY_ID);
      queued.set(id, (queued.get(id) ?? 0) + 1);
    }
    let refused = 0;
    for (const { id, r } of answers) {
      const left = await ts.server.services.store.notifications.byId(id);
      if (r.status === 200) {
        assert.deepEqual(r.body.result, { result_message: ['Your selection: "Yes"'] }, `confirm ${id}`);
        assert.equal(left, null, `confirm ${id} acknowledged: deleted`);
        assert.equal(queued.get(id), 1, `confirm ${id} acknowledged: one event queued`);
      } else {
        refused++;
        assert.deepEqual([r.status, r.body.error], [503, 'SERVICE_UNAVAILABLE'], `confirm ${id}`);
        assert.ok(left, `confirm ${id} refused: still there to be pressed again`);
        assert.equal(queued.get(id), undefined, `confirm ${id} refused: no event`);
      }
    }
    t.diagnostic(`${answers.length - refused} confirms acknowledged, ${refused} refused with 503`);
  }));
