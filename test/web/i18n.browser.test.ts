/**
 * The center in Russian: chosen from the browser's language before signing in, then from the
 * user's saved setting over the browser's; counts use Russian plural forms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call } from '../helpers/http.ts';
import { DESKTOP, guard, signInPage, serverAndBrowser } from './browser.ts';

const suite = serverAndBrowser();

test('Russian: sign-in page, center texts, plural counter, saved language beats the browser', async (t) => {
  const browser = await suite.browser(t);
  if (!browser) return;
  const { ts } = suite;
  const ivan = await ts.addUser({ login: 'ivan', name: 'Иван', password: 'ivan-secret-1' });
  const ru = await browser.newContext({ viewport: DESKTOP, locale: 'ru-RU' });
  const page = await ru.newPage();
  const problems = guard(page);
  await page.goto(`${ts.url}/`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'ru');
  assert.equal(await page.locator('#login-heading').textContent(), 'Вход');
  assert.equal(await page.locator('#login-form button[type=submit]').textContent(), 'Войти');

  // A failed sign-in is told in Russian.
  await page.locator('#login-form input[name=login]').fill('ivan');
  await page.locator('#login-form input[name=password]').fill('wrong');
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('.toast', { hasText: 'Неверный логин или пароль' }).waitFor();

  await signInPage(page, ts.url, 'ivan', 'ivan-secret-1');
  assert.equal(await page.locator('#tab-inbox').textContent(), 'Входящие');
  assert.equal(await page.locator('#tab-history').textContent(), 'История');
  for (const n of [1, 2, 3]) await call(ts.hook, 'im.notify.system.add', { USER_ID: ivan.id, MESSAGE: n === 3 ? 'Сборка 3: [url=javascript:alert(1)]лог[/url]' : `Сборка ${n}` });
  await page.locator('#counter[data-count="3"]').waitFor();
  assert.equal(await page.locator('#counter-text').textContent(), '3 непрочитанных уведомления');
  assert.equal(await page.title(), '(3) Уведомления · notify24');
  assert.equal(await page.locator('#read-all').textContent(), 'Прочитать все');
  assert.equal(await page.locator('#list li.item .author').first().textContent(), 'Система');
  assert.equal(await page.locator('#list .blocked-link').getAttribute('title'), 'ссылка удалена: адрес не http(s)');
  // Notification types are named in Russian too (the REST schema's names stay English).
  await page.locator('#tab-settings').click();
  await page.locator('#settings th[scope=row]', { hasText: 'Уведомления от приложений и вебхуков' }).waitFor();
  assert.ok((await page.locator('#settings th[scope=row]').allTextContents()).includes('Упоминания'));
  await page.locator('#tab-inbox').click();

  // Saved English beats the Russian browser after a reload; back to "from the browser" afterwards.
  const saved = await page.evaluate(async () => {
    const { sessid } = await (await fetch('/session')).json();
    const res = await fetch('/preferences', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ sessid, language: 'en' }) });
    return res.status;
  });
  assert.equal(saved, 200);
  await page.reload();
  await page.locator('#counter[data-count="3"]').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.equal(await page.locator('#counter-text').textContent(), '3 unread notifications');
  assert.deepEqual(problems, []);
  await ru.close();
});
