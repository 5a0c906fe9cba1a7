/**
 * Operating time across nodes when a node answers short calls from the windows it knows
 * (KnownWindows): a slow call recorded on one node must reach the others' answers.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/lib/log.ts';
import { redisInvalidationBus, type InvalidationBus } from '../../src/lib/redis-invalidation-bus.ts';
import type { RedisConnections } from '../../src/lib/redis.ts';
import { RedisOrLocal } from '../../src/lib/redis-or-local.ts';
import { KnownWindows } from '../../src/limits/known-windows.ts';
import { MemoryOperatingTime } from '../../src/limits/operating-time.ts';
import { RedisOperatingTime } from '../../src/limits/redis-operating-time.ts';
import { needsRedis, testRedisUrl, uniquePrefix } from '../helpers/services.ts';

const silent = createLogger('silent');
const T0 = Date.UTC(2026, 0, 1, 12, 0, 30);
const KEY = 'hook:1|test.slow';

/** A node's Redis connections, as server.ts opens them. */
async function connections(t: TestContext): Promise<RedisConnections> {
  const commands = new Redis(testRedisUrl(), { enableOfflineQueue: false, commandTimeout: 500, maxRetriesPerRequest: 1 });
  const subscriber = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  for (const r of [commands, subscriber]) {
    r.on('error', () => undefined);
    t.after(() => r.disconnect());
  }
  await Promise.all([commands, subscriber].map((r) => (r.status === 'ready' ? null : once(r, 'ready'))));
  return { commands, subscriber, ping: async () => undefined, close: async () => undefined };
}

/** A node's operating time as server.ts builds it, once its bus listens. */
async function node(t: TestContext, prefix: string, limit: number | null) {
  const redis = await connections(t);
  const channel = `${prefix}op-recorded`;
  const bus = redisInvalidationBus(redis, channel);
  const operating = new RedisOperatingTime(redis.commands, limit, `${prefix}op:`, new MemoryOperatingTime(limit), new RedisOrLocal('test', 'local', silent), { channel, bus });
  for (let i = 0; i < 200 && !bus.connected(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(bus.connected(), 'the bus listens');
  /** Resolves once this node heard the next announcement (its own listener, added first, has run). */
  const heard = () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no announcement heard')), 2000);
      redis.subscriber.on('message', (ch: string) => ch === channel && (clearTimeout(timer), resolve()));
    });
  return { operating, heard };
}

const sync = <T>(v: T | Promise<T>): T => {
  assert.ok(!(v instanceof Promise), 'answered by the node itself');
  return v as T;
};

test('a slow call recorded on one node shows in the next answer of a node that knew the window', async (t) => {
  if (!(await needsRedis(t))) return;
  const prefix = uniquePrefix();
  const a = await node(t, prefix, 2);
  const b = await node(t, prefix, 2);
  const minute = Math.floor(T0 / 60_000);
  const empty = { operating: 0, resetAt: Math.floor(T0 / 1000) + 600 };

  assert.deepEqual(await b.operating.record(KEY, 0.05, T0), empty);
  assert.deepEqual(sync(b.operating.record(KEY, 0.05, T0)), empty, 'B now answers the empty caller by itself');
  assert.equal(sync(b.operating.allowed(KEY, T0)), true, 'and lets it run without asking Redis');

  let heard = b.heard();
  assert.deepEqual(await a.operating.record(KEY, 1.5, T0), { operating: 1.5, resetAt: (minute + 10) * 60 });
  await heard;
  assert.deepEqual(await b.operating.record(KEY, 0.05, T0 + 1000), { operating: 1.5, resetAt: (minute + 10) * 60 }, 'B reports the record made on A');
  assert.deepEqual(sync(b.operating.record(KEY, 0.05, T0 + 2000)), { operating: 1.5, resetAt: (minute + 10) * 60 }, 'a window with baskets is known too');
  assert.equal(sync(b.operating.allowed(KEY, T0 + 2000)), true);

  heard = b.heard();
  await a.operating.record(KEY, 0.7, T0 + 60_000);
  await heard;
  assert.equal(await b.operating.allowed(KEY, T0 + 60_000), false, 'B applies the limit to what A recorded');
  assert.equal(sync(b.operating.allowed(KEY, T0 + 60_000)), false);

  // Once the oldest basket leaves the window, Redis is asked again (and drops it).
  const later = b.operating.record(KEY, 0.05, T0 + 10 * 60_000);
  assert.ok(later instanceof Promise, 'asked Redis');
  assert.deepEqual(await later, { operating: 0.7, resetAt: (minute + 11) * 60 });

  // The recording node forgets at once, without waiting for its own announcement.
  assert.deepEqual(await a.operating.record('hook:2|m', 0.05, T0), empty);
  assert.equal((await a.operating.record('hook:2|m', 0.5, T0)).operating, 0.5);
  assert.equal((await a.operating.record('hook:2|m', 0.05, T0)).operating, 0.5, 'A does not answer from what it knew');

  // forget() starts this node over: its earlier records no longer count, its callers are empty again.
  b.operating.forget();
  assert.equal((await b.operating.record(KEY, 0.05, T0 + 1000)).operating, 0);
});

/** A bus under the test's control. */
function fakeBus() {
  let drop: (message: string) => void = () => undefined;
  const state = { connected: true };
  const bus: InvalidationBus = { publish: async () => drop(''), listen: (d) => void (drop = d), connected: () => state.connected };
  return { bus, state, announce: (key: string) => drop(key) };
}

test('known windows: forgotten on an announcement, refused when one came in while Redis was asked, unused while the bus is down', () => {
  const { bus, state, announce } = fakeBus();
  const known = new KnownWindows(bus);
  const minute = Math.floor(T0 / 60_000);
  known.learn('k1', known.mark(), 0, null);
  known.learn('k2', known.mark(), 0.5, minute);
  assert.deepEqual(known.report('k2', T0), { operating: 0.5, resetAt: (minute + 10) * 60 });
  assert.equal(known.report('k2', T0 + 10 * 60_000), null, 'its basket left the window');
  known.learn('k2', known.mark(), 0.5, minute);
  assert.deepEqual([known.report('k1', T0)?.operating, known.report('k3', T0)], [0, null]);
  announce('k1');
  assert.deepEqual([known.report('k1', T0), known.report('k2', T0)?.operating], [null, 0.5], 'only the announced key is forgotten');

  // The answer to a question asked before an announcement may predate the record it announced.
  const mark = known.mark();
  announce('other');
  known.learn('k1', mark, 0, null);
  assert.equal(known.report('k1', T0), null);

  state.connected = false;
  assert.equal(known.report('k2', T0), null, 'not trusted while messages could be missed');
  known.learn('k3', known.mark(), 0, null);
  state.connected = true;
  assert.deepEqual([known.report('k2', T0), known.report('k3', T0)], [null, null], 'what was known before is gone');
  known.learn('k3', known.mark(), 0, null);
  announce('');
  assert.equal(known.report('k3', T0), null, 'an empty announcement (a lost connection) forgets everything');
});
