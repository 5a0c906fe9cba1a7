/**
 * Redis outages under write load, on a Redis of the test's own: killed and restarted, and
 * frozen (SIGSTOP: connections open, no answers). Rule: a call is either acknowledged and
 * stored exactly once, or refused with a clear error and not stored; service comes back by
 * itself. Fail open (the default) keeps answering from this node's own buckets; fail closed
 * refuses with 503 SERVICE_UNAVAILABLE.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin } from '../helpers/session.ts';
import { openWs } from '../web/channel-client.ts';
import { assertAckedStoredOnce, sendLoad, slowestMs } from './load.ts';
import { needsRedisServer, PrivateRedis } from './private-redis.ts';

const redis = new PrivateRedis();
let started = false;
before(async () => {
  started = true;
  try {
    await redis.start();
  } catch {
    started = false; // no binary: each test skips (or fails in CI) through needsRedisServer
  }
});
after(() => redis.stop());

/** How long service may take to come back after Redis does (ioredis reconnects with back-off). */
const RECOVERY_MS = 30_000;

/** Generous buckets: the limiter must be consulted on every call without refusing this load. */
const LIMIT = { burst: 10_000, drain: 1_000 };

async function server(failMode: 'open' | 'closed'): Promise<TestServer> {
  return startTestServer({ redisUrl: redis.url, rateLimit: LIMIT, rateLimitFailMode: failMode, redisPrefix: `outage-${failMode}:` });
}

/** Waits until the server's rate limiter writes to Redis again (its bucket key reappears). */
async function sharedBucketsBack(ts: TestServer, prefix: string): Promise<void> {
  const probe = new Redis(redis.url);
  const deadline = Date.now() + RECOVERY_MS;
  try {
    for (;;) {
      assert.ok(Date.now() < deadline, `the rate limiter used Redis again within ${RECOVERY_MS} ms`);
      await call(ts.hook, 'server.time');
      if ((await probe.keys(`${prefix}rate:*`)).length) return;
      await sleep(50);
    }
  } finally {
    probe.disconnect();
  }
}

test('fail open: Redis killed and restarted mid-load; every send acknowledged and stored once; shared buckets and live push to an open page come back', async (t) => {
  if (!(await needsRedisServer(t)) || !started) return;
  const ts = await server('open');
  try {
    const u = await ts.addUser({ login: 'redis-open', password: 'open-secret-1' });
    const page = await openWs(ts, (await webLogin(ts, 'redis-open', 'open-secret-1')).cookie);
    await ts.server.services.hub.subscribed(u.id);
    const outcomes = await sendLoad(ts.hook, u.id, 'open', 90, 4, async (done) => {
      if (done === 30) await redis.stop();
      if (done === 60) await redis.start();
    });
    await assertAckedStoredOnce(ts, u.id, outcomes, 'SERVICE_UNAVAILABLE');
    assert.equal(outcomes.filter((o) => o.status === 200).length, 90, 'fail open refuses nothing');
    t.diagnostic(`slowest answer with Redis killed and restarted: ${slowestMs(outcomes)} ms`);

    // Recovery: the shared buckets are used again, and the page that stayed open through the
    // outage gets live pushes again (its node re-subscribed when Redis came back).
    await sharedBucketsBack(ts, 'outage-open:');
    // One waiter for the whole loop: a waiter per attempt would leave stale ones behind that
    // take (and drop) the later pushes, so a push that came back slowly was never seen.
    let back = false;
    const pushed = page.inbox.nextWhere((m) => m.command === 'notifyAdd' && String(m.params.text).startsWith('after the outage'));
    void pushed.then(() => (back = true));
    const deadline = Date.now() + RECOVERY_MS;
    for (let i = 0; !back; i++) {
      assert.ok(Date.now() < deadline, `live push came back within ${RECOVERY_MS} ms`);
      await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `after the outage ${i}` });
      await Promise.race([pushed, sleep(300)]);
    }
    await page.close();
  } finally {
    await ts.close();
  }
});

test('fail closed: while Redis is down every call is a clear 503 and nothing is stored; then service resumes', async (t) => {
  if (!(await needsRedisServer(t)) || !started) return;
  const ts = await server('closed');
  try {
    const u = await ts.addUser({ login: 'redis-closed' });
    await redis.stop();
    const down = await sendLoad(ts.hook, u.id, 'closed', 20, 4);
    assert.deepEqual(new Set(down.map((o) => o.status)), new Set([503]));
    const r = await call(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'refused' });
    assert.deepEqual([r.status, r.body.error, r.body.error_description], [503, 'SERVICE_UNAVAILABLE', 'The rate limiter is unavailable, try again later']);
    t.diagnostic(`slowest refusal with Redis down: ${slowestMs(down)} ms`);
    await redis.start();
    await sharedBucketsBack(ts, 'outage-closed:');
    const up = await sendLoad(ts.hook, u.id, 'closed-up', 10, 2);
    await assertAckedStoredOnce(ts, u.id, [...down, ...up], 'SERVICE_UNAVAILABLE');
    assert.equal(up.filter((o) => o.status === 200).length, 10);
    assert.equal((await ts.server.services.store.notifications.page(u.id, false, null, null)).length, 10);
  } finally {
    await ts.close();
  }
});

test('a frozen Redis (connections open, no answers) never hangs a call: commands time out and the send is stored once', async (t) => {
  if (!(await needsRedisServer(t)) || !started) return;
  const ts = await server('open');
  try {
    const u = await ts.addUser({ login: 'redis-frozen' });
    await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'warm' });
    redis.freeze();
    let outcomes;
    try {
      // Without command timeouts these calls would wait forever (the test would time out).
      outcomes = await sendLoad(ts.hook, u.id, 'frozen', 8, 4);
    } finally {
      redis.thaw();
    }
    assert.equal(outcomes.filter((o) => o.status === 200).length, 8);
    t.diagnostic(`slowest answer with Redis frozen: ${slowestMs(outcomes)} ms`);
    await assertAckedStoredOnce(ts, u.id, [{ text: 'warm', status: 200, id: (await ts.server.services.store.notifications.page(u.id, false, null, null)).at(-1)!.id, error: null, ms: 0 }, ...outcomes], 'SERVICE_UNAVAILABLE');
  } finally {
    await ts.close();
  }
});

test('a change is answered once committed, not after its push: with Redis frozen the send and the read answer, and the open page gets both pushes, in order, once Redis is back', async (t) => {
  if (!(await needsRedisServer(t)) || !started) return;
  // A command timeout far longer than the wait below: an answer held by its push could not come in time.
  const ts = await startTestServer({ redisUrl: redis.url, redisTimeoutMs: 120_000, redisPrefix: 'outage-answer:' });
  try {
    const u = await ts.addUser({ login: 'redis-answer', password: 'answer-secret-1' });
    const page = await openWs(ts, (await webLogin(ts, 'redis-answer', 'answer-secret-1')).cookie);
    await ts.server.services.hub.subscribed(u.id);
    // Each caller's first call of a method reads its operating time from Redis: made once here,
    // so that what is left on Redis' side of the calls below is their pushes.
    const warm = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'warm' });
    await ok(u.hook, 'im.notify.read', { ID: warm, ONLY_CURRENT: 'Y' });
    await page.inbox.until('notifyRead');
    const seen: [string, unknown][] = [];
    const pushed = (async () => {
      for (;;) {
        const m = await page.inbox.next();
        if (m.command === 'notifyAdd' || m.command === 'notifyRead') seen.push([m.command, m.params.counter]);
        if (m.command === 'notifyRead') return;
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    redis.freeze();
    try {
      const answered = async () => {
        const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'answered before its push' });
        await ok(u.hook, 'im.notify.read', { ID: id, ONLY_CURRENT: 'Y' });
      };
      const held = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the answers waited for Redis')), 20_000)));
      await Promise.race([answered(), held]);
    } finally {
      clearTimeout(timer);
      redis.thaw();
    }
    await pushed;
    // Each carries the count after the commits made before its counter was read.
    assert.deepEqual(seen, [['notifyAdd', 1], ['notifyRead', 0]]);
    await page.close();
  } finally {
    await ts.close();
  }
});
