/**
 * The console's e-mail outbox API over real HTTP: items with their state and reason, the mail
 * rendered for each (a preview while it waits), retrying a failed one, administrators only.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { MAIL_OUTBOX } from '../../src/jobs/jobs.ts';
import { ok, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { webLogin, type WebLogin } from '../helpers/session.ts';

const clock = new ManualClock();
let ts: TestServer;
let admin: WebLogin;
before(async () => {
  // An unusable SMTP URL: every mail ends failed, which is what a retry needs.
  ts = await startTestServer({ smtpUrl: 'smtp://', mailPollMs: 3_600_000 }, { clock });
  await ts.addUser({ login: 'outbox-admin', isAdmin: true, password: 'outbox-admin-1' });
  admin = await webLogin(ts, 'outbox-admin', 'outbox-admin-1');
});
after(() => ts.close());

const get = (path: string, who: WebLogin = admin) => request(`${ts.url}/console/api/${path}`, { headers: { Cookie: who.cookie } });
const post = (path: string, who: WebLogin = admin) => request(`${ts.url}/console/api/${path}`, { method: 'POST', headers: { Cookie: who.cookie, 'X-Sessid': who.sessid } });

test('outbox: a waiting item has a preview; a failed one its rendered mail and reason; retry queues it again', async () => {
  const user = await ts.addUser({ login: 'outbox-user', name: 'Olga', email: 'olga@example.test' });
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Report [b]ready[/b]', MESSAGE_OUT: 'Your report is ready' });
  const waiting = await get(`outbox?user=${user.id}`);
  assert.equal(waiting.status, 200);
  const [item] = waiting.body.items;
  assert.deepEqual([item.state, item.notification_id, item.type, item.user_login, item.mail_id], ['queued', id, 'rest|rest_notify', 'outbox-user', null]);
  const preview = await get(`outbox/${item.id}`);
  assert.equal(preview.body.mail.preview, true);
  assert.equal(preview.body.mail.subject, 'Your report is ready');
  assert.equal(preview.body.mail.to, '"Olga" <olga@example.test>');

  clock.advance(600_000);
  await ts.server.services.jobs.runNow(MAIL_OUTBOX);
  const failed = (await get(`outbox?state=failed&user=${user.id}`)).body.items[0];
  assert.equal(failed.state, 'failed');
  assert.match(failed.last_error, /NOTIFY24_SMTP_URL/);
  const rendered = await get(`outbox/${failed.id}`);
  assert.equal(rendered.body.mail.preview, false);
  assert.match(rendered.body.mail.text, /Your report is ready/);
  assert.match(rendered.body.mail.headers['List-Unsubscribe'], /\/mail\/unsubscribe\?/);

  const retried = await post(`outbox/${failed.id}/retry`);
  assert.equal(retried.status, 200, retried.text);
  assert.deepEqual([retried.body.item.state, retried.body.item.attempts], ['queued', 0]);
  // Only failed mails are retried: one cancelled (its notification was read) is refused.
  const read = await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'read at once' });
  await ok(user.hook, 'im.notify.read', { ID: read, ONLY_CURRENT: 'Y' });
  const cancelled = (await get(`outbox?state=cancelled&user=${user.id}`)).body.items[0];
  assert.equal(cancelled.notification_id, read);
  const refused = await post(`outbox/${cancelled.id}/retry`);
  assert.deepEqual([refused.status, refused.body.error], [409, 'MAIL_NOT_FAILED']);
  const missing = await get('outbox/999999');
  assert.deepEqual([missing.status, missing.body.error], [404, 'MAIL_NOT_FOUND']);
  const badState = await get('outbox?state=lost');
  assert.equal(badState.status, 400);
});

test('outbox: administrators only, and a retry needs the X-Sessid header', async () => {
  await ts.addUser({ login: 'outbox-plain', password: 'outbox-plain-1' });
  const plain = await webLogin(ts, 'outbox-plain', 'outbox-plain-1');
  assert.equal((await get('outbox', plain)).status, 403);
  const noSessid = await request(`${ts.url}/console/api/outbox/1/retry`, { method: 'POST', headers: { Cookie: admin.cookie } });
  assert.equal(noSessid.status, 403);
  assert.equal((await request(`${ts.url}/console/api/outbox`)).status, 401);
});
