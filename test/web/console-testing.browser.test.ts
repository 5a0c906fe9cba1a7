import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPortal, type Portal } from '../../src/index.ts';
import { call } from '../helpers/http.ts';
import { startTestServer } from '../helpers/server.ts';
import { testDatabaseUrl } from '../helpers/services.ts';
import { DESKTOP, browserPerFile, guard, signInPage } from './browser.ts';

let portal: Portal;
before(async () => {
  portal = await startPortal({ databaseUrl: process.env.NOTIFY24_TEST_STORE === 'postgres' ? testDatabaseUrl() : undefined });
});
after(() => portal.close());

const theBrowser = browserPerFile();

test('console Testing card: add a fault rule, see the injected answer marked in the inspector, move the clock, clear', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  await portal.createUser({ login: 'root', isAdmin: true, password: 'root-secret-1' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, portal.url, 'root', 'root-secret-1');
  await page.goto(`${portal.url}/console`);
  await page.locator('#testing[data-ready="1"]').waitFor();

  const form = page.locator('#fault-form');
  await form.locator('input[name=method]').fill('user.current');
  await form.locator('select[name=answer]').selectOption('QUERY_LIMIT_EXCEEDED');
  await form.locator('input[name=times]').fill('1');
  await form.locator('button[type=submit]').click();
  await page.locator('#faults tr[data-id="1"]', { hasText: 'QUERY_LIMIT_EXCEEDED' }).waitFor();
  assert.deepEqual(portal.faults.list().map((r) => [r.method, r.error, r.remaining]), [['user.current', 'QUERY_LIMIT_EXCEEDED', 1]]);

  assert.equal((await call(portal.webhookUrl, 'user.current')).status, 503);
  // Loaded afresh, the inspector lists the call (the live stream may have opened after it).
  await page.reload();
  await page.locator('#testing[data-ready="1"]').waitFor();
  await page.locator('#calls tr[data-method="user.current"] .fault', { hasText: 'fault #1: QUERY_LIMIT_EXCEEDED' }).first().waitFor();

  await page.locator('#clock-form input[name=hours]').fill('2');
  await page.locator('#clock-form button[type=submit]').click();
  await page.locator('#testing .clock', { hasText: '(2 h ahead of real time)' }).waitFor();
  assert.ok(portal.now() - Date.now() > 7_000_000);

  // A rule added from code shows once the card is loaded again; only then can "no rules" mean
  // the clear went through (the card may still show "no rules" from before the rule was added).
  const added = portal.faults.add({ error: 'INTERNAL_SERVER_ERROR' });
  await page.reload();
  await page.locator('#testing[data-ready="1"]').waitFor();
  await page.locator(`#faults tr[data-id="${added.id}"]`).waitFor();
  await page.locator('#faults-clear').click();
  await page.locator('#faults td.muted').waitFor();
  assert.deepEqual(portal.faults.list(), []);
  assert.deepEqual(problems, []);
});

test('the card is absent on a server not started for testing', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  const ts = await startTestServer();
  try {
    await ts.addUser({ login: 'root', isAdmin: true, password: 'root-secret-1' });
    const page = await browser.newPage({ viewport: DESKTOP });
    await signInPage(page, ts.url, 'root', 'root-secret-1');
    const probe = page.waitForResponse((r) => r.url().endsWith('/console/api/faults'));
    await page.goto(`${ts.url}/console`);
    await page.locator('body[data-ready="1"]').waitFor();
    assert.equal((await probe).status(), 404, 'the card asked, and was told TEST_MODE_OFF');
    await page.waitForTimeout(100);
    assert.equal(await page.locator('#testing').count(), 0);
  } finally {
    await ts.close();
  }
});

test('the Testing card in Russian: headings, rules and the clock in the reader\u2019s language', async (t) => {
  const browser = await theBrowser(t);
  if (!browser) return;
  await portal.createUser({ login: 'korol', isAdmin: true, password: 'korol-secret-1' });
  // 21 calls left: Russian says "остался 21" (the "one" form), not "осталось".
  portal.faults.add({ method: 'im.notify.personal.add', error: 'ACCESS_DENIED', times: 21, delayMs: 5 });
  const page = await browser.newPage({ viewport: DESKTOP, locale: 'ru-RU', extraHTTPHeaders: { 'Accept-Language': 'ru-RU,ru;q=0.9' } });
  const problems = guard(page);
  await signInPage(page, portal.url, 'korol', 'korol-secret-1');
  await page.goto(`${portal.url}/console`);
  await page.locator('#testing[data-ready="1"]').waitFor();
  assert.equal(await page.locator('#testing h2').textContent(), 'Тестирование (этот сервер запущен для тестов)');
  assert.deepEqual(await page.locator('#testing thead th').allTextContents(), ['#', 'Метод', 'Вызывающий', 'Ответ', 'Когда', 'Срабатывания', '']);
  const rule = page.locator('#faults tr').first();
  assert.deepEqual((await rule.locator('td').allTextContents()).slice(3, 5), ['ACCESS_DENIED через 5 мс', 'остался 21']);
  assert.match((await page.locator('#testing .clock').textContent()) ?? '', /^Часы сервера: .+ \(на -?\d+ ч впереди реального времени\)$/);
  assert.equal(await page.locator('#fault-form select[name=answer] option[value=drop]').textContent(), 'разорвать соединение');
  await page.locator('#faults-clear').click();
  await page.locator('#faults td.muted', { hasText: 'Правил сбоев нет' }).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
