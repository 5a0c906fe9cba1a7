import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.ts';
import { RedisRateLimiter } from '../../src/limits/redis-rate-limiter.ts';
import { needsRedis, testRedisUrl, uniquePrefix } from '../helpers/services.ts';

/** Two limiters on two connections, as two nodes would have, sharing one key space. */
async function twoNodes(t: import('node:test').TestContext, settings: { burst: number; drain: number }) {
  const prefix = uniquePrefix();
  const a = new Redis(testRedisUrl());
  const b = new Redis(testRedisUrl());
  t.after(async () => {
    const keys = await a.keys(`${prefix}*`);
    if (keys.length) await a.del(...keys);
    await Promise.all([a.quit(), b.quit()]);
  });
  return [new RedisRateLimiter(a, settings, prefix), new RedisRateLimiter(b, settings, prefix)] as const;
}

test('two limiters on one Redis share one bucket: burst + 1 pass, then refusals', async (t) => {
  if (!(await needsRedis(t))) return;
  const [nodeA, nodeB] = await twoNodes(t, { burst: 4, drain: 1 });
  const now = 1_700_000_000_000;
  const decisions: boolean[] = [];
  for (let i = 0; i < 8; i++) decisions.push(await (i % 2 ? nodeB : nodeA).take('caller', now));
  // Level 0..4 is not above burst 4: five pass; at level 5 every further request is refused.
  assert.deepEqual(decisions, [true, true, true, true, true, false, false, false]);
  assert.equal(await nodeA.take('other caller', now), true, 'buckets are per key');
});

test('concurrent requests across nodes never overfill the bucket (atomic script)', async (t) => {
  if (!(await needsRedis(t))) return;
  const [nodeA, nodeB] = await twoNodes(t, { burst: 9, drain: 2 });
  const now = 1_700_000_000_000;
  const all = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? nodeB : nodeA).take('burst', now)));
  assert.equal(all.filter(Boolean).length, 10);
});

test('the Redis bucket decides exactly like the in-memory one, drain and refusals included', async (t) => {
  if (!(await needsRedis(t))) return;
  const settings = { burst: 3, drain: 2 };
  const [nodeA, nodeB] = await twoNodes(t, settings);
  const memory = new MemoryRateLimiter(settings);
  // Bursts, partial drains (fractional levels), refusals that must not count, a full drain.
  const times = [0, 0, 0, 0, 0, 0, 250, 260, 500, 510, 1000, 1000, 1000, 1700, 5000, 5000, 5001, 5002, 5003, 5004];
  const start = 1_700_000_000_000;
  for (const [i, offset] of times.entries()) {
    const expected = await memory.take('k', start + offset);
    const actual = await (i % 3 ? nodeB : nodeA).take('k', start + offset);
    assert.equal(actual, expected, `request ${i} at +${offset} ms`);
  }
});
