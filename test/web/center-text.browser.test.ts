/**
 * The center shows the portal's text (HTML converted to BB code, entities decoded, links as
 * `[URL]` codes) as formatting, and never as markup: decoded `<` and `>` stay text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { DESKTOP, guard, launchBrowser, signInPage } from './browser.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

test('center: converted HTML, decoded entities and [URL] links render as text and safe links', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const reader = await ts.addUser({ login: 'text-center', password: 'text-center-1' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, ts.url, 'text-center', 'text-center-1');

  const message = '<b>Paid</b> &lt;img src=x onerror="window.__pwned=1"&gt; see https://example.com/i/7. '
    + '<a href="javascript:window.__pwned=2">trap</a> <a href="/inv/7">open</a> <i class="x">raw</i>';
  const sent = await call(ts.hook, 'im.notify.system.add', { USER_ID: reader.id, MESSAGE: message });
  assert.equal(typeof sent.body.result, 'number', JSON.stringify(sent.body));
  const item = page.locator(`li.item[data-id="${sent.body.result}"]`);
  await item.waitFor();

  const dom = await item.locator('.text').evaluate((el) => ({
    bold: [...el.querySelectorAll('strong')].map((e) => e.textContent),
    links: [...el.querySelectorAll('a[href]')].map((e) => [e.getAttribute('href'), e.textContent]),
    images: el.querySelectorAll('img').length,
    handlers: [...el.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
    text: el.textContent ?? '',
  }));
  assert.deepEqual(dom.bold, ['Paid']);
  assert.deepEqual(dom.links, [['https://example.com/i/7', 'https://example.com/i/7'], [`${ts.url}/inv/7`, 'open']]);
  assert.equal(dom.images, 0);
  assert.deepEqual(dom.handlers, []);
  // The decoded entity is shown as the characters it stands for; the unconverted tag as text.
  assert.ok(dom.text.includes('<img src=x onerror="window.__pwned=1">'), dom.text);
  assert.ok(dom.text.includes('<i class="x">raw</i>'), dom.text);
  // The defused javascript: link is not a link (its label stays).
  assert.ok(dom.text.includes('trap'), dom.text);
  assert.equal(await item.locator('.blocked-link').count(), 1);
  await item.locator('.blocked-link').click();
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.deepEqual(problems, []);
});
