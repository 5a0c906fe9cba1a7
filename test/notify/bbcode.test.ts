import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bbcodeToHtml, safeUrl } from '../../src/notify/bbcode.ts';

test('escapes HTML before converting codes', () => {
  assert.equal(bbcodeToHtml('<script>x</script> [b]bold[/b]'), '&lt;script&gt;x&lt;/script&gt; <b>bold</b>');
  assert.equal(bbcodeToHtml('a\nb'), 'a<br />b');
});

test('links: http(s), mailto and relative pass; javascript: and data: do not', () => {
  assert.equal(bbcodeToHtml('[url=https://x.io/?a=1&b=2]go[/url]'), '<a href="https://x.io/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">go</a>');
  assert.equal(bbcodeToHtml('[url]/tasks/5[/url]'), '<a href="/tasks/5" target="_blank" rel="noopener noreferrer">/tasks/5</a>');
  assert.equal(bbcodeToHtml('[url=javascript:alert(1)]x[/url]'), 'x');
  assert.equal(bbcodeToHtml('[url=" onclick="alert(1)]x[/url]'), '<a href="&quot; onclick=&quot;alert(1)" target="_blank" rel="noopener noreferrer">x</a>');
  assert.equal(safeUrl('JaVa\tScRiPt:alert(1)'), null);
  assert.equal(safeUrl('data:text/html,hi'), null);
  assert.equal(safeUrl('mailto:a@b.c'), 'mailto:a@b.c');
  assert.equal(bbcodeToHtml('[color=red" onmouseover="x]t[/color]'), '[color=red&quot; onmouseover=&quot;x]t[/color]');
});
