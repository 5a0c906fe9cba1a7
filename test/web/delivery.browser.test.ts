/**
 * The delivery pages in Debian's chromium: the center's settings tab (switches per type and
 * channel, do-not-disturb, quiet hours; a type switched off for the center leaves the inbox
 * but not the REST answers) and the console's e-mail outbox with the rendered mail.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../src/lib/clock.ts';
import { MAIL_OUTBOX } from '../../src/jobs/jobs.ts';
import { ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DESKTOP, guard, browserPerFile, signInPage } from './browser.ts';

const clock = new ManualClock();
let ts: TestServer;
before(async () => {
  ts = await startTestServer({ mailPollMs: 3_600_000 }, { clock });
});
after(() => ts.close());

const theBrowser = browserPerFile();

const REST_ROW = 'Notifications from applications and webhooks';

test('center settings: switching a type off for the center hides it from the inbox only; DND and quiet hours are saved', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  const user = await ts.addUser({ login: 'settings-user', name: 'Sam', password: 'settings-pass-1', timeZone: 'Europe/Berlin' });
  const id = await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Visible until switched off' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, ts.url, 'settings-user', 'settings-pass-1');
  await page.locator('#list li', { hasText: 'Visible until switched off' }).waitFor();

  await page.locator('#tab-settings').click();
  const row = page.locator('#settings tr', { hasText: REST_ROW });
  const center = row.locator('input[name="rest|rest_notify:center"]');
  assert.equal(await center.isChecked(), true);
  await center.uncheck();
  await page.locator('.toast', { hasText: 'Settings saved' }).first().waitFor();
  assert.deepEqual((await ok(user.hook, 'notify24.settings.get')).overrides, { 'rest|rest_notify': { center: false } });

  await page.locator('#tab-inbox').click();
  assert.equal(await page.locator('#list li', { hasText: 'Visible until switched off' }).count(), 0);
  // A new one of that type arrives live and is not listed either; the REST API still has both.
  const second = await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'Arrived while hidden' });
  assert.deepEqual((await ok(user.hook, 'im.notify.get')).notifications.map((n: { id: number }) => n.id), [second, id]);
  await page.reload();
  await page.locator('#center').waitFor({ state: 'visible' });
  // Loaded to the end (two notifications there), none listed.
  await page.locator('#empty', { hasText: "You're all caught up" }).waitFor();
  assert.equal(await page.locator('#list li').count(), 0);

  await page.locator('#tab-settings').click();
  await page.locator('#settings input[name=dnd]').check();
  await page.locator('.toast', { hasText: 'Settings saved' }).first().waitFor();
  await page.locator('#settings input[name=quiet_from]').fill('22:00');
  await page.locator('#settings input[name=quiet_to]').fill('07:30');
  await page.locator('#settings button.save-quiet').click();
  await page.locator('#settings input[name=quiet_to][value="07:30"]').waitFor();
  const saved = await ok(user.hook, 'notify24.settings.get');
  assert.deepEqual([saved.dnd, saved.quiet_hours, saved.time_zone], [true, { from: '22:00', to: '07:30' }, 'Europe/Berlin']);
  assert.ok((await page.locator('#settings').textContent())?.includes('Europe/Berlin'));

  // Back on: listed again.
  await page.locator('#settings input[name="rest|rest_notify:center"]').check();
  await page.locator('#tab-inbox').click();
  await page.locator('#list li', { hasText: 'Arrived while hidden' }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});

test('console outbox: a captured mail (no SMTP) is listed with its state and shows the rendered mail', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  await ts.addUser({ login: 'outbox-root', isAdmin: true, password: 'outbox-root-1' });
  const user = await ts.addUser({ login: 'outbox-reader', name: 'Rita', email: 'rita@example.test' });
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'x', MESSAGE_OUT: 'Quarterly [b]numbers[/b] are in' });
  clock.advance(600_000);
  await ts.server.services.jobs.runNow(MAIL_OUTBOX);

  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, ts.url, 'outbox-root', 'outbox-root-1');
  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-outbox="ready"]').waitFor();
  const row = page.locator('#outbox tr[data-state="captured"]', { hasText: 'outbox-reader' });
  await row.waitFor();
  await row.locator('button.view').click();
  const view = page.locator('#outbox-mail');
  await view.locator('.mail-text').waitFor();
  assert.match((await view.textContent()) ?? '', /Quarterly numbers are in/);
  assert.match((await view.textContent()) ?? '', /rita@example\.test/);
  const frame = page.frameLocator('#outbox-mail iframe.mail-html');
  assert.equal(await frame.locator('b', { hasText: 'numbers' }).count(), 1);
  await page.locator('#outbox-state').selectOption('sent');
  await page.locator('#outbox td.muted', { hasText: 'No e-mails' }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
