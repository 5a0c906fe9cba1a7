/**
 * Connection state: when the server cannot be reached a banner says so and counts down to the
 * next attempt (axe-clean); after the server returns the page is live again, goes back to a
 * WebSocket even though the outage pushed it onto SSE, and shows what arrived meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { blockablePort, type BlockablePort } from './blockable-port.ts';
import { DESKTOP, guard, launchBrowser, seriousViolations, signInPage } from './browser.ts';

let ts: TestServer;
let relay: BlockablePort;
let browser: Browser | null = null;
before(async () => {
  ts = await startTestServer();
  relay = await blockablePort(ts.url);
});
after(async () => {
  await browser?.close();
  await relay.block();
  await ts.close();
});

test('offline banner with a countdown; back online it returns to WebSocket and fetches what it missed', async (t) => {
  browser = await launchBrowser(t);
  if (!browser) return;
  const lena = await ts.addUser({ login: 'lena', password: 'lena-secret-1' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, relay.url, 'lena', 'lena-secret-1');
  await page.locator('#link-state[data-state="ws"]').waitFor();
  assert.equal(await page.locator('#offline-banner').isHidden(), true);
  // Every state the badge goes through, in order.
  await page.evaluate(() => {
    const badge = document.getElementById('link-state')!;
    const seen: string[] = [badge.dataset.state ?? ''];
    (window as unknown as { states: string[] }).states = seen;
    new MutationObserver(() => { if (seen.at(-1) !== badge.dataset.state) seen.push(badge.dataset.state ?? ''); })
      .observe(badge, { attributes: true, attributeFilter: ['data-state'] });
  });

  await relay.block();
  const banner = page.locator('#offline-banner');
  await banner.locator('strong', { hasText: 'Cannot reach the server.' }).waitFor();
  assert.equal(await banner.getAttribute('role'), 'alert');
  // Several attempts have failed (WebSocket too, so the page will try SSE next) once the wait reaches 4 s.
  await banner.locator('.banner-text', { hasText: /Trying again in ([4-9]|10) seconds…/ }).waitFor({ timeout: 15_000 });
  assert.deepEqual(await seriousViolations(page), [], 'offline banner');
  for (const colorScheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await seriousViolations(page), [], `offline banner, ${colorScheme}`);
  }

  // Sent while the page is cut off.
  const missed = await call(ts.hook, 'im.notify.system.add', { USER_ID: lena.id, MESSAGE: 'Sent during the outage' });
  await relay.unblock();
  await banner.locator('button.retry-now').click();
  await page.locator('#link-state[data-state="ws"]').waitFor({ timeout: 15_000 });
  await banner.waitFor({ state: 'hidden' });
  await page.locator(`#list li.item[data-id="${missed.body.result}"]`).waitFor();
  const states = await page.evaluate(() => (window as unknown as { states: string[] }).states);
  assert.deepEqual(states.slice(0, 2), ['ws', 'offline']);
  assert.equal(states.at(-1), 'ws');
  assert.ok(states.includes('sse'), `the outage should have pushed the page onto SSE first: ${states.join(' → ')}`);

  // Live again: the next notification arrives over the WebSocket.
  const live = await call(ts.hook, 'im.notify.system.add', { USER_ID: lena.id, MESSAGE: 'After the outage' });
  await page.locator(`#list li.item[data-id="${live.body.result}"]`).waitFor();
  assert.deepEqual(problems, []);
  await page.close();
});
