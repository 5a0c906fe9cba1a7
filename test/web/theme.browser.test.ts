/**
 * Dark mode: the center follows prefers-color-scheme until the user picks a theme; the pick
 * applies at once, is saved for that user (a new browser session gets it from the server's
 * first paint), and is theirs alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { DESKTOP, guard, signInPage, serverAndBrowser } from './browser.ts';

const suite = serverAndBrowser();

const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
const LIGHT = 'rgb(245, 247, 250)';
const DARK = 'rgb(17, 20, 25)';

test('dark mode: follows the system, a manual switch wins and is remembered per user', async (t) => {
  const browser = await suite.browser(t);
  if (!browser) return;
  const { ts } = suite;
  await ts.addUser({ login: 'nina', password: 'nina-secret-1' });
  await ts.addUser({ login: 'omar', password: 'omar-secret-1' });

  const night = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
  const page = await night.newPage();
  const problems = guard(page);
  await page.goto(`${ts.url}/`);
  assert.equal(await background(page), DARK, 'the sign-in page follows a dark system');
  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await background(page), LIGHT);
  await page.emulateMedia({ colorScheme: 'dark' });

  await signInPage(page, ts.url, 'nina', 'nina-secret-1');
  assert.equal(await page.locator('#theme').inputValue(), 'auto');
  assert.equal(await background(page), DARK);
  const saved = page.waitForResponse((r) => r.url().endsWith('/preferences') && r.request().method() === 'POST');
  await page.locator('#theme').selectOption('light');
  assert.equal(await background(page), LIGHT, 'the switch applies at once, over the dark system');
  assert.equal((await saved).status(), 200);

  // Another browser session of the same user: light from the first paint, though the system is dark.
  const other = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
  const second = await other.newPage();
  await signInPage(second, ts.url, 'nina', 'nina-secret-1');
  assert.equal(await second.locator('html').getAttribute('data-theme'), 'light');
  assert.equal(await background(second), LIGHT);
  assert.equal(await second.locator('#theme').inputValue(), 'light');
  const savedDark = second.waitForResponse((r) => r.url().endsWith('/preferences') && r.request().method() === 'POST');
  await second.locator('#theme').selectOption('dark');
  assert.equal((await savedDark).status(), 200);
  await second.emulateMedia({ colorScheme: 'light' });
  assert.equal(await background(second), DARK, 'dark chosen: stays dark under a light system');
  await other.close();

  // Someone else on a dark system still follows the system.
  const theirs = await night.newPage();
  await theirs.context().clearCookies();
  await signInPage(theirs, ts.url, 'omar', 'omar-secret-1');
  assert.equal(await theirs.locator('#theme').inputValue(), 'auto');
  assert.equal(await background(theirs), DARK);
  assert.deepEqual(problems, []);
  await night.close();
});
