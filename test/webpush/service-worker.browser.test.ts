/**
 * The center's service worker and "notify me on this device" switch in Debian's chromium:
 * pushes are delivered to the worker through the DevTools protocol (headless chromium has no
 * push service of its own) and the notifications it shows are read back with
 * `registration.getNotifications()`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { call } from '../helpers/http.ts';
import { guard, serverAndBrowser, signInPage } from '../web/browser.ts';

const env = serverAndBrowser();

interface Shown {
  title: string;
  body: string;
  tag: string;
  data: { url: string; id: number | null };
}

/** The notifications the origin's service worker registration shows now. */
function shown(page: Page): Promise<Shown[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    const list = registration ? await registration.getNotifications() : [];
    return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
  });
}

/**
 * Counts, in a page or in the service worker, the calls of `Clients.matchAll` and
 * `ServiceWorkerRegistration.showNotification` made and settled there. The tests read the shown
 * notifications only after the calls they caused have settled, never by polling: Chromium's
 * `getNotifications()` deletes from its records any notification written but not yet on display
 * when the read began, so a poll racing a `showNotification` loses that notification for good
 * (5 or 6 of 40 pushes in a tight poll; this test failed that way on a loaded CI host).
 * A string, not a function: tsx would wrap a function in a helper the browser does not have.
 */
const COUNT_CALLS = `(() => {
  if (self.notify24Calls) return;
  const calls = (self.notify24Calls = {});
  const count = (proto, name) => {
    const original = proto[name];
    calls[name] = { made: 0, settled: 0 };
    proto[name] = function (...args) {
      calls[name].made++;
      return original.apply(this, args).finally(() => calls[name].settled++);
    };
  };
  if (self.Clients) count(Clients.prototype, 'matchAll');
  count(ServiceWorkerRegistration.prototype, 'showNotification');
})()`;

type Calls = Record<'matchAll' | 'showNotification', { made: number; settled: number }>;

/** Waits (up to a minute: CI hosts can be loaded) until `n` calls of `name` have settled in the realm. */
async function settled(realm: Page | Worker, name: keyof Calls, n: number): Promise<Calls> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const calls = (await (realm as Page).evaluate('self.notify24Calls')) as Calls | undefined;
    assert.ok(calls, 'the realm was reloaded: its call counts are gone');
    if (calls[name].settled >= n) return calls;
    if (Date.now() > deadline) assert.fail(`${n} ${name} calls never settled: ${JSON.stringify(calls)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The origin's service worker, as Playwright reports it once the page has one. */
async function serviceWorker(context: BrowserContext): Promise<Worker> {
  return context.serviceWorkers()[0] ?? context.waitForEvent('serviceworker');
}

async function clearShown(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration('/');
    for (const n of (await registration?.getNotifications()) ?? []) n.close();
  });
}

/** The worker's registration id, for ServiceWorker.deliverPushMessage. */
async function registrationId(cdp: CDPSession): Promise<string> {
  const found = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === `${env.ts.url}/` && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  return found;
}

async function centerWithWorker(context: BrowserContext, login: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await signInPage(page, env.ts.url, login, password);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${env.ts.url}/`);
  return page;
}

test('/sw.js is served as a root-scoped script that is never cached stale', async () => {
  const res = await fetch(`${env.ts.url}/sw.js`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal(res.headers.get('service-worker-allowed'), '/');
  assert.equal(res.headers.get('cache-control'), 'no-cache');
  assert.match(await res.text(), /addEventListener\('push'/);
});

test('the service worker shows a pushed notification while no center is visible, none while one is, and a same-tag push replaces the shown one', async (t) => {
  const browser = await env.browser(t);
  if (!browser) return;
  await env.ts.addUser({ login: 'sw-anna', password: 'sw-anna-secret' });
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: env.ts.url });
  const page = await centerWithWorker(context, 'sw-anna', 'sw-anna-secret');
  const problems = guard(page);
  const cdp = await context.newCDPSession(page);
  const id = await registrationId(cdp);
  const deliver = (payload: Record<string, unknown>) => cdp.send('ServiceWorker.deliverPushMessage', { origin: env.ts.url, registrationId: id, data: JSON.stringify(payload) });
  const worker = await serviceWorker(context);
  await worker.evaluate(COUNT_CALLS);

  // The center is open and visible: it shows the notification itself, so no system popup.
  // (The worker decides from the windows it sees, so the page stays until it has looked.)
  await deliver({ v: 1, id: 1, title: 'Visible', body: 'not shown', url: '/?notification=1', tag: 'notify24:1' });
  await settled(worker, 'matchAll', 1);
  // No center open (the console is not one): the worker shows it.
  await page.goto(`${env.ts.url}/console`);
  await deliver({ v: 1, id: 2, title: 'Sam Sender', body: 'Build #42 passed', url: '/?notification=2', tag: 'notify24:MP|ci|build' });
  const calls = await settled(worker, 'showNotification', 1);
  assert.equal(calls.showNotification.made, 1, 'the push to the visible center was shown');
  assert.deepEqual(await shown(page), [{ title: 'Sam Sender', body: 'Build #42 passed', tag: 'notify24:MP|ci|build', data: { url: '/?notification=2', id: 2 } }]);
  // A notification that replaced it by tag replaces it on screen.
  await deliver({ v: 1, id: 3, title: 'Sam Sender', body: 'Build #43 passed', url: '/?notification=3', tag: 'notify24:MP|ci|build' });
  await settled(worker, 'showNotification', 2);
  assert.deepEqual((await shown(page)).map((n) => [n.tag, n.body]), [['notify24:MP|ci|build', 'Build #43 passed']]);
  // Something that is not our JSON still shows, as text.
  await deliver({ unexpected: true });
  await settled(worker, 'showNotification', 3);
  assert.deepEqual((await shown(page)).map((n) => [n.title, n.body, n.tag]).sort(), [
    ['Sam Sender', 'Build #43 passed', 'notify24:MP|ci|build'],
    ['notify24', '{"unexpected":true}', 'notify24'],
  ].sort());
  assert.deepEqual(problems, []);
  await context.close();
});

test('the switch: on a browser without a push service the open page notifies while hidden (with sound), never while visible; off stops it', async (t) => {
  const browser = await env.browser(t);
  if (!browser) return;
  const user = await env.ts.addUser({ login: 'sw-boris', password: 'sw-boris-secret' });
  const sender = await env.ts.addUser({ login: 'sw-sam', name: 'Sam', lastName: 'Sender' });
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: env.ts.url });
  const page = await centerWithWorker(context, 'sw-boris', 'sw-boris-secret');
  const problems = guard(page);
  const toggle = page.locator('#device-push');
  await toggle.waitFor();
  assert.equal(await toggle.isChecked(), false);
  await page.evaluate(COUNT_CALLS);
  await toggle.check();
  await page.locator('#device-push:not([disabled])[data-mode]:checked').waitFor();
  const mode = await toggle.getAttribute('data-mode');
  // Headless chromium has no push service, so subscribing fails and the page takes over;
  // a browser that has one would be subscribed on the server.
  const subscriptions = (await call(user.hook, 'notify24.push.list')).body.result;
  if (mode === 'push') assert.equal(subscriptions.length, 1);
  else assert.deepEqual([mode, subscriptions], ['page', []]);
  await page.locator('#device-push-sound').check();

  // Visible: nothing is shown by the page (the list shows it).
  const visible = await call(env.ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'seen in the list' });
  await page.locator(`#list li[data-id="${visible.body.result}"]`).waitFor();
  // Hidden (another tab in front): the page shows a desktop notification and plays the sound.
  // (A string: tsx would wrap a function's getter in a helper the page does not have.)
  await page.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
    document.dispatchEvent(new Event('visibilitychange'));`);
  const hidden = await call(sender.hook, 'im.notify.personal.add', { USER_ID: user.id, MESSAGE: 'Deploy [b]done[/b]' });
  if (mode === 'page') {
    // The live channel brings it to the list first (a loaded machine may take a while).
    await page.locator(`#list li[data-id="${hidden.body.result}"]`).waitFor();
    await settled(page, 'showNotification', 1);
    assert.deepEqual(await shown(page), [{ title: 'Sam Sender', body: 'Deploy done', tag: `notify24:${hidden.body.result}`, data: { url: `/?notification=${hidden.body.result}`, id: hidden.body.result } }]);
  }
  await page.locator('#device-push-sound[data-played="1"]').waitFor();

  // Off: hidden or not, nothing more.
  await clearShown(page);
  await toggle.uncheck();
  await page.locator('#device-push:not([disabled])[data-mode="off"]').waitFor();
  const after = await call(env.ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: 'switched off' });
  await page.locator(`#list li[data-id="${after.body.result}"]`).waitFor();
  assert.deepEqual(await shown(page), []);
  // Nor did the page show one while it was visible.
  assert.equal(await page.evaluate('self.notify24Calls.showNotification.made'), mode === 'page' ? 1 : 0);
  assert.equal(await page.locator('#device-push-sound').getAttribute('data-played'), '1');
  assert.deepEqual((await call(user.hook, 'notify24.push.list')).body.result, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('console: the push subscriptions card lists each user\u2019s browsers and revokes one', async (t) => {
  const browser = await env.browser(t);
  if (!browser) return;
  await env.ts.addUser({ login: 'sw-root', isAdmin: true, password: 'sw-root-secret' });
  const owner = await env.ts.addUser({ login: 'sw-owner' });
  // Any valid P-256 point will do for listing: take the server's own public key.
  const key = (await call(env.ts.hook, 'notify24.push.key')).body.result.public_key as string;
  const subscribed = await call(owner.hook, 'notify24.push.subscribe', {
    SUBSCRIPTION: { endpoint: 'https://push.example.org/send/abc', keys: { p256dh: key, auth: Buffer.alloc(16, 7).toString('base64url') } },
    USER_AGENT: 'Owner phone',
  });
  assert.equal(subscribed.status, 200, JSON.stringify(subscribed.body));
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = guard(page);
  await signInPage(page, env.ts.url, 'sw-root', 'sw-root-secret');
  await page.goto(`${env.ts.url}/console`);
  await page.locator('body[data-push-subscriptions="ready"]').waitFor();
  const row = page.locator(`#push-subscriptions tr[data-id="${subscribed.body.result.id}"]`);
  assert.deepEqual((await row.locator('td').allTextContents()).slice(1, 4), ['sw-owner', 'push.example.org', 'Owner phone']);
  await row.locator('button.revoke').click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual((await call(owner.hook, 'notify24.push.list')).body.result, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a push notification\u2019s link opens the center at that notification', async (t) => {
  const browser = await env.browser(t);
  if (!browser) return;
  const user = await env.ts.addUser({ login: 'sw-cara', password: 'sw-cara-secret' });
  const ids: number[] = [];
  for (const text of ['first', 'linked', 'last']) ids.push((await call(env.ts.hook, 'im.notify.system.add', { USER_ID: user.id, MESSAGE: text })).body.result);
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = guard(page);
  await signInPage(page, env.ts.url, 'sw-cara', 'sw-cara-secret');
  await page.goto(`${env.ts.url}/?notification=${ids[1]}`);
  await page.locator(`#list li.item.linked[data-id="${ids[1]}"]`).waitFor();
  assert.equal(await page.evaluate('document.activeElement?.dataset?.id'), String(ids[1]));
  assert.equal(await page.locator('#list li.item.linked').count(), 1);
  assert.equal(new URL(page.url()).search, '');
  assert.deepEqual(problems, []);
  await context.close();
});
