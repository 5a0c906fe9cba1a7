/**
 * The portal's text pipeline, rule by rule: what it stores for a MESSAGE (HTML turned into BB
 * code) and what it prints as `text` (the parse). Every expected value below is the portal's
 * own answer for that input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlToBbCode } from '../../src/notify/html-to-bb.ts';
import { normalizeText } from '../../src/notify/service.ts';
import { parseNotifyText } from '../../src/notify/text-parse.ts';

/** MESSAGE → [stored text, printed text]. */
const PORTAL: [string, string, string][] = [
  ['<b>Deal</b> won by <i>Anna</i>, <u>today</u>, <s>not</s> yesterday',
    '[b]Deal[/b] won by [i]Anna[/i], [u]today[/u], [s]not[/s] yesterday',
    '[b]Deal[/b] won by [i]Anna[/i], [u]today[/u], [s]not[/s] yesterday'],
  ['<B>caps</b> <b class="x">attrs stay</b> <strong>unknown stays</strong> <b>unclosed',
    '[B]caps[/B] <b class="x">attrs stay</b> <strong>unknown stays</strong> <b>unclosed',
    '[B]caps[/B] <b class="x">attrs stay</b> <strong>unknown stays</strong> <b>unclosed'],
  ['<b>a<i>b</b>c</i>', '[b]a[i]b[/b]c[/i]', '[b]a[i]b[/b]c[/i]'],
  ['line<br>two<br/>three<BR />four', 'line[br]two[br]three[br]four', 'line\ntwo\nthree\nfour'],
  ['<a href="https://crm.example.com/deal/7?tab=1&amp;x=2">Deal 7</a>',
    '[url=https://crm.example.com/deal/7?tab=1&amp;x=2]Deal 7[/url]',
    '[URL=https://crm.example.com/deal/7?tab=1&x=2]Deal 7[/URL]'],
  ["<a href='/tasks/5'>task</a> <a href=https://bare.example.com target=_blank>bare</a>",
    '[url=/tasks/5]task[/url] [url=https://bare.example.com target=_blank]bare[/url]',
    '[URL=/tasks/5]task[/URL] [URL=https://bare.example.com target=_blank]bare[/URL]'],
  ['<font color="#ff0000">red</font> <span style="color: #0a0">green</span> <font size="4">big</font>',
    '[color=#ff0000]red[/color] green [size=4]big[/size]',
    '[color=#ff0000]red[/color] green [size=4]big[/size]'],
  ['<div class="card"><span>inside</span></div>', 'inside', 'inside'],
  ['a&nbsp;b<hr>c', 'a b------[BR]c', 'a b------[BR]c'],
  ['#BR#first[BR]second[br]third', 'first\nsecond\nthird', 'first\nsecond\nthird'],
  ['&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;single&#39; &amp;lt; &eacute; &#33; &#91;x&#93;',
    '&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;single&#39; &amp;lt; &eacute; &#33; &#91;x&#93;',
    '<b>not bold</b> & "quoted" \'single\' &lt; &eacute; ! [x]'],
  ['Build https://ci.example.com/job/7. Log: www.example.org, mail://x',
    'Build https://ci.example.com/job/7. Log: www.example.org, mail://x',
    'Build [URL]https://ci.example.com/job/7[/URL]. Log: [URL=http://www.example.org]www.example.org[/URL], mail://x'],
  ['(https://example.com/a b) «https://example.com/q» &lt;https://example.com/lt&gt;',
    '(https://example.com/a b) «https://example.com/q» &lt;https://example.com/lt&gt;',
    '([URL]https://example.com/a b[/URL]) «[URL]https://example.com/q[/URL]» <[URL]https://example.com/lt[/URL]>'],
  ['x=https://example.com/no-separator and "https://example.com/quoted"',
    'x=https://example.com/no-separator and "https://example.com/quoted"',
    'x=https://example.com/no-separator and "https://example.com/quoted"'],
  ['[url=https://example.com]label[/url] [URL]https://example.com/u[/URL] [url=example.com]no scheme[/url] [url=/local]relative[/url]',
    '[url=https://example.com]label[/url] [URL]https://example.com/u[/URL] [url=example.com]no scheme[/url] [url=/local]relative[/url]',
    '[URL=https://example.com]label[/URL] [URL]https://example.com/u[/URL] [URL=http://example.com]no scheme[/URL] [URL=/local]relative[/URL]'],
  ['[url=javascript:alert(1)]x[/url] [url]javascript:alert(2)[/url]',
    '[url=javascript:alert(1)]x[/url] [url]javascript:alert(2)[/url]',
    '[URL=http://java script&#58; alert(1)]x[/URL] [URL=http://java script&#58; alert(2)]javascript&#58; alert(2)[/URL]'],
  ['[b]https://example.com/in-bold[/b]', '[b]https://example.com/in-bold[/b]',
    '[b][URL=https://example.com/in-bold%5B/b%5D]https://example.com/in-bold[/b][/URL]'],
  ["https://example.com/it's", "https://example.com/it's", "[URL=https://example.com/it%27s]https://example.com/it's[/URL]"],
  ['[CODE]&lt;https://example.com[br][/CODE] outside &lt;', '[CODE]&lt;https://example.com\n[/CODE] outside &lt;',
    '[CODE]&lt;https://example.com\n[/CODE] outside <'],
  ['[PUT=/help]help[/PUT] [SEND=/start]start[/SEND]', '[PUT=/help]help[/PUT] [SEND=/start]start[/SEND]',
    '[PUT=/help]help[/PUT] [SEND=/start]start[/SEND]'],
  ['(c) (C) (TM) (tm) (R) &#169; &#153; &#174;', '(c) (C) (TM) (tm) (R) &#169; &#153; &#174;', '(c) (c) (tm) (tm) (r) (c) (tm) (r)'],
  ['https://example.com/a-very-long-path/that/goes/on/and/on/well-past-fifty-five-characters/index.html',
    'https://example.com/a-very-long-path/that/goes/on/and/on/well-past-fifty-five-characters/index.html',
    '[URL=https://example.com/a-very-long-path/that/goes/on/and/on/well-past-fifty-five-characters/index.html]https://example.com/a-very-long-path/that/goe...ex.html[/URL]'],
  // 55 characters exactly: printed whole.
  ['https://example.com/01234567890123456789012345678901234', 'https://example.com/01234567890123456789012345678901234',
    '[URL]https://example.com/01234567890123456789012345678901234[/URL]'],
  ['[USER=3]Kim[/USER] [color=#f00]c[/color] [size=12]s[/size]', '[USER=3]Kim[/USER] [color=#f00]c[/color] [size=12]s[/size]',
    '[USER=3]Kim[/USER] [color=#f00]c[/color] [size=12]s[/size]'],
];

test('stored text: HTML in MESSAGE becomes BB code as on the portal', () => {
  for (const [message, stored] of PORTAL) assert.equal(htmlToBbCode(normalizeText(message)), stored, message);
});

test('printed text: the parse decodes entities, writes links as [URL] codes, keeps BB codes', () => {
  for (const [message, stored, printed] of PORTAL) assert.equal(parseNotifyText(stored), printed, message);
});

test('stored text: only [BR], [br] and #BR# are line breaks; the 20,000 cut counts characters', () => {
  assert.equal(normalizeText('a#br#b[Br]c[BR]d[br]e#BR#f'), 'a#br#b[Br]c\nd\ne\nf');
  const emoji = '\u{1F600}';
  assert.equal(normalizeText(emoji.repeat(15_000)), emoji.repeat(15_000));
  assert.equal(normalizeText(emoji.repeat(20_007)), `${emoji.repeat(20_000)} (...)`);
  assert.equal(normalizeText(emoji.repeat(20_006)), emoji.repeat(20_006));
});

test('printed text: HTML stored before the conversion existed is converted when read', () => {
  assert.equal(parseNotifyText('<b>old</b> row<br>https://x.example.com'), '[b]old[/b] row\n[URL]https://x.example.com[/URL]');
  assert.equal(parseNotifyText('plain'), 'plain');
});

test('crafted input is converted as the rules say, in one pass over the text', () => {
  // Shapes that make backtracking patterns take seconds: the answer is still the rules' answer.
  const openers = '<a href="x">'.repeat(1600);
  assert.equal(htmlToBbCode(openers), openers, 'no </a>: no link');
  assert.equal(htmlToBbCode(`${openers}y</a>`), `[url=x]${'<a href="x">'.repeat(1599)}y[/url]`);
  const bolds = '<b>'.repeat(6000);
  assert.equal(htmlToBbCode(`${bolds}x</b>`), `[b]${'<b>'.repeat(5999)}x[/b]`);
  const divs = '<div>'.repeat(4000);
  assert.equal(htmlToBbCode(divs), divs);
  const urls = '[url='.repeat(4000);
  assert.equal(parseNotifyText(urls), urls);
  const opened = '(https://'.repeat(2000);
  assert.equal(parseNotifyText(opened), opened, 'a scheme needs a host character after it');
  const long = `https://a${'(https://a'.repeat(1499)}`;
  assert.equal(parseNotifyText(`${'(https://a'.repeat(1500)})`), `([URL=${long}]${long.slice(0, 45)}...${long.slice(-7)}[/URL])`);
});
