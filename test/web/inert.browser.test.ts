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

const SCRIPT = '<script>window.__pwned = "script"</script>';
const IMG = '<img src=x onerror="window.__pwned = \'img\'">';

test('script tags, event handlers and javascript: URLs in a message and its attachment render inert', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  t.after(() => browser.close());
  const victim = await ts.addUser({ login: 'victim', password: 'victim-secret-1' });
  const page = await browser.newPage({ viewport: DESKTOP });
  const problems = guard(page);
  await signInPage(page, ts.url, 'victim', 'victim-secret-1');

  const message = `Hi ${SCRIPT} ${IMG} [url=javascript:window.__pwned='url']click[/url] [url]javascript:alert(1)[/url] ` +
    `[color=red;background:url(javascript:alert(1))]c[/color] [url=https://example.com/ok]fine[/url]`;
  const attach = {
    ID: 1,
    COLOR: '#ff0000" onmouseover="alert(1)',
    BLOCKS: [
      { MESSAGE: `${SCRIPT}[url=javascript:alert(2)]m[/url]` },
      { LINK: { NAME: `${SCRIPT}link`, LINK: 'javascript:alert(3)', DESC: IMG, PREVIEW: 'javascript:alert(4)' } },
      { IMAGE: [{ NAME: 'pic', LINK: 'javascript:alert(5)', PREVIEW: 'JaVaScRiPt:alert(6)' }] },
      { FILE: [{ NAME: `${IMG}.pdf`, LINK: ' javascript:alert(7)', SIZE: 10 }] },
      { GRID: [{ NAME: SCRIPT, VALUE: IMG, DISPLAY: 'LINE' }] },
      { USER: { NAME: SCRIPT, AVATAR: 'javascript:alert(8)', LINK: 'data:text/html,<script>alert(9)</script>' } },
    ],
  };
  const sent = await call(ts.hook, 'im.notify.system.add', { USER_ID: victim.id, MESSAGE: message, ATTACH: attach });
  assert.equal(typeof sent.body.result, 'number', JSON.stringify(sent.body));
  const item = page.locator(`li.item[data-id="${sent.body.result}"]`);
  await item.waitFor();
  await item.locator('.attachments').waitFor();

  const dom = await item.evaluate((li) => ({
    scripts: li.querySelectorAll('script').length,
    handlers: [...li.querySelectorAll('*')].flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name)),
    hrefs: [...li.querySelectorAll('[href]')].map((e) => e.getAttribute('href')),
    srcs: [...li.querySelectorAll('[src]')].map((e) => e.getAttribute('src')),
    styles: [...li.querySelectorAll('[style]')].map((e) => e.getAttribute('style')),
    text: li.textContent ?? '',
  }));
  assert.equal(dom.scripts, 0);
  assert.deepEqual(dom.handlers, []);
  assert.deepEqual(dom.hrefs, ['https://example.com/ok'], 'only the http(s) link became a link');
  assert.deepEqual(dom.srcs, []);
  assert.deepEqual(dom.styles.filter((s) => /javascript|url\(/i.test(s ?? '')), []);
  // The markup is shown as the text it is.
  assert.ok(dom.text.includes('<script>window.__pwned = "script"</script>'), dom.text);
  assert.ok(dom.text.includes('onerror='), dom.text);

  // The server already dropped the LINK, IMAGE and FILE blocks whose links are not http(s), as the
  // portal does; the three BB-code links that remain are shown as plain text.
  const blocked = item.locator('.blocked-link');
  assert.ok((await blocked.count()) >= 3, 'every javascript: link of the message is shown as plain text');
  for (const span of await blocked.all()) await span.click();

  // The page does not rely on that validation: an attachment that reaches it unvalidated (pushed
  // straight through the hub here) has its javascript:/data: links neutralised by the page itself.
  const raw = { id: 999_999, chat_id: 0, author_id: 0, date: new Date().toISOString(), notify_type: 4, notify_read: 'N', text: 'raw',
    notify_module: 'rest', notify_event: 'rest_notify', notify_tag: '', notify_sub_tag: '', notify_title: '', setting_name: 'rest|rest_notify',
    params: { ATTACH: [{ ID: 1, COLOR: attach.COLOR, BLOCKS: attach.BLOCKS }] } };
  await ts.server.services.hub.publish(victim.id, { command: 'notifyAdd', params: { notification: raw } });
  const rawItem = page.locator('li.item[data-id="999999"]');
  await rawItem.locator('.attachments').waitFor();
  const rawDom = await rawItem.evaluate((li) => ({
    scripts: li.querySelectorAll('script').length,
    hrefs: [...li.querySelectorAll('[href]')].map((e) => e.getAttribute('href')),
    srcs: [...li.querySelectorAll('[src]')].map((e) => e.getAttribute('src')),
  }));
  assert.deepEqual(rawDom, { scripts: 0, hrefs: [], srcs: [] });
  const rawBlocked = rawItem.locator('.blocked-link');
  // The message's [url], LINK, FILE and USER links (an IMAGE with a bad URL is simply not drawn).
  assert.ok((await rawBlocked.count()) >= 4, `every javascript:/data: link is plain text (${await rawBlocked.count()})`);
  for (const span of await rawBlocked.all()) await span.click();

  // Clicking the neutralised links did nothing.
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned), undefined);
  assert.deepEqual(problems, []);
});
