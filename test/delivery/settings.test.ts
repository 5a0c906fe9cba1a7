/**
 * Delivery settings per notification type and channel over real HTTP: the administrator's
 * defaults, each user's overrides on top, do-not-disturb and quiet hours in the user's time
 * zone, and the decision every channel asks for.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { deliveryPolicy } from '../../src/delivery/policy.ts';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const clock = new ManualClock(Date.parse('2026-01-15T12:00:00Z'));
let ts: TestServer;
before(async () => {
  ts = await startTestServer({}, { clock });
});
after(() => ts.close());

const policy = () => deliveryPolicy(ts.server.services);

test('notify24.settings.get: every type on every channel, the REST type included, nothing held', async () => {
  const user = await ts.addUser();
  const s = await ok(user.hook, 'notify24.settings.get');
  assert.deepEqual(s.channels, ['center', 'email', 'push']);
  const ids = s.types.map((t: { id: string }) => t.id);
  assert.ok(ids.includes('rest|rest_notify') && ids.includes('im|message') && ids.includes('main|rating_vote'));
  for (const id of ids) assert.deepEqual(s.settings[id], { center: true, email: true, push: true });
  assert.deepEqual(s.overrides, {});
  assert.equal(s.dnd, false);
  assert.equal(s.quiet_hours, null);
  assert.equal(s.time_zone, 'UTC');
  const listed = await ok(ts.hook, 'methods');
  for (const m of ['notify24.settings.get', 'notify24.settings.set', 'notify24.settings.defaults.set']) assert.ok(listed.includes(m), m);
});

test('a user override beats the administrator default, which beats "on"; empty puts a switch back', async () => {
  const a = await ts.addUser();
  const b = await ts.addUser();
  const defaults = await ok(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'im|like': { email: 'N', push: 'N' } } });
  assert.deepEqual(defaults['im|like'], { center: true, email: false, push: false });
  // Form encoding too, with the key spelled in lower case.
  const set = await ok(a.hook, 'notify24.settings.set', { settings: { 'im|like': { email: 'Y' }, 'rest|rest_notify': { center: 'N' } } }, 'form');
  assert.deepEqual(set.settings['im|like'], { center: true, email: true, push: false });
  assert.deepEqual(set.overrides, { 'im|like': { email: true }, 'rest|rest_notify': { center: false } });
  assert.deepEqual((await ok(b.hook, 'notify24.settings.get')).settings['im|like'], { center: true, email: false, push: false });

  const now = clock.now();
  assert.deepEqual(await policy().decide(a.id, 'im|like', 'email', now), { action: 'send' });
  assert.deepEqual(await policy().decide(a.id, 'im|like', 'push', now), { action: 'off' });
  assert.deepEqual(await policy().decide(b.id, 'im|like', 'email', now), { action: 'off' });
  assert.deepEqual(await policy().decide(a.id, 'rest|rest_notify', 'center', now), { action: 'off' });
  assert.deepEqual(await policy().decide(b.id, 'rest|rest_notify', 'center', now), { action: 'send' });

  const back = await ok(a.hook, 'notify24.settings.set', { SETTINGS: { 'im|like': { email: '' } } });
  assert.equal(back.settings['im|like'].email, false);
  await ok(ts.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'im|like': { email: '', push: '' } } });
  assert.deepEqual(await policy().decide(b.id, 'im|like', 'email', now), { action: 'send' });
});

test('only an administrator sets defaults; bad types, channels, values and hours are refused before anything is stored', async () => {
  const user = await ts.addUser();
  const denied = await call(user.hook, 'notify24.settings.defaults.set', { SETTINGS: { 'im|like': { email: 'N' } } });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error, 'ACCESS_DENIED');
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ SETTINGS: { 'nope|nothing': { email: 'N' } } }, /unknown notification type nope\|nothing/],
    [{ SETTINGS: { 'im|like': { fax: 'N' } } }, /unknown channel fax/],
    [{ SETTINGS: { 'im|like': { email: 'maybe' } } }, /must be Y, N or empty/],
    [{ SETTINGS: 'im|like' }, /SETTINGS must map/],
    [{ SETTINGS: { 'im|like': { email: 'N' } }, QUIET_HOURS: { FROM: '25:00', TO: '07:00' } }, /HH:MM/],
    [{ SETTINGS: { 'im|like': { email: 'N' } }, DND: 'sometimes' }, /DND must be Y, N/],
  ];
  for (const [params, text] of bad) {
    const r = await call(user.hook, 'notify24.settings.set', params);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error, 'INVALID_SETTING');
    assert.match(r.body.error_description, text);
  }
  assert.deepEqual((await ok(user.hook, 'notify24.settings.get')).overrides, {});
});

test('do-not-disturb holds e-mail and push until switched off; the center is never held', async () => {
  const user = await ts.addUser();
  const s = await ok(user.hook, 'notify24.settings.set', { DND: 'Y' });
  assert.equal(s.dnd, true);
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email'), { action: 'hold', until: null, reason: 'dnd' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'push'), { action: 'hold', until: null, reason: 'dnd' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'center'), { action: 'send' });
  await ok(user.hook, 'notify24.settings.set', { DND: 'N' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email'), { action: 'send' });
});

test('quiet hours across midnight in the user\'s time zone hold until they end there', async () => {
  const user = await ts.addUser({ timeZone: 'Europe/Berlin' });
  const s = await ok(user.hook, 'notify24.settings.set', { QUIET_HOURS: { from: '22:00', to: '07:00' } });
  assert.deepEqual(s.quiet_hours, { from: '22:00', to: '07:00' });
  assert.equal(s.time_zone, 'Europe/Berlin');
  assert.equal(s.quiet_until, null); // 13:00 in Berlin
  const evening = Date.parse('2026-01-15T21:30:00Z'); // 22:30 in Berlin (UTC+1 in winter)
  const morningEnd = Date.parse('2026-01-16T06:00:00Z'); // 07:00 in Berlin
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email', evening), { action: 'hold', until: morningEnd, reason: 'quiet-hours' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'push', Date.parse('2026-01-16T05:59:00Z')), { action: 'hold', until: morningEnd, reason: 'quiet-hours' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email', morningEnd), { action: 'send' });
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email', Date.parse('2026-01-15T20:59:00Z')), { action: 'send' });
  // In summer Berlin is UTC+2: the same local window ends an hour earlier in UTC.
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email', Date.parse('2026-07-15T20:30:00Z')), { action: 'hold', until: Date.parse('2026-07-16T05:00:00Z'), reason: 'quiet-hours' });
  clock.advance(Date.parse('2026-01-15T21:30:00Z') - clock.now());
  assert.match((await ok(user.hook, 'notify24.settings.get')).quiet_until, /^2026-01-16T/);
  const cleared = await ok(user.hook, 'notify24.settings.set', { QUIET_HOURS: '' });
  assert.equal(cleared.quiet_hours, null);
  assert.deepEqual(await policy().decide(user.id, 'rest|rest_notify', 'email', evening), { action: 'send' });
});
