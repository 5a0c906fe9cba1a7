/**
 * Tools for the text rules of html-to-bb.ts and text-parse.ts. The portal writes those rules as
 * backtracking patterns; on crafted input ("<a href=" a thousand times) such patterns take
 * seconds per message. Each rule here finds the same match the pattern would, from positions
 * computed once per pass, so a message costs time in proportion to its length.
 */

/** `s` as a literal inside a pattern. */
export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Ascending start positions of every match of the global `re`. */
export function positions(text: string, re: RegExp): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(re)) out.push(m.index);
  return out;
}

/** The first value of the ascending `list` that is `>= min`, or -1. */
export function firstFrom(list: readonly number[], min: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < min) lo = mid + 1;
    else hi = mid;
  }
  return lo < list.length ? list[lo]! : -1;
}

/** Index in the ascending `list` of its last value `<= max`, or -1. */
export function lastUpTo(list: readonly number[], max: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! <= max) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export interface Found {
  /** Index just past the match. */
  end: number;
  /** What replaces it. */
  out: string;
}

/**
 * A global replace driven by candidate start positions (ascending): like a pattern, a match
 * consumes its text, and candidates inside an earlier match are skipped.
 */
export function rewrite(text: string, starts: readonly number[], matchAt: (at: number) => Found | null): string {
  let out = '';
  let done = 0;
  for (const at of starts) {
    if (at < done) continue;
    const found = matchAt(at);
    if (!found) continue;
    out += text.slice(done, at) + found.out;
    done = found.end;
  }
  return done === 0 ? text : out + text.slice(done);
}

/**
 * Applies `apply` only to the text up to the end of the last match of the global `close`. For a
 * rule whose matches end with `close`, nothing after it can match; before it, a lazy search for
 * `close` always succeeds at the first one, so the rule runs in linear time.
 */
export function beforeLastClose(text: string, close: RegExp, apply: (head: string) => string): string {
  let end = -1;
  for (const m of text.matchAll(close)) end = m.index + m[0].length;
  return end < 0 ? text : apply(text.slice(0, end)) + text.slice(end);
}

/** The same, line by line, for rules that never cross a line break. */
export function perLineBeforeLastClose(text: string, close: RegExp, apply: (head: string) => string): string {
  if (!text.includes('\n')) return beforeLastClose(text, close, apply);
  return text.split('\n').map((line) => beforeLastClose(line, close, apply)).join('\n');
}

const SPACE = /\s/u;

/** Index of the first character at or after `from` that is not whitespace. */
export function skipSpace(text: string, from: number): number {
  let k = from;
  while (k < text.length && SPACE.test(text[k]!)) k++;
  return k;
}
