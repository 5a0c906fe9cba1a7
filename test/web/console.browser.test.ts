import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DESKTOP, guard, browserPerFile, PHONE, screenshotDir, signInPage } from './browser.ts';

let SHOTS = '';
let ts: TestServer;
before(async () => {
  ts = await startTestServer();
  SHOTS = screenshotDir();
});
after(() => ts.close());

const theBrowser = browserPerFile();

test('console: create a webhook, see its calls live in the inspector, revoke it', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  await ts.addUser({ login: 'root', name: 'Ada', isAdmin: true, password: 'root-secret-1' });
  const dev = await ts.addUser({ login: 'dev', name: 'Dev' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, ts.url, 'root', 'root-secret-1');
  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-ready="1"]').waitFor();
  assert.ok((await page.locator('#users').textContent())?.includes('dev'));

  const form = page.locator('#webhook-form');
  await form.locator('select[name=user_id]').selectOption(String(dev.id));
  await form.locator('input[name=title]').fill('CI bot');
  await form.locator('input[name=scopes]').fill('user');
  await form.locator('button[type=submit]').click();
  await page.locator('#new-url:not([hidden])').waitFor();
  const url = /(http\S+\/rest\/\d+\/[a-z0-9]+\/)/.exec((await page.locator('#new-url').textContent()) ?? '')?.[1];
  assert.ok(url, 'the new webhook URL is shown');

  // A call through it shows up live, its secrets masked.
  const sent = await call(url, 'user.get', { FILTER: { NAME: 'from CI' }, password: 'hunter2' });
  assert.deepEqual(sent.body.result, [], JSON.stringify(sent.body));
  const row = page.locator('#calls tr[data-method="user.get"]').first();
  await row.waitFor();
  const text = (await row.textContent()) ?? '';
  assert.ok(text.includes('webhook') && text.includes('from CI') && text.includes('***'), text);
  assert.ok(!text.includes('hunter2'), text);

  await page.screenshot({ path: `${SHOTS}/console-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/console-phone.png`, fullPage: true });
  await page.setViewportSize(DESKTOP);

  const hookRow = page.locator('#webhooks tr', { hasText: 'CI bot' });
  await hookRow.locator('button.revoke').click();
  await hookRow.locator('td', { hasText: 'revoked' }).waitFor();
  const refused = await call(url, 'user.current');
  assert.equal(refused.body.error, 'INVALID_CREDENTIALS');
  await page.locator('#calls tr[data-method="user.current"] .err', { hasText: 'INVALID_CREDENTIALS' }).first().waitFor();
  assert.deepEqual(problems, []);
});

test('console: a signed-in non-administrator is told so, with no sign-in link; a visitor is offered one', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  await ts.addUser({ login: 'viewer', name: 'Vera', password: 'viewer-secret-1' });
  const context = await browser.newContext({ viewport: PHONE });
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
