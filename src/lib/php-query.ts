/**
 * Query strings and form bodies decoded as PHP's parse_str does, in one linear pass (a general
 * query-string library took seconds on a 20,000-item indexed list: a body of a few hundred
 * kilobytes could hold the CPU). Rules copied from PHP:
 * - pairs split on `&`; name and value percent-decoded (`+` is a space; a `%` not followed by
 *   two hex digits stays as it is; bytes read as UTF-8);
 * - leading spaces of a name are dropped; in the top-level name `.` and space become `_`;
 * - `a[b][c]=x` builds nested maps, `a[]=x` appends (after the largest integer key so far),
 *   text after a `]` that is not `[` is ignored, a `[` without its `]` is part of the name
 *   (as `_` at the top level);
 * - a later value replaces an earlier one, a nested one replaces a scalar;
 * - a name nested deeper than 64 levels is dropped (PHP's max_input_nesting_level); pairs past
 *   the 100,000th are ignored.
 * A map whose keys are exactly 0..n-1 in order becomes a list, as PHP's json_encode prints it.
 */

/** Decoded parameters: nested maps and lists of strings. */
type RawParams = Record<string, unknown>;

const MAX_NESTING = 64;
const MAX_PAIRS = 100_000;

/** A PHP array being built: keys in insertion order, and the next index `[]` appends at. */
class PhpArray {
  readonly entries = new Map<string, string | PhpArray>();
  nextIndex = 0;

  set(key: string, value: string | PhpArray): void {
    this.entries.set(key, value);
    if (/^(0|-?[1-9]\d*)$/.test(key) && Number(key) >= this.nextIndex) this.nextIndex = Number(key) + 1;
  }

  append(value: string | PhpArray): string {
    const key = String(this.nextIndex);
    this.set(key, value);
    return key;
  }

  /** A list when the keys are exactly 0..n-1 in order, else a map (own properties only). */
  toValue(): unknown {
    let index = 0;
    let list = true;
    for (const key of this.entries.keys()) if (key !== String(index++)) list = false;
    const values = [...this.entries].map(([k, v]): [string, unknown] => [k, typeof v === 'string' ? v : v.toValue()]);
    return list ? values.map(([, v]) => v) : Object.fromEntries(values);
  }
}

/** The value of an ASCII hex digit, or -1. */
function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}

const ASCII = /^[\x00-\x7f]*$/;

/** PHP's urldecode: `+` is a space, `%XX` a byte, anything else literal; the bytes as UTF-8. */
function urlDecode(text: string): string {
  if (!/[%+]/.test(text)) return text;
  const plus = text.replace(/\+/g, ' ');
  if (!plus.includes('%')) return plus;
  // ASCII text whose every `%` starts a valid UTF-8 sequence (the usual case) decodes the same
  // through decodeURIComponent; anything else throws there and takes the byte-wise way below.
  if (ASCII.test(plus)) {
    try {
      return decodeURIComponent(plus);
    } catch {
      // a stray `%` or bytes that are not UTF-8
    }
  }
  const raw = Buffer.from(plus, 'utf8');
  const out = Buffer.allocUnsafe(raw.length);
  let length = 0;
  for (let i = 0; i < raw.length; i++) {
    const high = raw[i] === 0x25 && i + 2 < raw.length ? hexValue(raw[i + 1]!) : -1;
    const low = high >= 0 ? hexValue(raw[i + 2]!) : -1;
    if (low >= 0) {
      out[length++] = high * 16 + low;
      i += 2;
    } else out[length++] = raw[i]!;
  }
  return out.toString('utf8', 0, length);
}

/** A decoded name → its path: the top-level name, then each bracket's content ('' appends). Null when PHP drops it. */
function namePath(name: string): string[] | null {
  const trimmed = name.replace(/^ +/, '');
  const open = trimmed.indexOf('[');
  const close = open < 0 ? -1 : trimmed.indexOf(']', open);
  if (open < 0 || close < 0) {
    // No bracket pair: the whole name is the top-level name (an unmatched `[` reads as `_`).
    const top = trimmed.replace(/[. []/g, '_');
    return top ? [top] : null;
  }
  const top = trimmed.slice(0, open).replace(/[. ]/g, '_');
  if (!top) return null;
  const path = [top];
  let at = open;
  while (trimmed[at] === '[') {
    const end = trimmed.indexOf(']', at + 1);
    if (end < 0) break; // a `[` without `]`: the rest is not an index
    path.push(trimmed.slice(at + 1, end));
    if (path.length - 1 > MAX_NESTING) return null;
    at = end + 1;
  }
  return path;
}

/** Sets `value` at `path` in `root`, replacing scalars on the way, appending for '' keys. */
function assign(root: PhpArray, path: string[], value: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const last = i === path.length - 1;
    const key = path[i]!;
    if (last) {
      if (key === '' && i > 0) node.append(value);
      else node.set(key, value);
      return;
    }
    let child: string | PhpArray | undefined = key === '' && i > 0 ? undefined : node.entries.get(key);
    if (!(child instanceof PhpArray)) {
      child = new PhpArray();
      if (key === '' && i > 0) node.append(child);
      else node.set(key, child);
    }
    node = child;
  }
}

/** Already decoded `[name, value]` pairs (multipart fields) → parameters. */
export function parsePhpFields(fields: Iterable<[string, string]>): RawParams {
  const root = new PhpArray();
  let count = 0;
  for (const [name, value] of fields) {
    if (++count > MAX_PAIRS) break;
    const path = namePath(name.split('\0', 1)[0]!);
    if (path) assign(root, path, value);
  }
  const out = root.toValue();
  return Array.isArray(out) ? { ...out } : (out as RawParams);
}

/** A name PHP keeps as it is, at the top level: no brackets, dots, spaces or NULs to rewrite. */
const PLAIN_NAME = /^[^. [\0]+$/;

/**
 * The common query of plain names only (`USER_ID=1&MESSAGE=hi`, what a batch command carries)
 * read straight into an object: the same result as the general walk, without a path per name
 * or an intermediate map. Null as soon as one name needs the general rules.
 */
function plainQuery(text: string): RawParams | null {
  const out: RawParams = {};
  let count = 0;
  for (let start = 0; start <= text.length; ) {
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      if (++count > MAX_PAIRS) return null;
      const part = text.slice(start, end);
      const eq = part.indexOf('=');
      const name = urlDecode(eq < 0 ? part : part.slice(0, eq));
      if (!PLAIN_NAME.test(name) || name === '__proto__') return null;
      out[name] = eq < 0 ? '' : urlDecode(part.slice(eq + 1));
    }
    start = end + 1;
  }
  return out;
}

/** A query string or form body → parameters. */
export function parsePhpQuery(text: string): RawParams {
  // Most REST calls carry no query string at all.
  if (text === '') return {};
  const plain = plainQuery(text);
  if (plain) return plain;
  function* pairs(): Generator<[string, string]> {
    for (const part of text.split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      yield eq < 0 ? [urlDecode(part), ''] : [urlDecode(part.slice(0, eq)), urlDecode(part.slice(eq + 1))];
    }
  }
  return parsePhpFields(pairs());
}
