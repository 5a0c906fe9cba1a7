/**
 * The HTML field of LINK and RICH_LINK attach blocks is sanitised when stored: scripts, event
 * handlers, javascript: links and foreign tags are gone, the portal's inline formatting stays,
 * and the block keeps the shape it always had.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, ok } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

const HOSTILE =
  '<b>Deal</b> <script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:alert(3)" onclick="alert(4)">x</a>' +
  '<iframe src="https://evil.example"></iframe><style>body{display:none}</style><svg onload="alert(5)"></svg>' +
  '<a href="https://example.com/deal" target="_blank" style="color:red">open</a><br><span onmouseover="alert(6)">s</span><u>u</u><i>i</i>';

test('LINK and RICH_LINK HTML lose scripts and handlers, keep the inline formatting, keep their shape', async () => {
  const u = await ts.addUser();
  const attach = [
    { LINK: { NAME: 'Deal', LINK: 'https://example.com/deal', DESC: 'desc', HTML: HOSTILE } },
    { RICH_LINK: { NAME: 'Rich', LINK: 'https://example.com/r', DESC: 'd', HTML: HOSTILE, PREVIEW: 'https://example.com/p.png' } },
    { LINK: { NAME: 'Number', LINK: 'https://example.com/n', HTML: 42 } },
    { LINK: { NAME: 'Nested', LINK: 'https://example.com/m', HTML: { x: '<script>alert(7)</script>' } } },
  ];
  for (const encoding of ['json', 'form'] as const) {
    await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: `attach ${encoding}`, ATTACH: attach }, encoding);
  }
  const sentAsText = await call(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'attach text', ATTACH: JSON.stringify(attach) });
  assert.equal(sentAsText.status, 200, sentAsText.text);

  const { notifications } = await ok(u.hook, 'im.notify.get');
  assert.equal(notifications.length, 3);
  for (const n of notifications) {
    const [link, rich, num, nested] = n.params.ATTACH[0].BLOCKS;
    for (const html of [link.LINK[0].HTML, rich.RICH_LINK[0].HTML]) {
      assert.doesNotMatch(html, /<script|<img|<iframe|<style|<svg|onerror|onclick|onload|onmouseover|javascript:|alert\(/i, html);
      assert.match(html, /^<b>Deal<\/b> /);
      assert.match(html, /<a href="https:\/\/example\.com\/deal" target="_blank">open<\/a><br \/><span>s<\/span><u>u<\/u><i>i<\/i>$/);
    }
    assert.deepEqual(Object.keys(link.LINK[0]), ['NAME', 'LINK', 'DESC', 'HTML']);
    assert.deepEqual(Object.keys(rich.RICH_LINK[0]), ['NAME', 'LINK', 'DESC', 'HTML', 'PREVIEW', 'PREVIEW_SIZE']);
    assert.equal(String(num.LINK[0].HTML), '42');
    assert.equal(nested.LINK[0].HTML, '');
  }
});

test('plain text and harmless HTML pass unchanged', async () => {
  const u = await ts.addUser();
  const html = '<b>Bold</b> and <a href="https://example.com/">a link</a>';
  await ok(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'm', ATTACH: [{ LINK: { LINK: 'https://example.com', HTML: html } }] });
  const { notifications } = await ok(u.hook, 'im.notify.get');
  assert.equal(notifications[0].params.ATTACH[0].BLOCKS[0].LINK[0].HTML, html);
});
