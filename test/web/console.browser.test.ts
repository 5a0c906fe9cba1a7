import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test, type TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { EventHandler } from '../apps/handler.ts';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { browserPerFile, DESKTOP, guard, PHONE, screenshotDir, signInPage } from './browser.ts';

let SHOTS = '';
let ts: TestServer;
let handler: EventHandler;
before(async () => {
  // A delivery is given up after one refused attempt, so the log shows a failed one at once.
  ts = await startTestServer({ eventMaxAttempts: 1, eventTimeoutMs: 2000 });
  handler = await new EventHandler().start();
  await ts.addUser({ login: 'root', name: 'Ada', isAdmin: true, password: 'root-secret-1' });
  SHOTS = screenshotDir();
});
after(async () => {
  await ts.close();
  await handler.stop();
});

const theBrowser = browserPerFile();

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical findings on the page as it is now (the page's CSP is bypassed to inject it). */
async function axeProblems(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

/** A signed-in administrator's console, ready; the page fails the test on any script error or native dialog. */
async function openConsole(t: TestContext, options: { viewport?: { width: number; height: number }; locale?: string } = {}): Promise<{ page: Page; context: BrowserContext; problems: string[] } | null> {
  const b = await theBrowser(t);
  if (!b) return null;
  const context = await b.newContext({
    viewport: options.viewport ?? DESKTOP,
    bypassCSP: true,
    locale: options.locale ?? 'en-US',
    extraHTTPHeaders: { 'Accept-Language': options.locale ?? 'en-US' },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ts.url });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = guard(page);
  await signInPage(page, ts.url, 'root', 'root-secret-1');
  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-ready="1"]').waitFor();
  return { page, context, problems };
}

/** A screenshot of the page from its top, without passing toasts. */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.evaluate(() => {
    document.getElementById('toasts')?.replaceChildren();
    if (!document.querySelector('dialog[open]')) window.scrollTo(0, 0);
  });
  await page.screenshot({ path: `${SHOTS}/${name}`, fullPage });
}

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

test('console webhooks and inspector: both URL forms copied, the user named, calls live with filters, a detail view with curl, revoke', async (t) => {
  const opened = await openConsole(t);
  if (!opened) return;
  const { page, problems } = opened;
  const dev = await ts.addUser({ login: 'dev', name: 'Dev', lastName: 'Ops' });
  await page.reload();
  await page.locator('body[data-ready="1"]').waitFor();

  const form = page.locator('#webhooks form.add');
  await form.getByLabel('User').selectOption(String(dev.id));
  await form.getByLabel('Title').fill('CI bot');
  await form.getByLabel('Scopes').fill('user');
  await form.getByRole('button', { name: 'Create webhook' }).click();
  const once = page.locator('#webhooks .once');
  await once.waitFor();
  const https = await once.getByLabel('HTTPS URL').inputValue();
  const http = await once.getByLabel('HTTP URL').inputValue();
  assert.match(https, new RegExp(`^${ts.httpsUrl}/rest/${dev.id}/[a-z0-9]{16}/$`));
  assert.equal(http, https.replace(ts.httpsUrl, ts.url));
  await once.getByRole('button', { name: 'Copy HTTPS URL' }).click();
  assert.equal(await clipboard(page), https);
  await once.getByRole('button', { name: 'Copy HTTP URL' }).click();
  assert.equal(await clipboard(page), http);
  const hookRow = page.locator('#webhooks tr', { hasText: 'CI bot' });
  assert.match((await hookRow.textContent()) ?? '', /Dev Ops.*dev/);

  // A call through it shows up live, its secrets masked; the page's own calls are hidden until asked for.
  const sent = await call(http, 'user.get', { FILTER: { NAME: 'from CI' }, password: 'hunter2' });
  assert.deepEqual(sent.body.result, [], JSON.stringify(sent.body));
  await call(http, 'no.such.method');
  const inspector = page.locator('#inspector');
  const row = inspector.locator('tr[data-method="user.get"]').first();
  await row.waitFor();
  assert.match((await row.textContent()) ?? '', new RegExp(`webhook · user ${dev.id}`));
  assert.equal(await inspector.locator('tr[data-auth="session"]').count(), 0, 'the center\'s own calls are hidden by default');
  await inspector.getByLabel("Show the notification center's own calls").check();
  await inspector.locator('tr[data-auth="session"]').first().waitFor();
  await inspector.getByLabel("Show the notification center's own calls").uncheck();
  await inspector.getByLabel('Outcome').selectOption('error');
  assert.deepEqual(await inspector.locator('tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.method)), ['no.such.method']);
  await inspector.getByLabel('Outcome').selectOption('');
  await inspector.getByLabel('Method', { exact: true }).fill('user.g');
  assert.deepEqual(await inspector.locator('tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => (r as HTMLElement).dataset.method))]), ['user.get']);
  await inspector.getByLabel('Method', { exact: true }).fill('');
  await inspector.getByLabel('Caller').selectOption(`webhook · user ${dev.id}`);
  assert.deepEqual(await inspector.locator('tbody tr').evaluateAll((rows) => [...new Set(rows.map((r) => (r as HTMLElement).dataset.auth))]), ['webhook']);
  await inspector.getByLabel('Caller').selectOption('');

  await shot(page, 'console-desktop.png');
  assert.deepEqual(await axeProblems(page), []);

  // The detail view: opened from the keyboard, parameters masked, headers, curl with placeholders.
  await inspector.getByRole('button', { name: 'Open the call user.get' }).first().focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  const detail = (await dialog.textContent()) ?? '';
  assert.ok(detail.includes('from CI') && detail.includes('***') && detail.includes('content-type'), detail);
  const code = http.split('/').at(-2)!;
  assert.ok(!detail.includes('hunter2') && !detail.includes(code), detail);
  await dialog.getByRole('button', { name: 'Copy curl command' }).click();
  const curl = await clipboard(page);
  assert.match(curl, new RegExp(`/rest/${dev.id}/<WEBHOOK_CODE>/user\\.get`));
  assert.match(curl, /"password":"<PASSWORD>"/);
  assert.deepEqual(await axeProblems(page), []);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await hookRow.getByRole('button', { name: 'Revoke' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Revoke' }).click();
  await hookRow.locator('.badge', { hasText: 'revoked' }).waitFor();
  assert.equal((await call(http, 'user.current')).body.error, 'INVALID_CREDENTIALS');
  await inspector.locator('tr[data-method="user.current"] .err', { hasText: 'INVALID_CREDENTIALS' }).first().waitFor();
  assert.deepEqual(problems, []);
});

test('console users: edit name and e-mail, make admin, deactivate and reactivate, set a password that ends the sessions', async (t) => {
  const opened = await openConsole(t);
  if (!opened) return;
  const { page, problems } = opened;
  const { id } = await ts.addUser({ login: 'kim', name: 'Kim', password: 'kim-secret-1' });
  await page.reload();
  await page.locator('body[data-ready="1"]').waitFor();
  const store = ts.server.services.store;
  const row = page.locator(`#users tr[data-login="kim"]`);

  await row.getByRole('button', { name: 'Edit' }).click();
  let dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Last name').fill('Lee');
  await dialog.getByLabel('E-mail').fill('kim@example.com');
  await dialog.getByLabel('Administrator').check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.locator('.badge', { hasText: 'administrator' }).waitFor();
  const kim = (await store.users.byId(id))!;
  assert.deepEqual([kim.lastName, kim.email, kim.isAdmin], ['Lee', 'kim@example.com', true]);

  // A server refusal keeps the dialog open and says why.
  await row.getByRole('button', { name: 'Edit' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByLabel('E-mail').fill('no-at-sign');
  await dialog.getByLabel('E-mail').evaluate((input) => input.setAttribute('type', 'text'));
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.locator('[role=alert]', { hasText: 'email: not an e-mail address' }).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await row.getByRole('button', { name: 'Deactivate' }).click();
  await row.locator('.badge', { hasText: 'deactivated' }).waitFor();
  assert.equal((await store.users.byId(id))!.active, false);
  await row.getByRole('button', { name: 'Reactivate' }).click();
  await row.getByRole('button', { name: 'Deactivate' }).waitFor();
  assert.equal((await store.users.byId(id))!.active, true);
  assert.equal(await page.locator('#users tr[data-login="root"]').getByRole('button', { name: 'Deactivate' }).isDisabled(), true, 'not yourself');

  const other = await (await theBrowser(t))!.newContext();
  t.after(() => other.close());
  const kimPage = await other.newPage();
  await signInPage(kimPage, ts.url, 'kim', 'kim-secret-1');
  await row.getByRole('button', { name: 'Set password' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByLabel('New password').fill('kim-new-secret');
  await dialog.getByRole('button', { name: 'Set password' }).click();
  await dialog.waitFor({ state: 'detached' });
  const session = await kimPage.evaluate(() => fetch('/session').then((r) => r.status));
  assert.equal(session, 401, 'their session ended');
  await signInPage(kimPage, ts.url, 'kim', 'kim-new-secret');
  assert.deepEqual(problems, []);
});

test('console applications and deliveries: secret shown once, edit, reinstall, a failed delivery retried, remove', async (t) => {
  const opened = await openConsole(t);
  if (!opened) return;
  const { page, problems } = opened;
  const apps = page.locator('#apps');
  const form = apps.locator('form.add');
  handler.status = 503;
  await form.getByLabel('Name').fill('Reporter');
  await form.getByLabel('Scopes').fill('im,user');
  await form.getByLabel('Handler URL').fill(handler.url('/first/'));
  await form.getByLabel('Install now').check();
  await form.getByRole('button', { name: 'Create application' }).click();
  const once = apps.locator('.once');
  await once.waitFor();
  const clientId = await once.getByLabel('client_id').inputValue();
  const secret = await once.getByLabel('client_secret').inputValue();
  assert.match(clientId, /^local\./);
  assert.ok(secret.length >= 40);
  const row = apps.locator('tr[data-name="Reporter"]');
  await row.locator('.badge', { hasText: 'installed' }).waitFor();
  assert.ok(!((await apps.locator('table').textContent()) ?? '').includes(secret), 'the secret is not in the list');
  await handler.nextOf('ONAPPINSTALL');

  // The refused install shows up failed; retried once the handler answers, it is delivered.
  const events = page.locator('#events');
  await events.getByLabel('Status').selectOption('failed');
  const failed = events.locator('tr[data-status="failed"]', { hasText: 'Reporter' }).first();
  await failed.waitFor();
  assert.match((await failed.textContent()) ?? '', /HTTP 503/);
  handler.status = 200;
  await failed.getByRole('button', { name: 'Retry' }).click();
  await handler.nextOf('ONAPPINSTALL');
  await events.getByLabel('Status').selectOption('delivered');
  await events.locator('tr[data-status="delivered"]', { hasText: 'Reporter' }).first().waitFor();

  await row.getByRole('button', { name: 'Edit' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Handler URL').fill(handler.url('/second/'));
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.locator('td', { hasText: '/second/' }).waitFor();
  await row.getByRole('button', { name: 'Reinstall' }).click();
  assert.equal((await handler.nextOf('ONAPPINSTALL')).path, '/second/');

  await row.getByRole('button', { name: 'Remove' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Remove' }).click();
  await row.locator('.badge', { hasText: 'removed' }).waitFor();
  assert.equal((await ts.server.services.store.apps.byClientId(clientId))!.active, false);
  assert.deepEqual(await axeProblems(page), []);
  assert.deepEqual(problems, []);
});

test('console traffic panel: live SVG charts of requests, errors by code and p99, from the same counts as /metrics', async (t) => {
  const opened = await openConsole(t);
  if (!opened) return;
  const { page, problems } = opened;
  const traffic = page.locator('#traffic');
  await call(ts.hook, 'server.time');
  await call(ts.hook, 'no.such.method.here');
  // The panel refreshes by itself: without a reload it comes to show the server's own count.
  const expected = ts.server.services.traffic.summary().errorsByCode.ERROR_METHOD_NOT_FOUND!;
  await traffic.locator('li[data-code="ERROR_METHOD_NOT_FOUND"] strong', { hasText: new RegExp(`^${expected}$`) }).waitFor();
  for (const chart of ['rps', 'errors', 'p99']) {
    const svg = traffic.locator(`figure[data-chart="${chart}"] svg[role="img"]`);
    assert.ok(await svg.getAttribute('aria-label'), chart);
  }
  assert.ok(await traffic.locator('figure[data-chart="rps"] polyline').count() > 0);
  assert.ok(await traffic.locator('figure[data-chart="errors"] rect.bar').count() > 0);
  assert.deepEqual(problems, []);
});

test('console at phone width and in Russian: sections usable, the detail view fits the screen', async (t) => {
  const reader = await ts.addUser({ login: 'ru-reader', name: 'Rita', email: 'ru-reader@example.test' });
  await call(ts.hook, 'im.notify.system.add', { USER_ID: reader.id, MESSAGE: 'Отчёт готов' });
  const opened = await openConsole(t, { viewport: PHONE, locale: 'ru-RU' });
  if (!opened) return;
  const { page, problems } = opened;
  assert.equal(await page.locator('h1').textContent(), 'Консоль интегратора');
  assert.equal(await page.locator('#inspector h2').textContent(), 'Инспектор запросов');
  // The cards of other scripts too: the e-mail outbox and the push subscriptions.
  await page.locator('body[data-outbox="ready"][data-push-subscriptions="ready"]').waitFor();
  assert.equal(await page.locator('#outbox-card h2').textContent(), 'Исходящие письма');
  assert.deepEqual(await page.locator('#outbox-state option').allTextContents(), ['Все', 'в очереди', 'отправлено', 'не отправлено', 'отменено', 'перехвачено']);
  const mail = page.locator('#outbox tr[data-state="queued"]', { hasText: 'ru-reader' });
  assert.match((await mail.textContent()) ?? '', /в очереди.*отправка в .*Открыть/);
  assert.equal(await mail.locator('td').nth(1).getAttribute('data-label'), 'Пользователь');
  assert.equal(await page.locator('#push-card h2').textContent(), 'Push-подписки');
  assert.deepEqual(await page.locator('#push-card thead th').allTextContents(), ['ID', 'Пользователь', 'Push-сервис', 'Устройство', 'Подписан', 'Последний push', 'Последняя ошибка', 'Действия']);
  // Two screens from the users' section down: cards instead of wide tables.
  const top = await page.locator('#users').evaluate((n) => n.getBoundingClientRect().top + window.scrollY);
  await page.screenshot({ path: `${SHOTS}/console-phone.png`, fullPage: true, clip: { x: 0, y: top - 8, width: PHONE.width, height: PHONE.height * 1.6 } });
  await call(ts.hook, 'user.current', { auth_note: 'visible', client_secret: 'zzz' });
  const open = page.locator('#inspector tr[data-method="user.current"] button.link').first();
  await open.waitFor();
  const box = await open.boundingBox();
  assert.ok(box && box.height >= 44, `tap target ${JSON.stringify(box)}`);
  await open.click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByText('Скопировать как curl').waitFor();
  const size = await dialog.boundingBox();
  assert.ok(size && size.width <= PHONE.width && size.x >= 0, JSON.stringify(size));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await shot(page, 'console-detail-phone.png', false);
  assert.deepEqual(await axeProblems(page), []);
  assert.deepEqual(problems, []);
});

test('console: a signed-in non-administrator is told so, with no sign-in link; a visitor is offered one', async (t) => {
  const b = await theBrowser(t);
  if (!b) return;
  await ts.addUser({ login: 'viewer', name: 'Vera', password: 'viewer-secret-1' });
  const context = await b.newContext({ viewport: PHONE });
  t.after(() => context.close());
  const page = await context.newPage();
  const problems = guard(page);
  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-ready="denied"]').waitFor();
  assert.deepEqual(await page.locator('#denied a').allTextContents(), ['Sign in']);

  await signInPage(page, ts.url, 'viewer', 'viewer-secret-1');
  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-ready="denied"]').waitFor();
  const text = (await page.locator('#denied').textContent()) ?? '';
  assert.match(text, /viewer, who is not an administrator/);
  assert.equal(await page.getByRole('link', { name: /sign in/i }).count(), 0, text);
  assert.equal(await page.locator('#console').isVisible(), false);
  assert.deepEqual(problems, []);
});
