/**
 * The sign-in throttle and the operating-time accounting, one contract run against every
 * implementation: in memory, in Redis (two connections standing for two nodes), and in Redis
 * while Redis is unreachable (the node's memory stands in, answering at once).
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { MemoryFailureCounts, type FailureCounts } from '../../src/identity/failure-counts.ts';
import { LoginThrottle } from '../../src/identity/login-throttle.ts';
import { RedisFailureCounts } from '../../src/identity/redis-failure-counts.ts';
import { createLogger } from '../../src/lib/log.ts';
import { RedisOrLocal } from '../../src/lib/redis-or-local.ts';
import { MemoryOperatingTime, type OperatingTime } from '../../src/limits/operating-time.ts';
import { RedisOperatingTime } from '../../src/limits/redis-operating-time.ts';
import { freePort } from '../apps/handler.ts';
import { needsRedis, testRedisUrl, uniquePrefix } from '../helpers/services.ts';

const silent = createLogger('silent');
const T0 = Date.UTC(2026, 0, 1, 12, 0, 30);

interface Impl {
  /** Two handles on one state (two nodes), or the same handle twice where state is per node. */
  counts(): Promise<[FailureCounts, FailureCounts]>;
  operating(limit: number | null): Promise<[OperatingTime, OperatingTime]>;
}

const memory: Impl = {
  async counts() {
    const c = new MemoryFailureCounts();
    return [c, c];
  },
  async operating(limit) {
    const o = new MemoryOperatingTime(limit);
    return [o, o];
  },
};

/** Redis at `url`, as server.ts builds it (no offline queue, short command timeout). */
function redisImpl(t: TestContext, url: string): Impl {
  const prefix = uniquePrefix();
  const conn = () => {
    const r = new Redis(url, { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 1, lazyConnect: false });
    r.on('error', () => undefined);
    t.after(() => r.disconnect());
    return r;
  };
  const ready = async (r: Redis) => {
    if (url === testRedisUrl()) await new Promise((resolve) => (r.status === 'ready' ? resolve(null) : r.once('ready', resolve)));
    return r;
  };
  return {
    async counts() {
      const node = async () => new RedisFailureCounts(await ready(conn()), `${prefix}login:`, new MemoryFailureCounts(), new RedisOrLocal('test', 'local', silent));
      const a = await node();
      // Unreachable Redis: each node falls back to its own memory, so "both nodes" are one.
      return url === testRedisUrl() ? [a, await node()] : [a, a];
    },
    async operating(limit) {
      const node = async () => new RedisOperatingTime(await ready(conn()), limit, `${prefix}op:`, new MemoryOperatingTime(limit), new RedisOrLocal('test', 'local', silent));
      const a = await node();
      return url === testRedisUrl() ? [a, await node()] : [a, a];
    },
  };
}

async function implementations(t: TestContext): Promise<[string, Impl][]> {
  const list: [string, Impl][] = [['memory', memory], ['redis unreachable', redisImpl(t, `redis://127.0.0.1:${await freePort()}`)]];
  if (await needsRedis(t)) list.push(['redis', redisImpl(t, testRedisUrl())]);
  return list;
}

test('failure counts: add, read on the other node, clear, forgotten after keepMs on the caller\'s clock', async (t) => {
  for (const [name, impl] of await implementations(t)) {
    const [a, b] = await impl.counts();
    assert.deepEqual(await a.get(['k1', 'k2'], T0), [{ failures: 0, lastAt: 0 }, { failures: 0, lastAt: 0 }], name);
    await a.add(['k1', 'k2'], T0, 60_000);
    await b.add(['k1'], T0 + 10, 60_000);
    assert.deepEqual(await b.get(['k1', 'k2'], T0 + 20), [{ failures: 2, lastAt: T0 + 10 }, { failures: 1, lastAt: T0 }], name);
    await a.clear(['k2']);
    assert.deepEqual((await b.get(['k2'], T0 + 20))[0], { failures: 0, lastAt: 0 }, name);
    assert.deepEqual((await a.get(['k1'], T0 + 60_010))[0], { failures: 0, lastAt: 0 }, `${name}: forgotten`);
    await a.add(['k1'], T0 + 60_010, 60_000);
    assert.equal((await b.get(['k1'], T0 + 60_020))[0]!.failures, 1, `${name}: counting starts again after expiry`);
  }
});

test('sign-in throttle: free attempts, then waits doubling per login and address; other addresses and logins unaffected', async (t) => {
  for (const [name, impl] of await implementations(t)) {
    const [ca, cb] = await impl.counts();
    const nodeA = new LoginThrottle(ca);
    const nodeB = new LoginThrottle(cb);
    for (let i = 0; i < 5; i++) {
      assert.equal(await (i % 2 ? nodeB : nodeA).wait('10.0.0.1', 'Kate', T0), 0, name);
      await (i % 2 ? nodeB : nodeA).fail('10.0.0.1', 'Kate', T0);
    }
    assert.equal(await nodeB.wait('10.0.0.1', 'kate', T0), 0, `${name}: 5 failures are free`);
    await nodeA.fail('10.0.0.1', 'kate', T0);
    assert.equal(await nodeB.wait('10.0.0.1', 'KATE', T0), 1000, `${name}: logins compare case-insensitively`);
    assert.equal(await nodeB.wait('10.0.0.1', 'kate', T0 + 400), 600, name);
    assert.equal(await nodeB.wait('10.0.0.2', 'kate', T0), 0, `${name}: another address`);
    assert.equal(await nodeB.wait('10.0.0.1', 'other', T0), 0, `${name}: another login`);
    await nodeB.fail('10.0.0.1', 'kate', T0 + 1000);
    assert.equal(await nodeA.wait('10.0.0.1', 'kate', T0 + 1000), 2000, `${name}: doubled`);
    await nodeA.succeed('10.0.0.1', 'kate');
    assert.equal(await nodeB.wait('10.0.0.1', 'kate', T0 + 1000), 0, `${name}: success clears the pair`);

    // One address spraying many logins: 50 free, then short waits for that address only.
    for (let i = 0; i < 51; i++) await nodeA.fail('10.9.9.9', `user${i}`, T0);
    assert.equal(await nodeB.wait('10.9.9.9', 'fresh-login', T0), 1000, `${name}: the address waits`);
    assert.equal(await nodeB.wait('10.9.9.8', 'user1', T0), 0, `${name}: not the logins elsewhere`);
    for (let i = 0; i < 30; i++) await nodeA.fail('10.9.9.9', `more${i}`, T0);
    assert.equal(await nodeB.wait('10.9.9.9', 'fresh-login', T0), 30_000, `${name}: the address wait is capped at 30 s`);
  }
});

test('operating time: baskets per minute, calls up to 0.1 s not counted, the limit, the window, shared by nodes', async (t) => {
  for (const [name, impl] of await implementations(t)) {
    const [a, b] = await impl.operating(1);
    const minute = Math.floor(T0 / 60_000);
    assert.deepEqual(await a.record('hook:1|test.slow', 0.05, T0), { operating: 0, resetAt: Math.floor(T0 / 1000) + 600 }, name);
    assert.deepEqual(await b.record('hook:1|test.slow', 0.6, T0), { operating: 0.6, resetAt: (minute + 10) * 60 }, name);
    assert.equal(await a.allowed('hook:1|test.slow', T0), true, `${name}: 0.6 s is within 1 s`);
    assert.deepEqual(await a.record('hook:1|test.slow', 0.5, T0 + 60_000), { operating: 1.1, resetAt: (minute + 10) * 60 }, name);
    assert.equal(await b.allowed('hook:1|test.slow', T0 + 60_000), false, `${name}: over the limit`);
    assert.equal(await b.allowed('hook:2|test.slow', T0 + 60_000), true, `${name}: other callers unaffected`);
    assert.equal(await a.allowed('hook:1|test.slow', T0 + 10 * 60_000), true, `${name}: the first basket left the window`);
    assert.deepEqual(await b.record('hook:1|test.slow', 0, T0 + 10 * 60_000), { operating: 0.5, resetAt: (minute + 11) * 60 }, name);
    a.forget();
    assert.equal((await a.record('hook:1|test.slow', 0, T0 + 10 * 60_000)).operating, 0, `${name}: forget empties the window`);
    const [unlimited] = await impl.operating(null);
    await unlimited.record('hook:3|m', 5, T0);
    assert.equal(await unlimited.allowed('hook:3|m', T0), true, `${name}: no limit never refuses`);
  }
});

test('the memory counts stay bounded under random logins', async () => {
  const counts = new MemoryFailureCounts(50);
  const throttle = new LoginThrottle(counts);
  for (let i = 0; i < 1000; i++) await throttle.fail('10.0.0.1', `random-${i}`, T0 + i);
  assert.ok(counts.size <= 50, `size ${counts.size}`);
});

test('two nodes on one Redis share the sign-in throttle', async (t) => {
  if (!(await needsRedis(t))) return;
  const { startTestServer } = await import('../helpers/server.ts');
  const redisPrefix = uniquePrefix();
  const [a, b] = [await startTestServer({ redisUrl: testRedisUrl(), redisPrefix }), await startTestServer({ redisUrl: testRedisUrl(), redisPrefix })];
  try {
    const attempt = (node: typeof a) =>
      fetch(`${node.url}/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ login: 'ghost', password: 'guess' }) });
    for (let i = 0; i < 6; i++) assert.equal((await attempt(i % 2 ? b : a)).status, 401);
    assert.equal((await attempt(b)).status, 429, 'the other node knows about the failures');
    assert.equal((await attempt(a)).status, 429);
  } finally {
    await a.close();
    await b.close();
  }
});
