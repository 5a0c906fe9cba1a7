/**
 * The center by keyboard alone, and what makes it quick to scan: sign in, tabs with arrow keys
 * (roving tabindex), j/k/e/Enter/#/u on the list, ? for help; day groups with relative times
 * and the exact time on hover; delete with undo; the unread count in the title and favicon.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { ManualClock } from '../../src/lib/clock.ts';
import { call } from '../helpers/http.ts';
import { DESKTOP, guard, serverAndBrowser } from './browser.ts';

const DAY = 86_400_000;
const clock = new ManualClock(Date.now() - DAY);
const suite = serverAndBrowser({}, { clock });

const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id || (document.activeElement as HTMLElement | null)?.dataset?.id || document.activeElement?.tagName);

/** Presses Tab until the element matching `selector` has focus (a keyboard user's way there). */
async function tabTo(page: Page, selector: string, limit = 25): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}; focus is on ${await focusedId(page)}`);
}

test('keyboard only: sign in, tabs, move, read, delete and undo, help; day groups, relative times, title and favicon', async (t) => {
  const browser = await suite.browser(t);
  if (!browser) return;
  const { ts } = suite;
  const kim = await ts.addUser({ login: 'kim', name: 'Kim', password: 'kim-secret-1' });
  const old = await call(ts.hook, 'im.notify.system.add', { USER_ID: kim.id, MESSAGE: 'From yesterday' });
  clock.advance(DAY);
  const a = await call(ts.hook, 'im.notify.system.add', { USER_ID: kim.id, MESSAGE: 'First today' });
  const b = await call(ts.hook, 'im.notify.system.add', { USER_ID: kim.id, MESSAGE: 'Second today' });
  const [oldId, aId, bId] = [old.body.result, a.body.result, b.body.result] as number[];

  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await page.goto(`${ts.url}/`);
  await tabTo(page, '#login-form input[name=login]');
  await page.keyboard.type('kim');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kim-secret-1');
  await page.keyboard.press('Enter');
  await page.locator(`#list li.item[data-id="${oldId}"]`).waitFor();

  // Grouped by day, newest first; relative times with the exact time as the title.
  assert.deepEqual(await page.locator('#list h2.day').allTextContents(), ['Today', 'Yesterday']);
  assert.deepEqual(await page.locator('#list li.item').evaluateAll((n) => n.map((e) => Number((e as HTMLElement).dataset.id))), [bId, aId, oldId]);
  const oldTime = page.locator(`#list li.item[data-id="${oldId}"] time`);
  assert.equal(await oldTime.textContent(), 'yesterday');
  assert.equal(await oldTime.getAttribute('title'), await oldTime.evaluate((e) => new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(e.getAttribute('datetime')!))));
  assert.equal(await page.locator(`#list li.item[data-id="${bId}"] time`).textContent(), 'just now');
  // Unread is said in words, not only shown.
  assert.equal(await page.locator(`#list li.item[data-id="${bId}"] .sr-only`).textContent(), 'Unread: ');

  // The count in the title and the favicon.
  assert.equal(await page.title(), '(3) Notifications · notify24');
  await page.locator('#favicon[data-count="3"][href^="data:image/png"]').waitFor({ state: 'attached' });

  // Tabs: one Tab stop, arrows move and show the panel.
  await tabTo(page, '[role=tab][aria-selected=true]');
  assert.equal(await focusedId(page), 'tab-inbox');
  assert.equal(await page.locator('#tab-history').getAttribute('tabindex'), '-1');
  await page.keyboard.press('ArrowRight');
  assert.equal(await focusedId(page), 'tab-history');
  await page.locator('#history').waitFor();
  assert.equal(await page.locator('#inbox').isHidden(), true);
  await page.keyboard.press('End');
  assert.equal(await focusedId(page), await page.locator('[role=tab]').last().getAttribute('id'));
  await page.keyboard.press('ArrowRight'); // wraps around
  assert.equal(await focusedId(page), 'tab-inbox');
  await page.locator('#inbox').waitFor();

  // j/k move through the rows; the row's actions show on focus.
  await page.keyboard.press('j');
  assert.equal(await focusedId(page), String(bId));
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await focusedId(page), String(oldId));
  await page.keyboard.press('k');
  assert.equal(await focusedId(page), String(aId));
  const actions = page.locator(`#list li.item[data-id="${aId}"] .actions`);
  assert.equal(await actions.evaluate((e) => getComputedStyle(e).opacity), '1');
  assert.equal(await page.locator(`#list li.item[data-id="${bId}"] .actions`).evaluate((e) => getComputedStyle(e).opacity), '0');

  // e and Enter toggle read; the count follows.
  await page.keyboard.press('e');
  await page.locator(`#list li.item:not(.unread)[data-id="${aId}"]`).waitFor();
  await page.locator('#counter[data-count="2"]').waitFor();
  assert.equal(await focusedId(page), String(aId), 'focus stays on the row after it re-renders');
  await page.keyboard.press('Enter');
  await page.locator(`#list li.item.unread[data-id="${aId}"]`).waitFor();

  // # deletes (focus goes to the next row), u brings it back.
  await page.keyboard.press('#');
  await page.locator(`#list li.item[data-id="${aId}"]`).waitFor({ state: 'detached' });
  assert.equal(await focusedId(page), String(oldId));
  await page.locator('.toast', { hasText: 'Notification deleted' }).waitFor();
  await page.keyboard.press('u');
  await page.locator(`#list li.item[data-id="${aId}"]`).waitFor();

  // Delete with the button, undo with the toast's button: nothing reaches the server.
  await page.locator(`#list li.item[data-id="${bId}"] button.delete`).focus();
  await page.keyboard.press('Enter');
  await page.locator(`#list li.item[data-id="${bId}"]`).waitFor({ state: 'detached' });
  await page.locator('.toast button', { hasText: 'Undo' }).last().click();
  await page.locator(`#list li.item[data-id="${bId}"]`).waitFor();

  // ? opens the help, Escape closes it.
  await page.locator('body').focus();
  await page.keyboard.press('?');
  await page.locator('#help[open]').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#help:not([open])').waitFor({ state: 'attached' });

  // A delete not undone reaches the server once the undo time is over.
  await page.locator(`#list li.item[data-id="${oldId}"]`).focus();
  await page.keyboard.press('#');
  await waitUntil(async () => !(await listIds(kim.hook)).includes(oldId), 'the delete reached the server');
  assert.deepEqual((await listIds(kim.hook)).sort(), [aId, bId].sort());
  assert.deepEqual(problems, []);
  await page.close();
});

/** The user's notifications on the server, through their own webhook. */
async function listIds(hook: string): Promise<number[]> {
  const r = await call(hook, 'im.notify.get', { LIMIT: 50 });
  return (r.body.result.notifications as { id: number }[]).map((n) => Number(n.id));
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`never happened: ${what}`);
}
