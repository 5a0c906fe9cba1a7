import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configFromEnv } from '../../src/config.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { defineMethod } from '../../src/rest/registry.ts';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** A test-only method that counts how often its handler really ran. */
function addCounter(ts: TestServer): { runs: number } {
  const counter = { runs: 0 };
  ts.server.services.registry.add(
    defineMethod({ name: 'test.count', scope: '_global', handler: () => ++counter.runs }),
  );
  return counter;
}

async function statuses(ts: TestServer, n: number, method = 'server.time'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await call(ts.hook, method, {}, 'get')).status);
  return out;
}

test('X=50, Y=2: 51 immediate requests pass, the 52nd gets 503, then calls pass again at 2 per second', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ rateLimit: { burst: 50, drain: 2 } }, { clock });
  try {
    assert.deepEqual(await statuses(ts, 51), Array(51).fill(200));
    const refused = await call(ts.hook, 'server.time');
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    assert.ok(!refused.text.includes('"time"'), 'an error carries no time block');

    clock.advance(500);
    assert.deepEqual(await statuses(ts, 2), [200, 503], 'half a second drains one request');
    clock.advance(1000);
    assert.deepEqual(await statuses(ts, 3), [200, 200, 503], 'one second drains two');
    clock.advance(5000);
    assert.deepEqual(await statuses(ts, 11), [...Array(10).fill(200), 503], 'five seconds drain ten');
  } finally {
    await ts.close();
  }
});

test('a refused request changed nothing: its handler never ran and it did not deepen the bucket', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ rateLimit: { burst: 2, drain: 1 } }, { clock });
  try {
    const counter = addCounter(ts);
    assert.deepEqual(await statuses(ts, 3, 'test.count'), [200, 200, 200]);
    assert.equal(counter.runs, 3);
    assert.deepEqual(await statuses(ts, 20, 'test.count'), Array(20).fill(503));
    assert.equal(counter.runs, 3, 'no refused call reached the handler');
    clock.advance(1000);
    // Twenty refusals did not add to the level: one second of drain opens exactly one slot.
    assert.deepEqual(await statuses(ts, 2, 'test.count'), [200, 503]);
    assert.equal(counter.runs, 4);
  } finally {
    await ts.close();
  }
});

test('a batch is one request for the bucket, however many commands it carries', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ rateLimit: { burst: 2, drain: 1 } }, { clock });
  try {
    const big = await call(ts.hook, 'batch', { cmd: Array(50).fill('server.time') });
    assert.equal(big.status, 200);
    assert.equal(big.body.result.result.length, 50);
    // Level 1 after the batch: two more requests fit (levels 1 and 2 are not above X=2).
    assert.deepEqual(await statuses(ts, 3), [200, 200, 503]);
    const refusedBatch = await call(ts.hook, 'batch', { cmd: ['server.time'] });
    assert.equal(refusedBatch.status, 503);
    assert.equal(refusedBatch.body.error, 'QUERY_LIMIT_EXCEEDED');
  } finally {
    await ts.close();
  }
});

test('every request from the IP counts, whatever its credentials: one bucket per source IP', async () => {
  const clock = new ManualClock();
  const ts = await startTestServer({ rateLimit: { burst: 1, drain: 1 } }, { clock });
  try {
    const other = await ts.addUser({ login: 'bucket-other' });
    assert.equal((await call(ts.hook, 'server.time')).status, 200);
    assert.equal((await call(other.hook, 'server.time')).status, 200);
    assert.equal((await call(other.hook, 'server.time')).status, 503, 'the second webhook shares the IP bucket');
    assert.equal((await call(`${ts.url}/rest/1/wrong/`, 'server.time')).status, 503, 'refused before authentication');
    clock.advance(1000);
    assert.equal((await call(`${ts.url}/rest/1/wrong/`, 'server.time')).status, 401);
  } finally {
    await ts.close();
  }
});

test('limits off: no 503 ever, even far beyond the burst with time standing still', async () => {
  const ts = await startTestServer({ rateLimit: null }, { clock: new ManualClock() });
  try {
    const seen = await statuses(ts, 150);
    assert.deepEqual(seen, Array(150).fill(200));
  } finally {
    await ts.close();
  }
});

test('NOTIFY24_RATE_LIMIT and NOTIFY24_OPERATING_LIMIT: profiles, BURST/DRAIN, on/off/seconds, bad values refused', () => {
  const env = (vars: Record<string, string>) => configFromEnv(Object.fromEntries(Object.entries(vars).map(([k, v]) => [`NOTIFY24_${k}`, v])));
  assert.deepEqual(env({}).rateLimit, { burst: 50, drain: 2 });
  assert.equal(env({}).operatingLimit, null);
  assert.deepEqual(env({ RATE_LIMIT: 'standard' }).rateLimit, { burst: 50, drain: 2 });
  assert.deepEqual(env({ RATE_LIMIT: 'enterprise' }).rateLimit, { burst: 250, drain: 5 });
  assert.deepEqual(env({ RATE_LIMIT: '100/0.5' }).rateLimit, { burst: 100, drain: 0.5 });
  assert.equal(env({ RATE_LIMIT: 'off' }).rateLimit, null);
  assert.throws(() => env({ RATE_LIMIT: 'fast' }), /NOTIFY24_RATE_LIMIT/);
  assert.throws(() => env({ RATE_LIMIT: '50/0' }), /NOTIFY24_RATE_LIMIT/);
  assert.throws(() => env({ RATE_LIMIT: 'toString' }), /NOTIFY24_RATE_LIMIT/);
  assert.equal(env({ OPERATING_LIMIT: 'on' }).operatingLimit, 420);
  assert.equal(env({ OPERATING_LIMIT: '60' }).operatingLimit, 60);
  assert.equal(env({ OPERATING_LIMIT: 'off' }).operatingLimit, null);
  assert.throws(() => env({ OPERATING_LIMIT: 'lots' }), /NOTIFY24_OPERATING_LIMIT/);
});
