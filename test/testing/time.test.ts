import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { startPortal, type Portal } from '../../src/index.ts';
import { cliOn } from '../helpers/cli-env.ts';
import { call, ok, request } from '../helpers/http.ts';
import { startTestServer } from '../helpers/server.ts';
import { testDatabaseUrl } from '../helpers/services.ts';
import { webLogin } from '../helpers/session.ts';
import { startSmtp } from '../helpers/smtp.ts';

const databaseUrl = process.env.NOTIFY24_TEST_STORE === 'postgres' ? testDatabaseUrl() : undefined;
const DAY = 86_400_000;
let portal: Portal;

before(async () => {
  portal = await startPortal({ databaseUrl, settings: { rateLimit: { burst: 1, drain: 0.01 } } });
});
after(() => portal.close());
beforeEach(() => portal.reset());

test('an access token expires once the clock passes its lifetime; its refresh token still works', async () => {
  const user = await portal.createUser({ login: 'sam' });
  const app = await portal.createApplication();
  const tokens = await app.tokensFor(user.id);
  const rest = `${portal.url}/rest/`;
  assert.equal((await ok(rest, 'user.current', { auth: tokens.access_token })).ID, String(user.id));
  await portal.advanceTime(tokens.expires_in * 1000 + 1000);
  const expired = await call(rest, 'user.current', { auth: tokens.access_token });
  assert.deepEqual([expired.status, expired.body.error], [401, 'expired_token']);
  const refreshed = await request(`${portal.url}/oauth/token/?grant_type=refresh_token&client_id=${app.clientId}&client_secret=${app.clientSecret}&refresh_token=${tokens.refresh_token}`);
  assert.equal(refreshed.status, 200, refreshed.text);
  assert.ok(refreshed.body.expires > tokens.expires + tokens.expires_in, 'the new token lives from the moved clock');
  assert.equal((await ok(rest, 'user.current', { auth: refreshed.body.access_token })).ID, String(user.id));
});

test('retention: a notification is kept at 59 days and purged after 61; one sent later stays', async () => {
  const user = await portal.createUser({ login: 'rita' });
  const old = await ok(portal.webhookUrl, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'old' });
  await portal.advanceTime(59 * DAY);
  assert.deepEqual((await portal.notifications(user.id)).map((n) => n.id), [old]);
  const fresh = await ok(portal.webhookUrl, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'fresh' });
  await portal.advanceTime(2 * DAY);
  assert.deepEqual((await portal.notifications(user.id)).map((n) => n.id), [fresh]);
  const page = await ok(user.webhook!.webhookUrl, 'im.notify.get');
  assert.deepEqual([page.total_count, page.notifications.map((n: { id: number }) => n.id)], [1, [fresh]]);
});

test('the rate-limit bucket drains on the moved clock; reset() brings the clock back to real time', async () => {
  let refused = false;
  for (let i = 0; i < 4 && !refused; i++) refused = (await call(portal.webhookUrl, 'server.time')).status === 503;
  assert.equal(refused, true);
  await portal.advanceTime(10 * 60_000);
  assert.equal((await call(portal.webhookUrl, 'server.time')).status, 200);
  assert.ok(portal.now() - Date.now() > 9 * 60_000);
  const serverTime = Date.parse(await ok(portal.webhookUrl, 'server.time'));
  assert.ok(serverTime - Date.now() > 9 * 60_000, 'server.time answers on the moved clock');
  await portal.reset();
  assert.ok(Math.abs(portal.now() - Date.now()) < 60_000);
});

test('e-mail delays follow the clock: an unread notification is mailed once the moved clock passes the delay', async () => {
  const smtp = await startSmtp();
  // The e-mail job's own interval is an hour: only advanceTime() runs it here.
  const mailing = await startPortal({ databaseUrl, settings: { smtpUrl: smtp.url, mailDelayS: 600, mailPollMs: 3_600_000 } });
  try {
    const ann = await mailing.createUser({ login: 'ann', email: 'ann@example.test' });
    await ok(mailing.webhookUrl, 'im.notify.system.add', { USER_ID: ann.id, MESSAGE: 'Invoice due' });
    await mailing.advanceTime(599_000);
    assert.equal(smtp.mails.pending, 0, 'not before the delay');
    await mailing.advanceTime(2_000);
    const mail = await smtp.mails.next();
    assert.equal(mail.subject, 'Invoice due');
  } finally {
    await mailing.close();
    await smtp.close();
  }
});

test('clocks of portals side by side are their own', async () => {
  const other = await startPortal({ databaseUrl });
  try {
    await portal.advanceTime(30 * DAY);
    assert.ok(Math.abs(other.now() - Date.now()) < 60_000);
    assert.ok(portal.now() - other.now() > 29 * DAY);
    await assert.rejects(portal.advanceTime(-1), /forward only/);
  } finally {
    await other.close();
  }
});

test('/console/api/clock and notify24 clock move a test server; any other server refuses', async () => {
  await portal.createUser({ login: 'boss', password: 'boss-password-1', isAdmin: true });
  const boss = await webLogin(portal, 'boss', 'boss-password-1');
  const post = (body: unknown) => request(`${portal.url}/console/api/clock`, {
    method: 'POST', headers: { Cookie: boss.cookie, 'X-Sessid': boss.sessid, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  // An hour: the administrator's web session (12 idle hours) outlives it.
  const moved = await post({ advance_ms: 3_600_000 });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.body.offsetMs, 3_600_000);
  for (const bad of [{ advance_ms: -5 }, { advance_ms: '1' }, {}]) {
    const r = await post(bad);
    assert.deepEqual([r.status, r.body.error], [400, 'BAD_CLOCK_MOVE']);
  }
  const advanced = await cliOn(portal.databaseUrl, 'clock', 'advance', '--days', '2', '--url', portal.url);
  const shown = await cliOn(portal.databaseUrl, 'clock', '--url', portal.url);
  assert.deepEqual([advanced.code, shown.code], [0, 0]);
  const lines = [...advanced.lines, ...shown.lines];
  assert.match(lines[0]!, /\(176400000 ms ahead of real time\)$/);
  assert.match(lines[1]!, /\(176400000 ms ahead of real time\)$/);
  assert.equal(Math.round((portal.now() - Date.now()) / 3_600_000), 49);

  const production = await startTestServer();
  try {
    await production.addUser({ login: 'root', password: 'root-password-1', isAdmin: true });
    const root = await webLogin(production, 'root', 'root-password-1');
    const r = await request(`${production.url}/console/api/clock`, {
      method: 'POST', headers: { Cookie: root.cookie, 'X-Sessid': root.sessid, 'Content-Type': 'application/json' }, body: JSON.stringify({ advance_ms: DAY }),
    });
    assert.deepEqual([r.status, r.body.error], [404, 'TEST_MODE_OFF']);
    assert.equal(production.server.services.timeControl, null);
  } finally {
    await production.close();
  }
});
