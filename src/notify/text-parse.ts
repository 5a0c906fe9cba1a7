/**
 * What the portal does to a stored notification text before it prints it (`text` in
 * im.notify.get, im.notify.history.search and the push message): HTML becomes BB code, links
 * are normalised to `[URL]` codes (bare URLs included), line-break codes become newlines and a
 * fixed list of HTML entities is decoded. BB codes are not rendered: clients receive BB code.
 * The rules and their order are the portal's (docs/notify.md, "Text"); each runs in linear time
 * (text-scan.ts).
 */
import { htmlToBbCode } from './html-to-bb.ts';
import { beforeLastClose, escapeRe, firstFrom, perLineBeforeLastClose, positions, rewrite, type Found } from './text-scan.ts';
import { phpTrim } from '../rest/php.ts';

/** Link schemes the portal recognises (its default setting). */
const SCHEMES = 'http|https|news|ftp|aim|mailto|file|tel|callto|skype|viber';

/** `[url]x[/url]`: never across a line break. */
const URL_PLAIN = /\[url\]([^\n]*?)\[\/url\]/giu;
/**
 * `[url=target]text[/url]`: the target may hold bracket pairs (`[url=a[1]]x[/url]`) and is taken
 * whole (the lookahead makes it atomic, as the portal's possessive pattern is: no backtracking).
 */
const URL_TARGETED = /\[url\s*=\s*(?=((?:[^[\]]+|\[[^[\]]*\])+))\1\s*\]([\s\S]*?)\[\/url\]/giu;
const URL_CLOSE = /\[\/url\]/giu;

const URL_START = `((?:(?:${SCHEMES}):\\/\\/|www\\.)[._:a-z0-9@-][\\s\\S]*?)`;
const NO_NOMODIFY = '(?<!\\[nomodify\\]|<nomodify>)';
/** A bare URL: after a separator (or at the start), up to whitespace, a quote, a brace or the end. */
const BARE_URL = new RegExp(`(?<=^|[\\s.,;:!?#\\-*|[\\](){}])${NO_NOMODIFY}${URL_START}(?=[\\s"{}]|&quot;|$)`, 'giu');

/** A bare URL right inside one of these pairs runs to the closing mark, spaces included. */
const BOUNDED = [
  ['&lt;', '&gt;'],
  ['(', ')'],
  ['\u201c', '\u201d'],
  ['\u2018', '\u2019'],
  ['\u00ab', '\u00bb'],
].map(([open, close]) => ({
  open: open!,
  close: new RegExp(escapeRe(close!), 'g'),
  url: new RegExp(`(?<=${escapeRe(open!)})${NO_NOMODIFY}${URL_START}(?=${escapeRe(close!)})`, 'giu'),
}));

/** Typographic marks: written as entities by the parse, read back in lower case. */
const MARKS: [RegExp, string, string][] = [
  [/\([cC]\)/g, '&#169;', '(c)'],
  [/\((?:tm|TM|Tm|tM)\)/g, '&#153;', '(tm)'],
  [/\([rR]\)/g, '&#174;', '(r)'],
];

/** Decoded in this order, and only these: `&amp;lt;` becomes `&lt;`, `&eacute;` stays. */
const ENTITIES: [string, string][] = [
  ['&nbsp;', ' '], ['&quot;', '"'], ['&#092;', '\\'], ['&#036;', '$'], ['&#33;', '!'], ['&#91;', '['],
  ['&#93;', ']'], ['&#39;', "'"], ['&lt;', '<'], ['&gt;', '>'], ['&#124;', '|'], ['&amp;', '&'],
];

/** Characters without which only trimming applies. */
const NEEDS_PARSE = /[[&(\u00a0]|:\/\/|www\.|phpsessid/i;

/**
 * Holds spans out of the text under numbered markers and puts them back afterwards. The
 * markers' edges matter, as the portal's do: the code marker is framed by `#` (a separator
 * before a bare URL), the link marker by `<` and a space (a bare URL stops at the space).
 */
class Shelf {
  private readonly items: string[] = [];
  constructor(
    private readonly open: string,
    private readonly close: string,
    private readonly marker: RegExp,
  ) {}
  put(value: string): string {
    this.items.push(value);
    return `${this.open}${this.items.length - 1}${this.close}`;
  }
  /** Markers inside restored spans are restored too (a span can hold an earlier one). */
  restore(text: string): string {
    let out = text;
    for (let round = 0; round < 3 && out.includes(this.open); round++) {
      out = out.replace(this.marker, (m, n: string) => this.items[Number(n)] ?? m);
    }
    return out;
  }
}

/**
 * `[PUT=cmd]label[/PUT]` or `[PUT]label[/PUT]` (likewise SEND), on one line. After the first `]`,
 * a label reaching a later `[/PUT]` is preferred to an empty one.
 */
function commandSpans(t: string, name: string, shelf: Shelf): string {
  const close = `[/${name}]`;
  const closes = positions(t, new RegExp(escapeRe(close), 'gi'));
  if (!closes.length) return t;
  const brackets = positions(t, /\]/g);
  const lines = positions(t, /\n/g);
  return rewrite(t, positions(t, new RegExp(escapeRe(`[${name}`), 'gi')), (at): Found | null => {
    const after = at + name.length + 1;
    const line = firstFrom(lines, at);
    const onLine = (p: number) => p >= 0 && (line < 0 || p < line);
    let bracket: number;
    if (t[after] === '=') bracket = firstFrom(brackets, after + 2);
    else if (t[after] === ']') bracket = after;
    else return null;
    if (!onLine(bracket)) return null;
    const label = firstFrom(closes, bracket + 2);
    const end = onLine(label) ? label + close.length : t.slice(bracket + 1, bracket + 1 + close.length).toLowerCase() === close.toLowerCase() ? bracket + 1 + close.length : -1;
    return end < 0 ? null : { end, out: shelf.put(t.slice(at, end)) };
  });
}

const TRAILING = /([.,?!;]|&#33;)$/u;
const HAS_SCHEME = new RegExp(`^(?:${SCHEMES}):`, 'iu');

/**
 * The portal's link normaliser: trims, moves a trailing full stop (etc.) of a bare link out of
 * it, defuses `javascript:`, adds `http://` to scheme-less targets, and writes `[URL]` codes.
 * A link shown as itself longer than 55 characters keeps its full target and shows a shortened text.
 */
function anchor(target: string, label: string): string {
  let url = phpTrim(target.replaceAll('[nomodify]', '').replaceAll('[/nomodify]', ''));
  let text = phpTrim(label.replaceAll('[nomodify]', '').replaceAll('[/nomodify]', ''));
  if (text === '') text = url;
  const bare = text === url;
  text = text.replaceAll('\\"', '"');
  let after = '';
  const m = bare ? TRAILING.exec(url) : null;
  if (m) {
    after = m[1]!;
    url = url.replace(TRAILING, '');
    text = text.replace(TRAILING, '');
  }
  url = url
    .replace(/&amp;/gu, '&')
    .replace(/javascript:/giu, 'java script&#58; ')
    .replace(/[\f']/gu, '%27')
    .replace(/&#91;/gu, '[')
    .replace(/&#93;/gu, ']');
  if (!url.startsWith('/') && !HAS_SCHEME.test(url)) url = `http://${url}`;
  text = text.replace(/&amp;/giu, '&').replace(/javascript:/giu, 'javascript&#58; ');
  if (bare) text = shortenLinkText(text);
  return (url === text ? `[URL]${url}[/URL]` : `[URL=${url}]${text}[/URL]`) + after;
}

const LINK_TEXT_MAX = 55;

/** The portal's long-link text: the head and the last characters around `...`, 55 in all (code points). */
function shortenLinkText(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= LINK_TEXT_MAX) return text;
  return `${chars.slice(0, LINK_TEXT_MAX - 10).join('')}...${chars.slice(-7).join('')}`;
}

const escapeBrackets = (s: string) => s.replaceAll('[', '%5B').replaceAll(']', '%5D');

/** Links already written as codes, and bare URLs, shelved in the portal's canonical `[url]` spelling. */
function shelveLinks(text: string, shelf: Shelf): string {
  const seen = new Map<string, string>();
  const keep = (canonical: string) => {
    let marker = seen.get(canonical);
    if (marker === undefined) seen.set(canonical, (marker = shelf.put(canonical)));
    return marker;
  };
  const bare = (m: string) => keep(`[url=${escapeBrackets(m)}]${m}[/url]`);
  let t = perLineBeforeLastClose(text, URL_CLOSE, (h) => h.replace(URL_PLAIN, (_m, url: string) => keep(`[url]${url}[/url]`)));
  t = beforeLastClose(t, URL_CLOSE, (h) =>
    h.replace(URL_TARGETED, (_m, url: string, label: string) => keep(label !== '' ? `[url=${escapeBrackets(url)}]${label}[/url]` : `[url]${url}[/url]`)));
  for (const b of BOUNDED.filter((p) => t.includes(p.open))) t = beforeLastClose(t, b.close, (h) => h.replace(b.url, bare));
  return t.replace(BARE_URL, bare);
}

function writeAnchors(text: string): string {
  const t = perLineBeforeLastClose(text, URL_CLOSE, (h) => h.replace(URL_PLAIN, (_m, url: string) => anchor(url, url)));
  return beforeLastClose(t, URL_CLOSE, (h) => h.replace(URL_TARGETED, (_m, url: string, label: string) => anchor(url, label !== '' ? label : url)));
}

const CODE_MARKER = /#\u0001(\d+)\u0001#/g;
const LINK_MARKER = /<\u0018#(\d+) {2}>/g;

/** Each step runs only when its text is there: most notifications need one or two of them. */
const HAS_CODE = /\[(?:CODE|PUT|SEND)/i;
const HAS_LINK = /\[url|:\/\/|www\./i;

/** The stored text as the portal prints it. */
export function parseNotifyText(stored: string): string {
  let t = htmlToBbCode(stored);
  if (!NEEDS_PARSE.test(t)) return phpTrim(t);
  // [CODE], [PUT] and [SEND] spans pass through untouched, entities and links included.
  const code = new Shelf('#\u0001', '\u0001#', CODE_MARKER);
  if (HAS_CODE.test(t)) {
    t = beforeLastClose(t, /\[\/CODE\]/gi, (h) => h.replace(/\[CODE\][\s\S]*?\[\/CODE\]/gi, (m) => code.put(m)));
    t = commandSpans(commandSpans(t, 'PUT', code), 'SEND', code);
  }
  if (/phpsessid/i.test(t)) t = t.replace(/([?&;])PHPSESSID=[0-9a-zA-Z]{32}/gi, '$1PHPSESSID1=');
  t = t.replaceAll('\u00a0', ' ');
  if (HAS_LINK.test(t)) {
    const links = new Shelf('<\u0018#', '  >', LINK_MARKER);
    t = writeAnchors(links.restore(shelveLinks(t, links)));
  }
  if (t.includes('(')) for (const [re, entity] of MARKS) t = t.replace(re, entity);
  t = phpTrim(t);
  if (t.includes('[br]')) t = t.replaceAll('[br]', '\n');
  if (t.includes('&')) {
    for (const [, entity, mark] of MARKS) t = t.replaceAll(entity, mark);
    for (const [entity, char] of ENTITIES) t = t.replaceAll(entity, char);
  }
  return code.restore(t);
}
