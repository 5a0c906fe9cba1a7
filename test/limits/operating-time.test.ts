import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { test } from 'node:test';
import type { Config } from '../../src/config.ts';
import { ManualClock } from '../../src/lib/clock.ts';
import { defineMethod } from '../../src/rest/registry.ts';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** The handler's real duration: above the 0.1 s the portal ignores, above the 0.1 s limit used here. */
const SLOW_MS = 150;
/** Timers may fire a millisecond or two early against performance.now(): the floor asserted. */
const SLOW_S = (SLOW_MS - 5) / 1000;

/** Starts a server with a test-only slow method that counts its runs. */
async function slowServer(overrides: Partial<Config>) {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 30));
  const ts: TestServer = await startTestServer(overrides, { clock });
  const counter = { runs: 0 };
  ts.server.services.registry.add(
    defineMethod({
      name: 'test.slow',
      scope: '_global',
      handler: async () => {
        counter.runs++;
        await delay(SLOW_MS);
        return true;
      },
    }),
  );
  return { ts, clock, counter };
}

const BLOCKED = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };

test('over the operating limit: 429 for that method and caller only, figures in time, reset after the window', async () => {
  const { ts, clock, counter } = await slowServer({ operatingLimit: 0.1 });
  try {
    const first = await call(ts.hook, 'test.slow');
    assert.equal(first.status, 200);
    assert.ok(first.body.time.operating >= SLOW_S, `operating ${first.body.time.operating}`);
    // The oldest basket is minute 12:00, which leaves the ten-minute window at 12:10.
    assert.equal(first.body.time.operating_reset_at, Date.UTC(2026, 0, 1, 12, 10) / 1000);

    const blocked = await call(ts.hook, 'test.slow');
    assert.equal(blocked.status, 429);
    assert.deepEqual(blocked.body, BLOCKED);
    assert.equal(counter.runs, 1, 'the blocked call did not run');

    const other = await call(ts.hook, 'server.time');
    assert.equal(other.status, 200, 'other methods of the same caller are unaffected');
    assert.equal(other.body.time.operating, 0);
    const otherCaller = await ts.addUser({ login: 'op-other' });
    assert.equal((await call(otherCaller.hook, 'test.slow')).status, 200, 'other webhooks are unaffected');

    clock.advance(9 * 60_000);
    assert.equal((await call(ts.hook, 'test.slow')).status, 429, 'still inside the window at 12:09:30');
    clock.advance(60_000);
    const again = await call(ts.hook, 'test.slow');
    assert.equal(again.status, 200, 'the basket of 12:00 left the window');
    assert.equal(counter.runs, 3);
  } finally {
    await ts.close();
  }
});

test('inside a batch each sub-call is checked under its own method; the batch itself is exempt', async () => {
  const { ts, counter } = await slowServer({ operatingLimit: 0.1 });
  try {
    const res = await call(ts.hook, 'batch', { cmd: { a: 'test.slow', b: 'test.slow', t: 'server.time' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.result.result_error, { b: BLOCKED });
    assert.equal(res.body.result.result.a, true);
    assert.ok(res.body.result.result_time.a.operating >= SLOW_S);
    assert.equal(counter.runs, 1);
    // The batch's own time block does not count towards anything: a second batch still runs.
    assert.equal((await call(ts.hook, 'batch', { cmd: ['server.time'] })).status, 200);
    assert.equal((await call(ts.hook, 'test.slow')).status, 429);
  } finally {
    await ts.close();
  }
});

test('limit off (the default): operating time is reported but never blocks', async () => {
  const { ts, counter } = await slowServer({ operatingLimit: null });
  try {
    const first = await call(ts.hook, 'test.slow');
    const second = await call(ts.hook, 'test.slow');
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.ok(second.body.time.operating >= 2 * SLOW_S, 'both calls accumulated');
    assert.equal(counter.runs, 2);
  } finally {
    await ts.close();
  }
});
