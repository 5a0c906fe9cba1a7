import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../src/identity/login-throttle.ts';

test('the throttle blocks a key after its failures, forgets them after the window, and stays bounded', () => {
  const throttle = new LoginThrottle(3, 1000, 50);
  for (let i = 0; i < 3; i++) throttle.fail(['ip:a', 'login:x'], i);
  assert.equal(throttle.blocked(['login:x'], 10), true);
  assert.equal(throttle.blocked(['login:y'], 10), false);
  assert.equal(throttle.blocked(['login:x'], 1003), false, 'failures older than the window no longer count');

  // Guessing with a new login every time: the map never holds more than maxKeys entries.
  for (let i = 0; i < 1000; i++) throttle.fail([`login:random-${i}`], 2000 + i);
  assert.ok(throttle.size <= 50, `size ${throttle.size}`);
});
