/**
 * Every `.xml` answer is well-formed XML 1.0 whatever was stored: characters XML forbids are
 * left out, the rest (CR included) survives a strict parser; keys that are not XML names
 * become `<item>`. Both stores keep hostile text alike (NUL and lone surrogates as U+FFFD).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, request } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { elementsNamed, parseXml } from '../helpers/xml.ts';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(() => ts.close());

/** Every character XML 1.0 forbids, between letters; then a pair, a CR LF and a tab that are fine. */
const FORBIDDEN = [
  ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).filter((c) => !'\t\n\r'.includes(c)),
  '\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF',
];
const HOSTILE = `start ${FORBIDDEN.map((c, i) => `${c}${String.fromCharCode(97 + (i % 26))}`).join('')} \u{1F600}\r\n\tend <&>"'`;
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

test('a stored message full of forbidden characters comes back as well-formed XML, the rest intact', async () => {
  const u = await ts.addUser();
  const sent = await call(ts.hook, 'im.notify.system.add', {
    USER_ID: u.id, MESSAGE: HOSTILE, TAG: `tag${HOSTILE}`, SUB_TAG: `sub${HOSTILE}`, ATTACH: [{ MESSAGE: HOSTILE }, { GRID: [{ NAME: HOSTILE, VALUE: HOSTILE }] }],
  });
  assert.equal(sent.status, 200, sent.text);
  const json = await call(u.hook, 'im.notify.get');
  const stored = json.body.result.notifications[0];

  const xml = await request(`${u.hook}im.notify.get.xml`);
  assert.equal(xml.status, 200);
  const doc = parseXml(xml.text);
  const [text] = elementsNamed(doc, 'text');
  assert.equal(text!.text, stored.text.replace(XML_FORBIDDEN, ''));
  assert.match(text!.text, /\u{1F600}\r\n\tend <&>"'$/u);
  assert.ok(!new RegExp(XML_FORBIDDEN.source).test(xml.text));
  const [message] = elementsNamed(doc, 'MESSAGE');
  assert.equal(message!.text, stored.params.ATTACH[0].BLOCKS[0].MESSAGE.replace(XML_FORBIDDEN, ''));

  // Search prints the stored text too.
  const search = await request(`${u.hook}im.notify.history.search.xml?SEARCH_TEXT=start`);
  assert.equal(elementsNamed(parseXml(search.text), 'text')[0]!.text, text!.text);
});

test('NUL and lone surrogates are stored alike by both stores, and a tag holding them still matches', async () => {
  const u = await ts.addUser();
  const id = (await call(ts.hook, 'im.notify.system.add', { USER_ID: u.id, MESSAGE: 'a\u0000b\uD800c', TAG: 't\u0000' })).body.result;
  assert.equal(typeof id, 'number');
  const got = await call(u.hook, 'im.notify.get');
  assert.equal(got.body.result.notifications[0].text, 'a\uFFFDb\uFFFDc');
  const removed = await call(ts.hook, 'im.notify.delete', { TAG: 't\u0000', CLIENT_ID: 'xml-test' });
  assert.equal(removed.status, 200, removed.text);
});

test('batch keys, errors and parameters echoed back are well-formed XML whatever they hold', async () => {
  const keys = ['plain', 'a\u0001b', '<x>', '1st', 'x y', '\uFFFF', 'xml-ok.k', '\uD800'];
  const cmd = Object.fromEntries(keys.map((k) => [k, 'server.time']));
  const batch = await request(`${ts.hook}batch.xml`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ cmd: { ...cmd, 'bad\u0002': `no.such.method\u0003?x=\u0004` } }),
  });
  assert.equal(batch.status, 200);
  const doc = parseXml(batch.text);
  assert.equal(doc.name, 'response');
  assert.ok(elementsNamed(doc, 'plain').length >= 1);
  assert.ok(elementsNamed(doc, 'item').length >= keys.length - 2);

  const error = await request(`${ts.url}/rest/1/wrong\u0001code/server.time.xml`.replace('\u0001', '%01'));
  assert.equal(parseXml(error.text).name, 'response');
});
