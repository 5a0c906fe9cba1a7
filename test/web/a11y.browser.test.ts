/**
 * Accessibility, measured: axe-core finds no serious or critical violation on any page or state
 * of the center (sign-in, empty inbox, every kind of notification, history, settings, keyboard help),
 * the OAuth consent page and the console, in the light and the dark theme; at phone width every
 * control is at least 44×44 px. (The offline banner is checked in connection.browser.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { call } from '../helpers/http.ts';
import { addApp } from '../apps/oauth-client.ts';
import { DESKTOP, guard, PHONE, seriousViolations, signInPage, smallTargets, serverAndBrowser } from './browser.ts';
import { addAnswerableNotification, addConfirmNotification } from './extended-notify.ts';

const suite = serverAndBrowser();

/** Checks the page in both color schemes (the theme is `auto`, so it follows the emulation). */
async function clean(page: Page, state: string): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await seriousViolations(page), [], `${state}, ${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** One notification of every kind the center renders differently. */
async function everyKind(userId: number, senderHook: string): Promise<void> {
  await call(suite.ts.hook, 'im.notify.system.add', {
    USER_ID: userId,
    MESSAGE: 'Nightly report: [b]green[/b], see [url=https://ci.example.com/n/1]the run[/url]',
    ATTACH: { COLOR: '#2f80ed', BLOCKS: [
      { MESSAGE: 'Summary of the [i]night[/i]' },
      { GRID: [{ NAME: 'Tests', VALUE: '1,204 passed', DISPLAY: 'LINE' }, { NAME: 'Duration', VALUE: '6 min', DISPLAY: 'BLOCK' }] },
      { DELIMITER: { SIZE: 200, COLOR: '#c0c0c0' } },
      { LINK: { NAME: 'Open the report', LINK: 'https://ci.example.com/nightly', DESC: 'All suites' } },
      { USER: { NAME: 'Build bot', LINK: 'https://ci.example.com/bot' } },
    ] },
  });
  await call(senderHook, 'im.notify.personal.add', {
    USER_ID: userId,
    MESSAGE: '[quote]Can you look?[/quote] [color=#ff0000]red text[/color] [code]npm test[/code] [user=1]Admin[/user]',
  });
  const read = await call(senderHook, 'im.notify.personal.add', { USER_ID: userId, MESSAGE: 'An old one, already read' });
  await call(suite.ts.hook, 'im.notify.read', { ID: read.body.result, ONLY_CURRENT: 'Y' }).catch(() => null);
  await addConfirmNotification(suite.ts, userId, 'Join the [b]release[/b] call?');
  await addAnswerableNotification(suite.ts, userId, 'What is the deploy window?');
}

test('axe: sign-in, empty inbox, every kind of notification, history, settings, help, consent, console — light and dark', async (t) => {
  const b = await suite.browser(t);
  if (!b) return;
  const { ts } = suite;
  const user = await ts.addUser({ login: 'axe', name: 'Alex', lastName: 'Axe', password: 'axe-secret-1', isAdmin: true });
  const sender = await ts.addUser({ login: 'axe-sender', name: 'Sam' });
  const page = await b.newPage({ viewport: DESKTOP });
  const problems = guard(page);

  await page.goto(`${ts.url}/`);
  await page.locator('#login').waitFor();
  await clean(page, 'sign-in');

  await signInPage(page, ts.url, 'axe', 'axe-secret-1');
  await page.locator('#empty').waitFor();
  await clean(page, 'empty inbox');

  await everyKind(user.id, sender.hook);
  await page.locator('#list li.item').nth(4).waitFor();
  await page.locator('#list li.item .attachments').waitFor();
  await clean(page, 'inbox with every kind');
  // Actions revealed by focus are checked too.
  await page.locator('#list li.item button.delete').first().focus();
  await clean(page, 'inbox, row actions shown');

  await page.locator('#tab-history').click();
  await page.locator('#results li.item').first().waitFor();
  await clean(page, 'history');

  await page.locator('#tab-settings').click();
  await page.locator('#settings input, #settings select').first().waitFor();
  await clean(page, 'settings');
  await page.locator('#tab-inbox').click();

  await page.keyboard.press('?');
  await page.locator('#help[open]').waitFor();
  await clean(page, 'keyboard help');
  await page.keyboard.press('Escape');

  const app = await addApp(ts, { name: 'Deploy bot' });
  await page.goto(`${ts.url}/oauth/authorize/?client_id=${app.clientId}&state=a`);
  await page.locator('button[value=allow]').waitFor();
  await clean(page, 'OAuth consent');

  await page.goto(`${ts.url}/console`);
  await page.locator('body[data-ready="1"]').waitFor();
  await page.locator('#users tbody tr').first().waitFor();
  await page.locator('#inspector tbody tr').first().waitFor();
  await clean(page, 'console');
  assert.deepEqual(problems, []);
  await page.close();
});

test('phone width: every control of the sign-in page, inbox and history is at least 44×44 px', async (t) => {
  const b = await suite.browser(t);
  if (!b) return;
  const { ts } = suite;
  const user = await ts.addUser({ login: 'thumb', password: 'thumb-secret-1' });
  const sender = await ts.addUser({ login: 'thumb-sender', name: 'Sam' });
  await everyKind(user.id, sender.hook);
  const page = await b.newPage({ viewport: PHONE });
  // A checkbox's target is its label.
  const controls = 'button, select, input:not([type=hidden], [type=checkbox], [type=radio]), label:has(> input[type=checkbox]), [role=tab], .bar a';
  await page.goto(`${ts.url}/`);
  await page.locator('#login').waitFor();
  assert.deepEqual(await smallTargets(page, controls), [], 'sign-in');
  await signInPage(page, ts.url, 'thumb', 'thumb-secret-1');
  await page.locator('#list li.item').nth(4).waitFor();
  assert.deepEqual(await smallTargets(page, controls), [], 'inbox');
  await page.locator('#tab-history').click();
  await page.locator('#results li.item').first().waitFor();
  assert.deepEqual(await smallTargets(page, controls), [], 'history');
  await page.close();
});
