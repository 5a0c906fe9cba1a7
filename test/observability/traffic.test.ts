import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { TrafficWindow, WINDOW_SECONDS } from '../../src/observability/traffic.ts';

test('the traffic window: rates, errors by code and percentiles over the last seconds, second by second', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const window = new TrafficWindow(clock);
  assert.deepEqual(window.summary(), { seconds: WINDOW_SECONDS, requests: 0, perSecond: 0, errors: 0, errorsByCode: {}, p50Ms: null, p99Ms: null });

  // 100 calls in one second: 98 fast (3 ms), one error at 40 ms, one slow at 700 ms.
  for (let i = 0; i < 98; i++) window.record(200, 3, null);
  window.record(400, 40, 'MESSAGE_EMPTY');
  window.record(503, 700, 'QUERY_LIMIT_EXCEEDED');
  clock.advance(1000);
  window.record(404, 1, null);

  const s = window.summary(60);
  assert.equal(s.requests, 101);
  assert.equal(s.errors, 3);
  assert.deepEqual(s.errorsByCode, { MESSAGE_EMPTY: 1, QUERY_LIMIT_EXCEEDED: 1, '404': 1 });
  assert.equal(s.perSecond, Math.round((101 / 60) * 100) / 100);
  assert.ok(s.p50Ms! > 2 && s.p50Ms! <= 5, String(s.p50Ms));
  assert.ok(s.p99Ms! > 20 && s.p99Ms! <= 50, String(s.p99Ms));

  const points = window.series(5);
  assert.equal(points.length, 5);
  assert.deepEqual(points.map((p) => p.requests), [0, 0, 0, 100, 1]);
  assert.equal(points.at(-1)!.at, Math.floor(clock.now() / 1000));
  assert.ok(points[3]!.p99Ms! > 20);
  assert.equal(points[0]!.p99Ms, null);

  // 15 minutes on, the first second has left the window; the slot is reused for a new second.
  clock.advance((WINDOW_SECONDS - 1) * 1000);
  assert.equal(window.summary().requests, 1);
  clock.advance(1000);
  assert.equal(window.summary().requests, 0);
  window.record(200, 2500, null);
  assert.equal(window.summary().requests, 1);
  const p99 = window.summary().p99Ms!;
  assert.ok(p99 > 2000 && p99 <= 2500, `inside its bucket, never above the slowest call seen: ${p99}`);
});
