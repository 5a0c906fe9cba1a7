/**
 * The portal turns HTML in a notification's text into BB code, once when it stores the text and
 * again when it prints it (docs/notify.md, "Text"). Its conversion is a fixed series of pattern
 * rewrites, not an HTML parse, and integrators see its quirks (`<b class="x">` is left alone,
 * unmatched tags stay as they are, `<hr>` becomes a dash line, `<a href=x target=y>` links to
 * `x target=y`), so it is reproduced rule by rule; an HTML parser would "correct" exactly the
 * inputs whose answer differs. Each rule finds the match the portal's pattern finds, in linear
 * time (text-scan.ts). The order of the rules is the portal's.
 */
import { escapeRe, firstFrom, lastUpTo, positions, rewrite, skipSpace, type Found } from './text-scan.ts';

/** One compiled pattern per word the rules look for. */
const WORDS = new Map<string, RegExp>();

function wordPattern(word: string): RegExp {
  let re = WORDS.get(word);
  if (!re) WORDS.set(word, (re = new RegExp(escapeRe(word), 'giu')));
  return re;
}

/** Where the characters and words a rule looks for are, in one text. */
class Spots {
  private readonly cache = new Map<string, number[]>();
  constructor(readonly text: string) {}
  /** Positions of `word`, ignoring case. */
  of(word: string): number[] {
    let list = this.cache.get(word);
    if (!list) this.cache.set(word, (list = positions(this.text, wordPattern(word))));
    return list;
  }
  /** The first `word` at or after `from`, or -1. */
  next(word: string, from: number): number {
    return firstFrom(this.of(word), from);
  }
}

/** Characters that end the attribute-free part of `<b>`-style tags (`[^>a-z]` ignoring case). */
const LETTER = /[a-z]/iu;
const BIUS_OPEN = /<([busi])[^>a-z]*>/giu;
const BIUS_CLOSE = /<\/([busi])[^>a-z]*>/giu;
const LETTERS = ['b', 'u', 's', 'i'].map((l) => [l, new RegExp(`^${l}$`, 'iu')] as const);

function letterOf(c: string): string {
  return LETTERS.find(([, re]) => re.test(c))![0];
}

/** `<b>x</b>` → `[b]x[/b]` (also u, s, i): one pass; the first closing tag of the same letter. */
function biusPass(t: string): string {
  const closers = new Map<string, { at: number[]; end: number[] }>(LETTERS.map(([l]) => [l, { at: [], end: [] }]));
  for (const m of t.matchAll(BIUS_CLOSE)) {
    const c = closers.get(letterOf(m[1]!))!;
    c.at.push(m.index);
    c.end.push(m.index + m[0].length);
  }
  const opens = [...t.matchAll(BIUS_OPEN)];
  const byStart = new Map(opens.map((m) => [m.index, m]));
  return rewrite(t, opens.map((m) => m.index), (at) => {
    const m = byStart.get(at)!;
    const inner = at + m[0].length;
    const c = closers.get(letterOf(m[1]!))!;
    const k = lastUpTo(c.at, inner) + 1; // the first closer after at least one character
    if (k >= c.at.length) return null;
    return { end: c.end[k]!, out: `[${m[1]}]${t.slice(inner, c.at[k])}[/${m[1]}]` };
  });
}

/**
 * Where `<a ...>` content ends: the first `</a` after `from` and the `>` that closes it, or null.
 * (Later `</a` cannot do better: if the first has no `>` after it, none has.)
 */
function closingA(s: Spots, from: number): { at: number; end: number } | null {
  const at = s.next('</a', from);
  if (at < 0) return null;
  const gt = s.next('>', at + 3);
  return gt < 0 ? null : { at, end: gt + 1 };
}

/**
 * The portal reads an attribute with `<tag[^>]+name...`: its greedy `[^>]+` reaches the
 * rightmost `name` of the tag first and backs off leftwards. This finds the rightmost `name`
 * inside the run of non-`>` characters ending at `runEnd` for which `check` succeeds. Every
 * opening inside one run shares the answer, so it is worked out once per run.
 */
class AttributeFinder {
  private readonly memo = new Map<number, { at: number; found: Found } | null>();
  constructor(private readonly s: Spots, private readonly name: string, private readonly check: (at: number) => Found | null) {}

  /** For the opening `<tag` at `openAt` (`openLength` characters) whose run ends at `runEnd`. */
  find(openAt: number, openLength: number, runEnd: number): Found | null {
    let best = this.memo.get(runEnd);
    if (best === undefined) {
      const gts = this.s.of('>');
      const previous = lastUpTo(gts, runEnd - 1);
      const runStart = previous < 0 ? -1 : gts[previous]!;
      const list = this.s.of(this.name);
      best = null;
      for (let k = lastUpTo(list, runEnd - this.name.length); k >= 0 && list[k]! > runStart; k--) {
        const found = this.check(list[k]!);
        if (found) {
          best = { at: list[k]!, found };
          break;
        }
      }
      this.memo.set(runEnd, best);
    }
    // `[^>]+` needs one character between the tag name and the attribute.
    return best && best.at >= openAt + openLength + 1 ? best.found : null;
  }
}

/** `<a href="x">y</a>` and `<a href='x'>` → `[url=x]y[/url]`; the quoted value may hold `>`. */
function quotedLinks(t: string): string {
  const s = new Spots(t);
  const href = new AttributeFinder(s, 'href', (h) => {
    let k = skipSpace(t, h + 4);
    if (t[k] !== '=') return null;
    k = skipSpace(t, k + 1);
    const quote = t[k];
    if (quote !== '"' && quote !== "'") return null;
    const valueEnd = s.next(quote, k + 2);
    const tagEnd = valueEnd < 0 ? -1 : s.next('>', valueEnd + 1);
    const close = tagEnd < 0 ? null : closingA(s, tagEnd + 1);
    return close && { end: close.end, out: `[url=${t.slice(k + 1, valueEnd)}]${t.slice(tagEnd + 1, close.at)}[/url]` };
  });
  return rewrite(t, s.of('<a'), (at) => {
    // Without a `>` after the opening no tag can end, whatever the value holds.
    const runEnd = s.next('>', at + 2);
    return runEnd < 0 ? null : href.find(at, 2, runEnd);
  });
}

/** `<a href=x>y</a>` → `[url=x]y[/url]`, the value running to the tag's end. */
function bareLinks(t: string): string {
  const s = new Spots(t);
  const href = new AttributeFinder(s, 'href', (h) => {
    const tagEnd = s.next('>', h);
    const close = closingA(s, tagEnd + 1);
    const eq = skipSpace(t, h + 4);
    if (!close || t[eq] !== '=') return null;
    let from = skipSpace(t, eq + 1);
    // The value needs one character; a space given back by `\s*` serves when nothing else is left.
    if (from === tagEnd) {
      if (from === eq + 1) return null;
      from -= 1;
    }
    const quoted = [s.next('"', from), s.next("'", from)].some((q) => q >= 0 && q < tagEnd);
    return quoted ? null : { end: close.end, out: `[url=${t.slice(from, tagEnd)}]${t.slice(tagEnd + 1, close.at)}[/url]` };
  });
  return rewrite(t, s.of('<a'), (at) => {
    const tagEnd = s.next('>', at + 2);
    return tagEnd < 0 ? null : href.find(at, 2, tagEnd);
  });
}

/** Reads an attribute value at `from`: the captured text and where it stops, or null. */
type ValueReader = (t: string, from: number) => { value: string; end: number } | null;

/**
 * `<font color="#f00">x</font>` and the like: `attribute`, `=`, quotes or spaces, the value as
 * `value` reads it, quotes or spaces, the tag's end; content on one line; the closing tag.
 */
function styledTag(t: string, tag: string, attribute: string, value: ValueReader, write: (value: string, content: string) => string): string {
  const s = new Spots(t);
  const open = `<${tag}`;
  const close = `</${tag}`;
  const finder = new AttributeFinder(s, attribute, (h) => {
    const tagEnd = s.next('>', h);
    const content = tagEnd + 1;
    const closeAt = s.next(close, content + 1);
    const lineEnd = s.next('\n', content);
    if (closeAt < 0 || (lineEnd >= 0 && lineEnd < closeAt)) return null;
    const closeEnd = s.next('>', closeAt + close.length);
    const eq = skipSpace(t, h + attribute.length);
    if (closeEnd < 0 || t[eq] !== '=') return null;
    const v = value(t, skipQuotes(t, eq + 1));
    if (!v || skipQuotes(t, v.end) !== tagEnd) return null;
    return { end: closeEnd + 1, out: write(v.value, t.slice(content, closeAt)) };
  });
  return rewrite(t, s.of(open), (at) => {
    const tagEnd = s.next('>', at + open.length);
    return tagEnd < 0 ? null : finder.find(at, open.length, tagEnd);
  });
}

/** `[\s'"]*` */
function skipQuotes(t: string, from: number): number {
  let k = from;
  while (k < t.length && (t[k] === '"' || t[k] === "'" || /\s/u.test(t[k]!))) k++;
  return k;
}

const HEX3 = /^[0-9a-f]{3}/i;
const HEX6 = /^[0-9a-f]{6}/i;

/** `#abc` or `#aabbcc`: the three-digit reading is tried first, as in the portal's pattern. */
const hexColor: ValueReader = (t, from) => {
  if (t[from] !== '#') return null;
  const rest = t.slice(from + 1, from + 8);
  for (const re of [HEX3, HEX6]) {
    const m = re.exec(rest);
    if (m && t[skipQuotes(t, from + 1 + m[0].length)] === '>') return { value: m[0], end: from + 1 + m[0].length };
  }
  return null;
};

const DIGITS = /\p{Nd}+/uy;

const digits: ValueReader = (t, from) => {
  DIGITS.lastIndex = from;
  const m = DIGITS.exec(t);
  return m ? { value: m[0], end: from + m[0].length } : null;
};

/** `<div ...>x</div>` → `x` on one line (also span and font, which the portal unwraps). */
function unwrapPass(t: string, tag: string): string {
  const s = new Spots(t);
  const open = `<${tag}`;
  const close = `</${tag}>`;
  return rewrite(t, s.of(open), (at): Found | null => {
    const tagEnd = s.next('>', at + open.length);
    const lineEnd = s.next('\n', at);
    const beforeLine = (p: number) => lineEnd < 0 || p < lineEnd;
    if (tagEnd < 0 || !beforeLine(tagEnd)) return null;
    const closeAt = s.next(close, tagEnd + 1);
    if (closeAt < 0 || !beforeLine(closeAt)) return null;
    return { end: closeAt + close.length, out: t.slice(tagEnd + 1, closeAt) };
  });
}

/** Repeats `pass` until it changes nothing: the portal loops these rewrites to reach nested tags. */
function untilStable(text: string, pass: (t: string) => string): string {
  let previous: string;
  let current = text;
  do {
    previous = current;
    current = pass(current);
  } while (current !== previous);
  return current;
}

/** The characters without which no rule can apply (the common case: plain text). */
const NEEDS_WORK = /<|&nbsp;|#BR#/;

export function htmlToBbCode(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  let t = text.replaceAll('&nbsp;', ' ').replaceAll('<hr>', '------[BR]').replaceAll('#BR#', '[BR]');
  if (!t.includes('<')) return t;
  // Each rule only where its tags occur: most texts have none or few.
  if (/<\/[busi]/iu.test(t)) t = untilStable(t, biusPass);
  t = t.replace(/<br\s*\/*>/giu, '[br]');
  if (/<\/a/i.test(t)) t = bareLinks(quotedLinks(t));
  if (/<\/font/i.test(t)) t = styledTag(t, 'font', 'color', hexColor, (v, c) => `[color=#${v}]${c}[/color]`);
  if (/<\/span/i.test(t)) t = styledTag(t, 'span', 'color', hexColor, (v, c) => `[color=#${v}]${c}[/color]`);
  if (/<\/font/i.test(t)) t = styledTag(t, 'font', 'size', digits, (v, c) => `[size=${v}]${c}[/size]`);
  if (/<\/div>/i.test(t)) t = untilStable(t, (x) => unwrapPass(x, 'div'));
  if (/<\/span>/i.test(t)) t = untilStable(t, (x) => unwrapPass(x, 'span'));
  return /<\/font>/i.test(t) ? unwrapPass(t, 'font') : t;
}
